"""Intake of complaints (hotline call, a parent in the site, the public) and the public's follow-up
with the check code: the only places the code is made or read, and the public's throttles."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import DomainError
from core.ids import id_or_none
from core.validation import FieldErrors, clean_text
from courses.models import District, School
from supervision.models import Complaint, ComplaintPupil, Institution, PublicAttempt
from supervision.services.complaints.common import A, S, due_for, event

MAX_PUPILS = 20
PUBLIC_SUBMISSIONS_PER_HOUR = 5
FOLLOW_FAILURES_PER_WINDOW = 10
FOLLOW_WINDOW = dt.timedelta(minutes=15)
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read out on the phone
CODE_LENGTH = 16  # 31**16 ≈ 2**79: unguessable, and throttled besides
PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")


def new_code() -> str:
    """A check code like `K7QH-2M9P-XW4R-T8ZN` (shown once; only its hash is kept)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_hash(code: str) -> str:
    normal = re.sub(r"[^0-9A-Z]", "", str(code or "").upper())
    return hashlib.sha256(f"kehou-complaint:{normal}".encode()).hexdigest()


def _throttled(kind: str, ip: str | None, limit: int, window: dt.timedelta) -> bool:
    if not ip:
        return False
    since = timezone.now() - window
    return PublicAttempt.objects.filter(kind=kind, ip=ip, at__gte=since).count() >= limit


def _clean_pupils(
    district: District, pupils: list[dict[str, Any]], errors: FieldErrors, unknown: FieldErrors
) -> list[ComplaintPupil]:
    """The pupils named; a school not of the district goes to `unknown` (404), other problems to `errors`."""
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
        if school_id is not None and id_or_none(school_id) not in schools:
            unknown.add("pupils", _("Choose one of the listed schools."))
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
    unknown = FieldErrors()  # ids naming nothing of the district: 404 after the field errors
    if kind == Complaint.SubjectKind.INSTITUTION:
        institution_id = data.get("institution_id")
        institution = Institution.objects.filter(district=district, pk=id_or_none(institution_id)).first()
        if institution is None:
            (unknown if institution_id else errors).add("institution_id", _("Choose one of the listed institutions."))
    elif kind == Complaint.SubjectKind.SCHOOL:
        school_id = data.get("school_id")
        school = School.objects.filter(district=district, pk=id_or_none(school_id)).first()
        if school is None:
            (unknown if school_id else errors).add("school_id", _("Choose one of the listed schools."))
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
    if channel == Complaint.Channel.SITE and not contact_phone and PHONE.match(getattr(by, "phone", None) or ""):
        contact_phone = by.phone  # the parent's own number, when it is one
    if channel != Complaint.Channel.SITE and not contact_phone:
        errors.add("contact_phone", _("Give a phone number: the reply and the call-back use it."))
    if contact_phone and not PHONE.match(contact_phone):
        errors.add("contact_phone", _("A phone number has 7 to 20 digits."))
    named = _clean_pupils(district, list(pupils or []), errors, unknown)
    errors.raise_if_any()
    if unknown:
        raise DomainError("not_found", fields=unknown.fields)
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
    event(complaint, A.RECEIVED, by, before="", note=str(Complaint.Channel(channel).label))
    audit_record(
        action="supervision.complaint.submitted",
        actor=by,
        obj=complaint,
        request=request,
        data={"channel": channel, "category": category, "subject": kind, "pupils": len(named)},
    )
    return complaint, code


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
