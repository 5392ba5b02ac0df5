"""Solve entry points: one school (``solve``), many independent problems (``solve_many``) and a
district coupled by partner teachers (``solve_district``, in ``district.py``, re-exported here).

Every returned Solution carries the checker's cost (``check.check``), never the solver's objective.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from .check import check
from .district import solve_district as solve_district  # re-exported: callers import it from here
from .domain import Placement, Problem, Solution
from .rules import SOFT

Progress = Callable[[float, float, float], None]

# A week with at least this many slots at one school (ITC-2007: 25–45 periods) is built period-first
# and improved by large-neighbourhood search (``lns.py``): one CP-SAT model of it stays far from
# the best timetables. An after-school week (5–6 days × 1–3 sessions) is one model, proven optimal.
LNS_MIN_SLOTS = 20
# Of an LNS solve's limit, the share for the period-first construction (``lns.slots_first``; at
# least 2 s). On ITC-2007 comp07 its soft slot model did not improve the hard rules' first
# timetable at all in 3–10 s, while the search that follows takes it from ~1,100 to ~180 in 20 s.
SLOT_SHARE = 0.05
FAST_FIRST_SHARE = 0.25  # of a first-timetable search spent with the fast settings (see `_run`) …
FAST_FIRST_MAX = 0.5  # … and at most this many seconds
# With every room and teacher offered (no shortlist left to prove empty) the fast settings get longer:
# 新城学校 (demo district) has its first timetable from them in ~1.4 s, where after 0.5 s of them the
# interleaved search took another ~6 s.
FAST_FIRST_SHARE_ALL = 0.5
FAST_FIRST_MAX_ALL = 3.0
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
            t: next(r for r in mdl.rooms_of[i] if (i, t, r) in mdl.z and value(mdl.z[i, t, r]))
            for t in mdl.slots_of[i]
            if value(mdl.at[i, t])
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
    stop_after_first_solution: bool = False,
    search: str = "interleave",
    sessions: str = "any",
    strategy: str = "auto",
) -> Solution:
    """Build and solve the CP-SAT model of ``problem``; return the best timetable found.

    ``strategy``: ``"model"`` solves one CP-SAT model of the whole problem (an after-school
    week); ``"lns"`` builds the first timetable period-first and improves it by large-neighbourhood
    search with exact CP-SAT repairs (``lns.py``; a university-sized week such as ITC-2007's);
    ``"auto"`` picks ``"lns"`` when a school has at least ``LNS_MIN_SLOTS`` slots a week.

    ``room_choices`` / ``teacher_choices`` shortlist rooms and teachers per section (see
    ``model.build``); ``None`` offers all. With a shortlist, "optimal" means optimal among the
    shortlisted choices; an infeasible shortlist is retried with every room and teacher.

    ``hint`` (or else ``problem.previous``) warm-starts the search. ``progress(best, bound,
    elapsed)`` is called on each improving solution. The model's objective is the checker's
    weighted soft cost (no offset: every penalty variable equals its rule's count in any
    solution), so ``best``, ``bound`` and ``Solution.bound`` are on the checker's scale and
    ``bound <= cost``. ``cancel`` stops the search; the best timetable so far is returned
    with status ``"cancelled"`` (or no placements if none was found yet).
    ``stop_after_first_solution`` returns the first timetable found (``solve_district``'s first
    pass). ``search`` picks how the improving phase searches: ``"interleave"`` (one interleaved
    worker; best on the demo district's real schools) or ``"default"`` (CP-SAT's portfolio with
    ``workers``; best on the small schools of the synthetic district, which ``solve_district`` uses).
    """
    from ortools.sat.python import cp_model

    from .model import build

    if strategy == "lns" or (strategy == "auto" and not stop_after_first_solution and _wants_lns(problem)):
        return _solve_lns(problem, time_limit=time_limit, workers=workers, seed=seed, hint=hint,
                          progress=progress, cancel=cancel)  # fmt: skip
    t0 = time.monotonic()
    src = hint if hint is not None else problem.previous
    warm: Solution | None = None
    if src is None and not stop_after_first_solution:
        # Phase 1: any timetable from the hard rules alone, with fast settings (a real school of the
        # demo district: ~0.6 s, where the full model's default search may find nothing in 10 s);
        # phase 2 improves it. Returned as is if phase 2 finds nothing better in the time left.
        # Sections with a session (homework help, clubs) first try only their own session's slots;
        # if that finds nothing quickly, any slot with the search led towards their session.
        bare = replace(problem, weights={**problem.weights, **{r: 0 for r in SOFT}})
        with_sessions = any(s.session is not None for s in problem.sections)
        warm = Solution((), "unknown", None, (), None, 0.0)
        for mode, share in (("strict", 0.2), ("hint", 0.4)) if with_sessions else (("any", 0.4),):
            warm = solve(
                bare,
                time_limit=share * time_limit
                if mode == "strict"
                else max(0.5, share * time_limit - (time.monotonic() - t0)),
                workers=workers,
                seed=seed,
                cancel=cancel,
                room_choices=room_choices,
                teacher_choices=teacher_choices,
                stop_after_first_solution=True,
                sessions=mode,
            )
            if warm.placements:
                break
        if warm.placements:
            warm = rescore(problem, replace(warm, status="feasible", bound=None))
            src = warm.placements
            if progress is not None:
                progress(float(warm.cost or 0), 0.0, time.monotonic() - t0)
        elif warm.status == "infeasible":
            return replace(warm, elapsed=time.monotonic() - t0)
        else:
            warm = None
    strict, hint = sessions == "strict", sessions == "hint"
    mdl = build(
        problem, room_choices=room_choices, teacher_choices=teacher_choices, own_session=strict, session_hint=hint
    )
    restricted = room_choices is not None or teacher_choices is not None
    if src is not None:
        _add_hint(mdl, problem, src.placements if isinstance(src, Solution) else src)
    # the limit covers model building too: a web request sees the time it asked for
    left = time_limit - (time.monotonic() - t0)
    first = stop_after_first_solution
    st, solver = _run(mdl, max(0.1, left), workers, seed, progress, cancel, t0, first, search, shortlist=restricted)
    if st == cp_model.INFEASIBLE and restricted:
        # the room shortlist may be what made it infeasible: try again with every room (the
        # caller drops own_session itself when that finds nothing)
        mdl = build(problem, own_session=strict, session_hint=hint)
        if src is not None:
            _add_hint(mdl, problem, src.placements if isinstance(src, Solution) else src)
        left = time_limit - (time.monotonic() - t0)
        st, solver = _run(mdl, max(0.5, left), workers, seed, progress, cancel, t0, first, search, shortlist=False)
    was_cancelled = _is_cancelled(cancel)
    elapsed = time.monotonic() - t0
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE) and warm is not None:
        return replace(warm, status="cancelled" if was_cancelled else "feasible", elapsed=elapsed)
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


def _wants_lns(problem: Problem) -> bool:
    """Whether some school's week has ``LNS_MIN_SLOTS`` slots or more."""
    per_school: dict[str, int] = {}
    for sl in problem.slots:
        per_school[sl.school] = per_school.get(sl.school, 0) + 1
    return max(per_school.values(), default=0) >= LNS_MIN_SLOTS


def _solve_lns(
    problem: Problem,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    hint: Solution | Sequence[Placement] | None,
    progress: Progress | None,
    cancel: Cancel,
) -> Solution:
    """Period-first construction, then large-neighbourhood search (``lns.py``) to the limit.

    The first timetable: the hint (or ``problem.previous``) when it keeps the hard rules, else
    ``lns.slots_first`` (``SLOT_SHARE`` of the limit for the slot model, then rooms; its first
    timetable is reported through ``progress`` at once), else the plain model's first timetable. The bound is the slot model's (a relaxation), on the checker's scale.
    """
    from .lns import improve, slots_first

    t0 = time.monotonic()
    deadline = t0 + time_limit - 0.05

    def stop() -> bool:
        return _is_cancelled(cancel)

    start: list[Placement] | None = None
    bound = 0.0
    src = hint if hint is not None else problem.previous
    if src is not None:
        given = list(src.placements if isinstance(src, Solution) else src)
        if given and check(problem, given).hard == 0:
            start = given
    if start is None:
        share = min(max(2.0, SLOT_SHARE * time_limit), 0.5 * time_limit, 60.0)

        def on_first(placements: list[Placement]) -> None:
            res = check(problem, placements)
            if progress is not None and res.hard == 0:
                progress(float(res.cost), 0.0, time.monotonic() - t0)

        got = slots_first(problem, time_limit=share, workers=workers, seed=seed, stop=stop, on_first=on_first)
        if got is not None:
            start, bound = got
    if start is None:
        left = deadline - time.monotonic()
        bare = replace(problem, weights={**problem.weights, **{r: 0 for r in SOFT}})
        first = solve(bare, time_limit=max(0.5, left), workers=workers, seed=seed, cancel=cancel,
                      stop_after_first_solution=True, strategy="model")  # fmt: skip
        if not first.placements:
            return replace(first, elapsed=time.monotonic() - t0)
        start = list(first.placements)
    res = check(problem, start)
    if progress is not None:
        progress(float(res.cost), bound, time.monotonic() - t0)
    found = improve(problem, start, deadline=deadline, workers=workers, seed=seed, bound=bound, t0=t0,
                    progress=progress, stop=stop)  # fmt: skip
    if found.hard == 0 and found.cost <= bound:
        status = "optimal"
    else:
        status = "cancelled" if stop() else "feasible"
    out = Solution(tuple(found.placements), status, None, (), bound, time.monotonic() - t0)  # type: ignore[arg-type]
    return rescore(problem, out)


def fast_first_seconds(time_limit: float, *, shortlist: bool) -> float:
    """How long a first-timetable search runs with the fast settings before the interleaved search
    with presolve takes over: short while a shortlist may have to be proved empty (only the
    interleaved search proves that quickly), longer with every room and teacher offered."""
    share, most = (FAST_FIRST_SHARE, FAST_FIRST_MAX) if shortlist else (FAST_FIRST_SHARE_ALL, FAST_FIRST_MAX_ALL)
    return max(0.05, min(most, share * time_limit))


def _run(
    mdl: Any,
    time_limit: float,
    workers: int,
    seed: int,
    progress: Progress | None,
    cancel: Cancel,
    t0: float,
    first: bool = False,
    search: str = "interleave",
    shortlist: bool = True,
) -> tuple[int, Any]:
    """One CP-SAT solve with progress reports and cancellation from another thread. ``shortlist``:
    the model offers only shortlisted rooms and teachers (a first search may have to prove it empty)."""
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.max_time_in_seconds = max(0.01, time_limit)
    prm.num_workers = max(1, workers)
    prm.random_seed = seed
    # Improving a timetable runs ONE interleaved worker (CP-SAT's subsolvers taking turns in one
    # thread): on the demo district's real schools it proves optimality in 7-9 s (load 4-5) where a
    # 2-worker portfolio found nothing better than the first timetable in 10 s. OR-Tools 9.15 aborts
    # on interleave_search with num_workers > 1, so the two never combine; `workers` still applies
    # to the first-timetable phase, and solve_district runs schools in parallel processes.
    # `search="default"` (or KEHOU_SOLVER_SEARCH=default) keeps the plain portfolio instead.
    if not first and os.environ.get("KEHOU_SOLVER_SEARCH", search) == "interleave":
        prm.num_workers = 1
        prm.interleave_search = True
    fast_until = 0.0
    if first:
        # any timetable, fast: without presolve, probing, symmetry detection and LP a school of
        # the synthetic district gets its first timetable in ~0.05 s instead of ~0.2 s. But where
        # the room or teacher shortlist leaves no timetable (three of the demo district's 42 —
        # 人民路小学, 新城学校, 江湾学校 — until `model.room_shortlist` spread the shortlists over
        # equal rooms), that search neither finds one nor proves there is none in 15 s, while the
        # interleaved search with presolve proves it in ~0.1 s — and a proof is what sends
        # `solve` on to every room and teacher. So the fast settings get a short
        # share of the time, then the interleaved search the rest.
        prm.stop_after_first_solution = True
        fast_until = fast_first_seconds(time_limit, shortlist=shortlist)
        prm.max_time_in_seconds = fast_until
        prm.cp_model_presolve = False
        prm.cp_model_probing_level = 0
        prm.symmetry_level = 0
        prm.linearization_level = 0
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
        left = time_limit - fast_until
        if first and st == cp_model.UNKNOWN and left > 0.05 and not _is_cancelled(cancel):
            solver = cp_model.CpSolver()  # the same first-timetable search, interleaved, with presolve
            solver.parameters.max_time_in_seconds = left
            solver.parameters.num_workers = 1  # OR-Tools aborts interleave_search with more workers
            solver.parameters.interleave_search = True
            solver.parameters.random_seed = seed
            solver.parameters.stop_after_first_solution = True
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
