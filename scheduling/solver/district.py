"""A district's timetable: many schools coupled by partner teachers, solved by decomposition.

``solve_district`` splits the district into schools, fixes the partner ("coupled") sections'
slots and teachers first so the schools can be solved apart (in parallel processes), and then
repairs and improves the partner times with the schools' own rules included:

- a school that cannot take its pinned partner times is re-solved with them free and with the
  partner teachers' meetings at the other schools as busy times (travel included); if that is
  infeasible too, the ring grows to the schools those partner teachers serve, solved together,
  and so on up to the whole group of schools coupled by partner teachers (``_Coupling.ring``);
- with the time left, schools coupled by partner teachers are re-solved together
  (``_Coupling.neighbourhoods``), from the current timetable, and kept when cheaper.

A joint solve of some schools sees the rest of the district only through the partner teachers'
meetings there (``_joint``): a teacher's outside meetings become unavailable slots (the slots that
overlap them or leave less than the travel time) and a smaller weekly maximum, so every joint
timetable fits the schools it leaves alone. The pure engine: no Django, ortools imported lazily.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .domain import Pin, Placement, Problem, Solution, eligible_teacher_ids
from .rules import SOFT

if TYPE_CHECKING:
    from .solve import Cancel, Progress

# A joint re-solve of schools coupled by partner teachers (the quality pass) takes a whole group
# of coupled schools when it has at most this many sections, else pairs of schools sharing a
# partner teacher; larger neighbourhoods are left out (one CP-SAT model of them is too slow).
JOINT_MAX_SECTIONS = 100


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


def _joint(problem: Problem, schools: set[str], outside: Iterable[Pin]) -> Problem:
    """Every section of ``schools`` in one problem; ``outside`` (slot and teacher of meetings at
    the other schools) makes those teachers unavailable where they could not be, and lowers
    their weekly maximum by the meetings they give there."""
    sub = _restrict(problem, {s.id for s in problem.sections if s.school in schools}, schools)
    slot_of = {s.id: s for s in problem.slots}
    held: dict[str, list[Any]] = {}
    for pin in outside:
        if pin.teacher is not None and pin.slot in slot_of:
            held.setdefault(pin.teacher, []).append(slot_of[pin.slot])
    teachers = []
    for t in sub.teachers:
        away = held.get(t.id)
        if away:
            blocked = {
                sl.id
                for sl in sub.slots
                for o in away
                if (g := o.gap_to(sl)) is not None and g < problem.travel(o.school, sl.school)
            }
            t = replace(t, unavailable=t.unavailable | blocked,
                        max_periods_week=max(0, t.max_periods_week - len(away)))  # fmt: skip
        teachers.append(t)
    return replace(sub, teachers=tuple(teachers))


def _solve_part(args: tuple[Problem, float, int, int, bool, tuple[Placement, ...]]) -> Solution:
    """One school of a district (top level so a process pool can run it)."""
    from .solve import rescore, solve

    sub, limit, workers, seed, first, hint = args
    if not first:
        return solve(sub, time_limit=limit, workers=workers, seed=seed, hint=hint or None, search="default")
    # first pass: any timetable, from the hard rules alone (a smaller model, about twice as
    # fast to a first timetable); scored by the checker on the real weights, with no bound
    bare = replace(sub, weights={**sub.weights, **{r: 0 for r in SOFT}})
    sol = solve(bare, time_limit=limit, workers=workers, seed=seed, stop_after_first_solution=True)
    status = "feasible" if sol.placements else sol.status
    return rescore(sub, replace(sol, status=status, bound=None))


def _better(a: Solution | None, b: Solution | None) -> Solution | None:
    """The better of two timetables of one school (no hard violations first, then cost)."""
    if a is None or not a.placements:
        return b if b is not None and (b.placements or a is None) else a
    if b is None or not b.placements:
        return a
    ka = (a.hard_violations, a.cost if a.cost is not None else math.inf)
    kb = (b.hard_violations, b.cost if b.cost is not None else math.inf)
    return b if kb < ka else a


def _merge(a: Solution | None, b: Solution) -> Solution:
    """Keep the better timetable of two solves of one school and the larger (valid) bound."""
    best = _better(a, b)
    assert best is not None
    bounds = [x.bound for x in (a, b) if x is not None and x.bound is not None and x.placements]
    bound = max(bounds) if bounds else best.bound
    status = best.status
    if best.placements and bound is not None and best.cost is not None and best.cost <= bound:
        status = "optimal"
    return replace(best, bound=bound, status=status)


def _run_pool(
    jobs: list[int],
    make: Callable[[int, int], tuple[Any, ...] | None],
    done: Callable[[int, Solution], None],
    processes: int,
    cancel: Cancel,
) -> None:
    """Run ``_solve_part(make(n, jobs_left))`` for each n in ``jobs``, ``processes`` at a time.

    Jobs are submitted as workers free up, so ``make`` can share the time still left among the
    jobs still waiting (a school that finishes early leaves its time to the others); ``make``
    returns None to skip a job (no time left).
    """
    from .solve import _is_cancelled

    if processes <= 1 or len(jobs) <= 1:
        for m, n in enumerate(jobs):
            if _is_cancelled(cancel):
                return
            args = make(n, len(jobs) - m)
            if args is not None:
                done(n, _solve_part(args))
        return
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    ctx = multiprocessing.get_context("fork")
    queue = list(jobs)
    with ProcessPoolExecutor(max_workers=processes, mp_context=ctx) as pool:
        running: dict[Any, int] = {}
        while queue or running:
            while queue and len(running) < processes and not _is_cancelled(cancel):
                n = queue.pop(0)
                args = make(n, len(queue) + len(running) + 1)
                if args is not None:
                    running[pool.submit(_solve_part, args)] = n
            if not running:
                break
            finished, _ = wait(list(running), timeout=0.2, return_when=FIRST_COMPLETED)
            for fut in finished:
                done(running.pop(fut), fut.result())
            if _is_cancelled(cancel):
                queue.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                for fut in list(running):
                    if fut.done() and not fut.cancelled():
                        done(running[fut], fut.result())
                return


class _Coupling:
    """Which schools share partner teachers, and the partner times currently fixed."""

    def __init__(self, problem: Problem) -> None:
        multi = {t.id for t in problem.teachers if len(t.schools) > 1}
        self.school_of = {s.id: s.school for s in problem.sections}
        # coupled section id → the partner teachers who may teach it
        self.partners = {s.id: eligible_teacher_ids(s, problem.teachers) & multi for s in problem.sections}
        self.partners = {sid: ks for sid, ks in self.partners.items() if ks}
        self.served: dict[str, set[str]] = {}  # partner teacher → schools of their coupled sections
        for sid, ks in self.partners.items():
            for k in ks:
                self.served.setdefault(k, set()).add(self.school_of[sid])
        self.pins: dict[str, tuple[Pin, ...]] = {}  # coupled section → its meetings' slot and teacher

    def fix(self, placements: Iterable[Placement]) -> None:
        """Fix the partner times of the coupled sections among ``placements``."""
        got: dict[str, list[Pin]] = {}
        for q in placements:
            if q.section in self.partners:
                got.setdefault(q.section, []).append(Pin(q.section, q.meeting, slot=q.slot, teacher=q.teacher))
        self.pins.update((sid, tuple(ps)) for sid, ps in got.items())

    def unpinned(self, school: str) -> bool:
        """Whether some coupled section of ``school`` has no partner time yet."""
        return any(self.school_of[sid] == school and sid not in self.pins for sid in self.partners)

    def outside(self, schools: set[str]) -> list[Pin]:
        """The fixed partner meetings at schools other than ``schools``."""
        return [p for sid, ps in self.pins.items() if self.school_of[sid] not in schools for p in ps]

    def ring(self, schools: set[str]) -> set[str]:
        """``schools`` plus every school served by a partner teacher of one of their sections."""
        out = set(schools)
        for sid, ks in self.partners.items():
            if self.school_of[sid] in schools:
                for k in ks:
                    out |= self.served[k]
        return out

    def neighbourhoods(self, size: dict[str, int]) -> list[set[str]]:
        """Schools to re-solve together: each group of schools linked by partner teachers if it
        has at most ``JOINT_MAX_SECTIONS`` sections, else each pair of schools sharing one."""
        out: list[set[str]] = []
        seen: set[str] = set()
        for start in sorted({s for ss in self.served.values() for s in ss}):
            if start in seen:
                continue
            group, grown = {start}, self.ring({start})
            while grown != group:
                group, grown = grown, self.ring(grown)
            seen |= group
            if len(group) < 2:
                continue
            if sum(size[s] for s in group) <= JOINT_MAX_SECTIONS:
                out.append(group)
                continue
            pairs = {frozenset((a, b)) for ss in self.served.values() for a in ss for b in ss if a < b and a in group}
            out.extend(set(p) for p in sorted(pairs, key=sorted) if sum(size[s] for s in p) <= JOINT_MAX_SECTIONS)
        return out


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
    """Solve many schools coupled by partner teachers, by decomposition with repair.

    1. Sections that a teacher of several schools may teach ("coupled") are solved together,
       across their schools, with travel times (a small problem); their slots and teachers are
       then pinned.
    2. First pass: each school is solved alone with its own sections plus its pinned coupled
       sections, stopping at its first timetable (``processes`` > 1 runs schools in parallel
       processes, each CP-SAT with ``workers``), so the whole district is feasible early.
    3. Repair: a school that is infeasible with its pinned coupled sections (or has coupled
       sections without a time, when step 1 found none) is re-solved with them free and the
       partner teachers' meetings at the other schools as busy times, travel included; if that
       is infeasible, together with the schools its partner teachers serve (their coupled times
       freed too), growing ring by ring up to its whole group of coupled schools. The repaired
       schools' new partner times are pinned. Only when that whole group is infeasible (no
       timetable without a partner clash exists) or time runs out is the school solved with its
       coupled sections free and the other schools ignored: it keeps a timetable, the check
       reports the clash and the status is ``"infeasible"`` (proven) or ``"unknown"``.
    4. Second pass: the time left is shared among the schools not yet proven optimal, each
       re-solved from its first timetable (hint); a school keeps the better of its timetables.
       When there are coupled schools, up to a quarter of it is kept for step 5, but only what
       is left beyond ~2 s per open school (improving each school comes first).
    5. Quality: schools coupled by partner teachers are re-solved together from the current
       timetable (a whole group of coupled schools if small, else pairs sharing a partner
       teacher, ``JOINT_MAX_SECTIONS``), the rest of the district as busy times; the joint
       timetable is kept when it costs less (or as much, proven optimal), so the partner times
       are chosen with the schools' own rules.
    The result is re-checked against the whole district. ``progress(cost so far, bound so far,
    elapsed)`` is called per finished school solve and per repaired or jointly re-solved group
    of schools taken, with checker costs (schools without a timetable yet count 0). ``bound`` is
    the sum of the parts' bounds given the partner times (a conditional bound, not a global
    one); a school re-solved jointly counts its cost as its bound when the joint solve was
    optimal, else 0 until it is re-solved.
    """
    from .check import check
    from .solve import _is_cancelled, rescore, solve

    t0 = time.monotonic()
    deadline = t0 + time_limit
    margin = 0.02 * time_limit + 0.3  # the final district check and process start-up
    cpl = _Coupling(problem)
    schools = sorted({s.school for s in problem.sections})
    index = {school: n for n, school in enumerate(schools)}
    size = {school: 0 for school in schools}
    for s in problem.sections:
        size[s.school] += 1
    if cpl.partners:
        coupled = set(cpl.partners)
        sub = _restrict(problem, coupled, {cpl.school_of[sid] for sid in coupled})
        sol = solve(sub, time_limit=max(0.5, 0.1 * time_limit), workers=max(1, workers * processes),
                    seed=seed, cancel=cancel)  # fmt: skip
        cpl.fix(sol.placements)

    def part(school: str) -> Problem:
        """One school with its coupled sections pinned (partner teachers appear only there)."""
        ids = {s.id for s in problem.sections if s.school == school}
        sub = _restrict(problem, ids, {school})
        return replace(sub, pins=sub.pins + tuple(p for sid in sorted(ids) for p in cpl.pins.get(sid, ())))

    parts = [part(school) for school in schools]
    best: list[Solution | None] = [None] * len(parts)
    procs = max(1, processes)

    def left() -> float:
        return deadline - margin - time.monotonic()

    def report() -> None:
        if progress is not None:
            cost = sum((b.cost or 0) for b in best if b is not None)
            bound = sum((b.bound or 0.0) for b in best if b is not None)
            progress(cost, bound, time.monotonic() - t0)

    def done(n: int, sol: Solution) -> None:
        best[n] = _merge(best[n], sol)
        report()

    def install(ring: set[str], sol: Solution) -> None:
        """Take a joint timetable of ``ring``: new partner times, new parts, new timetables."""
        cpl.fix(sol.placements)
        for school in ring:
            n = index[school]
            parts[n] = part(school)
            mine = tuple(q for q in sol.placements if cpl.school_of.get(q.section) == school)
            got = rescore(parts[n], replace(sol, placements=mine, status="feasible", bound=None))
            if sol.status == "optimal":  # optimal for the ring, so for each school given the rest
                got = replace(got, status="optimal", bound=float(got.cost or 0))
            best[n] = got
        report()

    no_repair: list[str] = []  # why a repair failed: "infeasible" (proven) or not

    def repair(n: int) -> bool:
        """A first timetable for school n with its partner times free, the ring growing while
        it is infeasible (step 3)."""
        ring = {schools[n]}
        while not _is_cancelled(cancel):
            sub = _joint(problem, ring, cpl.outside(ring))
            sol = _solve_part((sub, max(0.5, 0.5 * left()), workers, seed, True, ()))
            if sol.placements:
                install(ring, sol)
                return True
            wider = cpl.ring(ring)
            if sol.status != "infeasible" or wider == ring:
                no_repair.append(sol.status)
                return False
            ring = wider
        return False

    gave_up: set[int] = set()

    def give_up_partners(n: int) -> None:
        """The school alone with its coupled sections free and the other schools ignored (the
        final check then reports the partner clash): only when no repair was found."""
        gave_up.add(n)
        ids = {s.id for s in parts[n].sections}
        free = replace(parts[n], pins=tuple(p for p in problem.pins if p.section in ids))
        sol = solve(free, time_limit=max(1.0, 0.5 * left()), workers=workers, seed=seed, cancel=cancel)
        if sol.placements:  # the partner times it took are fixed, so later solves see them
            cpl.fix(sol.placements)
            parts[n] = part(schools[n])
            sol = rescore(parts[n], sol)
        best[n] = _better(best[n], sol)
        report()

    def has_partners(n: int) -> bool:
        return any(cpl.school_of[sid] == schools[n] for sid in cpl.partners)

    # first pass: a timetable for every school whose partner times are fixed, as fast as possible
    def make_first(n: int, waiting: int) -> tuple[Any, ...] | None:
        if cpl.unpinned(schools[n]):
            return None
        return (parts[n], max(1.0, 0.5 * left()), workers, seed, True, ())

    _run_pool(list(range(len(parts))), make_first, done, procs, cancel)
    for n in range(len(schools)):  # repair: schools that cannot take their partner times
        b = best[n]
        if (b is None or b.status == "infeasible") and has_partners(n) and not _is_cancelled(cancel):
            if not repair(n):
                give_up_partners(n)

    hoods = cpl.neighbourhoods(size) if cpl.partners else []
    # time kept for the joint re-solves: at most a quarter, and only what the second pass can
    # spare after ~2 s for each school still open (improving each school comes first)
    open_ = sum(1 for b in best if b is None or b.status not in ("optimal", "infeasible"))
    keep = min(0.25 * left(), left() - 2.0 * open_ / procs) if hoods else 0.0
    keep = max(0.0, keep)

    # second pass: improve from the first timetables with the time left (or find one if missing)
    def make_more(n: int, waiting: int) -> tuple[Any, ...] | None:
        rest = left() - keep
        # an even share of the time left, but at least ~2x what a school takes to optimality on
        # one worker (~0.45 s): when time is short, fewer schools (largest gaps first) improve
        share = min(rest, max(1.0, rest * procs / max(1, waiting)))
        if best[n] is None or not best[n].placements:  # type: ignore[union-attr]
            share = max(share, 5.0)  # a school without a timetable is worth more time
        elif share < 0.5:
            return None  # out of time: keep the first timetable
        hint = best[n].placements if best[n] is not None else ()  # type: ignore[union-attr]
        return (parts[n], share, workers, seed, False, hint)

    def gap(n: int) -> tuple[int, float]:
        b = best[n]
        if b is None or not b.placements:
            return (0, 0.0)  # schools without a timetable first
        return (1, -((b.cost or 0) - (b.bound or 0.0)))  # then the largest gaps

    for _ in range(3):  # schools still open get the time the others left
        todo = sorted((n for n, b in enumerate(best) if b is None or b.status not in ("optimal", "infeasible")),
                      key=gap)  # fmt: skip
        if (
            not todo
            or _is_cancelled(cancel)
            or (
                left() - keep < 1.0 and all(best[n] is not None and best[n].placements for n in todo)  # type: ignore[union-attr]
            )
        ):
            break
        _run_pool(todo, make_more, done, procs, cancel)

    # quality: schools coupled by partner teachers re-solved together, from the current timetable
    # (the costliest first)
    hoods.sort(key=lambda ring: -sum((b.cost or 0) for s in ring if (b := best[index[s]]) is not None))
    for m, ring in enumerate(hoods):
        ns = [index[s] for s in ring]
        if left() < 0.5 or _is_cancelled(cancel):
            break
        if not all(best[n] is not None and best[n].placements for n in ns):  # type: ignore[union-attr]
            continue
        now = [q for n in ns for q in best[n].placements]  # type: ignore[union-attr]
        sub = _joint(problem, ring, cpl.outside(ring))
        before = check(sub, now)
        share = min(left(), max(1.0, left() / (len(hoods) - m)))
        sol = solve(sub, time_limit=share, workers=max(1, workers * procs), seed=seed, hint=now,
                    cancel=cancel, search="default")  # fmt: skip
        if not sol.placements:
            continue
        new, old = (sol.hard_violations, sol.cost or 0), (before.hard, before.cost)
        if new < old or (new == old and sol.status == "optimal"):
            install(ring, sol)

    statuses = []
    placements: list[Placement] = []
    bound = 0.0
    for n in range(len(best)):
        sol = best[n]
        if (
            sol is not None
            and not sol.placements
            and has_partners(n)
            and n not in gave_up
            and not _is_cancelled(cancel)
        ):
            # still no timetable (the passes ran out of time): repair, else the school alone
            if left() < 0.5 or not repair(n):
                give_up_partners(n)
            sol = best[n]
        if sol is None:
            statuses.append("cancelled")
            continue
        statuses.append(sol.status)
        placements.extend(sol.placements)
        bound += sol.bound or 0.0
    if any(s in ("infeasible", "unknown", "invalid") for s in statuses):
        status = "infeasible" if "infeasible" in statuses else "unknown"
    elif "cancelled" in statuses:
        status = "cancelled"
    else:
        status = "optimal" if all(s == "optimal" for s in statuses) else "feasible"
    out = rescore(problem, Solution(tuple(placements), status, None, (), bound, time.monotonic() - t0))  # type: ignore[arg-type]
    if out.hard_violations and no_repair and status in ("optimal", "feasible"):
        # a school kept its timetable with a partner clash: proven unavoidable, or not repaired in time
        out = replace(out, status="infeasible" if "infeasible" in no_repair else "unknown")
    return out
