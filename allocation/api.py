"""Seat allocation API: coordinators start, read and publish runs; families read their child's result.

Same permissions as the pages: another school's window or run is 404, another family's child is 404.
Refusals are 409 with stable codes (`allocation_seed_mismatch`, `allocation_not_ready`,
`allocation_in_progress`, `allocation_published`, `allocation_stale`).
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from accounts.api_access import api_allow, api_authenticated
from accounts.models import Role
from accounts.schemas import ErrorOut
from allocation import selectors as alloc_selectors
from allocation import services
from allocation.models import AllocationRun
from core.ids import id_or_404
from core.validation import Id, Text
from courses.selectors import school_get_for_coordinator
from enrollment import selectors
from enrollment.models import EnrollmentWindow

router = Router(tags=["allocation"])
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class AllocationStartIn(Schema):
    seed: Text(128, min_length=1, description="the lottery seed committed to when the window opened")


class AllocationRunOut(Schema):
    id: int
    window: int
    status: str
    progress: int
    progress_text: str
    seed: str
    commitment: str
    commitment_ok: bool | None
    fingerprint: str
    problem_digest: str
    stats: dict[str, Any]
    timings: dict[str, Any]
    error: str
    published_at: Any = None


class OutcomeOut(Schema):
    student: int
    window: int
    sections: list[int]
    best_rank: int | None
    text_zh: str
    text_en: str


class LotteryOut(Schema):
    window: int
    commitment: str
    seed: str
    fingerprint: str
    problem_digest: str


def _run_out(run: AllocationRun) -> dict:
    return {
        "id": run.pk,
        "window": run.window_id,
        "status": run.status,
        "progress": run.progress,
        "progress_text": gettext(run.progress_text) if run.progress_text else "",
        "seed": run.seed,
        "commitment": run.commitment,
        "commitment_ok": run.commitment_ok,
        "fingerprint": run.fingerprint,
        "problem_digest": run.problem_digest,
        "stats": run.stats,
        "timings": run.timings,
        "error": run.message if run.status == "failed" else "",
        "published_at": run.published_at,
    }


def _window(request: HttpRequest, school_id: Id, window_id: Id) -> EnrollmentWindow:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    return selectors.window_get_for_school(school=school, window_id=window_id)


@router.post("/schools/{school_id}/windows/{window_id}/allocation-runs", response={202: AllocationRunOut, **ERRORS})
@api_allow(Role.COORDINATOR)
def allocation_start(request: HttpRequest, school_id: Id, window_id: Id, payload: AllocationStartIn):
    """Reveal the lottery seed (must match the window's commitment) and queue the allocation."""
    window = _window(request, school_id, window_id)
    run = services.allocation_run_request(window=window, seed=payload.seed, by=request.auth, request=request)
    run.refresh_from_db()
    return Status(202, _run_out(run))


@router.get(
    "/schools/{school_id}/windows/{window_id}/allocation-runs/{run_id}", response={200: AllocationRunOut, **ERRORS}
)
@api_allow(Role.COORDINATOR)
def allocation_read(request: HttpRequest, school_id: Id, window_id: Id, run_id: Id):
    """A run's state, progress and (when done) statistics of ours and the three baselines."""
    window = _window(request, school_id, window_id)
    return _run_out(alloc_selectors.allocation_run_get_for_school(school_id=school_id, window=window, run_id=run_id))


@router.post(
    "/schools/{school_id}/windows/{window_id}/allocation-runs/{run_id}/publish",
    response={200: AllocationRunOut, **ERRORS},
)
@api_allow(Role.COORDINATOR)
def allocation_publish(request: HttpRequest, school_id: Id, window_id: Id, run_id: Id):
    """Write every seat of the run in one transaction and open the leftover seats."""
    window = _window(request, school_id, window_id)
    run = alloc_selectors.allocation_run_get_for_school(school_id=school_id, window=window, run_id=run_id)
    return _run_out(services.allocation_publish(run=run, by=request.auth, request=request))


@router.get("/children/{student_id}/allocation", response={200: OutcomeOut, 404: ErrorOut})
@api_allow(Role.PARENT)
def child_allocation(request: HttpRequest, student_id: Id):
    """Your child's seat and explanation from the latest published allocation (another child: 404)."""
    from django.http import Http404

    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    outcome = alloc_selectors.outcome_for_student(child)
    if outcome is None:
        raise Http404
    return {
        "student": child.pk,
        "window": outcome.run.window_id,
        "sections": outcome.sections,
        "best_rank": outcome.best_rank,
        "text_zh": outcome.text_zh,
        "text_en": outcome.text_en,
    }


@router.get("/windows/{window_id}/lottery", response={200: LotteryOut, 404: ErrorOut})
@api_authenticated
def window_lottery(request: HttpRequest, window_id: Id):
    """The commitment, the revealed seed (after publishing) and the fingerprints: enough to verify."""
    from django.shortcuts import get_object_or_404

    window = get_object_or_404(EnrollmentWindow, pk=id_or_404(window_id), mode=EnrollmentWindow.Mode.PREFERENCE)
    run = alloc_selectors.published_run(window)
    return {
        "window": window.pk,
        "commitment": window.lottery_seed_hash,
        "seed": window.lottery_seed if run else "",
        "fingerprint": run.fingerprint if run else "",
        "problem_digest": run.problem_digest if run else "",
    }
