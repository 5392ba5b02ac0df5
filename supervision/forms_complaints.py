"""Forms in front of the complaint services (the services validate again; forms show the errors)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from supervision.models import Complaint


class ComplaintForm(forms.Form):
    """Intake: the hotline's call record, a parent's complaint, the public's form. Pupils named for
    weekend training come as rows `pupil_name_N`, `pupil_school_N`, `pupil_no_N` (N from 1)."""

    category = forms.ChoiceField(label=_("What is it about?"), choices=Complaint.Category.choices)
    subject_kind = forms.ChoiceField(
        label=_("Who is it about?"),
        choices=Complaint.SubjectKind.choices,
        widget=forms.RadioSelect,
        initial=Complaint.SubjectKind.INSTITUTION,
    )
    institution_id = forms.TypedChoiceField(
        label=_("registered institution"), coerce=int, required=False, empty_value=None
    )
    school_id = forms.TypedChoiceField(label=_("school"), coerce=int, required=False, empty_value=None)
    operator_name = forms.CharField(
        label=_("operator's name"),
        max_length=100,
        required=False,
        help_text=_("For an unregistered operator: the name it uses and the address."),
    )
    operator_address = forms.CharField(label=_("operator's address"), max_length=200, required=False)
    description = forms.CharField(
        label=_("What happened?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("When and where, what was taught or charged, who told you."),
    )
    contact_name = forms.CharField(label=_("your name (optional)"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("your phone number"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("Only the member of staff handling your complaint sees it, to reply and to call you back."),
    )

    def __init__(
        self,
        *args: Any,
        institutions: list[tuple[int, str]] = (),
        schools: list[tuple[int, str]] = (),
        pupil_rows: int = 3,
        staff: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.schools = list(schools)
        self.fields["institution_id"].choices = [("", "—"), *list(institutions)]
        self.fields["school_id"].choices = [("", "—"), *self.schools]
        if staff:  # the hotline records the caller
            self.fields["contact_name"].label = _("caller's name")
            self.fields["contact_phone"].label = _("caller's phone number")
            self.fields["contact_phone"].help_text = _("Only the handler sees it.")
            self.fields["description"].label = _("what the caller says")
        self.pupil_rows = pupil_rows

    def pupils(self) -> list[dict[str, Any]]:
        """The pupil rows as sent (the service checks them)."""
        rows = []
        data = self.data if self.is_bound else {}
        for n in range(1, self.pupil_rows + 1):
            school = str(data.get(f"pupil_school_{n}") or "").strip()
            rows.append(
                {
                    "name": str(data.get(f"pupil_name_{n}") or "")[:50],
                    "school_id": int(school) if school.isdigit() and len(school) < 10 else None,
                    "student_no": str(data.get(f"pupil_no_{n}") or "")[:30],
                }
            )
        return rows

    def pupil_table(self) -> list[dict[str, Any]]:
        """Rows for the template: index and the values sent back."""
        data = self.data if self.is_bound else {}
        return [
            {
                "n": n,
                "name": data.get(f"pupil_name_{n}", ""),
                "school": str(data.get(f"pupil_school_{n}", "")),
                "no": data.get(f"pupil_no_{n}", ""),
            }
            for n in range(1, self.pupil_rows + 1)
        ]


class AssignForm(forms.Form):
    handler = forms.TypedChoiceField(label=_("handler"), coerce=int)

    def __init__(self, *args: Any, handlers: list[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].choices = [(u.pk, u.display_name or u.username) for u in handlers]


class FindingForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=Complaint.Outcome.choices, widget=forms.RadioSelect)
    finding = forms.CharField(label=_("finding"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class RectifyForm(forms.Form):
    rectification = forms.CharField(
        label=_("what must be put right"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    rectify_by = forms.DateField(label=_("rectify by"), widget=forms.DateInput(attrs={"type": "date"}))
    issue_notice = forms.BooleanField(
        label=_("issue a rectification notice to the institution"), required=False, initial=True
    )


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("reply to the complainant"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The complainant reads it on the follow-up page (and, for a parent, in their messages)."),
    )


class CallbackForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("satisfaction"), choices=Complaint.Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("note"), max_length=1000, required=False)


class FollowForm(forms.Form):
    code = forms.CharField(
        label=_("check code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        help_text=_("The code you were given when you sent the complaint, like K7QH-2M9P-XW4R-T8ZN."),
    )
