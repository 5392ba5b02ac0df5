"""Forms in front of the expert course review services (the services validate again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.models import Institution, SubjectArea
from supervision.models.reviews import GRADE_CHOICES
from supervision.services.reviews import MATERIAL_MAX_BYTES, MATERIALS_PER_COURSE


class ExpertForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    unit = forms.CharField(label=_("work unit"), max_length=100, required=False)
    subjects = forms.MultipleChoiceField(
        label=_("subjects"), choices=SubjectArea.choices, widget=forms.CheckboxSelectMultiple
    )
    active = forms.BooleanField(label=_("active (may be drawn)"), required=False, initial=True)


class ExpertConflictForm(forms.Form):
    institution = forms.ModelChoiceField(label=_("institution"), queryset=Institution.objects.none())
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institutions is not None:
            self.fields["institution"].queryset = institutions


class CourseForm(forms.Form):
    """The 课程内容审核表; the materials are the `materials` file input of the same form."""

    name = forms.CharField(label=_("course name"), max_length=100)
    subject_area = forms.ChoiceField(label=_("subject area"), choices=SubjectArea.choices)
    grade_from = forms.TypedChoiceField(label=_("from grade"), choices=GRADE_CHOICES, coerce=int)
    grade_to = forms.TypedChoiceField(label=_("to grade"), choices=GRADE_CHOICES, coerce=int)
    hours = forms.IntegerField(label=_("class hours in total"), min_value=1, max_value=1000)
    lesson_minutes = forms.IntegerField(label=_("minutes per lesson"), min_value=10, max_value=240, initial=45)
    class_size = forms.IntegerField(label=_("pupils per class at most"), min_value=1, max_value=500, initial=20)
    schedule = forms.CharField(
        label=_("when it is taught"), max_length=200, required=False, help_text=_("For example: Saturdays 9:00–10:30.")
    )
    fee = forms.DecimalField(label=_("fee per class hour (yuan)"), min_value=0, max_digits=7, decimal_places=2)
    teacher = forms.CharField(label=_("teacher"), max_length=50)
    teacher_certificate = forms.CharField(label=_("teacher's certificate number"), max_length=40, required=False)
    objectives = forms.CharField(label=_("course objectives"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outline = forms.CharField(
        label=_("content outline"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Lesson by lesson: what is taught."),
    )
    materials_list = forms.CharField(
        label=_("teaching materials (textbooks, handouts)"), widget=forms.Textarea(attrs={"rows": 2})
    )

    max_files = MATERIALS_PER_COURSE
    max_mb = MATERIAL_MAX_BYTES // (1024 * 1024)


class CommitForm(forms.Form):
    n_experts = forms.IntegerField(label=_("experts to draw"), min_value=3, max_value=9, initial=3)
    commitment = forms.CharField(
        label=_("seed commitment (SHA-256)"),
        max_length=64,
        required=False,
        help_text=_("Leave empty and the site makes a secret seed and shows it once."),
    )


class DrawForm(forms.Form):
    seed = forms.CharField(label=_("seed"), max_length=128)


class OpinionForm(forms.Form):
    opinion = forms.ChoiceField(label=_("opinion"), choices=Institution.Kind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("reason for the opinion"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Against the national curriculum: which subject's content, which grades."),
    )


class RecuseForm(forms.Form):
    reason = forms.CharField(label=_("the conflict of interest"), max_length=200)
