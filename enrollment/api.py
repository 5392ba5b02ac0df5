"""Family API: children, catalogue, preferences, first-come seats, offers, timetables; bureau summary.

Seats: `POST /enrollments` answers 201 (a seat), 202 (on the waitlist), 404 (not your child, no
such section), 409 with a stable code (`section_full`, `time_clash`, `window_closed`,
`already_enrolled`, `not_eligible`). Send an `Idempotency-Key` header to make retries safe: a
retry with the same key returns the first answer and writes nothing.
"""

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router, Schema, Status

from accounts.api_access import api_allow
from accounts.models import Role
from accounts.schemas import ErrorOut
from core.errors import DomainError
from core.validation import Id, Int, Text
from enrollment import selectors, services
from enrollment.models import Enrollment, EnrollmentWindow, Student
from enrollment.schemas import (
    CatalogueItemOut,
    ChildOut,
    ChildWeekOut,
    EnrollmentIn,
    EnrollmentOut,
    PreferencesIn,
    PreferencesOut,
)

router = Router(tags=["families"])


def _child_out(child: Student, seats) -> dict:
    return {
        "id": child.pk,
        "name": child.name,
        "school": child.school.name,
        "grade": child.grade,
        "school_class": str(child.school_class),
        "seats": [{"section": s.section_id, "course": s.section.course.title, "status": s.status} for s in seats],
    }


def _enrollment_out(row: Enrollment, waitlist_position: int | None) -> dict:
    """The answer for one row; the caller passes the waitlist position (a new row's is already known)."""
    now = timezone.now()
    return {
        "id": row.pk,
        "student": row.student_id,
        "section": row.section_id,
        "course": row.section.course.title,
        "status": row.status,
        "waitlist_position": waitlist_position,
        "offer_expires_at": row.offer_expires_at if row.offer_pending(now) else None,
    }


def _meeting_out(m) -> dict:
    return {"weekday": m.weekday, "start": m.start, "end": m.end, "session": m.session, "room": m.room}


def _week_item_out(item) -> dict:
    section = item.section
    return {
        "enrollment": item.enrollment.pk,
        "section": section.pk,
        "course": section.course.title,
        "teacher": section.teacher.name if section.teacher else None,
        "meeting": _meeting_out(item.meeting) if item.meeting else None,
    }


def _week_out(child: Student) -> dict:
    term = selectors.term_for_student(child)
    week = selectors.child_week(child, term)
    return {
        "student": child.pk,
        "name": child.name,
        "term": term.name if term else None,
        "days": [
            {
                "weekday": d.weekday,
                "label": d.label,
                "dismissal": d.dismissal,
                "items": [_week_item_out(i) for i in d.items],
            }
            for d in week.days
        ],
        "unscheduled": [_week_item_out(i) for i in week.unscheduled],
    }


@router.get("/children", response=list[ChildOut])
@api_allow(Role.PARENT)
def children_list(request: HttpRequest):
    """Your own children and their seats."""
    return [_child_out(c, c.active_seats) for c in selectors.student_list_for_parent(actor=request.actor)]


@router.get("/children/{student_id}", response={200: ChildOut, 404: ErrorOut})
@api_allow(Role.PARENT)
def child_get(request: HttpRequest, student_id: Id):
    """One of your children; another family's child is 404."""
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    seats = child.enrollments.active().select_related("section__course")
    return _child_out(child, seats)


class CatalogueFilter(Schema):
    kind: Text(20) = ""
    weekday: Int(0, 6) | None = None


@router.get("/children/{student_id}/catalogue", response={200: list[CatalogueItemOut], 404: ErrorOut})
@api_allow(Role.PARENT)
def catalogue(request: HttpRequest, student_id: Id, filters: Query[CatalogueFilter]):
    """The sections this child may take this term (own school and grade, partner courses at the school)."""
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    term = selectors.term_for_student(child)
    if term is None:
        return []
    items = selectors.catalogue_for_student(
        student=child, term=term, now=timezone.now(), kind=filters.kind, weekday=filters.weekday
    )
    return [
        {
            "section": i.section.pk,
            "code": i.section.code,
            "course": i.course.title,
            "kind": i.course.kind,
            "description": i.course.description,
            "teacher": i.section.teacher.name if i.section.teacher else None,
            "rooms": i.rooms,
            "meetings": [_meeting_out(m) for m in i.meetings],
            "meetings_per_week": i.course.meetings_per_week,
            "capacity": i.section.capacity,
            "seats_left": i.seats_left,
            "waiting": i.waiting,
            "fee_per_class_hour": i.course.fee_per_class_hour,
            "my_status": i.mine.status if i.mine else None,
            "my_rank": i.rank,
        }
        for i in items
    ]


def _preference_window(child: Student) -> EnrollmentWindow | None:
    term = selectors.term_for_student(child)
    if term is None:
        return None
    now = timezone.now()
    return selectors.window_open(
        school_id=child.school_id, term_id=term.pk, mode=EnrollmentWindow.Mode.PREFERENCE, now=now
    ) or next(
        (
            w
            for w in reversed(selectors.windows_for(school_id=child.school_id, term_id=term.pk))
            if w.mode == "preference"
        ),
        None,
    )


def _preferences_out(child: Student, window: EnrollmentWindow | None) -> dict:
    if window is None:
        return {"window": None, "sections": []}
    return {
        "window": {
            "id": window.pk,
            "mode": window.mode,
            "opens_at": window.opens_at,
            "closes_at": window.closes_at,
            "max_choices": window.max_choices,
            "phase": window.phase(),
        },
        "sections": list(
            window.preferences.filter(student=child).order_by("rank").values_list("section_id", flat=True)
        ),
    }


@router.get("/children/{student_id}/preferences", response={200: PreferencesOut, 404: ErrorOut})
@api_allow(Role.PARENT)
def preferences_get(request: HttpRequest, student_id: Id):
    """The child's ranked choices in the current (or last) preference window."""
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    return _preferences_out(child, _preference_window(child))


@router.put("/children/{student_id}/preferences", response={200: PreferencesOut, 404: ErrorOut, 409: ErrorOut})
@api_allow(Role.PARENT)
def preferences_put(request: HttpRequest, student_id: Id, payload: PreferencesIn):
    """Replace the ranked choices (first = most wanted) while the preference window is open."""
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    window = _preference_window(child)
    if window is None:
        raise DomainError("window_closed")
    services.preferences_replace(
        student=child, window=window, section_ids=payload.sections, by=request.user, request=request
    )
    return _preferences_out(child, window)


@router.post("/enrollments", response={201: EnrollmentOut, 202: EnrollmentOut, 404: ErrorOut, 409: ErrorOut})
@api_allow(Role.PARENT)
def enrollment_create(
    request: HttpRequest,
    payload: EnrollmentIn,
    idempotency_key: Text(64) = Header("", alias="Idempotency-Key", description="retry safely: same key, same answer"),
):
    """Take a first-come seat (201) or a waitlist place (202); see the module docs for the 409 codes."""
    section = selectors.section_get(section_id=payload.section)
    result = services.enrollment_request_for_parent(
        actor=request.actor,
        student_id=payload.student,
        section=section,
        by=request.user,
        request=request,
        waitlist=payload.waitlist,
        request_key=idempotency_key,
        confirmed_total=payload.confirmed_total,
    )
    row = result.enrollment
    position = result.waitlist_position if result.created else selectors.waitlist_position(row)
    return Status(201 if result.enrolled else 202, _enrollment_out(row, position))


@router.get("/enrollments/{enrollment_id}", response={200: EnrollmentOut, 404: ErrorOut})
@api_allow(Role.PARENT)
def enrollment_get(request: HttpRequest, enrollment_id: Id):
    """One seat or waitlist place of one of your children, with the waitlist position."""
    row = selectors.enrollment_get_for_family(actor=request.actor, enrollment_id=enrollment_id)
    return _enrollment_out(row, selectors.waitlist_position(row))


@router.post("/enrollments/{enrollment_id}/withdraw", response={200: EnrollmentOut, 404: ErrorOut})
@api_allow(Role.PARENT)
def enrollment_withdraw(request: HttpRequest, enrollment_id: Id):
    """Give up a seat, an offer or a waitlist place (always allowed; repeating it changes nothing)."""
    row = selectors.enrollment_get_for_family(actor=request.actor, enrollment_id=enrollment_id)
    services.enrollment_withdraw(enrollment=row, by=request.user, request=request)
    return _enrollment_out(row, selectors.waitlist_position(row))


@router.post("/enrollments/{enrollment_id}/accept", response={200: EnrollmentOut, 404: ErrorOut, 409: ErrorOut})
@api_allow(Role.PARENT)
def offer_accept(request: HttpRequest, enrollment_id: Id):
    """Accept a seat offered from the waitlist before it expires."""
    row = selectors.enrollment_get_for_family(actor=request.actor, enrollment_id=enrollment_id)
    services.offer_accept(enrollment=row, by=request.user, request=request)
    return _enrollment_out(row, selectors.waitlist_position(row))


@router.get("/children/{student_id}/week", response={200: ChildWeekOut, 404: ErrorOut})
@api_allow(Role.PARENT)
def child_week(request: HttpRequest, student_id: Id):
    """One child's weekly after-school timetable (seats without published times under `unscheduled`)."""
    return _week_out(selectors.student_get_for_parent(actor=request.actor, student_id=student_id))


@router.get("/timetables", response=list[ChildWeekOut])
@api_allow(Role.PARENT)
def timetables(request: HttpRequest):
    """The weekly timetables of all your children."""
    return [_week_out(c) for c in selectors.student_list_for_parent(actor=request.actor)]
