"""Writes for partner courses: posting and review, photos, availability and reach, host requests,
qualification of providers and the travel-time matrix.

Keyword-only arguments, one transaction each, an audit event per change (`partners.course.approved`).
Callers pass objects already scoped by a selector; the services check again what links them
(a teacher of the course's provider, a term of the requesting school). Refusals are DomainErrors.

Review rule: editing an approved course sends it straight back to review (status submitted) and
the last approved version (`PartnerCourse.offered`) stays offered to host schools until the bureau
decides; courses already taken by host schools keep the version they accepted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import DomainError
from core.validation import FieldErrors
from courses.models import ROOM_FEATURE_KEYS, Course, School, Section, Slot, Teacher, Term
from courses.services import fee_cap
from partners.models import (
    PHOTO_MAX_BYTES,
    PHOTO_TYPES,
    PHOTOS_PER_COURSE,
    HostRequest,
    PartnerAvailability,
    PartnerCourse,
    PartnerCoursePhoto,
    PartnerCourseReview,
    Provider,
    ReachableSchool,
    TravelTime,
)

MAX_GROUP_SIZE = 60
MAX_SECTIONS_PER_REQUEST = 10
TRAVEL_MAX_MINUTES = 600


# --- partner courses --------------------------------------------------------------------------------


def _clean_course(data: dict[str, Any]) -> dict[str, Any]:
    """Validate the fields a partner teacher writes; every problem is reported at once."""
    errors = FieldErrors()
    out: dict[str, Any] = {}
    title = str(data.get("title") or "").strip()
    if not title:
        errors.add("title", _("Give the course a title."))
    out["title"] = title[:100]
    out["title_en"] = str(data.get("title_en") or "").strip()[:100]
    out["description"] = str(data.get("description") or "").strip()
    if not out["description"]:
        errors.add("description", _("Describe what the pupils will do."))
    kind = str(data.get("kind") or "")
    if kind not in PartnerCourse.Kind.values:
        errors.add("kind", _("Choose a category."))
    out["kind"] = kind
    try:
        grades = sorted({int(g) for g in data.get("grades") or []})
    except (TypeError, ValueError):
        grades = []
    if not grades or any(g < 1 or g > 9 for g in grades):
        errors.add("grades", _("Choose the grades (1–9) the course is for."))
    out["grades"] = grades
    for name, low, high, message in (
        ("group_size", 1, MAX_GROUP_SIZE, _("A group has 1 to %(n)d pupils.") % {"n": MAX_GROUP_SIZE}),
        ("meetings_per_week", 1, 5, _("A course meets 1 to 5 times a week.")),
    ):
        try:
            value = int(data.get(name) or 0)
        except (TypeError, ValueError):
            value = 0
        if not low <= value <= high:
            errors.add(name, message)
        out[name] = value
    out["materials"] = str(data.get("materials") or "").strip()
    features = [str(f) for f in data.get("room_features") or []]
    if set(features) - ROOM_FEATURE_KEYS:
        errors.add("room_features", _("Unknown room need."))
    out["room_features"] = sorted(set(features) & ROOM_FEATURE_KEYS)
    try:
        fee = Decimal(str(data.get("fee_per_class_hour") if data.get("fee_per_class_hour") is not None else "0"))
    except (InvalidOperation, ValueError):
        fee = Decimal("-1")
    cap = fee_cap()
    over_cap = _("The fee is between 0 and %(cap)s yuan per class hour (district cap).") % {"cap": cap}
    if fee < 0 or fee != fee.quantize(Decimal("0.01")):
        errors.add("fee_per_class_hour", over_cap)
    out["fee_per_class_hour"] = fee
    errors.raise_if_any()
    if fee > cap:  # a district rule (a setting), not the field's format: 409 like the other rules
        raise DomainError("fee_over_cap", fields={"fee_per_class_hour": [over_cap]})
    return out


def _title_taken(*, provider: Provider, title: str, exclude: int | None = None) -> bool:
    qs = PartnerCourse.objects.filter(provider=provider, title=title)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def _review(course: PartnerCourse, action: str, by: Any, comment: str = "") -> PartnerCourseReview:
    return PartnerCourseReview.objects.create(
        course=course, action=action, by=by, comment=comment, snapshot=course.snapshot()
    )


@transaction.atomic
def partner_course_create(
    *, provider: Provider, by: Any, request: HttpRequest | None = None, **data: Any
) -> PartnerCourse:
    """A new draft course of the provider (the teacher submits it for review when ready)."""
    fields = _clean_course(data)
    if _title_taken(provider=provider, title=fields["title"]):
        raise DomainError("already_exists", fields={"title": [_("You already have a course with this title.")]})
    course = PartnerCourse.objects.create(provider=provider, created_by=by, status=PartnerCourse.Status.DRAFT, **fields)
    audit_record(action="partners.course.created", actor=by, obj=course, request=request, data={"title": course.title})
    return course


@transaction.atomic
def partner_course_update(
    *, course: PartnerCourse, by: Any, request: HttpRequest | None = None, **data: Any
) -> PartnerCourse:
    """Change a course. A course in review cannot change; a changed approved course goes back to
    review while its approved version stays offered."""
    course = PartnerCourse.objects.select_for_update().get(pk=course.pk)
    if course.status == PartnerCourse.Status.SUBMITTED:
        raise DomainError("partner_course_in_review")
    fields = _clean_course(data)
    if _title_taken(provider=course.provider, title=fields["title"], exclude=course.pk):
        raise DomainError("already_exists", fields={"title": [_("You already have a course with this title.")]})
    before = course.snapshot()
    was_approved = course.status == PartnerCourse.Status.APPROVED
    for name, value in fields.items():
        setattr(course, name, value)
    if course.snapshot() == before:
        return course
    course.updated_at = timezone.now()
    if was_approved:
        course.offered = before
        course.status = PartnerCourse.Status.SUBMITTED
    course.save()
    if was_approved:
        _review(course, PartnerCourseReview.Action.SUBMITTED, by, _("Changed after approval."))
    audit_record(
        action="partners.course.updated",
        actor=by,
        obj=course,
        request=request,
        data={"fields": sorted(k for k in fields if before.get(k) != course.snapshot().get(k)), "review": was_approved},
    )
    return course


@transaction.atomic
def partner_course_submit(*, course: PartnerCourse, by: Any, request: HttpRequest | None = None) -> PartnerCourse:
    course = PartnerCourse.objects.select_for_update().get(pk=course.pk)
    if course.status == PartnerCourse.Status.SUBMITTED:
        raise DomainError("partner_course_in_review")
    if course.status == PartnerCourse.Status.APPROVED:
        return course
    course.status = PartnerCourse.Status.SUBMITTED
    course.updated_at = timezone.now()
    course.save(update_fields=["status", "updated_at"])
    _review(course, PartnerCourseReview.Action.SUBMITTED, by)
    audit_record(action="partners.course.submitted", actor=by, obj=course, request=request)
    return course


@transaction.atomic
def partner_course_approve(
    *, course: PartnerCourse, by: Any, comment: str = "", request: HttpRequest | None = None
) -> PartnerCourse:
    """The bureau's committee approves the submitted version: it becomes the offered version."""
    course = PartnerCourse.objects.select_for_update().get(pk=course.pk)
    if course.status != PartnerCourse.Status.SUBMITTED:
        raise DomainError("partner_course_not_submitted")
    course.status = PartnerCourse.Status.APPROVED
    course.offered = course.snapshot()
    course.approved_at = timezone.now()
    course.save(update_fields=["status", "offered", "approved_at"])
    _review(course, PartnerCourseReview.Action.APPROVED, by, comment.strip())
    audit_record(action="partners.course.approved", actor=by, obj=course, request=request, data={"comment": comment})
    return course


@transaction.atomic
def partner_course_return(
    *, course: PartnerCourse, by: Any, comment: str, request: HttpRequest | None = None
) -> PartnerCourse:
    """Send a submitted course back with comments; an earlier approved version stays offered."""
    comment = (comment or "").strip()
    if not comment:
        raise DomainError("validation_error", fields={"comment": [_("Say what needs to change.")]})
    course = PartnerCourse.objects.select_for_update().get(pk=course.pk)
    if course.status != PartnerCourse.Status.SUBMITTED:
        raise DomainError("partner_course_not_submitted")
    course.status = PartnerCourse.Status.RETURNED
    course.save(update_fields=["status"])
    _review(course, PartnerCourseReview.Action.RETURNED, by, comment)
    audit_record(action="partners.course.returned", actor=by, obj=course, request=request, data={"comment": comment})
    return course


# --- photos -------------------------------------------------------------------------------------------


def photo_type(head: bytes) -> str | None:
    """The image type from the file's first bytes (never from its name or the browser's word)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


@transaction.atomic
def partner_photo_add(
    *, course: PartnerCourse, upload: Any, by: Any, caption: str = "", request: HttpRequest | None = None
) -> PartnerCoursePhoto:
    """Store a JPEG, PNG or WebP photo of at most PHOTO_MAX_BYTES under MEDIA_ROOT."""
    if upload is None:
        raise DomainError("validation_error", fields={"photo": [_("Choose a photo.")]})
    if upload.size > PHOTO_MAX_BYTES:
        raise DomainError(
            "validation_error",
            fields={"photo": [_("A photo may be at most %(mb)d MB.") % {"mb": PHOTO_MAX_BYTES // (1024 * 1024)}]},
        )
    upload.seek(0)
    content_type = photo_type(upload.read(16))
    upload.seek(0)
    if content_type not in PHOTO_TYPES:
        raise DomainError("validation_error", fields={"photo": [_("Only JPEG, PNG or WebP photos.")]})
    if course.photos.count() >= PHOTOS_PER_COURSE:
        raise DomainError(
            "validation_error", fields={"photo": [_("At most %(n)d photos a course.") % {"n": PHOTOS_PER_COURSE}]}
        )
    photo = PartnerCoursePhoto(
        course=course, content_type=content_type, size=upload.size, caption=caption.strip()[:100], uploaded_by=by
    )
    photo.file.save("photo", upload, save=False)
    try:
        photo.save()
        audit_record(action="partners.photo.added", actor=by, obj=course, request=request, data={"photo": photo.pk})
    except Exception:
        photo.file.storage.delete(photo.file.name)  # no row, no file
        raise
    return photo


@transaction.atomic
def partner_photo_delete(*, photo: PartnerCoursePhoto, by: Any, request: HttpRequest | None = None) -> None:
    name = photo.file.name
    course = photo.course
    photo.delete()
    audit_record(action="partners.photo.deleted", actor=by, obj=course, request=request, data={"file": name})

    def _remove() -> None:
        from django.core.files.storage import default_storage

        default_storage.delete(name)

    transaction.on_commit(_remove)


# --- availability, reach, unavailable slots at host schools ---------------------------------------------


def _sync_unavailable(*, teacher: Teacher, school_ids: Iterable[int]) -> int:
    """Mark the teacher's unavailable Slots at these host schools from their PartnerAvailability.

    No availability stated means no restriction. Returns the number of slots marked unavailable.
    """
    school_ids = list(school_ids)
    if not school_ids:
        return 0
    cells = set(PartnerAvailability.objects.filter(teacher=teacher).values_list("weekday", "session"))
    slots = list(Slot.objects.filter(school_id__in=school_ids))
    through = Teacher.unavailable_slots.through
    through.objects.filter(teacher_id=teacher.pk, slot__school_id__in=school_ids).delete()
    blocked = [s for s in slots if cells and (s.weekday, s.session) not in cells]
    through.objects.bulk_create([through(teacher_id=teacher.pk, slot_id=s.pk) for s in blocked])
    return len(blocked)


def host_school_ids(teacher: Teacher) -> list[int]:
    return list(
        Section.objects.filter(teacher=teacher, course__kind=Course.Kind.PARTNER)
        .values_list("course__school_id", flat=True)
        .distinct()
    )


@transaction.atomic
def partner_availability_set(
    *,
    teacher: Teacher,
    cells: Iterable[tuple[int, int]],
    school_ids: Iterable[int],
    by: Any,
    request: HttpRequest | None = None,
) -> None:
    """Replace the teacher's teaching times and reachable host schools (of the provider's district);
    the unavailable slots at schools they already serve follow at once."""
    if teacher.provider_id is None:
        raise DomainError("forbidden")
    clean = sorted({(int(w), int(s)) for w, s in cells if 0 <= int(w) <= 4 and 1 <= int(s) <= 4})
    schools = set(
        School.objects.filter(pk__in=list(school_ids), district_id=teacher.provider.district_id)
        .exclude(kind=School.Kind.VOCATIONAL)
        .values_list("pk", flat=True)
    )
    PartnerAvailability.objects.filter(teacher=teacher).delete()
    PartnerAvailability.objects.bulk_create(
        [PartnerAvailability(teacher=teacher, weekday=w, session=s) for w, s in clean]
    )
    ReachableSchool.objects.filter(teacher=teacher).exclude(school_id__in=schools).delete()
    have = set(ReachableSchool.objects.filter(teacher=teacher).values_list("school_id", flat=True))
    ReachableSchool.objects.bulk_create([ReachableSchool(teacher=teacher, school_id=pk) for pk in schools - have])
    _sync_unavailable(teacher=teacher, school_ids=host_school_ids(teacher))
    audit_record(
        action="partners.availability.updated",
        actor=by,
        obj=teacher,
        request=request,
        data={"cells": clean, "schools": sorted(schools)},
    )


# --- host requests ------------------------------------------------------------------------------------


def _check_offered(*, course: PartnerCourse, school: School) -> None:
    from partners.selectors import partner_course_offered_to

    if not partner_course_offered_to(course=course, school=school):
        raise DomainError("partner_course_not_offered")


@transaction.atomic
def host_request_create(
    *,
    school: School,
    term: Term,
    partner_course: PartnerCourse,
    by: Any,
    sections: int = 1,
    preferred_weekdays: Iterable[int] = (),
    note: str = "",
    request: HttpRequest | None = None,
) -> HostRequest:
    """A host school asks for a partner course this term; one open request per course and term."""
    if term.school_id != school.pk:
        raise DomainError("not_found")
    _check_offered(course=partner_course, school=school)
    errors = FieldErrors()
    if not 1 <= int(sections) <= MAX_SECTIONS_PER_REQUEST:
        errors.add("sections", _("Ask for 1 to %(n)d sections.") % {"n": MAX_SECTIONS_PER_REQUEST})
    days = sorted({int(d) for d in preferred_weekdays})
    if any(d < 0 or d > 4 for d in days):
        errors.add("preferred_weekdays", _("Choose school days (Monday to Friday)."))
    errors.raise_if_any()
    if HostRequest.objects.filter(
        partner_course=partner_course, school=school, term=term, status=HostRequest.Status.OPEN
    ).exists():
        raise DomainError("host_request_exists")
    try:
        with transaction.atomic():
            row = HostRequest.objects.create(
                partner_course=partner_course,
                school=school,
                term=term,
                sections=int(sections),
                preferred_weekdays=days,
                note=(note or "").strip()[:300],
                requested_by=by,
            )
    except IntegrityError:
        raise DomainError("host_request_exists") from None
    audit_record(
        action="partners.request.created",
        actor=by,
        obj=row,
        school_id=school.pk,
        request=request,
        data={"partner_course": partner_course.pk, "sections": row.sections, "days": days},
    )
    return row


def _lock_open(host_request: HostRequest) -> HostRequest:
    row = (
        HostRequest.objects.select_for_update()
        .select_related("partner_course__provider", "school", "term")
        .get(pk=host_request.pk)
    )
    if row.status != HostRequest.Status.OPEN:
        raise DomainError("host_request_not_open")
    return row


@transaction.atomic
def host_request_withdraw(*, host_request: HostRequest, by: Any, request: HttpRequest | None = None) -> HostRequest:
    row = _lock_open(host_request)
    row.status = HostRequest.Status.WITHDRAWN
    row.decided_by = by
    row.decided_at = timezone.now()
    row.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(action="partners.request.withdrawn", actor=by, obj=row, school_id=row.school_id, request=request)
    return row


@transaction.atomic
def host_request_decline(
    *, host_request: HostRequest, by: Any, note: str = "", request: HttpRequest | None = None
) -> HostRequest:
    row = _lock_open(host_request)
    row.status = HostRequest.Status.DECLINED
    row.decided_by = by
    row.decided_at = timezone.now()
    row.decision_note = (note or "").strip()[:300]
    row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        action="partners.request.declined",
        actor=by,
        obj=row,
        school_id=row.school_id,
        request=request,
        data={"note": row.decision_note},
    )
    return row


def _host_course(*, row: HostRequest) -> Course:
    """The host school's Course for this partner course (one per school), made from the offered version."""
    pc = row.partner_course
    existing = Course.objects.select_for_update().filter(school=row.school, partner_course=pc).first()
    if existing is not None:
        return existing
    version = pc.offered_version()
    assert version is not None  # checked by _check_offered
    grades = sorted(set(version.grades) & set(row.school.grades))
    title = version.title
    if Course.objects.filter(school=row.school, title=title).exists():
        title = f"{version.title}（{pc.provider.name}）"[:100]
    return Course.objects.create(
        school=row.school,
        kind=Course.Kind.PARTNER,
        partner_course=pc,
        title=title,
        description=version.description,
        grades=grades,
        seats_per_section=version.group_size,
        meetings_per_week=version.meetings_per_week,
        room_features=version.room_features,
        fee_per_class_hour=min(version.fee_per_class_hour, fee_cap()),
    )


@transaction.atomic
def host_request_accept(
    *,
    host_request: HostRequest,
    by: Any,
    teacher: Teacher,
    note: str = "",
    request: HttpRequest | None = None,
) -> HostRequest:
    """The provider accepts: in ONE transaction the host school's partner Course and its Sections
    (taught by `teacher`) are created, and the teacher's unavailable slots at that school are marked
    from their availability, so the school's timetable honours it."""
    row = _lock_open(host_request)
    pc = row.partner_course
    if teacher.provider_id != pc.provider_id:
        raise DomainError("validation_error", fields={"teacher": [_("Choose a teacher of your own provider.")]})
    reach = set(ReachableSchool.objects.filter(teacher=teacher).values_list("school_id", flat=True))
    if reach and row.school_id not in reach:
        raise DomainError(
            "validation_error", fields={"teacher": [_("This teacher has not said they can reach this school.")]}
        )
    _check_offered(course=pc, school=row.school)
    course = _host_course(row=row)
    used = set(Section.objects.filter(course=course, term=row.term).values_list("code", flat=True))
    sections = []
    n = 1
    while len(sections) < row.sections:
        code = _("group %(n)d") % {"n": n}  # 1组, 2组: the name schools already use for partner groups
        n += 1
        if code in used:
            continue
        sections.append(
            Section(course=course, term=row.term, code=code, teacher=teacher, capacity=course.seats_per_section)
        )
    Section.objects.bulk_create(sections)
    blocked = _sync_unavailable(teacher=teacher, school_ids=[row.school_id])
    row.status = HostRequest.Status.ACCEPTED
    row.decided_by = by
    row.decided_at = timezone.now()
    row.decision_note = (note or "").strip()[:300]
    row.teacher = teacher
    row.course = course
    row.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "teacher", "course"])
    audit_record(
        action="partners.request.accepted",
        actor=by,
        obj=row,
        school_id=row.school_id,
        request=request,
        data={
            "course": course.pk,
            "sections": [s.code for s in sections],
            "teacher": teacher.pk,
            "unavailable_slots": blocked,
        },
    )
    return row


# --- bureau: qualification and travel times ---------------------------------------------------------------


@transaction.atomic
def provider_qualification_set(
    *,
    provider: Provider,
    status: str,
    expires: dt.date | None,
    by: Any,
    request: HttpRequest | None = None,
) -> Provider:
    if status not in Provider.Review.values:
        raise DomainError("validation_error", fields={"status": [_("Choose a review result.")]})
    if status == Provider.Review.APPROVED and expires is not None and expires < timezone.localdate():
        raise DomainError("validation_error", fields={"expires": [_("The expiry date has already passed.")]})
    provider.qualification_status = status
    provider.qualification_expires = expires
    provider.save(update_fields=["qualification_status", "qualification_expires"])
    audit_record(
        action="partners.provider.reviewed",
        actor=by,
        obj=provider,
        request=request,
        data={"status": status, "expires": expires.isoformat() if expires else None},
    )
    return provider


@transaction.atomic
def travel_time_set(*, a: School, b: School, minutes: int | None, by: Any, request: HttpRequest | None = None) -> None:
    """Save the minutes between two schools both ways (A→B and B→A); None removes the pair."""
    if a.pk == b.pk:
        raise DomainError("same_school", fields={"to_school": [_("Choose two different schools.")]})
    if a.district_id != b.district_id:
        raise DomainError("not_found")
    if minutes is not None and not 0 <= int(minutes) <= TRAVEL_MAX_MINUTES:
        raise DomainError(
            "validation_error", fields={"minutes": [_("Between 0 and %(n)d minutes.") % {"n": TRAVEL_MAX_MINUTES}]}
        )
    for x, y in ((a, b), (b, a)):
        if minutes is None:
            TravelTime.objects.filter(from_school=x, to_school=y).delete()
        else:
            TravelTime.objects.update_or_create(from_school=x, to_school=y, defaults={"minutes": int(minutes)})
    audit_record(
        action="partners.travel_time.updated",
        actor=by,
        request=request,
        data={"schools": [a.pk, b.pk], "minutes": minutes},
    )
