"""Forms for partner pages: they parse and render; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import ROOM_FEATURES, WEEKDAY_CHOICES, grade_label
from partners.models import PartnerCourse, Provider

GRADE_CHOICES = [(g, grade_label(g)) for g in range(1, 10)]


class PartnerCourseForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=100)
    title_en = forms.CharField(label=_("English title"), max_length=100, required=False)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 4}))
    kind = forms.ChoiceField(label=_("category"), choices=PartnerCourse.Kind.choices)
    grades = forms.TypedMultipleChoiceField(
        label=_("grades"), choices=GRADE_CHOICES, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    group_size = forms.IntegerField(label=_("group size"), min_value=1, max_value=60, initial=20)
    meetings_per_week = forms.IntegerField(label=_("meetings a week"), min_value=1, max_value=5, initial=1)
    materials = forms.CharField(label=_("materials"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    room_features = forms.MultipleChoiceField(
        label=_("room needs"), choices=ROOM_FEATURES, required=False, widget=forms.CheckboxSelectMultiple
    )
    fee_per_class_hour = forms.DecimalField(
        label=_("fee per class hour (yuan)"), min_value=0, max_digits=5, decimal_places=2, initial=0
    )

    @classmethod
    def for_course(cls, course: PartnerCourse, data: Any = None) -> PartnerCourseForm:
        initial = {name: getattr(course, name) for name in cls.base_fields}
        return cls(data, initial=initial)


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("photo"), help_text=_("JPEG, PNG or WebP, at most 2 MB"))
    caption = forms.CharField(label=_("caption"), max_length=100, required=False)


class ReviewForm(forms.Form):
    comment = forms.CharField(label=_("comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class HostRequestForm(forms.Form):
    term = forms.TypedChoiceField(label=_("term"), coerce=int)
    sections = forms.IntegerField(label=_("number of sections"), min_value=1, max_value=10, initial=1)
    preferred_weekdays = forms.TypedMultipleChoiceField(
        label=_("preferred days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args: Any, terms: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = [(t.pk, t.name) for t in terms]
        if terms and not self.is_bound:
            self.initial.setdefault("term", terms[0].pk)


class AcceptForm(forms.Form):
    teacher = forms.TypedChoiceField(label=_("teacher"), coerce=int)
    note = forms.CharField(label=_("reply"), max_length=300, required=False)

    def __init__(self, *args: Any, teachers: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teacher"].choices = [(t.pk, t.name) for t in teachers]


class DeclineForm(forms.Form):
    note = forms.CharField(label=_("reply"), max_length=300, required=False)


class QualificationForm(forms.Form):
    status = forms.ChoiceField(label=_("qualification review"), choices=Provider.Review.choices)
    expires = forms.DateField(
        label=_("qualification valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class TravelForm(forms.Form):
    from_school = forms.TypedChoiceField(label=_("from school"), coerce=int)
    to_school = forms.TypedChoiceField(label=_("to school"), coerce=int)
    minutes = forms.IntegerField(label=_("minutes"), min_value=0, max_value=600, required=False)

    def __init__(self, *args: Any, schools: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(s.pk, s.name) for s in schools]
        self.fields["from_school"].choices = choices
        self.fields["to_school"].choices = choices
