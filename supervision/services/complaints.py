"""Complaints followed to closure (投诉举报闭环), and weekend subject training fed back to schools.

Workflow (each step one service; anything else is 409 `invalid_transition`)::

    received → assigned → verifying → substantiated → rectifying → followed_up → closed
                                    ↘ unsubstantiated → closed        ↘ (substantiated, rectifying,
                                                                         followed_up) → referred

Closing needs an outcome (`complaint_outcome_missing`) and a reply to the complainant
(`complaint_reply_missing`); the satisfaction call-back follows the reply, before or after closing.

Time limits are working days of the district's term calendar (`supervision.workdays`), stored as
`due` for the current stage when the stage begins (`STAGE_LIMITS`), so lists and statistics find
overdue complaints with one indexed comparison.

Only the handler (hotline staff the complaint is assigned to) moves a complaint on; the bureau
assigns; hotline staff may take an unassigned complaint. The complainant's contact never goes into
an event, an audit record or a message.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, RoleGrant
from core.audit import audit_record
from core.errors import DomainError
from core.validation import FieldErrors, clean_text
from courses.models import District, School
from messaging.services import Outgoing, send
from pupils.models import Student
from supervision.models import (
    Complaint,
    ComplaintEvent,
    ComplaintPupil,
    ComplaintSchoolFeedback,
    Institution,
    PublicAttempt,
)
from supervision.selectors_complaints import district_calendar
from supervision.services.notices import notice_issue
from supervision.workdays import add_working_days

S = Complaint.Status
A = ComplaintEvent.Action

#: Which step may follow which (the workflow of the issue); closing and referring end it.
TRANSITIONS: dict[str, set[str]] = {
    S.RECEIVED: {S.ASSIGNED},
    S.ASSIGNED: {S.VERIFYING},
    S.VERIFYING: {S.SUBSTANTIATED, S.UNSUBSTANTIATED},
    S.SUBSTANTIATED: {S.RECTIFYING, S.REFERRED},
    S.UNSUBSTANTIATED: {S.CLOSED},
    S.RECTIFYING: {S.FOLLOWED_UP, S.REFERRED},
    S.FOLLOWED_UP: {S.CLOSED, S.REFERRED},
}
BEFORE_OUTCOME = (S.RECEIVED, S.ASSIGNED, S.VERIFYING)

#: Working days each stage may take, and from when: (days, "received" | "stage" | "rectify_by").
#: Assign on the next working day; verify and find within 10 working days of receipt; an
#: unsubstantiated complaint is answered and closed within 15; a substantiated one is acted on
#: within 5; the follow-up (回头看) comes within 5 of the rectification deadline; then 5 to close.
STAGE_LIMITS: dict[str, tuple[int, str]] = {
    S.RECEIVED: (1, "received"),
    S.ASSIGNED: (10, "received"),
    S.VERIFYING: (10, "received"),
    S.UNSUBSTANTIATED: (15, "received"),
    S.SUBSTANTIATED: (5, "stage"),
    S.RECTIFYING: (5, "rectify_by"),
    S.FOLLOWED_UP: (5, "stage"),
}

MAX_PUPILS = 20
PUBLIC_SUBMISSIONS_PER_HOUR = 5
FOLLOW_FAILURES_PER_WINDOW = 10
FOLLOW_WINDOW = dt.timedelta(minutes=15)
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out on the phone
CODE_LENGTH = 16  # 31**16 ≈ 2**79: unguessable, and throttled besides
PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")


# --- helpers ------------------------------------------------------------------------------------------


def new_code() -> str:
    """A check code like `K7QH-2M9P-XW4R-T8ZN` (shown once; only its hash is kept)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_hash(code: str) -> str:
    normal = re.sub(r"[^0-9A-Z]", "", str(code or "").upper())
    return hashlib.sha256(f"kehou-complaint:{normal}".encode()).hexdigest()


def due_for(complaint: Complaint, status: str, today: dt.date) -> dt.date | None:
    """The time limit of `status` for this complaint, counted in the district's working days."""
    limit = STAGE_LIMITS.get(status)
    if limit is None:
        return None
    days, base = limit
    start = {"received": complaint.received_on, "stage": today, "rectify_by": complaint.rectify_by or today}[base]
    school_days, term_dates = district_calendar(complaint.district_id, start, start + dt.timedelta(days=3 * days + 45))
    return add_working_days(start, days, school_days=school_days, term_dates=term_dates)


def _event(complaint: Complaint, action: str, by: Any, *, before: str | None = None, note: str = "") -> ComplaintEvent:
    """One line of the history; `before`: the status before a step that may change it."""
    moved = before is not None and before != complaint.status
    return ComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        by=by if getattr(by, "pk", None) else None,
        status_from=before or "",
        status_to=complaint.status if moved else "",
        note=note[:4000],
    )


def _lock(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",)).select_related("institution", "school").get(pk=complaint.pk)
    )


def _handler_only(complaint: Complaint, by: Any) -> None:
    if complaint.handler_id is None or complaint.handler_id != getattr(by, "pk", None):
        raise DomainError("complaint_not_handler")


def _move(complaint: Complaint, to: str, *, today: dt.date) -> str:
    """Check the step against the workflow, set the status and the new stage's time limit."""
    if to == S.CLOSED and complaint.status in BEFORE_OUTCOME:
        raise DomainError("complaint_outcome_missing")
    if to not in TRANSITIONS.get(complaint.status, set()):
        raise DomainError("invalid_transition", detail=f"{complaint.status} → {to}")
    before = complaint.status
    complaint.status = to
    complaint.due = due_for(complaint, to, today)
    return before


def _site_language():
    return translation.override(settings.LANGUAGE_CODE)


def _required(value: Any, field: str, message: Any, *, max_length: int = 4000) -> str:
    text = str(value or "").strip()[:max_length]
    if not text:
        raise DomainError("validation_error", fields={field: [str(message)]})
    return text


# --- intake -------------------------------------------------------------------------------------------


def _throttled(kind: str, ip: str | None, limit: int, window: dt.timedelta) -> bool:
    if not ip:
        return False
    since = timezone.now() - window
    return PublicAttempt.objects.filter(kind=kind, ip=ip, at__gte=since).count() >= limit


def _clean_pupils(district: District, pupils: list[dict[str, Any]], errors: FieldErrors) -> list[ComplaintPupil]:
    rows = []
    schools = set(School.objects.filter(district=district).values_list("pk", flat=True))
    for p in pupils or []:
        name = clean_text(p.get("name"), max_length=50)
        student_no = clean_text(p.get("student_no"), max_length=30).replace(" ", "")
        school_id = p.get("school_id") or None
        if not (name or student_no or school_id):
            continue
        if len(rows) >= MAX_PUPILS:
            errors.add("pupils", _("At most 20 pupils."))
            break
        if school_id is not None and int(school_id) not in schools:
            errors.add("pupils", _("Choose one of the listed schools."))
            continue
        if not student_no and not (name and school_id):
            errors.add("pupils", _("Name each pupil with their school, or give the student number (学籍号)."))
            continue
        rows.append(ComplaintPupil(name=name, school_id=school_id, student_no=student_no))
    return rows


@transaction.atomic
def complaint_submit(
    *,
    district: District,
    channel: str,
    data: dict[str, Any],
    pupils: list[dict[str, Any]] = (),
    by: Any = None,
    ip: str | None = None,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
) -> tuple[Complaint, str]:
    """Record a complaint (a hotline call, a parent in the site, the public); returns it with its
    check code (shown once). `data`: category, subject_kind, institution_id | school_id |
    operator_name (+ operator_address), description, contact_name, contact_phone."""
    now = now or timezone.now()
    if channel not in Complaint.Channel.values:
        raise DomainError("bad_request")
    if channel == Complaint.Channel.PUBLIC and _throttled(
        PublicAttempt.Kind.SUBMIT, ip, PUBLIC_SUBMISSIONS_PER_HOUR, dt.timedelta(hours=1)
    ):
        raise DomainError("complaint_throttled")
    errors = FieldErrors()
    category = str(data.get("category") or "")
    if category not in Complaint.Category.values:
        errors.add("category", _("Choose one of the listed values."))
    kind = str(data.get("subject_kind") or "")
    institution = school = None
    operator_name = clean_text(data.get("operator_name"), max_length=100)
    operator_address = clean_text(data.get("operator_address"), max_length=200)
    if kind == Complaint.SubjectKind.INSTITUTION:
        institution = Institution.objects.filter(district=district, pk=data.get("institution_id") or 0).first()
        if institution is None:
            errors.add("institution_id", _("Choose one of the listed institutions."))
    elif kind == Complaint.SubjectKind.SCHOOL:
        school = School.objects.filter(district=district, pk=data.get("school_id") or 0).first()
        if school is None:
            errors.add("school_id", _("Choose one of the listed schools."))
    elif kind == Complaint.SubjectKind.UNREGISTERED:
        if not operator_name:
            errors.add("operator_name", _("Give the operator's name (or what it calls itself)."))
        if not operator_address:
            errors.add("operator_address", _("Give the address where the training takes place."))
    else:
        errors.add("subject_kind", _("Choose one of the listed values."))
    description = str(data.get("description") or "").strip()[:4000]
    if not description:
        errors.add("description", _("Say what happened."))
    contact_name = clean_text(data.get("contact_name"), max_length=50)
    contact_phone = clean_text(data.get("contact_phone"), max_length=20)
    if channel == Complaint.Channel.SITE and not contact_phone and getattr(by, "phone", None):
        contact_phone = by.phone
    if channel != Complaint.Channel.SITE and not contact_phone:
        errors.add("contact_phone", _("Give a phone number: the reply and the call-back use it."))
    if contact_phone and not PHONE.match(contact_phone):
        errors.add("contact_phone", _("A phone number has 7 to 20 digits."))
    named = _clean_pupils(district, list(pupils or []), errors)
    errors.raise_if_any()
    District.objects.select_for_update().filter(pk=district.pk).first()
    year = timezone.localtime(now).year
    last = Complaint.objects.filter(district=district, year=year).aggregate(n=Max("number"))["n"]
    code = new_code()
    complaint = Complaint(
        district=district,
        year=year,
        number=(last or 0) + 1,
        channel=channel,
        category=category,
        subject_kind=kind,
        institution=institution,
        school=school,
        operator_name=operator_name if kind == Complaint.SubjectKind.UNREGISTERED else "",
        operator_address=operator_address if kind == Complaint.SubjectKind.UNREGISTERED else "",
        description=description,
        contact_name=contact_name,
        contact_phone=contact_phone,
        complainant=by if channel == Complaint.Channel.SITE else None,
        recorded_by=by if channel == Complaint.Channel.HOTLINE else None,
        code_hash=code_hash(code),
        received_at=now,
        received_on=timezone.localtime(now).date(),
    )
    complaint.due = due_for(complaint, S.RECEIVED, complaint.received_on)
    complaint.save()
    for p in named:
        p.complaint = complaint
    ComplaintPupil.objects.bulk_create(named)
    if channel == Complaint.Channel.PUBLIC:
        PublicAttempt.objects.create(kind=PublicAttempt.Kind.SUBMIT, ip=ip)
    _event(complaint, A.RECEIVED, by, before="", note=str(Complaint.Channel(channel).label))
    audit_record(
        action="supervision.complaint.submitted",
        actor=by,
        obj=complaint,
        request=request,
        data={"channel": channel, "category": category, "subject": kind, "pupils": len(named)},
    )
    return complaint, code


# --- the bureau assigns; hotline staff take -------------------------------------------------------------


@transaction.atomic
def complaint_assign(
    *, complaint: Complaint, handler: Any, by: Any, request: HttpRequest | None = None, today: dt.date | None = None
) -> Complaint:
    """Give the complaint to hotline staff of its district (again, to hand it over while open)."""
    today = today or timezone.localdate()
    complaint = _lock(complaint)
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
        _move(complaint, S.ASSIGNED, today=today)
    complaint.handler = handler
    complaint.save()
    _event(complaint, A.ASSIGNED, by, before=before, note=handler.display_name or handler.username)
    audit_record(
        action="supervision.complaint.assigned", actor=by, obj=complaint, request=request, data={"handler": handler.pk}
    )
    return complaint


@transaction.atomic
def complaint_take(*, complaint: Complaint, by: Any, request: HttpRequest | None = None, today=None) -> Complaint:
    """Hotline staff take an unassigned complaint of their district."""
    current = _lock(complaint)
    if current.handler_id is not None:
        raise DomainError("complaint_has_handler")
    return complaint_assign(complaint=current, handler=by, by=by, request=request, today=today)


# --- the handler's steps ------------------------------------------------------------------------------------


@transaction.atomic
def complaint_start_verification(
    *, complaint: Complaint, by: Any, note: str = "", request: HttpRequest | None = None, today=None
) -> Complaint:
    today = today or timezone.localdate()
    complaint = _lock(complaint)
    _handler_only(complaint, by)
    before = _move(complaint, S.VERIFYING, today=today)
    complaint.save()
    _event(complaint, A.VERIFYING, by, before=before, note=str(note or "").strip())
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
    complaint = _lock(complaint)
    _handler_only(complaint, by)
    if outcome not in Complaint.Outcome.values:
        raise DomainError("validation_error", fields={"outcome": [str(_("Choose one of the listed values."))]})
    text = _required(finding, "finding", _("Say what the verification found."))
    before = _move(complaint, outcome, today=today)
    complaint.outcome = outcome
    complaint.finding = text
    complaint.save()
    _event(complaint, A.FOUND, by, before=before, note=text)
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
    complaint = _lock(complaint)
    _handler_only(complaint, by)
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
    before = _move(complaint, S.RECTIFYING, today=today)
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
    _event(complaint, A.RECTIFYING, by, before=before, note=text)
    if complaint.notice_id:
        _event(complaint, A.NOTICE, by, note=complaint.notice.label)
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
    complaint = _lock(complaint)
    _handler_only(complaint, by)
    text = _required(note, "note", _("Say what the follow-up found."))
    before = _move(complaint, S.FOLLOWED_UP, today=today)
    complaint.follow_up = text
    complaint.save()
    _event(complaint, A.FOLLOWED_UP, by, before=before, note=text)
    audit_record(action="supervision.complaint_follow_up.added", actor=by, obj=complaint, request=request)
    return complaint


@transaction.atomic
def complaint_reply(*, complaint: Complaint, by: Any, text: str, request: HttpRequest | None = None) -> Complaint:
    """The answer to the complainant (shown on the follow-up page; a parent also gets a message)."""
    complaint = _lock(complaint)
    _handler_only(complaint, by)
    if complaint.status in BEFORE_OUTCOME:
        raise DomainError("complaint_outcome_missing")
    reply = _required(text, "reply", _("Write the reply."))
    complaint.reply = reply
    complaint.replied_at = timezone.now()
    complaint.save()
    _event(complaint, A.REPLIED, by, note=reply)
    audit_record(action="supervision.complaint_reply.sent", actor=by, obj=complaint, request=request)
    if complaint.complainant_id:
        with _site_language():
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
    complaint = _lock(complaint)
    _handler_only(complaint, by)
    if not complaint.replied_at:
        raise DomainError("complaint_reply_missing")
    if satisfaction not in Complaint.Satisfaction.values:
        raise DomainError("validation_error", fields={"satisfaction": [str(_("Choose one of the listed values."))]})
    complaint.satisfaction = satisfaction
    complaint.callback_at = timezone.now()
    complaint.save()
    label = str(Complaint.Satisfaction(satisfaction).label)
    _event(complaint, A.CALLBACK, by, note=f"{label}　{str(note or '').strip()}".strip())
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
    complaint = _lock(complaint)
    _handler_only(complaint, by)
    if complaint.status in BEFORE_OUTCOME:
        raise DomainError("complaint_outcome_missing")
    if S.CLOSED not in TRANSITIONS.get(complaint.status, set()):
        raise DomainError("invalid_transition", detail=f"{complaint.status} → {S.CLOSED}")
    if not complaint.replied_at:
        raise DomainError("complaint_reply_missing")
    before = _move(complaint, S.CLOSED, today=today)
    complaint.closed_at = timezone.now()
    complaint.save()
    _event(complaint, A.CLOSED, by, before=before, note=str(note or "").strip())
    audit_record(action="supervision.complaint.closed", actor=by, obj=complaint, request=request)
    return complaint


@transaction.atomic
def complaint_refer(
    *, complaint: Complaint, by: Any, note: str, request: HttpRequest | None = None, today=None
) -> Complaint:
    """Refer to 综合行政执法 (or the competent department), with the reason."""
    today = today or timezone.localdate()
    complaint = _lock(complaint)
    _handler_only(complaint, by)
    text = _required(note, "note", _("Say why and to whom the complaint is referred."))
    before = _move(complaint, S.REFERRED, today=today)
    complaint.referral_note = text
    complaint.closed_at = timezone.now()
    complaint.save()
    _event(complaint, A.REFERRED, by, before=before, note=text)
    audit_record(action="supervision.complaint.referred", actor=by, obj=complaint, request=request)
    return complaint


# --- feedback to schools ------------------------------------------------------------------------------


def _match(pupil: ComplaintPupil, district_id: int) -> Student | None:
    on_roll = Student.objects.filter(on_roll=True, school__district_id=district_id).select_related(
        "school", "school_class"
    )
    if pupil.student_no:
        return on_roll.filter(student_no=pupil.student_no).first()
    if pupil.name and pupil.school_id:
        return on_roll.filter(name=pupil.name, school_id=pupil.school_id).order_by("pk").first()
    return None


@transaction.atomic
def schools_tell(*, complaint: Complaint, by: Any = None, request: HttpRequest | None = None) -> int:
    """Tell each named pupil's school coordinators about that school's own pupils, once per school.

    A pupil is told to their school only when found on its roll (by 学籍号, or by name within the
    named school): a name the complainant put with the wrong school reaches nobody. Returns the
    number of schools told. The bureau's records keep counts and schools, never the names."""
    now = timezone.now()
    by_school: dict[int, list[Student]] = defaultdict(list)
    pupils = list(complaint.pupils.filter(notified_at__isnull=True))
    for pupil in pupils:
        student = _match(pupil, complaint.district_id)
        if student is None:
            continue
        pupil.student = student
        pupil.notified_at = now
        pupil.save(update_fields=["student", "notified_at"])
        by_school[student.school_id].append(student)
    told = []
    for school_id, students in sorted(by_school.items()):
        if ComplaintSchoolFeedback.objects.filter(complaint=complaint, school_id=school_id).exists():
            continue
        recipients = list(
            RoleGrant.objects.filter(role=Role.COORDINATOR, school_id=school_id)
            .values_list("user_id", flat=True)
            .distinct()
        )
        school = students[0].school
        with _site_language():
            title = gettext("Weekend subject training: pupils of %(school)s named in a complaint") % {
                "school": school.name
            }
            names = "、".join(f"{s.name}（{s.school_class}）" for s in students)
            body = gettext(
                "A complaint (%(label)s) was found substantiated: the pupils below were taught school subjects "
                "at weekends or in holidays by %(subject)s. Please talk with their families about the Double "
                "Reduction rules. These names are sent to your school only; the bureau keeps none of them.\n"
                "Pupils: %(names)s"
            ) % {"label": complaint.label, "subject": complaint.subject_label, "names": names}
        send(
            Outgoing(
                recipient_id=user_id,
                kind="complaint_pupils",
                title=title,
                body=body,
                about=f"complaint:{complaint.pk}",
            )
            for user_id in recipients
        )
        ComplaintSchoolFeedback.objects.create(
            complaint=complaint, school_id=school_id, pupils=len(students), recipients=len(recipients), sent_at=now
        )
        told.append((school.name, len(students)))
    if told:
        _event(complaint, A.SCHOOLS, by, note="；".join(f"{name}（{n}）" for name, n in told))
        audit_record(
            action="supervision.complaint_feedback.sent",
            actor=by,
            obj=complaint,
            request=request,
            data={"schools": sorted(by_school), "pupils": sum(n for _name, n in told)},
        )
    return len(told)


# --- the public follows a complaint with its code ------------------------------------------------------


def complaint_follow(*, code: str, ip: str | None) -> Complaint:
    """The complaint of a check code; a wrong code is counted against the address and, past
    FOLLOW_FAILURES_PER_WINDOW in FOLLOW_WINDOW, the address is refused (429) for a while."""
    if _throttled(PublicAttempt.Kind.FOLLOW_FAILED, ip, FOLLOW_FAILURES_PER_WINDOW, FOLLOW_WINDOW):
        raise DomainError("complaint_throttled")
    found = Complaint.objects.filter(code_hash=code_hash(code)).first() if str(code or "").strip() else None
    if found is None:
        PublicAttempt.objects.create(kind=PublicAttempt.Kind.FOLLOW_FAILED, ip=ip)
        raise DomainError("complaint_code_unknown")
    return found


def public_view(complaint: Complaint) -> dict[str, Any]:
    """What the holder of the code sees: the number, the status and the reply — nothing else."""
    status = complaint.status
    return {
        "number": complaint.label,
        "status": status,
        "status_label": str(Complaint.Status(status).label),
        "received_on": complaint.received_on,
        "reply": complaint.reply,
        "replied_at": complaint.replied_at,
        "closed": not complaint.is_open,
    }
