"""The bureau assigns, hotline staff take, and the handler moves a complaint on, step by step."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, RoleGrant
from core.audit import audit_record
from core.errors import DomainError
from core.validation import FieldErrors
from messaging.services import Outgoing, send, site_language
from supervision.models import Complaint
from supervision.services.complaints.common import (
    BEFORE_OUTCOME,
    TRANSITIONS,
    A,
    S,
    event,
    handler_only,
    lock,
    move,
    required,
)
from supervision.services.complaints.feedback import schools_tell
from supervision.services.notices import notice_issue

# --- the bureau assigns; hotline staff take -------------------------------------------------------------


@transaction.atomic
def complaint_assign(
    *, complaint: Complaint, handler: Any, by: Any, request: HttpRequest | None = None, today: dt.date | None = None
) -> Complaint:
    """Give the complaint to hotline staff of its district (again, to hand it over while open)."""
    today = today or timezone.localdate()
    complaint = lock(complaint)
    if not complaint.is_open:
        raise DomainError("invalid_transition", detail=f"{complaint.status} → {S.ASSIGNED}")
    if (
        handler is None
        or not RoleGrant.objects.filter(
            user_id=handler.pk, role=Role.HOTLINE, district_id=complaint.district_id
        ).exists()
    ):
        raise DomainError("validation_error", fields={"handler": [str(_("Choose hotline staff of the district."))]})
    before = complaint.status
    if complaint.status == S.RECEIVED:
        move(complaint, S.ASSIGNED, today=today)
    complaint.handler = handler
    complaint.save()
    event(complaint, A.ASSIGNED, by, before=before, note=handler.display_name or handler.username)
    audit_record(
        action="supervision.complaint.assigned", actor=by, obj=complaint, request=request, data={"handler": handler.pk}
    )
    return complaint


@transaction.atomic
def complaint_take(*, complaint: Complaint, by: Any, request: HttpRequest | None = None, today=None) -> Complaint:
    """Hotline staff take an unassigned complaint of their district."""
    current = lock(complaint)
    if current.handler_id is not None:
        raise DomainError("complaint_has_handler")
    return complaint_assign(complaint=current, handler=by, by=by, request=request, today=today)


# --- the handler's steps ------------------------------------------------------------------------------------


@transaction.atomic
def complaint_start_verification(
    *, complaint: Complaint, by: Any, note: str = "", request: HttpRequest | None = None, today=None
) -> Complaint:
    today = today or timezone.localdate()
    complaint = lock(complaint)
    handler_only(complaint, by)
    before = move(complaint, S.VERIFYING, today=today)
    complaint.save()
    event(complaint, A.VERIFYING, by, before=before, note=str(note or "").strip())
    audit_record(action="supervision.complaint_verification.taken", actor=by, obj=complaint, request=request)
    return complaint


@transaction.atomic
def complaint_record_finding(
    *,
    complaint: Complaint,
    by: Any,
    outcome: str,
    finding: str,
    request: HttpRequest | None = None,
    today: dt.date | None = None,
) -> Complaint:
    """Substantiated or not, with what was found. A substantiated weekend-training complaint tells
    each named pupil's school (its coordinators) about its own pupils."""
    today = today or timezone.localdate()
    complaint = lock(complaint)
    handler_only(complaint, by)
    if outcome not in Complaint.Outcome.values:
        raise DomainError("validation_error", fields={"outcome": [str(_("Choose one of the listed values."))]})
    text = required(finding, "finding", _("Say what the verification found."))
    before = move(complaint, outcome, today=today)
    complaint.outcome = outcome
    complaint.finding = text
    complaint.save()
    event(complaint, A.FOUND, by, before=before, note=text)
    audit_record(
        action="supervision.complaint.verified", actor=by, obj=complaint, request=request, data={"outcome": outcome}
    )
    if outcome == Complaint.Outcome.SUBSTANTIATED and complaint.category == Complaint.Category.WEEKEND_SUBJECT:
        schools_tell(complaint=complaint, by=by, request=request)
    return complaint


@transaction.atomic
def complaint_order_rectification(
    *,
    complaint: Complaint,
    by: Any,
    rectification: str,
    rectify_by: dt.date,
    issue_notice: bool = False,
    request: HttpRequest | None = None,
    today: dt.date | None = None,
) -> Complaint:
    """What must be put right and by when; for a registered institution optionally as a
    rectification notice (整改通知书, the inspections' own), whose deadline is the same day."""
    today = today or timezone.localdate()
    complaint = lock(complaint)
    handler_only(complaint, by)
    errors = FieldErrors()
    text = str(rectification or "").strip()[:2000]
    if not text:
        errors.add("rectification", _("Say what must be put right."))
    if not isinstance(rectify_by, dt.date) or rectify_by < today:
        errors.add("rectify_by", _("The deadline must be today or later."))
    errors.raise_if_any()
    if issue_notice and complaint.institution_id is None:
        raise DomainError("complaint_notice_needs_institution")
    complaint.rectification = text
    complaint.rectify_by = rectify_by
    before = move(complaint, S.RECTIFYING, today=today)
    if issue_notice:
        complaint.notice = notice_issue(
            institution=complaint.institution,
            deadline=rectify_by,
            extra=[f"{complaint.label}：{text}"[:300]],
            by=by,
            request=request,
            today=today,
        )
    complaint.save()
    event(complaint, A.RECTIFYING, by, before=before, note=text)
    if complaint.notice_id:
        event(complaint, A.NOTICE, by, note=complaint.notice.label)
    audit_record(
        action="supervision.complaint_rectification.requested",
        actor=by,
        obj=complaint,
        request=request,
        data={"rectify_by": rectify_by.isoformat(), "notice": complaint.notice_id},
    )
    return complaint


@transaction.atomic
def complaint_record_follow_up(
    *, complaint: Complaint, by: Any, note: str, request: HttpRequest | None = None, today=None
) -> Complaint:
    """The 回头看: was it put right?"""
    today = today or timezone.localdate()
    complaint = lock(complaint)
    handler_only(complaint, by)
    text = required(note, "note", _("Say what the follow-up found."))
    before = move(complaint, S.FOLLOWED_UP, today=today)
    complaint.follow_up = text
    complaint.save()
    event(complaint, A.FOLLOWED_UP, by, before=before, note=text)
    audit_record(action="supervision.complaint_follow_up.added", actor=by, obj=complaint, request=request)
    return complaint


@transaction.atomic
def complaint_reply(*, complaint: Complaint, by: Any, text: str, request: HttpRequest | None = None) -> Complaint:
    """The answer to the complainant (shown on the follow-up page; a parent also gets a message)."""
    complaint = lock(complaint)
    handler_only(complaint, by)
    if complaint.status in BEFORE_OUTCOME:
        raise DomainError("complaint_outcome_missing")
    reply = required(text, "reply", _("Write the reply."))
    complaint.reply = reply
    complaint.replied_at = timezone.now()
    complaint.save()
    event(complaint, A.REPLIED, by, note=reply)
    audit_record(action="supervision.complaint_reply.sent", actor=by, obj=complaint, request=request)
    if complaint.complainant_id:
        with site_language():
            title = gettext("Reply to your complaint %(label)s") % {"label": complaint.label}
        send(
            [
                Outgoing(
                    recipient_id=complaint.complainant_id,
                    kind="complaint_reply",
                    title=title,
                    body=reply,
                    link=reverse("supervision:my_complaint", args=[complaint.pk]),
                    about=f"complaint:{complaint.pk}",
                )
            ]
        )
    return complaint


@transaction.atomic
def complaint_callback(
    *, complaint: Complaint, by: Any, satisfaction: str, note: str = "", request: HttpRequest | None = None
) -> Complaint:
    """The satisfaction call-back (回访) after the reply: satisfied … or could not be reached."""
    complaint = lock(complaint)
    handler_only(complaint, by)
    if not complaint.replied_at:
        raise DomainError("complaint_reply_missing")
    if satisfaction not in Complaint.Satisfaction.values:
        raise DomainError("validation_error", fields={"satisfaction": [str(_("Choose one of the listed values."))]})
    complaint.satisfaction = satisfaction
    complaint.callback_at = timezone.now()
    complaint.save()
    label = str(Complaint.Satisfaction(satisfaction).label)
    event(complaint, A.CALLBACK, by, note=f"{label}　{str(note or '').strip()}".strip())
    audit_record(
        action="supervision.complaint_callback.made",
        actor=by,
        obj=complaint,
        request=request,
        data={"satisfaction": satisfaction},
    )
    return complaint


@transaction.atomic
def complaint_close(
    *, complaint: Complaint, by: Any, note: str = "", request: HttpRequest | None = None, today=None
) -> Complaint:
    """Close: needs an outcome (409 complaint_outcome_missing) and a reply (409 complaint_reply_missing)."""
    today = today or timezone.localdate()
    complaint = lock(complaint)
    handler_only(complaint, by)
    if complaint.status in BEFORE_OUTCOME:
        raise DomainError("complaint_outcome_missing")
    if S.CLOSED not in TRANSITIONS.get(complaint.status, set()):
        raise DomainError("invalid_transition", detail=f"{complaint.status} → {S.CLOSED}")
    if not complaint.replied_at:
        raise DomainError("complaint_reply_missing")
    before = move(complaint, S.CLOSED, today=today)
    complaint.closed_at = timezone.now()
    complaint.save()
    event(complaint, A.CLOSED, by, before=before, note=str(note or "").strip())
    audit_record(action="supervision.complaint.closed", actor=by, obj=complaint, request=request)
    return complaint


@transaction.atomic
def complaint_refer(
    *, complaint: Complaint, by: Any, note: str, request: HttpRequest | None = None, today=None
) -> Complaint:
    """Refer to 综合行政执法 (or the competent department), with the reason."""
    today = today or timezone.localdate()
    complaint = lock(complaint)
    handler_only(complaint, by)
    text = required(note, "note", _("Say why and to whom the complaint is referred."))
    before = move(complaint, S.REFERRED, today=today)
    complaint.referral_note = text
    complaint.closed_at = timezone.now()
    complaint.save()
    event(complaint, A.REFERRED, by, before=before, note=text)
    audit_record(action="supervision.complaint.referred", actor=by, obj=complaint, request=request)
    return complaint
