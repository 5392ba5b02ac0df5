"""Partner-course API: the same roles and scopes as the pages (404 outside the actor's scope).

No `from __future__ import annotations` here: ninja reads the payload types through the role
decorator, which needs real classes rather than strings.

Partner teachers post and change their provider's courses and answer host requests; the bureau
approves or returns courses, keeps qualifications and the travel matrix; coordinators list the
courses offered to their school and request them. The itinerary lives in scheduling.api_itinerary.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from accounts.api_access import api_allow
from accounts.models import Role
from accounts.schemas import ErrorOut
from core.errors import DomainError
from core.validation import Id, Text
from courses.selectors import school_get_for_coordinator, term_current
from partners import selectors, services
from partners.models import HostRequest, OfferedVersion, PartnerCourse, Provider
from partners.schemas import (
    AcceptIn,
    DeclineIn,
    HostRequestIn,
    HostRequestOut,
    OfferOut,
    PartnerCourseDetailOut,
    PartnerCourseIn,
    PartnerCourseOut,
    ProviderOut,
    ReturnIn,
    ReviewIn,
    TravelTimeIn,
    TravelTimeOut,
)

router = Router(tags=["partner courses"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _course_out(course: PartnerCourse) -> dict[str, Any]:
    return {
        "id": course.pk,
        "provider_id": course.provider_id,
        "provider": course.provider.name,
        **course.snapshot(),
        "fee_per_class_hour": course.fee_per_class_hour,
        "status": course.status,
        "offered": course.is_offered,
        "approved_at": course.approved_at,
    }


def _detail_out(course: PartnerCourse) -> dict[str, Any]:
    return {
        **_course_out(course),
        "reviews": [
            {"action": r.action, "by": str(r.by) if r.by else None, "at": r.at, "comment": r.comment}
            for r in selectors.review_history(course=course)
        ],
    }


def _offer_out(v: OfferedVersion) -> dict[str, Any]:
    return {
        "id": v.id,
        "provider_id": v.provider.pk,
        "provider": v.provider.name,
        "title": v.title,
        "title_en": v.title_en,
        "description": v.description,
        "kind": v.kind,
        "grades": v.grades,
        "group_size": v.group_size,
        "meetings_per_week": v.meetings_per_week,
        "materials": v.materials,
        "room_features": v.room_features,
        "fee_per_class_hour": v.fee_per_class_hour,
    }


def _request_out(r: HostRequest) -> dict[str, Any]:
    return {
        "id": r.pk,
        "partner_course_id": r.partner_course_id,
        "partner_course": r.partner_course.title,
        "provider_id": r.partner_course.provider_id,
        "school_id": r.school_id,
        "school": r.school.name,
        "term_id": r.term_id,
        "sections": r.sections,
        "preferred_weekdays": r.preferred_weekdays,
        "note": r.note,
        "status": r.status,
        "requested_at": r.requested_at,
        "decided_at": r.decided_at,
        "decision_note": r.decision_note,
        "teacher_id": r.teacher_id,
        "course_id": r.course_id,
    }


def _school_ref(s: Any) -> dict[str, Any]:
    return {"id": s.pk, "name": s.name}


def _course_for(request: HttpRequest, course_id: Id) -> PartnerCourse:
    """Partner teachers see their provider's courses, the bureau its district's."""
    actor = request.actor
    if actor.has(Role.PARTNER_TEACHER):
        course = PartnerCourse.objects.filter(
            pk=course_id, provider__in=Provider.objects.visible_to_partner(actor)
        ).first()
        if course is not None:
            return course
    if actor.has(Role.BUREAU):
        return selectors.partner_course_get_for_bureau(actor=actor, course_id=course_id)
    return selectors.partner_course_get_for_partner(actor=actor, course_id=course_id)


# --- providers --------------------------------------------------------------------------------------------


@router.get("/providers", response={200: list[ProviderOut], **ERRORS})
@api_allow(Role.PARTNER_TEACHER, Role.BUREAU)
def provider_list(request: HttpRequest):
    """Partner teachers: their own provider. Bureau: the district's providers with the schools
    they serve (host courses) and reach (`null`: not stated, so the whole district)."""
    actor = request.actor
    out: dict[int, dict[str, Any]] = {}
    if actor.has(Role.BUREAU):
        for r in selectors.provider_list_for_bureau(actor=actor):
            out[r.provider.pk] = {
                "id": r.provider.pk,
                "name": r.provider.name,
                "kind": r.provider.kind,
                "qualification_status": r.provider.qualification_status,
                "qualification_expires": r.provider.qualification_expires,
                "qualified": r.provider.is_qualified(),
                "served_schools": [_school_ref(s) for s in r.served],
                "reachable_schools": None if r.reachable is None else [_school_ref(s) for s in r.reachable],
            }
    if actor.has(Role.PARTNER_TEACHER):
        for p in Provider.objects.visible_to_partner(actor).order_by("name"):
            out.setdefault(
                p.pk,
                {
                    "id": p.pk,
                    "name": p.name,
                    "kind": p.kind,
                    "qualification_status": p.qualification_status,
                    "qualification_expires": p.qualification_expires,
                    "qualified": p.is_qualified(),
                },
            )
    return [out[k] for k in sorted(out)]


# --- partner courses --------------------------------------------------------------------------------------


@router.get("/partner-courses", response={200: list[PartnerCourseOut], **ERRORS})
@api_allow(Role.PARTNER_TEACHER, Role.BUREAU)
def partner_course_list(request: HttpRequest, status: Text(20) = ""):
    """Partner teachers: their provider's courses. Bureau: the district's (filter `status=submitted`
    for the review queue)."""
    actor = request.actor
    rows: dict[int, PartnerCourse] = {}
    if actor.has(Role.BUREAU):
        rows.update({c.pk: c for c in selectors.partner_course_list_for_bureau(actor=actor, status=status)})
    if actor.has(Role.PARTNER_TEACHER):
        for c in selectors.partner_course_list_for_partner(actor=actor):
            if not status or c.status == status:
                rows.setdefault(c.pk, c)
    return [_course_out(rows[k]) for k in sorted(rows)]


@router.post("/partner-courses", response={201: PartnerCourseDetailOut, **ERRORS})
@api_allow(Role.PARTNER_TEACHER)
def partner_course_create(request: HttpRequest, payload: PartnerCourseIn):
    """A new draft course of the acting partner teacher's provider."""
    provider = selectors.provider_list_for_partner(actor=request.actor)[0]
    course = services.partner_course_create(provider=provider, by=request.auth, request=request, **payload.dict())
    return Status(201, _detail_out(course))


@router.get("/partner-courses/{course_id}", response={200: PartnerCourseDetailOut, **ERRORS})
@api_allow(Role.PARTNER_TEACHER, Role.BUREAU)
def partner_course_read(request: HttpRequest, course_id: Id):
    return _detail_out(_course_for(request, course_id))


@router.put("/partner-courses/{course_id}", response={200: PartnerCourseDetailOut, **ERRORS})
@api_allow(Role.PARTNER_TEACHER)
def partner_course_update(request: HttpRequest, course_id: Id, payload: PartnerCourseIn):
    """Change a course; an approved course goes back to review and stays offered as approved."""
    course = selectors.partner_course_get_for_partner(actor=request.actor, course_id=course_id)
    course = services.partner_course_update(course=course, by=request.auth, request=request, **payload.dict())
    return _detail_out(course)


@router.post("/partner-courses/{course_id}/submit", response={200: PartnerCourseDetailOut, **ERRORS})
@api_allow(Role.PARTNER_TEACHER)
def partner_course_submit(request: HttpRequest, course_id: Id):
    course = selectors.partner_course_get_for_partner(actor=request.actor, course_id=course_id)
    return _detail_out(services.partner_course_submit(course=course, by=request.auth, request=request))


@router.post("/partner-courses/{course_id}/approve", response={200: PartnerCourseDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def partner_course_approve(request: HttpRequest, course_id: Id, payload: ReviewIn):
    course = selectors.partner_course_get_for_bureau(actor=request.actor, course_id=course_id)
    course = services.partner_course_approve(course=course, by=request.auth, comment=payload.comment, request=request)
    return _detail_out(course)


@router.post("/partner-courses/{course_id}/return", response={200: PartnerCourseDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def partner_course_return(request: HttpRequest, course_id: Id, payload: ReturnIn):
    course = selectors.partner_course_get_for_bureau(actor=request.actor, course_id=course_id)
    course = services.partner_course_return(course=course, by=request.auth, comment=payload.comment, request=request)
    return _detail_out(course)


# --- host schools -----------------------------------------------------------------------------------------


@router.get("/schools/{school_id}/partner-offers", response={200: list[OfferOut], **ERRORS})
@api_allow(Role.COORDINATOR)
def partner_offer_list(request: HttpRequest, school_id: Id, kind: Text(20) = ""):
    """Approved partner courses offered to this school (its grades, providers that reach it)."""
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    return [_offer_out(v) for v in selectors.offered_courses_for_school(school=school, kind=kind)]


@router.get("/schools/{school_id}/host-requests", response={200: list[HostRequestOut], **ERRORS})
@api_allow(Role.COORDINATOR)
def school_host_request_list(request: HttpRequest, school_id: Id):
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    return [_request_out(r) for r in selectors.host_request_list_for_school(school=school)]


@router.post("/schools/{school_id}/host-requests", response={201: HostRequestOut, **ERRORS})
@api_allow(Role.COORDINATOR)
def host_request_create(request: HttpRequest, school_id: Id, payload: HostRequestIn):
    """Request a partner course for a term (the current term unless `term_id`)."""
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    offer = selectors.offered_course_get_for_school(school=school, course_id=payload.partner_course_id)
    if payload.term_id is not None:
        term = selectors.term_get_for_school(school=school, term_id=payload.term_id)
    else:
        term = term_current(school=school)
        if term is None:
            raise DomainError("no_term")
    row = services.host_request_create(
        school=school,
        term=term,
        partner_course=offer.course,
        sections=payload.sections,
        preferred_weekdays=payload.preferred_weekdays,
        note=payload.note,
        by=request.auth,
        request=request,
    )
    return Status(201, _request_out(row))


@router.post("/schools/{school_id}/host-requests/{request_id}/withdraw", response={200: HostRequestOut, **ERRORS})
@api_allow(Role.COORDINATOR)
def host_request_withdraw(request: HttpRequest, school_id: Id, request_id: Id):
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    row = selectors.host_request_get_for_school(school=school, request_id=request_id)
    return _request_out(services.host_request_withdraw(host_request=row, by=request.auth, request=request))


@router.get("/host-requests", response={200: list[HostRequestOut], **ERRORS})
@api_allow(Role.PARTNER_TEACHER)
def partner_host_request_list(request: HttpRequest, status: Text(20) = ""):
    """Requests from host schools for the acting partner teacher's provider."""
    return [
        _request_out(r) for r in selectors.host_request_list_for_partner(actor=request.actor, status=status or None)
    ]


@router.post("/host-requests/{request_id}/accept", response={200: HostRequestOut, **ERRORS})
@api_allow(Role.PARTNER_TEACHER)
def host_request_accept(request: HttpRequest, request_id: Id, payload: AcceptIn):
    """Accept: the host school's partner Course and Sections are created in one transaction."""
    row = selectors.host_request_get_for_partner(actor=request.actor, request_id=request_id)
    if payload.teacher_id is None:
        teacher = selectors.partner_teacher_get(actor=request.actor)
    else:
        teacher = selectors.provider_teacher_get(actor=request.actor, teacher_id=payload.teacher_id)
    row = services.host_request_accept(
        host_request=row, by=request.auth, teacher=teacher, note=payload.note, request=request
    )
    return _request_out(row)


@router.post("/host-requests/{request_id}/decline", response={200: HostRequestOut, **ERRORS})
@api_allow(Role.PARTNER_TEACHER)
def host_request_decline(request: HttpRequest, request_id: Id, payload: DeclineIn):
    row = selectors.host_request_get_for_partner(actor=request.actor, request_id=request_id)
    return _request_out(
        services.host_request_decline(host_request=row, by=request.auth, note=payload.note, request=request)
    )


# --- travel times -----------------------------------------------------------------------------------------


@router.get("/travel-times", response={200: list[TravelTimeOut], **ERRORS})
@api_allow(Role.BUREAU)
def travel_time_list(request: HttpRequest):
    matrix = selectors.travel_matrix_for_bureau(actor=request.actor)
    return [
        {"from_school_id": a.pk, "to_school_id": b.pk, "minutes": m}
        for a, cells in matrix.rows
        for b, m in zip(matrix.schools, cells, strict=True)
        if a.pk != b.pk and m is not None
    ]


@router.put("/travel-times", response={200: list[TravelTimeOut], **ERRORS})
@api_allow(Role.BUREAU)
def travel_time_set(request: HttpRequest, payload: TravelTimeIn):
    """Set (or with `minutes: null` remove) the minutes between two schools, both ways."""
    a = selectors.school_get_for_bureau(actor=request.actor, school_id=payload.from_school_id)
    b = selectors.school_get_for_bureau(actor=request.actor, school_id=payload.to_school_id)
    services.travel_time_set(a=a, b=b, minutes=payload.minutes, by=request.auth, request=request)
    if payload.minutes is None:
        return []
    return [
        {"from_school_id": a.pk, "to_school_id": b.pk, "minutes": payload.minutes},
        {"from_school_id": b.pk, "to_school_id": a.pk, "minutes": payload.minutes},
    ]
