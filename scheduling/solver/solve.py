"""Solve entry points: one school (``solve``), many independent problems (``solve_many``) and a
district coupled by partner teachers (``solve_district``).

Every returned Solution carries the checker's cost (``check.check``), never the solver's objective.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from .check import check
from .domain import Pin, Placement, Problem, Solution, eligible_teacher_ids

Progress = Callable[[float, float, float], None]
Cancel = threading.Event | Callable[[], bool] | None


def _is_cancelled(cancel: Cancel) -> bool:
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


def rescore(problem: Problem, sol: Solution) -> Solution:
    """Attach the independent checker's cost and hard-violation count to a solution."""
    res = check(problem, sol.placements)
    return replace(
        sol,
        cost=res.cost,
        cost_by_rule=tuple(sorted(res.cost_by_rule.items())),
        hard_violations=res.hard,
    )


def _add_hint(mdl: Any, problem: Problem, placements: Iterable[Placement]) -> None:
    """Hint CP-SAT with a previous timetable: same slots, rooms and teacher per section."""
    ix = mdl.index
    teacher_of: dict[int, int] = {}
    used: set[tuple[int, int]] = set()
    for q in placements:
        i, t, r = ix["section"].get(q.section), ix["slot"].get(q.slot), ix["room"].get(q.room)
        if (i, t, r) in mdl.z:
            mdl.cp.add_hint(mdl.z[i, t, r], 1)
            used.add((i, t))
        if i is not None and q.teacher in ix["teacher"]:
            teacher_of[i] = ix["teacher"][q.teacher]
    sections = {i for i, _ in used} | set(teacher_of)
    for (i, t), v in mdl.at.items():
        if i in sections:
            mdl.cp.add_hint(v, int((i, t) in used))
    for (i, k), v in mdl.tk.items():
        if i in teacher_of:
            mdl.cp.add_hint(v, int(teacher_of[i] == k))


def _placements(mdl: Any, value: Callable[[Any], int]) -> list[Placement]:
    """Read the timetable; number meetings so pins keep their meeting index."""
    p = mdl.problem
    out = []
    for i, s in enumerate(p.sections):
        k = next(k for k in mdl.teachers_of[i] if value(mdl.tk[i, k]))
        room_at = {
            t: next(r for r in mdl.rooms_of[i] if value(mdl.z[i, t, r])) for t in mdl.slots_of[i] if value(mdl.at[i, t])
        }
        free = sorted(room_at)
        meeting_slot: dict[int, int] = {}
        pins = [pin for pin in p.pins if pin.section == s.id]
        for want_slot in (True, False):
            for pin in pins:
                if pin.meeting in meeting_slot or (pin.slot is not None) != want_slot:
                    continue
                for t in free:
                    if (pin.slot is None or p.slots[t].id == pin.slot) and (
                        pin.room is None or p.rooms[room_at[t]].id == pin.room
                    ):
                        meeting_slot[pin.meeting] = t
                        free.remove(t)
                        break
        for m in range(s.meetings_per_week):
            if m not in meeting_slot and free:
                meeting_slot[m] = free.pop(0)
        for m, t in sorted(meeting_slot.items()):
            out.append(Placement(s.id, m, p.slots[t].id, p.rooms[room_at[t]].id,
                                 p.teachers[k].id))  # fmt: skip
    return out


def solve(
    problem: Problem,
    *,
    time_limit: float = 10.0,
    workers: int = 1,
    seed: int = 0,
    hint: Solution | Sequence[Placement] | None = None,
    progress: Progress | None = None,
    cancel: Cancel = None,
    room_choices: int | None = 8,
    teacher_choices: int | None = 6,
) -> Solution:
    """Build and solve the CP-SAT model of ``problem``; return the best timetable found.

    ``room_choices`` / ``teacher_choices`` shortlist rooms and teachers per section (see
    ``model.build``); ``None`` offers all. With a shortlist, "optimal" means optimal among the
    shortlisted choices; an infeasible shortlist is retried with every room and teacher.

    ``hint`` (or else ``problem.previous``) warm-starts the search. ``progress(best, bound,
    elapsed)`` is called on each improving solution with the solver's objective (the final cost
    comes from the checker). ``cancel`` stops the search; the best timetable so far is returned
    with status ``"cancelled"`` (or no placements if none was found yet).
    """
    from ortools.sat.python import cp_model

    from .model import build

    t0 = time.monotonic()
    src = hint if hint is not None else problem.previous
    mdl = build(problem, room_choices=room_choices, teacher_choices=teacher_choices)
    restricted = room_choices is not None or teacher_choices is not None
    if src is not None:
        _add_hint(mdl, problem, src.placements if isinstance(src, Solution) else src)
    # the limit covers model building too: a web request sees the time it asked for
    left = time_limit - (time.monotonic() - t0)
    st, solver = _run(mdl, max(0.1, left), workers, seed, progress, cancel, t0)
    if st == cp_model.INFEASIBLE and restricted:
        # the room shortlist may be what made it infeasible: try again with every room
        mdl = build(problem)
        if src is not None:
            _add_hint(mdl, problem, src.placements if isinstance(src, Solution) else src)
        left = time_limit - (time.monotonic() - t0)
        st, solver = _run(mdl, max(0.5, left), workers, seed, progress, cancel, t0)
    was_cancelled = _is_cancelled(cancel)
    elapsed = time.monotonic() - t0
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        status = {
            cp_model.INFEASIBLE: "infeasible",
            cp_model.MODEL_INVALID: "invalid",
        }.get(st, "cancelled" if was_cancelled else "unknown")
        return Solution((), status, None, (), None, elapsed)
    placements = _placements(mdl, solver.value)
    status = "optimal" if st == cp_model.OPTIMAL else ("cancelled" if was_cancelled else "feasible")
    bound = solver.best_objective_bound if mdl.penalties else 0.0
    return rescore(problem, Solution(tuple(placements), status, None, (), bound, elapsed))


def _run(
    mdl: Any,
    time_limit: float,
    workers: int,
    seed: int,
    progress: Progress | None,
    cancel: Cancel,
    t0: float,
) -> tuple[int, Any]:
    """One CP-SAT solve with progress reports and cancellation from another thread."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.max_time_in_seconds = max(0.01, time_limit)
    prm.num_workers = max(1, workers)
    prm.random_seed = seed
    if workers == 1:
        prm.interleave_search = True
    stop = threading.Event()

    class _Cb(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if progress is not None:
                progress(self.objective_value, self.best_objective_bound, time.monotonic() - t0)
            if _is_cancelled(cancel):
                self.stop_search()

    def watch() -> None:
        while not stop.wait(0.05):
            if _is_cancelled(cancel):
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True) if cancel is not None else None
    if watcher:
        watcher.start()
    try:
        st = solver.solve(mdl.cp, _Cb())
    finally:
        stop.set()
    return st, solver


def solve_many(
    problems: Sequence[Problem],
    *,
    time_limit: float = 10.0,
    workers: int = 1,
    seed: int = 0,
    cancel: Cancel = None,
) -> list[Solution]:
    """Solve independent problems (e.g. one per school) in turn, sharing ``time_limit``."""
    t0 = time.monotonic()
    out = []
    for n, pb in enumerate(problems):
        left = time_limit - (time.monotonic() - t0)
        share = max(0.05, left / (len(problems) - n))
        out.append(solve(pb, time_limit=share, workers=workers, seed=seed, cancel=cancel))
    return out


def _restrict(problem: Problem, section_ids: set[str], schools: set[str]) -> Problem:
    """The sub-problem of some sections at some schools (pins and history follow)."""
    secs = tuple(s for s in problem.sections if s.id in section_ids)
    teachers_needed = set()
    for s in secs:
        teachers_needed |= eligible_teacher_ids(s, problem.teachers)
    prev = problem.previous
    if prev is not None:
        prev = replace(prev, placements=tuple(q for q in prev.placements
                                              if q.section in section_ids))  # fmt: skip
    return replace(
        problem,
        slots=tuple(s for s in problem.slots if s.school in schools),
        rooms=tuple(r for r in problem.rooms if r.school in schools),
        teachers=tuple(t for t in problem.teachers if t.id in teachers_needed),
        sections=secs,
        pins=tuple(p for p in problem.pins if p.section in section_ids),
        previous=prev,
    )


def _solve_part(args: tuple[Problem, float, int, int]) -> Solution:
    """One school of a district (top level so a process pool can run it)."""
    sub, share, workers, seed = args
    sol = solve(sub, time_limit=share, workers=workers, seed=seed)
    if sol.status == "unknown":
        # no timetable yet within its share: a school without one is worth more time
        sol = solve(sub, time_limit=3 * share + 5, workers=workers, seed=seed)
    return sol


def solve_district(
    problem: Problem,
    *,
    time_limit: float = 60.0,
    workers: int = 1,
    processes: int = 1,
    seed: int = 0,
    progress: Progress | None = None,
    cancel: Cancel = None,
) -> Solution:
    """Solve many schools coupled by partner teachers, by decomposition.

    1. Sections that a teacher of several schools may teach ("coupled") are solved together,
       across their schools, with travel times; their slots and teachers are then pinned.
    2. Each school is solved alone with its own sections plus its pinned coupled sections
       (``processes`` > 1 runs schools in parallel processes, each CP-SAT with ``workers``).
    If a school is infeasible with the coupled times fixed, it is retried with them free
    (only that school's sections; the partner times found in step 1 are kept for the others,
    so the final check may then report a partner clash).
    The result is re-checked against the whole district. ``progress(cost so far, bound so far,
    elapsed)`` is called per finished school. ``bound`` is the sum of the parts' bounds given
    the step-1 choices (a conditional bound, not a global one).
    """
    t0 = time.monotonic()
    multi = {t.id for t in problem.teachers if len(t.schools) > 1}
    coupled = {s.id for s in problem.sections
               if eligible_teacher_ids(s, problem.teachers) & multi}  # fmt: skip
    schools = sorted({s.school for s in problem.sections})
    pins: list[Pin] = []
    if coupled:
        sub = _restrict(problem, coupled, {s.school for s in problem.sections if s.id in coupled})
        sol = solve(sub, time_limit=max(0.5, 0.15 * time_limit), workers=workers, seed=seed,
                    cancel=cancel)  # fmt: skip
        if sol.placements:
            pins = [Pin(q.section, q.meeting, slot=q.slot, teacher=q.teacher)
                    for q in sol.placements]  # fmt: skip
    parts: list[Problem] = []
    for school in schools:
        ids = {s.id for s in problem.sections if s.school == school}
        sub = _restrict(problem, ids, {school})
        # partner teachers appear only through their pinned sections here
        parts.append(replace(sub, pins=sub.pins + tuple(p for p in pins if p.section in ids)))
    left = time_limit - (time.monotonic() - t0)
    share = max(0.3, 0.95 * left * max(1, processes) / max(1, len(parts)))
    results: list[Solution] = []
    cost = bound = 0.0

    def record(sol: Solution) -> None:
        nonlocal cost, bound
        results.append(sol)
        cost += sol.cost or 0
        bound += sol.bound or 0.0
        if progress is not None:
            progress(cost, bound, time.monotonic() - t0)

    jobs = [(sub, share, workers, seed) for sub in parts]
    if processes > 1 and len(parts) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=processes, mp_context=ctx) as pool:
            futures = {pool.submit(_solve_part, job): n for n, job in enumerate(jobs)}
            by_index: dict[int, Solution] = {}
            for fut in as_completed(futures):
                by_index[futures[fut]] = fut.result()
                record(by_index[futures[fut]])
                if _is_cancelled(cancel):
                    pool.shutdown(cancel_futures=True)
                    break
            solved = [by_index.get(n) for n in range(len(jobs))]
    else:
        solved = []
        for job in jobs:
            if _is_cancelled(cancel):
                break
            solved.append(_solve_part(job))
            record(solved[-1])
    statuses = []
    placements: list[Placement] = []
    for n, sol in enumerate(solved):
        if sol is None:
            statuses.append("cancelled")
            continue
        if not sol.placements and parts[n].pins and not _is_cancelled(cancel):
            ids = {s.id for s in parts[n].sections}
            sub = replace(parts[n], pins=tuple(p for p in problem.pins if p.section in ids))
            sol = solve(sub, time_limit=share, workers=workers, seed=seed, cancel=cancel)
        statuses.append(sol.status)
        placements.extend(sol.placements)
    if len(solved) < len(parts):
        statuses.append("cancelled")
    if any(s in ("infeasible", "unknown", "invalid") for s in statuses):
        status = "infeasible" if "infeasible" in statuses else "unknown"
    elif "cancelled" in statuses:
        status = "cancelled"
    else:
        status = "optimal" if all(s == "optimal" for s in statuses) else "feasible"
    out = Solution(tuple(placements), status, None, (), bound, time.monotonic() - t0)  # type: ignore[arg-type]
    return rescore(problem, out)
