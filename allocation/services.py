"""Writes for the seat allocation: start a run, compute it in the worker, publish it, replay it.

Invariants kept here (and by the constraints on `AllocationRun`):

* the lottery seed is revealed only at allocation and must match the window's published SHA-256
  commitment (refused otherwise, nothing written); it is then kept in `EnrollmentWindow.lottery_seed`;
* one active run per window (queued/running) and one published run per window;
* the worker writes a run's result (seats, statistics of ours and the three baselines, one
  explanation per pupil) in one transaction, only if the run is still running; a worker that dies
  leaves a stale heartbeat and the run is marked failed when read — never half-written;
* publishing re-reads the input, refuses if it changed since the run (`allocation_stale`), then
  writes every seat through `enrollment.capacity` (lock → check → write) in ONE transaction: any
  refusal rolls all of it back, so a publish never oversells and is never partial;
* after publishing, pupils left without a seat get a head start on the leftover seats
  (`head_start_hours`), then a first-come window opens for everyone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from allocation import engine, selectors
from allocation.adapter import Built, problem_build, problem_digest, problem_from_json, problem_to_json
from allocation.models import AllocationOutcome, AllocationRun
from allocation.notify import allocation_results_published
from core import runs
from core.audit import audit_record
from core.errors import DomainError
from core.extensions import ExtensionPoint
from courses.models import Course, Section
from enrollment import capacity
from enrollment.models import Enrollment, EnrollmentWindow, Student
from enrollment.services import clash_check, eligibility_check, seat_changes_record

log = logging.getLogger(__name__)

WAITLIST_THRESHOLD = float(getattr(settings, "KEHOU_ALLOCATION_WAITLIST_THRESHOLD", 0.5))
BASELINES = (
    ("first_come", engine.first_come),
    ("random_serial_dictatorship", engine.random_serial_dictatorship),
    ("weighted_greedy", engine.weighted_greedy),
)


def allocation_workers() -> int:
    return int(getattr(settings, "KEHOU_ALLOCATION_WORKERS", 1) or 1)


# --- start ------------------------------------------------------------------------------------------


def window_ready(window: EnrollmentWindow, now: dt.datetime | None = None) -> bool:
    return (
        window.mode == EnrollmentWindow.Mode.PREFERENCE
        and window.phase(now) == EnrollmentWindow.Phase.CLOSED
        and bool(window.lottery_seed_hash)
    )


def allocation_run_request(
    *, window: EnrollmentWindow, seed: str, by: Any, request: HttpRequest | None = None
) -> AllocationRun:
    """Reveal the lottery seed and queue the allocation of a closed preference window.

    Refusals: `allocation_not_ready` (not a closed preference window with a commitment),
    `allocation_seed_mismatch`, `allocation_in_progress`, `allocation_published`.
    """
    seed = (seed or "").strip()
    if not window_ready(window):
        raise DomainError("allocation_not_ready")
    if not seed or len(seed) > 128 or not engine.verify_commitment(seed, window.lottery_seed_hash):
        raise DomainError("allocation_seed_mismatch")
    with transaction.atomic():
        window = EnrollmentWindow.objects.select_for_update().get(pk=window.pk)
        runs.runs_reap_stale(AllocationRun)
        existing = AllocationRun.objects.filter(window=window)
        if existing.filter(status=AllocationRun.Status.PUBLISHED).exists():
            raise DomainError("allocation_published")
        if existing.filter(status__in=AllocationRun.ACTIVE).exists():
            raise DomainError("allocation_in_progress")
        if window.lottery_seed != seed:
            window.lottery_seed = seed
            window.save(update_fields=["lottery_seed"])
        run = AllocationRun.objects.create(
            window=window, seed=seed, commitment=window.lottery_seed_hash, commitment_ok=True, created_by=by
        )
        audit_record(
            action="allocation.run.requested",
            actor=by,
            obj=run,
            school_id=window.school_id,
            request=request,
            data={"window": window.pk, "seed": seed, "commitment": window.lottery_seed_hash},
        )
        transaction.on_commit(lambda: _enqueue(run))
    return run


def _enqueue(run: AllocationRun) -> None:
    from allocation.tasks import allocation_run as task

    runs.run_enqueue(run, task)


def _progress(run_id: int, percent: int, text: str) -> None:
    runs.run_update(AllocationRun, run_id, progress=percent, progress_text=text[:200])


def stats_dict(problem: engine.Problem, alloc: engine.Allocation, *, full: engine.Problem | None = None) -> dict:
    """JSON-safe statistics; sibling figures from `full` (with fixed siblings of other schools) if given."""
    own = engine.stats(problem, alloc, waitlist_threshold=WAITLIST_THRESHOLD)
    data = dataclasses.asdict(own)
    data["rank_distribution"] = {str(k): v for k, v in sorted(own.rank_distribution.items())}
    data["first_choice_pct_by_group"] = dict(sorted(own.first_choice_pct_by_group.items()))
    data["sections"] = [dataclasses.asdict(s) for s in own.sections]
    data["sections_to_open"] = list(own.sections_to_open)
    if full is not None:
        wide = engine.stats(full, alloc, waitlist_threshold=WAITLIST_THRESHOLD)
        data["sibling_pairs"] = wide.sibling_pairs
        data["siblings_aligned"] = wide.siblings_aligned
        data["siblings_aligned_pct"] = wide.siblings_aligned_pct
    data["seconds"] = round(alloc.seconds, 4)
    return data


@dataclass
class Computed:
    allocation: engine.Allocation
    explanations: dict[int, engine.Explanation]
    stats: dict[str, dict]
    timings: dict[str, float]


def allocation_compute(built: Built, seed: str, *, workers: int = 1, progress=None) -> Computed:
    """Ours and the three baselines on the same problem, explanations checked true (no database)."""
    say = progress or (lambda _p, _t: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    say(20, _("Allocating seats…"))
    ours = engine.allocate(built.problem, seed, workers=workers)
    timings["allocate"] = round(time.perf_counter() - t0, 4)
    shown = built.window_problem()
    stats = {"optimal": stats_dict(shown, ours, full=built.problem)}
    say(55, _("Comparing with first come, random order and weighted greedy…"))
    for name, method in BASELINES:
        t1 = time.perf_counter()
        alloc = method(built.problem, seed)
        timings[name] = round(time.perf_counter() - t1, 4)
        stats[name] = stats_dict(shown, alloc, full=built.problem)
    say(75, _("Writing an explanation for every pupil…"))
    t1 = time.perf_counter()
    explanations = engine.explain(built.problem, ours)
    errors = engine.verify_explanations(built.problem, ours, explanations)
    timings["explain"] = round(time.perf_counter() - t1, 4)
    if errors:
        raise RuntimeError(f"explanations not true: {errors[:3]}")
    return Computed(ours, explanations, stats, timings)


def allocation_run_execute(*, run_id: int) -> str:
    """The background job: build the input, allocate, compare, explain, write the result in one transaction."""
    if not connection.in_atomic_block:  # the worker (tests call this inside their transaction)
        close_old_connections()
    if not runs.run_start(AllocationRun, run_id):
        return "skipped"
    run = AllocationRun.objects.select_related("window").get(pk=run_id)
    t0 = time.perf_counter()
    try:
        with runs.Heartbeat(AllocationRun, run_id):
            if not engine.verify_commitment(run.seed, run.window.lottery_seed_hash):
                raise DomainError("allocation_seed_mismatch")
            _progress(run_id, 10, gettext_noop("Reading choices, seats and timetable…"))
            built = problem_build(run.window)
            t_build = round(time.perf_counter() - t0, 4)
            computed = allocation_compute(
                built, run.seed, workers=allocation_workers(), progress=lambda p, t: _progress(run_id, p, t)
            )
            _progress(run_id, 90, gettext_noop("Saving the result…"))
            with transaction.atomic():
                locked = AllocationRun.objects.select_for_update().get(pk=run_id)
                if locked.status != AllocationRun.Status.RUNNING:
                    return "abandoned"  # reaped meanwhile: write nothing
                _write_outcomes(locked, built, computed)
                locked.problem = problem_to_json(built.problem, fixed_ids=built.fixed_ids)
                locked.problem_digest = built.digest
                locked.seats = {str(p): list(s) for p, s in sorted(computed.allocation.seats.items()) if s}
                locked.fingerprint = computed.allocation.fingerprint()
                locked.levels = [[lv.name, lv.value] for lv in computed.allocation.levels]
                locked.stats = {**computed.stats, "input": built.notes}
                locked.timings = {"build": t_build, **computed.timings, "total": round(time.perf_counter() - t0, 4)}
                locked.status = AllocationRun.Status.SUCCEEDED
                locked.progress = 100
                locked.progress_text = gettext_noop(
                    "Ready for review."
                )  # stored as the msgid: shown in the reader's language
                locked.finished_at = timezone.now()
                locked.save()
                audit_record(
                    action="allocation.run.computed",
                    actor=run.created_by,
                    obj=locked,
                    school_id=run.window.school_id,
                    data={"window": run.window_id, "fingerprint": locked.fingerprint, "input": built.digest},
                )
        return "succeeded"
    except Exception as exc:
        log.exception("allocation run %s failed", run_id)
        message = exc.message() if isinstance(exc, DomainError) else str(exc)
        runs.run_finish(
            AllocationRun,
            run_id,
            status=AllocationRun.Status.FAILED,
            message=(_("The allocation failed: %(e)s") % {"e": message})[:2000],
        )
        return "failed"


def _write_outcomes(run: AllocationRun, built: Built, computed: Computed) -> None:
    rows = []
    for pid in sorted(built.pupil_ids):
        e = computed.explanations.get(pid)
        if e is None:
            continue
        rows.append(
            AllocationOutcome(
                run=run,
                student_id=pid,
                sections=[s for _r, s in e.got],
                best_rank=min((r for r, _s in e.got), default=None),
                text_zh=e.text_zh,
                text_en=e.text_en,
                detail={
                    "outcome": e.outcome,
                    "group": e.group,
                    "lottery_number": e.lottery_number,
                    "max_seats": e.max_seats,
                    "missed": [dataclasses.asdict(m) for m in e.missed],
                },
            )
        )
    AllocationOutcome.objects.filter(run=run).delete()
    AllocationOutcome.objects.bulk_create(rows, batch_size=500)


# --- publish -------------------------------------------------------------------------------------------


def allocation_publish(
    *, run: AllocationRun, by: Any, request: HttpRequest | None = None, now: dt.datetime | None = None
) -> AllocationRun:
    """Write every seat of a reviewed run in ONE transaction (through `enrollment.capacity`), then
    open the leftover seats: first to the pupils left without a seat, then first-come to everyone."""
    now = now or timezone.now()
    with transaction.atomic():
        window = EnrollmentWindow.objects.select_for_update().select_related("term").get(pk=run.window_id)
        run = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if AllocationRun.objects.filter(window=window, status=AllocationRun.Status.PUBLISHED).exists():
            raise DomainError("allocation_published")
        if run.status != AllocationRun.Status.SUCCEEDED:
            raise DomainError("conflict", detail=_("Only a finished allocation can be published."))
        if not engine.verify_commitment(run.seed, window.lottery_seed_hash):
            raise DomainError("allocation_seed_mismatch")
        # Lock → check → write, in the one global order (capacity's): every pupil of the result by id,
        # then every section by id, THEN re-read the input and compare it with the one the run was
        # computed from — so nothing can change between the check and the writes, and a family
        # enrolling or withdrawing at this moment queues behind the publish instead of deadlocking.
        seats = {int(p): list(s) for p, s in run.seats.items()}
        students = capacity.students_lock(list(seats))
        capacity.sections_lock([s for rows in seats.values() for s in rows if s > 0])
        built = problem_build(window, now=now)
        if built.digest != run.problem_digest:
            raise DomainError("allocation_stale")
        to_write = {pid: rows for pid, rows in seats.items() if pid in built.pupil_ids}  # siblings elsewhere: read only
        written = 0
        for pid in sorted(to_write):
            for section_id in to_write[pid]:
                try:
                    claim = capacity.claim(
                        student=students[pid],
                        section_id=section_id,
                        now=now,
                        offer_hours=window.offer_hours,
                        waitlist=False,
                        source=Enrollment.Source.ALLOCATION,
                    )
                except DomainError as error:  # section_full: someone took a seat meanwhile
                    raise DomainError("allocation_stale") from error
                if not claim.created:
                    raise DomainError("allocation_stale")
                seat_changes_record(claim.changes, school_id=window.school_id, request=request)
                written += 1
        run.status = AllocationRun.Status.PUBLISHED
        run.published_by = by if getattr(by, "pk", None) else None
        run.published_at = now
        run.save(update_fields=["status", "published_by", "published_at"])
        optimal = run.stats.get("optimal", {})
        audit_record(
            action="allocation.run.published",
            actor=by,
            obj=run,
            school_id=window.school_id,
            request=request,
            data={
                "window": window.pk,
                "seats": written,
                "placed": optimal.get("placed"),
                "unplaced": optimal.get("unplaced"),
                "seed": run.seed,
                "commitment": window.lottery_seed_hash,
                "fingerprint": run.fingerprint,
                "input": run.problem_digest,
            },
        )
        _open_leftover(window=window, by=by, request=request, now=now)
        allocation_results_published(run)
    return run


def _open_leftover(*, window: EnrollmentWindow, by: Any, request: HttpRequest | None, now: dt.datetime) -> None:
    """A first-come window for the leftover seats, opening when the head start of unplaced pupils ends."""
    opens = now + timedelta(hours=window.head_start_hours)
    if EnrollmentWindow.objects.filter(
        school_id=window.school_id, term_id=window.term_id, mode=EnrollmentWindow.Mode.FIRST_COME, closes_at__gt=opens
    ).exists():
        return
    term_end = timezone.make_aware(dt.datetime.combine(window.term.end, dt.time(23, 59)))
    closes = max(term_end, opens + timedelta(days=14))
    leftover = EnrollmentWindow.objects.create(
        school_id=window.school_id,
        term_id=window.term_id,
        mode=EnrollmentWindow.Mode.FIRST_COME,
        opens_at=opens,
        closes_at=closes,
        max_choices=window.max_choices,
        offer_hours=window.offer_hours,
    )
    audit_record(
        action="enrollment.window.created",
        actor=by,
        obj=leftover,
        school_id=window.school_id,
        request=request,
        data={"mode": leftover.mode, "opens_at": opens.isoformat(), "after_allocation": window.pk},
    )


# --- head start for pupils left without a seat ---------------------------------------------------------


def leftover_claim(
    *, student: Student, section: Section, by: Any, request: HttpRequest | None = None, now: dt.datetime | None = None
) -> Enrollment:
    """During the head start, a pupil the allocation could not place takes a leftover seat (never a waitlist)."""

    now = now or timezone.now()
    run = selectors.head_start_for(student=student, now=now)
    if run is None or section.term_id != run.window.term_id:
        raise DomainError("window_closed")
    eligibility_check(student=student, section=section)
    with transaction.atomic():
        capacity.student_lock(student.pk)
        seats = (
            Enrollment.objects.held(now)
            .filter(student=student, section__term_id=section.term_id)
            .exclude(section__course__kind=Course.Kind.HOMEWORK)
            .count()
        )
        if seats >= run.window.max_seats:
            raise DomainError("already_enrolled")
        clash_check(student=student, section=section)
        claim = capacity.claim(
            student=student,
            section_id=section.pk,
            now=now,
            offer_hours=run.window.offer_hours,
            waitlist=False,
            note="head start after the allocation",
        )
        if not claim.created:
            raise DomainError("already_enrolled")
        seat_changes_record(claim.changes, school_id=student.school_id, request=request)
        audit_record(
            action="enrollment.seat.granted",
            actor=by,
            obj=claim.enrollment,
            school_id=student.school_id,
            request=request,
            data={"student": student.pk, "section": section.pk, "source": "first_come", "head_start": run.pk},
        )
        return claim.enrollment


# --- replay (anyone's check) ---------------------------------------------------------------------------


@dataclass
class Replay:
    run: AllocationRun
    commitment_ok: bool
    input_ok: bool
    reproduced: bool
    fingerprint: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.commitment_ok and self.input_ok and self.reproduced


def allocation_replay(run: AllocationRun, *, seed: str | None = None) -> Replay:
    """Re-run the allocation from the stored input snapshot and the revealed seed; compare seats."""
    seed = run.window.lottery_seed or run.seed if seed is None else seed
    problem = problem_from_json(run.problem)
    t0 = time.perf_counter()
    commitment_ok = engine.verify_commitment(seed, run.window.lottery_seed_hash)
    input_ok = problem_digest(problem) == run.problem_digest
    again = engine.allocate(problem, seed)
    published = {int(p): tuple(s) for p, s in run.seats.items()}
    mine = {p: tuple(s) for p, s in again.seats.items() if s}
    return Replay(
        run=run,
        commitment_ok=commitment_ok,
        input_ok=input_ok,
        reproduced=mine == published and again.fingerprint() == run.fingerprint,
        fingerprint=again.fingerprint(),
        seconds=round(time.perf_counter() - t0, 3),
    )


#: Where a window's secret seed may be known in advance: only the demo district, so a visitor can
#: run the demo's allocation. `(window) -> seed or ""`; `demo` registers its source in `ready()`.
SEED_HINTS: ExtensionPoint = ExtensionPoint("allocation.seed_hints", "Lottery seeds known in advance (the demo only).")


def seed_hint_for(window: EnrollmentWindow) -> str:
    """A seed offered to the coordinator in the form, if some source knows it and it matches the commitment."""
    for source in SEED_HINTS:
        seed = source(window)
        if seed and engine.verify_commitment(seed, window.lottery_seed_hash):
            return seed
    return ""
