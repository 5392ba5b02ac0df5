"""Writes for timetabling: solve runs, drafts, moves and pins, publishing, calendar feeds.

Invariants kept here (and by the database constraints in ``models.py``):
* a solve writes its draft and all its placements in one transaction, or nothing;
* a solve never touches the published timetable; only ``timetable_publish`` does, atomically;
* a run whose worker died (stale heartbeat) is marked failed by the worker's periodic reaper
  (`core.runs`), and a late worker that comes back finds its run no longer running and writes nothing.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import runs
from core.audit import audit_record
from core.errors import DomainError
from courses.models import Room, School, Slot, Teacher, Term
from scheduling import adapters
from scheduling.models import CalendarFeed, Pin, Placement, SolveRun, Timetable

log = logging.getLogger(__name__)

TIME_LIMIT_MAX = 600.0
PROGRESS_POINTS = 240


def solver_workers() -> int:
    return int(getattr(settings, "KEHOU_SOLVER_WORKERS", 0) or min(8, max(1, os.cpu_count() or 1)))


# --- solve runs (on the shared framework of core.runs) ---------------------------------------------


def solve_run_request(
    *,
    by: Any,
    school: School,
    term: Term,
    time_limit: float = 20.0,
    seed: int = 0,
    base: Timetable | None = None,
    request: Any = None,
) -> SolveRun:
    """Queue a solve for a school's term; one at a time per term (a second request is refused)."""
    if base is not None and (base.school_id != school.pk or base.term_id != term.pk):
        raise DomainError("not_found")
    time_limit = min(max(float(time_limit), 1.0), TIME_LIMIT_MAX)
    with transaction.atomic():
        Term.objects.select_for_update().filter(pk=term.pk).first()
        runs.runs_reap_stale(SolveRun)
        if SolveRun.objects.filter(school=school, term=term, status__in=SolveRun.ACTIVE).exists():
            raise DomainError("solve_in_progress")
        run = SolveRun.objects.create(
            school=school, term=term, created_by=by, time_limit=time_limit, seed=int(seed), base_timetable=base
        )
        audit_record(
            action="scheduling.solve_run.requested",
            actor=by,
            obj=run,
            school_id=school.pk,
            request=request,
            data={"time_limit": time_limit, "base": base.pk if base else None},
        )
        transaction.on_commit(lambda: _enqueue(run))
    return run


def _enqueue(run: SolveRun) -> None:
    from scheduling.tasks import solve_timetable

    runs.run_enqueue(run, solve_timetable)


@transaction.atomic
def solve_run_cancel(*, run: SolveRun, by: Any, request: Any = None) -> SolveRun:
    """Ask a run to stop; a queued run stops at once, a running one within about a second."""
    run = runs.run_cancel(SolveRun.objects.select_for_update().get(pk=run.pk))
    if run.cancel_requested:
        audit_record(
            action="scheduling.solve_run.cancelled", actor=by, obj=run, school_id=run.school_id, request=request
        )
    return run


class SolveProgress:
    """Carries the solver's progress out (best, bound, the trace) for the heartbeat to write; the
    solver's own threads never touch the database. ``bench/timetable.py`` records a solve with this
    same class and reads it with ``selectors.solve_numbers``, so the site and the benchmark show the
    same numbers."""

    def __init__(self, time_limit: float) -> None:
        self.t0 = time.monotonic()
        self.time_limit = time_limit
        self._lock = threading.Lock()
        self.best: float | None = None
        self.bound: float | None = None
        self.first: float | None = None
        self.trace: list[list[float | None]] = []
        self._dirty = True

    def __call__(self, best: float, bound: float, elapsed: float) -> None:
        with self._lock:
            self.best, self.bound = float(best), float(bound)
            if self.first is None:
                self.first = round(elapsed, 3)
            self.trace.append([round(elapsed, 3), self.best, self.bound])
            if len(self.trace) > PROGRESS_POINTS:
                # keep the first point and thin out the middle
                self.trace = [self.trace[0], *self.trace[2::2], self.trace[-1]]
            self._dirty = True

    def finish(self, elapsed: float, cost: float | None, bound: float | None) -> None:
        """The last point: the checker's cost of the timetable kept and the final bound (a proof
        of optimality shows as cost = bound at the solve's end)."""
        with self._lock:
            if cost is None:
                return
            last_bound = bound if bound is not None else self.bound
            self.best, self.bound = float(cost), None if last_bound is None else float(last_bound)
            if self.first is None:
                self.first = round(elapsed, 3)
            self.trace.append([round(elapsed, 3), self.best, self.bound])
            self._dirty = True

    def elapsed(self) -> float:
        return round(time.monotonic() - self.t0, 2)

    def fields(self) -> dict[str, Any]:
        """What the heartbeat writes: elapsed time and the bar (by time), the best so far when it moved."""
        elapsed = self.elapsed()
        with self._lock:
            out: dict[str, Any] = {
                "elapsed": elapsed,
                "progress": max(1, min(99, int(100 * elapsed / max(self.time_limit, 0.1)))),
            }
            if self._dirty:
                out.update(best_cost=self.best, bound=self.bound, first_feasible_at=self.first, trace=list(self.trace))
                self._dirty = False
        return out


def solve_run_execute(*, run_id: int) -> str:
    """The background job: build the problem, solve it, write a draft (or the explanation)."""
    from scheduling.solver.solve import solve

    if not connection.in_atomic_block:  # the worker (tests call this inside their transaction)
        close_old_connections()
    if not runs.run_start(SolveRun, run_id):
        return "skipped"
    run = SolveRun.objects.select_related("school", "term", "base_timetable", "created_by").get(pk=run_id)
    progress = SolveProgress(run.time_limit)
    try:
        with runs.Heartbeat(SolveRun, run_id, interval=0.5, extra=progress.fields) as heartbeat:
            previous = run.base_timetable or timetable_published(school=run.school, term=run.term)
            built = adapters.problem_build(school=run.school, term=run.term, previous=previous)
            hint = adapters.timetable_placements(previous) if previous is not None else None
            solution = solve(
                built.problem,
                time_limit=run.time_limit,
                workers=solver_workers(),
                seed=run.seed,
                hint=hint,
                progress=progress,
                cancel=heartbeat.cancelled,
            )
            heartbeat.beat()
            return _solve_run_write(run, built, solution, previous, progress, cancelled=heartbeat.cancelled())
    except Exception as exc:
        log.exception("solve run %s failed", run_id)
        runs.run_finish(
            SolveRun, run_id, status=SolveRun.Status.FAILED, message=_("The solver failed: %(e)s") % {"e": exc}
        )
        return "failed"


def _solve_run_write(
    run: SolveRun, built: Any, solution: Any, previous: Any, progress: SolveProgress, *, cancelled: bool
) -> str:
    """The final state of a solve: the explanation, a refusal, or the draft with its placements (one transaction)."""
    from scheduling.explaining import explanation_for

    run_id = run.pk
    elapsed = progress.elapsed()
    if solution.status == "infeasible":
        runs.run_finish(
            SolveRun,
            run_id,
            status=SolveRun.Status.INFEASIBLE,
            explanation=explanation_for(built),
            elapsed=elapsed,
            progress=100,
            message=_("No timetable can meet every requirement. These requirements clash:"),
        )
        return "infeasible"
    if not solution.placements:
        stopped = solution.status == "cancelled" or cancelled
        runs.run_finish(
            SolveRun,
            run_id,
            status=SolveRun.Status.CANCELLED if stopped else SolveRun.Status.FAILED,
            elapsed=elapsed,
            progress=100,
            message=_("Stopped before a timetable was found.")
            if stopped
            else _("No timetable was found within the time limit. Try a longer time limit."),
        )
        return "no solution"
    with transaction.atomic():
        locked = SolveRun.objects.select_for_update().get(pk=run_id)
        if locked.status != SolveRun.Status.RUNNING:
            return "abandoned"  # reaped meanwhile: write nothing
        timetable = adapters.solution_write(
            built=built,
            solution=solution,
            by=run.created_by,
            base=run.base_timetable or previous,
            note=_("re-solved from v%(v)d") % {"v": run.base_timetable.version} if run.base_timetable else "",
        )
        stopped = solution.status == "cancelled"
        locked.status = SolveRun.Status.CANCELLED if stopped else SolveRun.Status.SUCCEEDED
        locked.result_timetable = timetable
        locked.finished_at = timezone.now()
        locked.elapsed = elapsed
        locked.progress = 100
        # One cost everywhere: the checker's verdict on the timetable that was written.
        locked.best_cost = timetable.cost
        locked.bound = solution.bound if solution.bound is not None else locked.bound
        progress.finish(solution.elapsed, timetable.cost, locked.bound)
        locked.trace = list(progress.trace)
        locked.first_feasible_at = progress.first
        locked.message = (
            _("Stopped early; the best timetable so far was kept as draft v%(v)d.")
            if stopped
            else _("Timetable v%(v)d is ready as a draft.")
        ) % {"v": timetable.version}
        locked.save()
        audit_record(
            action="scheduling.timetable.drafted",
            actor=run.created_by,
            obj=timetable,
            school_id=run.school_id,
            data={"run": run_id, "cost": timetable.cost, "hard": timetable.hard_violations},
        )
    return "succeeded"


# --- timetables ------------------------------------------------------------------------------------


def timetable_published(*, school: School, term: Term) -> Timetable | None:
    return Timetable.objects.published().filter(school=school, term=term).first()


def timetable_rescore(*, timetable: Timetable) -> Timetable:
    """Re-run the independent checker on a timetable and store its verdict."""
    built = adapters.problem_build(school=timetable.school, term=timetable.term)
    result = adapters.score(built, adapters.timetable_placements(timetable))
    timetable.cost = result.cost
    timetable.hard_violations = result.hard
    timetable.cost_by_rule = result.cost_by_rule
    timetable.hard_by_rule = {k: v for k, v in result.hard_by_rule.items() if v}
    timetable.save(update_fields=["cost", "hard_violations", "cost_by_rule", "hard_by_rule"])
    return timetable


def timetable_publish(*, timetable: Timetable, by: Any, request: Any = None) -> Timetable:
    """Make a draft the published timetable; the previous published one becomes archived.

    The checker's verdict is stored first (so a refusal shows what is wrong), then everything
    else happens in one transaction that checks again under the lock."""
    if timetable.status == Timetable.Status.DRAFT:
        timetable_rescore(timetable=timetable)
    return _publish(timetable=timetable, by=by, request=request)


@transaction.atomic
def _publish(*, timetable: Timetable, by: Any, request: Any = None) -> Timetable:
    Term.objects.select_for_update().filter(pk=timetable.term_id).first()
    timetable = Timetable.objects.select_for_update().get(pk=timetable.pk)
    if timetable.status != Timetable.Status.DRAFT:
        raise DomainError("timetable_not_draft")
    timetable_rescore(timetable=timetable)
    if timetable.hard_violations:
        raise DomainError("timetable_has_violations")
    previous = list(
        Timetable.objects.select_for_update()
        .filter(school_id=timetable.school_id, term_id=timetable.term_id, status=Timetable.Status.PUBLISHED)
        .values_list("pk", flat=True)
    )
    Timetable.objects.filter(pk__in=previous).update(status=Timetable.Status.ARCHIVED)
    timetable.status = Timetable.Status.PUBLISHED
    timetable.published_at = timezone.now()
    timetable.published_by = by
    timetable.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        action="scheduling.timetable.published",
        actor=by,
        obj=timetable,
        school_id=timetable.school_id,
        request=request,
        data={"version": timetable.version, "archived": previous},
    )
    return timetable


@transaction.atomic
def timetable_copy(*, timetable: Timetable, by: Any, request: Any = None) -> Timetable:
    """A new draft with the same placements (to adjust a published or archived version)."""
    Term.objects.select_for_update().filter(pk=timetable.term_id).first()
    last = Timetable.objects.for_school_term(timetable.school_id, timetable.term_id).order_by("-version").first()
    copy = Timetable.objects.create(
        school_id=timetable.school_id,
        term_id=timetable.term_id,
        version=(last.version if last else 0) + 1,
        base=timetable,
        note=_("copy of v%(v)d") % {"v": timetable.version},
        created_by=by,
        cost=timetable.cost,
        hard_violations=timetable.hard_violations,
        cost_by_rule=timetable.cost_by_rule,
        hard_by_rule=timetable.hard_by_rule,
    )
    Placement.objects.bulk_create(
        [
            Placement(
                timetable=copy,
                section_id=p.section_id,
                meeting=p.meeting,
                slot_id=p.slot_id,
                room_id=p.room_id,
                teacher_id=p.teacher_id,
                pinned=p.pinned,
            )
            for p in timetable.placements.all()
        ]
    )
    audit_record(action="scheduling.timetable.copied", actor=by, obj=copy, school_id=copy.school_id, request=request)
    return copy


def _editable(placement: Placement) -> Placement:
    placement = Placement.objects.select_for_update().select_related("timetable").get(pk=placement.pk)
    if placement.timetable.status != Timetable.Status.DRAFT:
        raise DomainError("timetable_not_draft")
    return placement


@transaction.atomic
def placement_move(
    *, placement: Placement, slot: Slot, room: Room, teacher: Teacher, by: Any, request: Any = None
) -> Placement:
    """Move one meeting to another slot, room or teacher (the checker then says what it breaks)."""
    placement = _editable(placement)
    school_id = placement.timetable.school_id
    if slot.school_id != school_id or room.school_id != school_id:
        raise DomainError("not_found")
    before = {"slot": placement.slot_id, "room": placement.room_id, "teacher": placement.teacher_id}
    placement.slot, placement.room, placement.teacher = slot, room, teacher
    placement.save(update_fields=["slot", "room", "teacher"])
    if placement.pinned:
        Pin.objects.filter(section_id=placement.section_id, meeting=placement.meeting).update(
            slot=slot, room=room, teacher=teacher
        )
    timetable_rescore(timetable=placement.timetable)
    audit_record(
        action="scheduling.placement.moved",
        actor=by,
        obj=placement,
        school_id=school_id,
        request=request,
        data={"before": before, "after": {"slot": slot.pk, "room": room.pk, "teacher": teacher.pk}},
    )
    return placement


@transaction.atomic
def placement_pin(*, placement: Placement, pinned: bool, by: Any, request: Any = None) -> Placement:
    """Pin a meeting where it is (slot, room, teacher) for later re-solves, or unpin it."""
    placement = Placement.objects.select_for_update().select_related("timetable").get(pk=placement.pk)
    if pinned:
        Pin.objects.update_or_create(
            section_id=placement.section_id,
            meeting=placement.meeting,
            defaults={
                "slot_id": placement.slot_id,
                "room_id": placement.room_id,
                "teacher_id": placement.teacher_id,
                "created_by": by,
            },
        )
    else:
        Pin.objects.filter(section_id=placement.section_id, meeting=placement.meeting).delete()
    Placement.objects.filter(
        timetable_id=placement.timetable_id, section_id=placement.section_id, meeting=placement.meeting
    ).update(pinned=pinned)
    placement.pinned = pinned
    audit_record(
        action="scheduling.placement.pinned" if pinned else "scheduling.placement.unpinned",
        actor=by,
        obj=placement,
        school_id=placement.timetable.school_id,
        request=request,
    )
    return placement


# --- calendar feeds --------------------------------------------------------------------------------


@transaction.atomic
def calendar_feed_issue(*, by: Any, teacher: Teacher) -> CalendarFeed:
    """A new private feed URL for a teacher's week; earlier feeds stay valid until revoked."""
    feed = CalendarFeed.objects.create(teacher=teacher, created_by=by)
    audit_record(action="scheduling.feed.issued", actor=by, obj=feed)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, feed: CalendarFeed, by: Any) -> None:
    CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(action="scheduling.feed.revoked", actor=by, obj=feed)
