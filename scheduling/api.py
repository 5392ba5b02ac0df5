"""Timetabling API for coordinators: solve runs and timetables of their own school (404 otherwise)."""

from django.http import HttpRequest
from ninja import Router, Status

from accounts.api_access import api_allow
from accounts.models import Role
from accounts.schemas import ErrorOut
from core.errors import DomainError
from core.validation import Id
from courses.selectors import school_get_for_coordinator
from scheduling import selectors, services
from scheduling.models import Timetable
from scheduling.schemas import SolveRunIn, SolveRunOut, TimetableOut

router = Router(tags=["timetable"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _timetable_out(timetable: Timetable) -> dict:
    rows = timetable.placements.select_related("slot").order_by("slot__weekday", "slot__session", "section_id")
    return {
        "id": timetable.pk,
        "school_id": timetable.school_id,
        "term_id": timetable.term_id,
        "version": timetable.version,
        "status": timetable.status,
        "created_at": timetable.created_at,
        "published_at": timetable.published_at,
        "cost": timetable.cost,
        "hard_violations": timetable.hard_violations,
        "cost_by_rule": timetable.cost_by_rule,
        "hard_by_rule": timetable.hard_by_rule,
        "placements": [
            {
                "id": p.pk,
                "section_id": p.section_id,
                "meeting": p.meeting,
                "slot_id": p.slot_id,
                "weekday": p.slot.weekday,
                "session": p.slot.session,
                "start": f"{p.slot.start:%H:%M}",
                "end": f"{p.slot.end:%H:%M}",
                "room_id": p.room_id,
                "teacher_id": p.teacher_id,
                "pinned": p.pinned,
            }
            for p in rows
        ],
    }


@router.post("/schools/{school_id}/solve-runs", response={201: SolveRunOut, **ERRORS})
@api_allow(Role.COORDINATOR)
def solve_run_create(request: HttpRequest, school_id: Id, payload: SolveRunIn):
    """Queue a timetable solve for the school's term (the current term unless `term_id`)."""
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    term = selectors.school_term(school=school, term_id=payload.term_id)
    if term is None:
        raise DomainError("no_term") if payload.term_id is None else DomainError("not_found")
    base = None
    if payload.base_timetable_id:
        base = selectors.timetable_get_for_coordinator(
            actor=request.actor, school_id=school.pk, timetable_id=payload.base_timetable_id
        )
    run = services.solve_run_request(
        by=request.auth,
        school=school,
        term=term,
        time_limit=payload.time_limit,
        seed=payload.seed,
        base=base,
        request=request,
    )
    run.refresh_from_db()
    return Status(201, run)


@router.get("/schools/{school_id}/solve-runs/{run_id}", response={200: SolveRunOut, **ERRORS})
@api_allow(Role.COORDINATOR)
def solve_run_read(request: HttpRequest, school_id: Id, run_id: Id):
    """A run's state: status, progress (best cost, bound, elapsed), message and explanation."""
    return selectors.solve_run_get_for_coordinator(actor=request.actor, school_id=school_id, run_id=run_id)


@router.post("/schools/{school_id}/solve-runs/{run_id}/cancel", response={200: SolveRunOut, **ERRORS})
@api_allow(Role.COORDINATOR)
def solve_run_cancel(request: HttpRequest, school_id: Id, run_id: Id):
    run = selectors.solve_run_get_for_coordinator(actor=request.actor, school_id=school_id, run_id=run_id)
    return services.solve_run_cancel(run=run, by=request.auth, request=request)


@router.get("/schools/{school_id}/timetables/{timetable_id}", response={200: TimetableOut, **ERRORS})
@api_allow(Role.COORDINATOR)
def timetable_read(request: HttpRequest, school_id: Id, timetable_id: Id):
    timetable = selectors.timetable_get_for_coordinator(
        actor=request.actor, school_id=school_id, timetable_id=timetable_id
    )
    return _timetable_out(timetable)


@router.post("/schools/{school_id}/timetables/{timetable_id}/publish", response={200: TimetableOut, **ERRORS})
@api_allow(Role.COORDINATOR)
def timetable_publish(request: HttpRequest, school_id: Id, timetable_id: Id):
    """Publish a draft; the previously published version becomes archived."""
    timetable = selectors.timetable_get_for_coordinator(
        actor=request.actor, school_id=school_id, timetable_id=timetable_id
    )
    return _timetable_out(services.timetable_publish(timetable=timetable, by=request.auth, request=request))
