"""Forms of the 转登 window (the services check every rule again; forms only show the errors)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.models.conversion import Target


class DeadlineForm(forms.Form):
    title = forms.CharField(label=_("name of the campaign"), max_length=100, required=False)
    deadline = forms.DateField(
        label=_("district deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class OpenForm(forms.Form):
    institution = forms.TypedChoiceField(label=_("institution"), coerce=int)
    target = forms.ChoiceField(label=_("direction of conversion"), choices=Target.choices)

    def __init__(self, *args, institutions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].choices = [(i.pk, f"{i.name}（{i.credit_code}）") for i in institutions]


class OpenAllForm(forms.Form):
    target = forms.ChoiceField(
        label=_("target of the new cases"),
        choices=Target.choices,
        help_text=_("Each case's target can still be changed while it is at intake."),
    )


class TargetForm(forms.Form):
    target = forms.ChoiceField(label=_("direction of conversion"), choices=Target.choices)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    purpose = forms.CharField(label=_("purpose"), max_length=200)


class ExtensionForm(forms.Form):
    extended_to = forms.DateField(
        label=_("extended to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty to withdraw the extension: the district's deadline applies again."),
    )
    reason = forms.CharField(label=_("reason for the extension"), max_length=200, required=False)
