"""Forms for the set-up pages: they parse and render; the services decide what is valid.

Fields that carry an id (term, teacher, class, slot) are resolved with the school-scoped
selectors, so an id of another school's object raises Http404 rather than a form error.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from courses import selectors
from courses.models import ROOM_FEATURES, WEEKDAY_CHOICES, CalendarException, Course, School, SchoolClass, grade_label
from courses.services import MAX_SEATS, MAX_SESSIONS, TEMPLATE_SESSIONS, fee_cap


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%H:%M", **kwargs)


class TermForm(forms.Form):
    name = forms.CharField(label=_("term"), max_length=50, help_text=_("e.g. 2026 autumn"))
    start = forms.DateField(label=_("start date"), widget=DateInput())
    end = forms.DateField(label=_("end date"), widget=DateInput())


class CalendarExceptionForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("kind"), choices=CalendarException.Kind.choices)
    follows_weekday = forms.TypedChoiceField(
        label=_("follows weekday"),
        choices=[("", "—"), *WEEKDAY_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("for a swapped working day: whose timetable it follows"),
    )
    note = forms.CharField(label=_("note"), max_length=100, required=False, help_text=_("e.g. National Day"))


def _session_fields(form: forms.Form, *, prefix: str, count: int, label: Any, required: int = 0) -> None:
    """`label` is a format with %(n)s (session number) and %(part)s (start or end)."""
    for n in range(1, count + 1):
        for part, part_label in (("start", _("start")), ("end", _("end"))):
            form.fields[f"{prefix}{n}_{part}"] = forms.TimeField(
                label=label % {"n": n, "part": part_label}, required=n <= required, widget=TimeInput()
            )


def session_pairs(data: dict[str, Any], *, prefix: str, count: int) -> list[tuple[Any, Any] | None]:
    pairs: list[tuple[Any, Any] | None] = []
    for n in range(1, count + 1):
        start, end = data.get(f"{prefix}{n}_start"), data.get(f"{prefix}{n}_end")
        pairs.append(None if start is None and end is None else (start, end))
    return pairs


class GridTemplateForm(forms.Form):
    """The 5+2 template: two sessions Monday to Friday, Friday optionally different."""

    friday_differs = forms.BooleanField(label=_("Friday has different times"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "session_1_start": TEMPLATE_SESSIONS[0][0],
                "session_1_end": TEMPLATE_SESSIONS[0][1],
                "session_2_start": TEMPLATE_SESSIONS[1][0],
                "session_2_end": TEMPLATE_SESSIONS[1][1],
            },
        )
        super().__init__(*args, **kwargs)
        _session_fields(self, prefix="session_", count=2, label=_("Session %(n)s · %(part)s"), required=2)
        _session_fields(self, prefix="friday_", count=2, label=_("Friday, session %(n)s · %(part)s"))
        self.order_fields([*[f for f in self.fields if f != "friday_differs"], "friday_differs"])

    def sessions(self) -> list[tuple[Any, Any] | None]:
        return session_pairs(self.cleaned_data, prefix="session_", count=2)

    def friday_sessions(self) -> list[tuple[Any, Any] | None] | None:
        if not self.cleaned_data.get("friday_differs"):
            return None
        return session_pairs(self.cleaned_data, prefix="friday_", count=2)


class WeekdayForm(forms.Form):
    """One weekday's sessions; an empty pair removes that session."""

    def __init__(self, *args: Any, weekday: int, sessions: int = MAX_SESSIONS, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"wd{weekday}")
        super().__init__(*args, **kwargs)
        self.weekday = weekday
        self.count = sessions
        _session_fields(self, prefix="session_", count=sessions, label=_("Session %(n)s · %(part)s"))

    def sessions(self) -> list[tuple[Any, Any] | None]:
        return session_pairs(self.cleaned_data, prefix="session_", count=self.count)


class RoomForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    capacity = forms.IntegerField(label=_("capacity"), min_value=1, max_value=MAX_SEATS)
    features = forms.MultipleChoiceField(
        label=_("features"), choices=ROOM_FEATURES, required=False, widget=forms.CheckboxSelectMultiple
    )
    home_classes = forms.ModelMultipleChoiceField(
        label=_("home room of"),
        queryset=SchoolClass.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("the classes whose own classroom this is: their homework help meets here"),
    )

    def __init__(self, *args: Any, school: School | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if school is not None:  # the school's own classes only: another school's id is not a choice
            self.fields["home_classes"].queryset = SchoolClass.objects.filter(school=school).order_by("grade", "number")


class TeacherForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    staff_no = forms.CharField(label=_("staff number"), max_length=30)
    phone = forms.CharField(label=_("mobile phone"), max_length=20, required=False)
    subjects = forms.CharField(
        label=_("subjects"), max_length=200, required=False, help_text=_("separated by commas, e.g. maths, science")
    )
    max_periods_week = forms.IntegerField(
        label=_("maximum after-school periods a week"), min_value=0, max_value=40, initial=6
    )


class CourseForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"))
    title = forms.CharField(label=_("title"), max_length=100)
    grades = forms.TypedMultipleChoiceField(
        label=_("grades"), coerce=int, widget=forms.CheckboxSelectMultiple, choices=()
    )
    seats_per_section = forms.IntegerField(label=_("seats per section"), min_value=1, max_value=MAX_SEATS)
    meetings_per_week = forms.IntegerField(label=_("meetings a week"), min_value=1, max_value=5, initial=1)
    room_features = forms.MultipleChoiceField(
        label=_("room needs"), choices=ROOM_FEATURES, required=False, widget=forms.CheckboxSelectMultiple
    )
    fee_per_class_hour = forms.DecimalField(
        label=_("fee per class hour (yuan)"), min_value=Decimal("0"), max_digits=5, decimal_places=2, initial=0
    )
    description = forms.CharField(label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    homework_in_home_room = forms.BooleanField(
        label=_("homework help in the class's own classroom"),
        required=False,
        initial=True,
        help_text=_("homework help only: each section meets in its class's home room"),
    )

    def __init__(self, *args: Any, school: School, course: Course | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if course is not None and course.kind == Course.Kind.PARTNER:
            self.fields["kind"].choices = [(Course.Kind.PARTNER, Course.Kind.PARTNER.label)]
        else:
            self.fields["kind"].choices = [(k, label) for k, label in Course.Kind.choices if k != Course.Kind.PARTNER]
        self.fields["grades"].choices = [(g, grade_label(g)) for g in school.grades]
        cap = fee_cap()
        self.fields["fee_per_class_hour"].help_text = _("at most %(cap)s yuan; 0 when free") % {"cap": f"{cap:.2f}"}
        self.fields["fee_per_class_hour"].widget.attrs.update({"max": f"{cap}", "step": "0.01"})


class SectionForm(forms.Form):
    """A section of a course; term, teacher and class are ids checked against the school."""

    term = forms.CharField(label=_("term"), widget=forms.Select)
    code = forms.CharField(label=_("code"), max_length=30, required=False, help_text=_("left empty: the next number"))
    capacity = forms.IntegerField(label=_("seats"), min_value=1, max_value=MAX_SEATS, required=False)
    teacher = forms.CharField(label=_("teacher"), required=False, widget=forms.Select)
    school_class = forms.CharField(label=_("class"), required=False, widget=forms.Select)

    def __init__(self, *args: Any, school: School, course: Course, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school, self.course = school, course
        self.fields["term"].widget.choices = [(t.pk, t.name) for t in selectors.term_list(school=school)]
        teachers = selectors.teacher_list_for_school(school=school)
        if course.partner_course_id:
            teachers = list(course.partner_course.provider.teachers.order_by("name")) + teachers
        self.fields["teacher"].widget.choices = [("", "—"), *((t.pk, t.name) for t in teachers)]
        classes = [c for c in selectors.school_class_list(school=school) if c.grade in (course.grades or [])]
        self.fields["school_class"].widget.choices = [("", "—"), *((c.pk, str(c)) for c in classes)]
        self.fields["capacity"].help_text = _("at most %(n)s, the course's seats per section") % {
            "n": course.seats_per_section
        }

    def clean_term(self):
        return selectors.term_get(school=self.school, term_id=self.cleaned_data["term"])

    def clean_teacher(self):
        raw = self.cleaned_data.get("teacher")
        if not raw:
            return None
        if self.course.partner_course_id:
            teacher = self.course.partner_course.provider.teachers.filter(pk=selectors._id_or_404(raw)).first()
            if teacher is not None:
                return teacher
        return selectors.teacher_get_for_school(school=self.school, teacher_id=raw)

    def clean_school_class(self):
        raw = self.cleaned_data.get("school_class")
        return selectors.school_class_get_for_school(school=self.school, class_id=raw) if raw else None


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
