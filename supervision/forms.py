"""Forms in front of the supervision services (the services validate again; forms show the errors)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.models import (
    CheckList,
    Department,
    Inspector,
    Institution,
    InstitutionTeacher,
    ItemResult,
    Verification,
)


class InstitutionForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    credit_code = forms.CharField(
        label=_("unified social credit code"),
        max_length=30,
        help_text=_("18 characters; the check character is verified."),
    )
    kind = forms.ChoiceField(label=_("kind"), choices=Institution.Kind.choices)
    legal_form = forms.ChoiceField(label=_("legal form"), choices=Institution.LegalForm.choices)
    licence_no = forms.CharField(label=_("school licence number"), max_length=40, required=False)
    licence_expires = forms.DateField(
        label=_("licence valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("status"), choices=Institution.Status.choices)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    township = forms.CharField(label=_("responsible township"), max_length=50)
    grid = forms.CharField(label=_("grid cell"), max_length=50, required=False)
    contact_name = forms.CharField(label=_("contact person"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20, required=False)
    prepaid = forms.ChoiceField(label=_("prepaid fees"), choices=Institution.Prepaid.choices)
    provider_id = forms.TypedChoiceField(label=_("partner provider"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider_id"].choices = [("", "—")] + [(p.pk, p.name) for p in providers]

    @classmethod
    def initial_for(cls, institution: Institution) -> dict:
        from supervision.services.register import snapshot

        return snapshot(institution)


class TeacherForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    subject = forms.CharField(label=_("subject"), max_length=30, required=False)
    qualification = forms.ChoiceField(label=_("qualification"), choices=InstitutionTeacher.Qualification.choices)
    certificate_no = forms.CharField(label=_("certificate number"), max_length=40, required=False)


class ConflictForm(forms.Form):
    inspector = forms.ModelChoiceField(label=_("inspector"), queryset=Inspector.objects.none())
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)

    def __init__(self, *args, inspectors=None, **kwargs):
        super().__init__(*args, **kwargs)
        if inspectors is not None:
            self.fields["inspector"].queryset = inspectors


class PlanForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=100)
    kinds = forms.MultipleChoiceField(
        label=_("kinds"), choices=Institution.Kind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    statuses = forms.MultipleChoiceField(
        label=_("statuses"),
        choices=Institution.Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=["operating"],
    )
    townships = forms.CharField(label=_("townships (comma separated, empty: all)"), max_length=500, required=False)
    grades = forms.MultipleChoiceField(
        label=_("risk grades (empty: all)"),
        choices=[("green", _("green")), ("yellow", _("yellow")), ("red", _("red"))],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    n_targets = forms.IntegerField(label=_("number of targets"), min_value=1, required=False)
    percent = forms.DecimalField(
        label=_("or percentage of the population"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    per_target = forms.IntegerField(label=_("inspectors per target"), min_value=2, max_value=10, initial=2)
    departments = forms.MultipleChoiceField(
        label=_("departments joining"),
        choices=Department.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["education", "market"],
    )
    checklists = forms.ModelMultipleChoiceField(
        label=_("check-item lists"), queryset=CheckList.objects.all(), widget=forms.CheckboxSelectMultiple
    )


class CommitForm(forms.Form):
    commitment = forms.CharField(
        label=_("SHA-256 of the secret seed (64 hex characters)"),
        max_length=64,
        required=False,
        help_text=_("Leave empty to let the site make a seed: it is shown to you once, keep it for the draw."),
    )


class DrawForm(forms.Form):
    seed = forms.CharField(label=_("secret seed"), max_length=128)


class ResultForm(forms.Form):
    result = forms.ChoiceField(label=_("result"), choices=ItemResult.Result.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(ResultForm):
    reason = forms.CharField(label=_("reason for the correction"), max_length=200)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("photo"), widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})
    )


class NoticeForm(forms.Form):
    deadline = forms.DateField(label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    extra = forms.CharField(
        label=_("further items (one a line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResponseForm(forms.Form):
    response = forms.CharField(label=_("what was put right"), widget=forms.Textarea(attrs={"rows": 4}))


class VerificationForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Verification.Kind.choices)
    passed = forms.TypedChoiceField(
        label=_("rectified"),
        choices=[("1", _("yes, rectified")), ("0", _("no, not rectified"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReferralForm(forms.Form):
    note = forms.CharField(label=_("referral note"), widget=forms.Textarea(attrs={"rows": 3}))


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    kinds = forms.MultipleChoiceField(
        label=_("kinds of institution"),
        choices=Institution.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    check_items = forms.CharField(label=_("check items"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    starts_on = forms.DateField(label=_("starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("ends on"), widget=forms.DateInput(attrs={"type": "date"}))


class CampaignRoundForm(forms.Form):
    starts_on = forms.DateField(label=_("starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("ends on"), widget=forms.DateInput(attrs={"type": "date"}))


class CampaignGroupForm(forms.Form):
    """Members are checked by the service (≥ 2, one group per round), so its message shows here."""

    round = forms.ModelChoiceField(label=_("round"), queryset=Inspector.objects.none())
    members = forms.ModelMultipleChoiceField(
        label=_("members"), queryset=Inspector.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, rounds=None, inspectors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = rounds
        self.fields["members"].queryset = inspectors


class CampaignVisitForm(forms.Form):
    group = forms.ModelChoiceField(label=_("inspection group"), queryset=Inspector.objects.none())
    institution = forms.CharField(label=_("unified social credit code"), max_length=30)
    visited_on = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["group"].label_from_instance = lambda g: f"{g.round.number}-{g.number}"
