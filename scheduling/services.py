"""Writes for timetabling: solve runs, drafts, moves and pins, publishing, calendar feeds.

Invariants kept here (and by the database constraints in ``models.py``):
* a solve writes its draft and all its placements in one transaction, or nothing;
* a solve never touches the published timetable; only ``timetable_publish`` does, atomically;
* a run whose worker died (stale heartbeat) is marked failed when read, and a late worker that
  comes back finds its run no longer running and writes nothing.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record
from config.errors import DomainError
from courses.models import Room, School, Slot, Teacher, Term
from scheduling import adapters
from scheduling.models import CalendarFeed, Pin, Placement, SolveRun, Timetable

log = logging.getLogger(__name__)

# A running solve writes a heartbeat every HEARTBEAT seconds; silence for STALE_AFTER means the
# worker died (killed, out of memory, machine restarted) and the run is marked failed.
HEARTBEAT = 0.5
STALE_AFTER = timedelta(seconds=getattr(settings, "KEHOU_SOLVE_STALE_SECONDS", 30))
TIME_LIMIT_MAX = 600.0
PROGRESS_POINTS = 240


def solver_workers() -> int:
    return int(getattr(settings, "KEHOU_SOLVER_WORKERS", 0) or min(8, max(1, os.cpu_count() or 1)))


# --- solve runs -------------------------------------------------------------------------------------


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
        for run in SolveRun.objects.filter(school=school, term=term, status__in=SolveRun.ACTIVE):
            solve_run_reap(run)
        if SolveRun.objects.filter(school=school, term=term, status__in=SolveRun.ACTIVE).exists():
            raise DomainError("solve_in_progress")
        run = SolveRun.objects.create(
            school=school, term=term, requested_by=by, time_limit=time_limit, seed=int(seed), base_timetable=base
        )
        audit_record(
            action="scheduling.solve.requested",
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

    result = solve_timetable.enqueue(run.pk)
    SolveRun.objects.filter(pk=run.pk, task_id="").update(task_id=str(getattr(result, "id", ""))[:64])


@transaction.atomic
def solve_run_cancel(*, run: SolveRun, by: Any, request: Any = None) -> SolveRun:
    """Ask a run to stop; a queued run stops at once, a running one within about a second."""
    run = SolveRun.objects.select_for_update().get(pk=run.pk)
    if run.status == SolveRun.Status.QUEUED:
        run.status = SolveRun.Status.CANCELLED
        run.finished_at = timezone.now()
        run.message = _("Cancelled before it started.")
    if run.status in SolveRun.ACTIVE or run.status == SolveRun.Status.CANCELLED:
        run.cancel_requested = True
        run.save(update_fields=["status", "finished_at", "message", "cancel_requested"])
        audit_record(action="scheduling.solve.cancelled", actor=by, obj=run, school_id=run.school_id, request=request)
    return run


def solve_run_reap(run: SolveRun) -> SolveRun:
    """Mark a running solve whose worker fell silent as failed (called whenever a run is read)."""
    if run.status != SolveRun.Status.RUNNING:
        return run
    last = run.heartbeat_at or run.started_at or run.requested_at
    if last and timezone.now() - last <= STALE_AFTER:
        return run
    message = _("The solver stopped without finishing (no sign of life for %(s)d seconds). Nothing was changed.") % {
        "s": int(STALE_AFTER.total_seconds())
    }
    updated = SolveRun.objects.filter(pk=run.pk, status=SolveRun.Status.RUNNING, heartbeat_at=run.heartbeat_at).update(
        status=SolveRun.Status.FAILED, finished_at=timezone.now(), message=message
    )
    if updated:
        run.refresh_from_db()
    return run


class _Monitor:
    """Carries progress out of the solver and cancel requests into it, without the solver's threads
    touching the database: a thread writes the heartbeat and the latest progress every HEARTBEAT
    seconds and reads ``cancel_requested`` into an Event the solver's cancel callable checks."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.t0 = time.monotonic()
        self.cancel = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.best: float | None = None
        self.bound: float | None = None
        self.first: float | None = None
        self.history: list[list[float | None]] = []
        self._dirty = True
        self._thread = threading.Thread(target=self._loop, name=f"solve-monitor-{run_id}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def progress(self, best: float, bound: float, elapsed: float) -> None:
        with self._lock:
            self.best, self.bound = float(best), float(bound)
            if self.first is None:
                self.first = round(elapsed, 3)
            self.history.append([round(elapsed, 3), self.best, self.bound])
            if len(self.history) > PROGRESS_POINTS:
                # keep the first point and thin out the middle
                self.history = [self.history[0], *self.history[2::2], self.history[-1]]
            self._dirty = True

    def cancelled(self) -> bool:
        return self.cancel.is_set()

    def flush(self) -> None:
        with self._lock:
            fields: dict[str, Any] = {
                "heartbeat_at": timezone.now(),
                "elapsed": round(time.monotonic() - self.t0, 2),
            }
            if self._dirty:
                fields.update(best_cost=self.best, bound=self.bound, first_feasible_at=self.first,
                              progress=list(self.history))  # fmt: skip
                self._dirty = False
        SolveRun.objects.filter(pk=self.run_id, status=SolveRun.Status.RUNNING).update(**fields)
        row = SolveRun.objects.filter(pk=self.run_id).values("status", "cancel_requested").first()
        if row is None or row["cancel_requested"] or row["status"] != SolveRun.Status.RUNNING:
            self.cancel.set()

    def _loop(self) -> None:
        try:
            while not self._stop.wait(HEARTBEAT):
                try:
                    self.flush()
                except Exception:  # a locked database for a moment must not kill the solve
                    log.warning("solve monitor: could not write progress", exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


def _finish(run_id: int, **fields: Any) -> bool:
    """Final state of a run, only if it is still running (a reaped run stays failed)."""
    fields.setdefault("finished_at", timezone.now())
    return bool(SolveRun.objects.filter(pk=run_id, status=SolveRun.Status.RUNNING).update(**fields))


def solve_run_execute(*, run_id: int) -> str:
    """The background job: build the problem, solve it, write a draft (or the explanation)."""
    from scheduling.explaining import explanation_for
    from scheduling.solver.solve import solve

    close_old_connections()
    now = timezone.now()
    taken = SolveRun.objects.filter(pk=run_id, status=SolveRun.Status.QUEUED, cancel_requested=False).update(
        status=SolveRun.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    if not taken:
        return "skipped"
    run = SolveRun.objects.select_related("school", "term", "base_timetable", "requested_by").get(pk=run_id)
    monitor = _Monitor(run_id)
    monitor.start()
    try:
        previous = run.base_timetable or timetable_published(school=run.school, term=run.term)
        built = adapters.problem_build(school=run.school, term=run.term, previous=previous)
        hint = adapters.timetable_placements(previous) if previous is not None else None
        solution = solve(
            built.problem,
            time_limit=run.time_limit,
            workers=solver_workers(),
            seed=run.seed,
            hint=hint,
            progress=monitor.progress,
            cancel=monitor.cancelled,
        )
        monitor.flush()
        elapsed = round(time.monotonic() - monitor.t0, 2)
        if solution.status == "infeasible":
            explanation = explanation_for(built)
            _finish(
                run_id,
                status=SolveRun.Status.INFEASIBLE,
                explanation=explanation,
                elapsed=elapsed,
                message=_("No timetable can meet every requirement. These requirements clash:"),
            )
            return "infeasible"
        if not solution.placements:
            cancelled = solution.status == "cancelled" or monitor.cancelled()
            _finish(
                run_id,
                status=SolveRun.Status.CANCELLED if cancelled else SolveRun.Status.FAILED,
                elapsed=elapsed,
                message=_("Stopped before a timetable was found.")
                if cancelled
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
                by=run.requested_by,
                base=run.base_timetable or previous,
                note=_("re-solved from v%(v)d") % {"v": run.base_timetable.version} if run.base_timetable else "",
            )
            stopped = solution.status == "cancelled"
            locked.status = SolveRun.Status.CANCELLED if stopped else SolveRun.Status.SUCCEEDED
            locked.result_timetable = timetable
            locked.finished_at = timezone.now()
            locked.elapsed = elapsed
            locked.best_cost = solution.cost
            locked.bound = solution.bound if solution.bound is not None else locked.bound
            locked.message = (
                _("Stopped early; the best timetable so far was kept as draft v%(v)d.")
                if stopped
                else _("Timetable v%(v)d is ready as a draft.")
            ) % {"v": timetable.version}
            locked.save()
            audit_record(
                action="scheduling.timetable.drafted",
                actor=run.requested_by,
                obj=timetable,
                school_id=run.school_id,
                data={"run": run_id, "cost": timetable.cost, "hard": timetable.hard_violations},
            )
        return "succeeded"
    except Exception as exc:
        log.exception("solve run %s failed", run_id)
        _finish(run_id, status=SolveRun.Status.FAILED, message=_("The solver failed: %(e)s") % {"e": exc})
        return "failed"
    finally:
        monitor.stop()


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
def calendar_feed_issue(*, by: Any, teacher: Teacher | None = None, student_id: int | None = None) -> CalendarFeed:
    """A new private feed URL; earlier feeds of the same owner stay valid until revoked."""
    feed = CalendarFeed.objects.create(teacher=teacher, student_id=student_id, created_by=by)
    audit_record(action="scheduling.feed.issued", actor=by, obj=feed)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, feed: CalendarFeed, by: Any) -> None:
    CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(action="scheduling.feed.revoked", actor=by, obj=feed)
