"""Forms for families and coordinators; every id in a form is checked against the acting user's scope."""

from __future__ import annotations

import re

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from courses.models import Course, School, Section, Term
from enrollment.models import Dismissal, EnrollmentWindow, PriorityGroup

WEEKDAYS = [("", _("Any day")), ("0", _("Mon")), ("1", _("Tue")), ("2", _("Wed")), ("3", _("Thu")), ("4", _("Fri"))]


class CatalogueFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=[("", _("All kinds")), *Course.Kind.choices])
    weekday = forms.ChoiceField(label=_("weekday"), required=False, choices=WEEKDAYS)

    def filters(self) -> dict:
        if not self.is_valid():
            return {"kind": "", "weekday": None}
        weekday = self.cleaned_data.get("weekday")
        return {"kind": self.cleaned_data.get("kind") or "", "weekday": int(weekday) if weekday else None}

    def query(self) -> dict[str, str]:
        """The filters in force as query parameters (empty ones left out): the enroll form carries
        them, so an error or a fee confirmation brings the family back to the list they had."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {k: str(v) for k, v in self.cleaned_data.items() if v not in ("", None)}


class EnrollForm(forms.Form):
    section = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    waitlist = forms.BooleanField(required=False)
    key = forms.RegexField(regex=r"^[A-Za-z0-9_-]{8,64}$", required=False)
    confirmed_total = forms.DecimalField(required=False, min_value=0, max_digits=9, decimal_places=2)
    # the catalogue's filters, passed through (checked again by CatalogueFilterForm)
    kind = forms.CharField(required=False, max_length=20)
    weekday = forms.CharField(required=False, max_length=2)


class DismissalForm(forms.Form):
    weekday = forms.TypedChoiceField(coerce=int, choices=[(d, d) for d in range(5)])
    choice = forms.ChoiceField(choices=Dismissal.choices)


class PreferenceForm(forms.Form):
    """Rank up to `max_choices` sections: one select per rank (rank 1 is the first choice)."""

    def __init__(
        self,
        *args,
        sections: list[Section],
        max_choices: int,
        initial_ids: list[int],
        labels: dict[int, str] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        labels = labels or {}  # day, time, seats and fee of each (enrollment.selectors.choices)
        options = [("", _("— none —"))] + [
            (str(s.pk), labels.get(s.pk) or f"{s.course.title} · {s.code}") for s in sections
        ]
        for rank in range(1, max_choices + 1):
            self.fields[f"rank_{rank}"] = forms.ChoiceField(
                label=_("Choice %(rank)s") % {"rank": rank},
                choices=options,
                required=False,
                initial=str(initial_ids[rank - 1]) if rank <= len(initial_ids) else "",
            )

    def section_ids(self) -> list[int]:
        """The chosen ids in rank order, gaps closed (choice 1 empty and 2 set means 2 becomes 1)."""
        ids = []
        for name in sorted(self.fields, key=lambda n: int(n.split("_")[1])):
            value = self.cleaned_data.get(name)
            if value:
                ids.append(int(value))
        return ids


class WindowForm(forms.ModelForm):
    opens_at = forms.DateTimeField(label=_("opens"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=_("closes"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    priority_order = forms.CharField(
        label=_("priority group order"),
        required=False,
        max_length=100,
    )

    class Meta:
        model = EnrollmentWindow
        fields = [
            "term",
            "mode",
            "opens_at",
            "closes_at",
            "max_choices",
            "offer_hours",
            "max_seats",
            "priority_order",
            "missed_first_choice_bonus",
            "head_start_hours",
        ]

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.filter(school=school)
        labels = dict(PriorityGroup.choices)
        self.fields["priority_order"].help_text = _(
            "Highest priority first, separated by commas, e.g. %(example)s. "
            "Empty: the district's default order. Fixed once the window opens."
        ) % {"example": ", ".join(str(label) for label in labels.values())}
        # The model keeps a list; the field is text: never let a new window's [] show as "[]".
        self.initial["priority_order"] = ", ".join(str(labels.get(k, k)) for k in self.instance.priority_order or [])
        for name in ("opens_at", "closes_at"):
            self.fields[name].widget.format = "%Y-%m-%dT%H:%M"
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]

    def clean_priority_order(self) -> list[str]:
        """Accept the groups' Chinese or English names or keys; refuse unknown and repeated ones."""
        raw = self.cleaned_data.get("priority_order") or ""
        by_name = {key: key for key in PriorityGroup.values}
        for language in ("zh-hans", "en"):  # names with spaces ("left-behind child") are one name
            with translation.override(language):
                by_name.update({str(label).lower(): key for key, label in PriorityGroup.choices})
        parts: list[str] = []
        for part in (p.strip() for p in re.split(r"[,，、;；]+", raw) if p.strip()):
            words = part.split()  # "残疾 留守儿童": spaces also separate names that have none
            parts.extend(words if part.lower() not in by_name and len(words) > 1 else [part])
        order: list[str] = []
        for part in parts:
            key = by_name.get(part.lower())
            if key is None:
                known = "、".join(str(label) for _key, label in PriorityGroup.choices)
                raise forms.ValidationError(
                    _("Unknown priority group “%(name)s”. Use: %(known)s.") % {"name": part, "known": known}
                )
            if key in order:
                raise forms.ValidationError(_("“%(name)s” is listed twice.") % {"name": part})
            order.append(key)
        return order

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The window must close after it opens."))
        return data


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("notice title"), max_length=100)
    body = forms.CharField(label=_("text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    audience = forms.ChoiceField(label=_("to"), choices=[("school", _("all families of the school"))])

    def __init__(self, *args, school: School, sections: list[Section], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("school", _("all families of the school"))]
        choices += [(f"grade:{g}", _("families of grade %(g)s") % {"g": g}) for g in school.grades]
        choices += [(f"section:{s.pk}", f"{s.course.title} · {s.code}") for s in sections]
        self.fields["audience"].choices = choices
        self._sections = {s.pk: s for s in sections}

    def audience_value(self) -> tuple[int | None, Section | None]:
        value = self.cleaned_data["audience"]
        if value.startswith("grade:"):
            return int(value.split(":")[1]), None
        if value.startswith("section:"):
            return None, self._sections[int(value.split(":")[1])]
        return None, None


class RosterAddForm(forms.Form):
    student_no = forms.CharField(label=_("student number"), max_length=30)
    reason = forms.CharField(label=_("reason"), max_length=200)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=200)
