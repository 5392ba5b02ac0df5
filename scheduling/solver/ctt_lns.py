"""The CB-CTT engine: period-first construction, then large-neighbourhood search with CP-SAT.

Why not one big ``x[course, period, room]`` model: measured here it stays 2–13× off the
competition results at 300 s on one core. Instead:

1. *Periods first.* ``xp[c, p]`` (course c taught in period p) with curriculum/teacher cliques,
   at most |rooms| lectures per period, and the exact MinWorkingDays and IsolatedLectures costs.
2. *Rooms second.* Periods fixed, ``xr[c, p, r]`` with RoomCapacity and RoomStability.
3. *LNS.* Repeatedly free a neighbourhood (a curriculum, a teacher, one or two days, a band of
   periods, random courses) and let CP-SAT re-place the freed lectures exactly (period and room),
   the rest fixed, hinted with the incumbent. Accept when not worse; the neighbourhood size adapts.

Every incumbent is re-scored by ``check.score_ctt``; that is the cost reported.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from .check import score_ctt
from .ctt import CttInstance

Rows = list[tuple[str, str, int, int]]

# LNS schedule: every ROOM_REPAIR_EVERY-th iteration re-rooms one course's periods; every
# ROOM_EVERY-th re-rooms everything (periods fixed) for at most ROOM_LIMIT seconds.
ROOM_REPAIR_EVERY = 10
ROOM_EVERY = 100
ROOM_LIMIT = 2.0
PERIOD_SHARE = 0.15  # of the time limit for the whole-instance period model


@dataclass
class CttResult:
    rows: Rows
    cost: int | None
    hard: int
    elapsed: float
    iterations: int
    improvements: int
    history: list[tuple[float, int]]


class _Inst:
    """Integer-indexed view of an instance (course c, period p = day * ppd + k, room r)."""

    def __init__(self, inst: CttInstance) -> None:
        self.inst = inst
        self.C = len(inst.courses)
        self.R = len(inst.rooms)
        self.P = inst.n_periods
        self.ppd = inst.periods_per_day
        self.days = inst.days
        self.lec = [c.lectures for c in inst.courses]
        self.mwd = [c.min_days for c in inst.courses]
        self.stu = [c.students for c in inst.courses]
        self.cap = [r.capacity for r in inst.rooms]
        cidx = {c.id: i for i, c in enumerate(inst.courses)}
        self.avail = [
            [p for p in range(self.P) if divmod(p, self.ppd) not in inst.unavailable.get(c.id, ())]
            for c in inst.courses
        ]
        self.curricula = [[cidx[c] for c in q.courses if c in cidx] for q in inst.curricula]
        by_t: dict[str, list[int]] = defaultdict(list)
        for i, c in enumerate(inst.courses):
            by_t[c.teacher].append(i)
        self.teachers = list(by_t.values())
        self.curr_of: list[list[int]] = [[] for _ in range(self.C)]
        for qi, q in enumerate(self.curricula):
            for c in q:
                self.curr_of[c].append(qi)
        # cliques: each curriculum and each teacher's course set; courses of one clique never meet
        self.cliques = [q for q in self.curricula if len(q) > 1] + [t for t in self.teachers if len(t) > 1]
        self.nbr: list[set[int]] = [set() for _ in range(self.C)]
        for cl in self.curricula + self.teachers:
            for a in cl:
                self.nbr[a].update(x for x in cl if x != a)
        self.penalty = [[max(0, self.stu[c] - self.cap[r]) for r in range(self.R)]
                        for c in range(self.C)]  # fmt: skip
        # rooms in order of fit for each course: big enough and smallest first, then largest
        self.by_fit = [
            sorted(range(self.R), key=lambda r, c=c: (self.penalty[c][r], self.cap[r])) for c in range(self.C)
        ]

    def rows(self, asg: list[list[tuple[int, int]]]) -> Rows:
        ins = self.inst
        return [
            (ins.courses[c].id, ins.rooms[r].id, p // self.ppd, p % self.ppd) for c in range(self.C) for p, r in asg[c]
        ]

    def cost(self, asg: list[list[tuple[int, int]]]) -> tuple[int, int]:
        s = score_ctt(self.inst, self.rows(asg))
        return s.hard, s.cost


def _params(solver: object, *, time_limit: float, workers: int, seed: int) -> None:
    p = solver.parameters  # type: ignore[attr-defined]
    p.max_time_in_seconds = max(0.05, time_limit)
    p.num_workers = max(1, workers)
    p.random_seed = seed
    p.log_search_progress = False
    # Measured on comp07 pieces of 20 lectures: full LP relaxation closes 11/12 repairs in
    # 0.2 s against 4/12 in 0.8 s with the default level.
    p.linearization_level = 2


def _period_phase(
    d: _Inst,
    *,
    time_limit: float,
    hard_limit: float,
    workers: int,
    seed: int,
    stop: Callable[[], bool],
) -> list[list[int]] | None:
    """Periods for every lecture, optimising MinWorkingDays + IsolatedLectures exactly."""
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    # xp[c, p]: course c has a lecture in period p.
    xp = {(c, p): m.new_bool_var(f"xp(c={c},p={p})") for c in range(d.C) for p in d.avail[c]}
    for c in range(d.C):
        m.add(sum(xp[c, p] for p in d.avail[c]) == d.lec[c])
    for p in range(d.P):
        m.add(sum(xp[c, p] for c in range(d.C) if (c, p) in xp) <= d.R)
        for cl in d.cliques:
            vs = [xp[c, p] for c in cl if (c, p) in xp]
            if len(vs) > 1:
                m.add_at_most_one(vs)
    # A feasible timetable first (a fraction of a second even on the largest instances), then
    # the same model with the objective, hinted with it.
    first = cp_model.CpSolver()
    _params(first, time_limit=hard_limit, workers=workers, seed=seed)
    if first.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    val = {key: first.value(v) for key, v in xp.items()}
    for key, v in xp.items():
        m.add_hint(v, val[key])

    def hint(var: object, value: int) -> object:
        m.add_hint(var, value)  # a complete hint: CP-SAT starts from a full timetable
        return var

    obj = []
    for c in range(d.C):
        # day_used[c, day]: course c meets on that day; short[c]: days missing from MinWorkingDays
        used = []
        for day in range(d.days):
            vs = [xp[c, p] for p in range(day * d.ppd, (day + 1) * d.ppd) if (c, p) in xp]
            if vs:
                on = int(any(val.get((c, p), 0) for p in range(day * d.ppd, (day + 1) * d.ppd)))
                u = hint(m.new_bool_var(f"day_used(c={c},d={day})"), on)
                m.add(u <= sum(vs))
                used.append((u, on))
        short = hint(m.new_int_var(0, d.mwd[c], f"mwd_short(c={c})"),
                     max(0, d.mwd[c] - sum(on for _, on in used)))  # fmt: skip
        m.add(short >= d.mwd[c] - sum(u for u, _ in used))
        obj.append(5 * short)
    for qi, q in enumerate(d.curricula):
        occ = {p: sum(xp[c, p] for c in q if (c, p) in xp) for p in range(d.P)}
        ov = {p: sum(val.get((c, p), 0) for c in q) for p in range(d.P)}
        for p in range(d.P):
            if not any((c, p) in xp for c in q):
                continue
            k = p % d.ppd
            e, ev = occ[p], ov[p]
            if k > 0:
                e, ev = e - occ[p - 1], ev - ov[p - 1]
            if k < d.ppd - 1:
                e, ev = e - occ[p + 1], ev - ov[p + 1]
            iso = hint(m.new_bool_var(f"isolated(q={qi},p={p})"), int(ev > 0))
            m.add(iso >= e)
            obj.append(2 * iso)
    # RoomCapacity, counted: with all rooms suitable, matching the k-th largest course to the
    # k-th largest room is optimal, and its overflow equals, summed over student thresholds v,
    # max(0, #courses with more than v students - #rooms with more than v seats).
    levels = sorted(set(d.cap) | set(d.stu))
    for j, v in enumerate(levels[:-1]):
        width = levels[j + 1] - v
        big = [c for c in range(d.C) if d.stu[c] > v]
        rooms_over = sum(1 for cap in d.cap if cap > v)
        if len(big) <= rooms_over:
            continue
        for p in range(d.P):
            vs = [xp[c, p] for c in big if (c, p) in xp]
            if len(vs) <= rooms_over:
                continue
            n_on = sum(val.get((c, p), 0) for c in big)
            ex = hint(m.new_int_var(0, len(vs) - rooms_over, f"seats_short(p={p},v={v})"),
                      max(0, n_on - rooms_over))  # fmt: skip
            m.add(ex >= sum(vs) - rooms_over)
            obj.append(width * ex)
    m.minimize(sum(obj))
    solver = cp_model.CpSolver()
    _params(solver, time_limit=time_limit, workers=workers, seed=seed)
    solver.parameters.linearization_level = 1  # the whole instance: the full LP is too slow
    if workers == 1:
        solver.parameters.interleave_search = True

    t0 = time.monotonic()

    class _Stop(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if stop() or time.monotonic() - t0 > time_limit:
                self.stop_search()

    st = solver.solve(m, _Stop())
    good = solver if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) else first
    return [[p for p in d.avail[c] if good.value(xp[c, p])] for c in range(d.C)]


def _greedy_rooms(d: _Inst, periods: list[list[int]]) -> list[list[tuple[int, int]]]:
    """Largest course to largest room in every period: optimal for RoomCapacity alone."""
    by_p: dict[int, list[int]] = defaultdict(list)
    for c in range(d.C):
        for p in periods[c]:
            by_p[p].append(c)
    order = sorted(range(d.R), key=lambda r: -d.cap[r])
    out: list[list[tuple[int, int]]] = [[] for _ in range(d.C)]
    for p, cs in by_p.items():
        for c, r in zip(sorted(cs, key=lambda c: -d.stu[c]), order, strict=False):
            out[c].append((p, r))
    return out


def _room_phase(
    d: _Inst,
    periods: list[list[int]],
    *,
    time_limit: float,
    workers: int,
    seed: int,
    hint: list[list[tuple[int, int]]] | None = None,
) -> list[list[tuple[int, int]]] | None:
    """Rooms for fixed periods, minimising RoomCapacity + RoomStability exactly."""
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    # xr[c, p, r]: the lecture of course c in period p is held in room r.
    xr = {}
    for c in range(d.C):
        for p in periods[c]:
            for r in range(d.R):
                xr[c, p, r] = m.new_bool_var(f"xr(c={c},p={p},r={r})")
            m.add_exactly_one(xr[c, p, r] for r in range(d.R))
    by_pr: dict[tuple[int, int], list] = defaultdict(list)
    for (_c, p, r), v in xr.items():
        by_pr[p, r].append(v)
    for vs in by_pr.values():
        if len(vs) > 1:
            m.add_at_most_one(vs)
    obj = [d.penalty[c][r] * v for (c, p, r), v in xr.items() if d.penalty[c][r]]
    for c in range(d.C):
        if not periods[c]:
            continue
        # uses[c, r]: course c uses room r at least once (RoomStability counts these minus one)
        us = []
        for r in range(d.R):
            u = m.new_bool_var(f"uses(c={c},r={r})")
            for p in periods[c]:
                m.add_implication(xr[c, p, r], u)
            us.append(u)
        obj.append(sum(us))
    m.minimize(sum(obj))
    if hint is None:
        hint = _greedy_rooms(d, periods)
    if hint:
        for c in range(d.C):
            for p, r in hint[c]:
                if (c, p, r) in xr:
                    m.add_hint(xr[c, p, r], 1)
    solver = cp_model.CpSolver()
    _params(solver, time_limit=time_limit, workers=workers, seed=seed)
    st = solver.solve(m)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return [[(p, next(r for r in range(d.R) if solver.value(xr[c, p, r]))) for p in periods[c]] for c in range(d.C)]


def _repair(
    d: _Inst,
    asg: list[list[tuple[int, int]]],
    freed: dict[int, set[int]],
    allowed: dict[int, set[int]] | None,
    *,
    time_limit: float,
    workers: int,
    seed: int,
    room_cands: int,
    rng: random.Random,
) -> tuple[list[list[tuple[int, int]]], bool] | None:
    """Re-place the freed lectures (``freed[c]`` = their periods) with everything else fixed.

    The objective is the exact change of the four UD2 costs, so CP-SAT's optimum of the
    neighbourhood is the best timetable reachable by moving only those lectures.
    """
    from ortools.sat.python import cp_model

    fixed = [[(p, r) for p, r in asg[c] if p not in freed.get(c, ())] for c in range(d.C)]
    room_busy = {(p, r) for c in range(d.C) for p, r in fixed[c]}
    course_at: dict[int, set[int]] = defaultdict(set)  # period → fixed courses there
    for c in range(d.C):
        for p, _ in fixed[c]:
            course_at[p].add(c)
    m = cp_model.CpModel()
    # x[c, p, r]: a freed lecture of course c goes to period p, room r.
    x: dict[tuple[int, int, int], object] = {}
    xp: dict[tuple[int, int], list] = defaultdict(list)
    for c, ps in freed.items():
        own = {p for p, _ in fixed[c]}
        cur_rooms = {r for _, r in asg[c]}
        cand = allowed[c] if allowed is not None else d.avail[c]
        for p in cand:
            if p in own or (course_at[p] & d.nbr[c]):
                continue
            free_rooms = [r for r in d.by_fit[c] if (p, r) not in room_busy]
            if not free_rooms:
                continue
            # the rooms this course already uses, the best-fitting free ones, and the largest
            rooms = {r for r in free_rooms if r in cur_rooms}
            rooms.update(free_rooms[:room_cands])
            rooms.add(max(free_rooms, key=lambda r: d.cap[r]))
            for r in rooms:
                v = m.new_bool_var(f"x(c={c},p={p},r={r})")
                x[c, p, r] = v
                xp[c, p].append(v)
        m.add(sum(v for (cc, _), vs in xp.items() if cc == c for v in vs) == len(ps))
    for vs in xp.values():
        if len(vs) > 1:
            m.add_at_most_one(vs)
    by_pr: dict[tuple[int, int], list] = defaultdict(list)
    for (_c, p, r), v in x.items():
        by_pr[p, r].append(v)
    for vs in by_pr.values():
        if len(vs) > 1:
            m.add_at_most_one(vs)
    occ_p = {}
    for (c, p), vs in xp.items():
        occ_p[c, p] = sum(vs)
    for cl in d.cliques:
        fc = [c for c in cl if c in freed]
        if len(fc) < 2:
            continue
        for p in range(d.P):
            vs = [v for c in fc for v in xp.get((c, p), ())]
            if len(vs) > 1:
                m.add_at_most_one(vs)
    obj = [d.penalty[c][r] * v for (c, p, r), v in x.items() if d.penalty[c][r]]
    x_of: dict[int, list] = defaultdict(list)
    for (c, p, r), v in x.items():
        x_of[c].append(((p, r), v))
    for c in freed:
        fdays = {p // d.ppd for p, _ in fixed[c]}
        used = []
        for day in range(d.days):
            if day in fdays:
                continue
            vs = [v for p in range(day * d.ppd, (day + 1) * d.ppd) for v in xp.get((c, p), ())]
            if vs:
                u = m.new_bool_var(f"day_used(c={c},d={day})")
                m.add(u <= sum(vs))
                used.append(u)
        need = d.mwd[c] - len(fdays)
        if need > 0:
            short = m.new_int_var(0, need, f"mwd_short(c={c})")
            m.add(short >= need - sum(used))
            obj.append(5 * short)
        frooms = {r for _, r in fixed[c]}
        new_room: dict[int, object] = {}
        for (_p, r), v in x_of[c]:
            if r in frooms:
                continue
            if r not in new_room:
                new_room[r] = m.new_bool_var(f"new_room(c={c},r={r})")
            m.add_implication(v, new_room[r])
        obj.extend(new_room.values())
    touched = {qi for c in freed for qi in d.curr_of[c]}
    for qi in touched:
        q = d.curricula[qi]
        occ = [0] * d.P
        var = [False] * d.P
        for p in range(d.P):
            e = sum(1 for c in q if c in course_at[p])
            vs = [occ_p[c, p] for c in q if (c, p) in occ_p]
            if vs:
                var[p] = True
                e = e + sum(vs)
            occ[p] = e
        for p in range(d.P):
            k = p % d.ppd
            window = [p] + ([p - 1] if k > 0 else []) + ([p + 1] if k < d.ppd - 1 else [])
            if not any(var[w] for w in window):
                continue
            e = occ[p]
            for w in window[1:]:
                e = e - occ[w]
            iso = m.new_bool_var(f"isolated(q={qi},p={p})")
            m.add(iso >= e)
            obj.append(2 * iso)
    m.minimize(sum(obj))
    for c, ps in freed.items():
        for p, r in asg[c]:
            if p in ps and (c, p, r) in x:
                m.add_hint(x[c, p, r], 1)
    solver = cp_model.CpSolver()
    _params(solver, time_limit=time_limit, workers=workers, seed=seed)
    st = solver.solve(m)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    new = [list(fixed[c]) for c in range(d.C)]
    for (c, p, r), v in x.items():
        if solver.value(v):
            new[c].append((p, r))
    return new, st == cp_model.OPTIMAL


def _room_repair(
    d: _Inst,
    asg: list[list[tuple[int, int]]],
    rng: random.Random,
    *,
    time_limit: float,
    seed: int,
) -> list[list[tuple[int, int]]] | None:
    """Periods fixed: re-choose the rooms of every lecture in the periods of a course that
    moves between rooms (or any course), so rooms can be swapped to keep courses in one room."""
    from ortools.sat.python import cp_model

    moving = [c for c in range(d.C) if len({r for _, r in asg[c]}) > 1]
    focus = rng.choice(moving) if moving and rng.random() < 0.8 else rng.randrange(d.C)
    periods = {p for p, _ in asg[focus]}
    lectures = [(c, p) for c in range(d.C) for p, _ in asg[c] if p in periods]
    m = cp_model.CpModel()
    # y[c, p, r]: the lecture of course c in (fixed) period p goes to room r
    y = {(c, p, r): m.new_bool_var(f"y(c={c},p={p},r={r})") for c, p in lectures
         for r in range(d.R)}  # fmt: skip
    for c, p in lectures:
        m.add_exactly_one(y[c, p, r] for r in range(d.R))
    for p in periods:
        for r in range(d.R):
            m.add_at_most_one(y[c, pp, r] for c, pp in lectures if pp == p)
    obj = [d.penalty[c][r] * v for (c, _p, r), v in y.items() if d.penalty[c][r]]
    courses = {c for c, _ in lectures}
    for c in courses:
        fixed_rooms = {r for p, r in asg[c] if p not in periods}
        for r in range(d.R):
            if r in fixed_rooms:
                continue
            u = m.new_bool_var(f"new_room(c={c},r={r})")
            for p, _ in asg[c]:
                if p in periods:
                    m.add_implication(y[c, p, r], u)
            obj.append(u)
    m.minimize(sum(obj))
    for c in courses:
        for p, r in asg[c]:
            if p in periods:
                m.add_hint(y[c, p, r], 1)
    solver = cp_model.CpSolver()
    _params(solver, time_limit=time_limit, workers=1, seed=seed)
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    new = [[(p, r) for p, r in asg[c] if p not in periods] for c in range(d.C)]
    for (c, p, r), v in y.items():
        if solver.value(v):
            new[c].append((p, r))
    return new


def _costly_curriculum(d: _Inst, asg: list[list[tuple[int, int]]], rng: random.Random) -> list[int]:
    """A curriculum drawn with probability growing with its share of the cost."""
    if rng.random() < 0.4:
        return rng.choice(d.curricula)
    course_cost = []
    for c in range(d.C):
        days = {p // d.ppd for p, _ in asg[c]}
        rooms = {r for _, r in asg[c]}
        course_cost.append(5 * max(0, d.mwd[c] - len(days)) + len(rooms) - 1)
    weights = []
    for q in d.curricula:
        cells = {p for c in q for p, _ in asg[c]}
        iso = sum(
            1
            for p in cells
            if not (p % d.ppd > 0 and p - 1 in cells) and not (p % d.ppd < d.ppd - 1 and p + 1 in cells)
        )
        weights.append(1 + 2 * iso + sum(course_cost[c] for c in q))
    return rng.choices(d.curricula, weights=weights)[0]


def _neighbourhood(
    d: _Inst, asg: list[list[tuple[int, int]]], size: int, rng: random.Random
) -> tuple[str, dict[int, set[int]], dict[int, set[int]] | None]:
    """Pick lectures to free: a curriculum, a teacher, days, a period band, or random courses."""
    kind = rng.choice(["curricula", "curricula", "teacher", "days", "band", "random"])
    freed: dict[int, set[int]] = defaultdict(set)

    def add_course(c: int) -> None:
        freed[c].update(p for p, _ in asg[c])

    def count() -> int:
        return sum(len(v) for v in freed.values())

    if kind in ("curricula", "teacher", "random"):
        tries = 0
        while count() < size and tries < 50:
            tries += 1
            if kind == "curricula":
                q = _costly_curriculum(d, asg, rng) if not freed else None
                if q is None:
                    c0 = rng.choice(list(freed))
                    qs = [d.curricula[qi] for qi in d.curr_of[c0]] or [rng.choice(d.curricula)]
                    q = rng.choice(qs) if rng.random() < 0.7 else rng.choice(d.curricula)
                for c in q:
                    add_course(c)
            elif kind == "teacher":
                t = rng.choice(d.teachers)
                for c in t:
                    add_course(c)
                for c in list(freed):
                    if count() >= size:
                        break
                    for n in rng.sample(sorted(d.nbr[c]), min(2, len(d.nbr[c]))):
                        add_course(n)
            else:
                add_course(rng.randrange(d.C))
        return kind, freed, None
    if kind == "days":
        ps = {p for p in range(d.P) if p // d.ppd in set(rng.sample(range(d.days), 2))}
    else:
        nb = min(d.ppd, 2)
        k0 = rng.randrange(d.ppd - nb + 1)
        ps = {p for p in range(d.P) if k0 <= p % d.ppd < k0 + nb}
    # only the lectures in those periods of a few curricula, so the piece stays small
    order = rng.sample(range(len(d.curricula)), len(d.curricula))
    for qi in order:
        if count() >= size:
            break
        for c in d.curricula[qi]:
            for p, _ in asg[c]:
                if p in ps:
                    freed[c].add(p)
    freed = defaultdict(set, {c: v for c, v in freed.items() if v})
    allowed = {c: {p for p in d.avail[c] if p in ps} for c in freed}
    return kind, freed, allowed


def solve_ctt(
    inst: CttInstance,
    *,
    time_limit: float = 60.0,
    workers: int = 1,
    seed: int = 0,
    progress: Callable[[int, float, float], None] | None = None,
    cancel: threading.Event | Callable[[], bool] | None = None,
) -> CttResult:
    """Solve a CB-CTT instance within ``time_limit`` seconds; never reads a published solution."""
    t0 = time.monotonic()
    rng = random.Random(seed)
    d = _Inst(inst)

    def cancelled() -> bool:
        if cancel is None:
            return False
        return cancel.is_set() if isinstance(cancel, threading.Event) else bool(cancel())

    def left() -> float:
        return time_limit - (time.monotonic() - t0)

    history: list[tuple[float, int]] = []
    periods = _period_phase(
        d,
        time_limit=min(max(2.0, PERIOD_SHARE * time_limit), 0.5 * time_limit, 45.0),
        hard_limit=0.9 * time_limit,
        workers=workers,
        seed=seed,
        stop=cancelled,
    )
    if periods is None:
        return CttResult([], None, -1, time.monotonic() - t0, 0, 0, history)
    greedy = _greedy_rooms(d, periods)
    asg = _room_phase(
        d, periods, time_limit=min(max(1.0, 0.05 * time_limit), left()), workers=workers,
        seed=seed, hint=greedy,
    )  # fmt: skip
    if asg is None or d.cost(asg) > d.cost(greedy):
        asg = greedy
    _, cost = d.cost(asg)
    history.append((time.monotonic() - t0, cost))
    if progress:
        progress(cost, 0.0, time.monotonic() - t0)
    size = max(8, min(20, sum(d.lec) // 10))
    it = imp = 0
    while left() > 0.2 and not cancelled() and cost > 0:
        it += 1
        if it % ROOM_EVERY == 0:
            res_r = _room_phase(
                d, [[p for p, _ in asg[c]] for c in range(d.C)],
                time_limit=min(ROOM_LIMIT, left()), workers=workers, seed=seed + it, hint=asg,
            )  # fmt: skip
            if res_r is not None:
                h2, c2 = d.cost(res_r)
                if h2 == 0 and c2 <= cost:
                    asg, cost = res_r, c2
            continue
        if it % ROOM_REPAIR_EVERY == 0:
            res_rr = _room_repair(d, asg, rng, time_limit=min(1.0, left()), seed=seed + it)
            if res_rr is not None:
                h2, c2 = d.cost(res_rr)
                if h2 == 0 and c2 <= cost:
                    asg, cost = res_rr, c2
            continue
        _kind, freed, allowed = _neighbourhood(d, asg, size, rng)
        if not freed:
            continue
        t_rep = time.monotonic()
        res = _repair(
            d, asg, freed, allowed, time_limit=min(1.0, left()), workers=workers,
            seed=seed + it, room_cands=2, rng=rng,
        )  # fmt: skip
        if res is None:
            size = max(6, int(size * 0.9))
            continue
        new, optimal = res
        h2, c2 = d.cost(new)
        if h2 == 0 and c2 <= cost:
            if c2 < cost:
                imp += 1
                history.append((time.monotonic() - t0, c2))
                if progress:
                    progress(c2, 0.0, time.monotonic() - t0)
            asg, cost = new, c2
        # aim for pieces CP-SAT closes in about a quarter of a second
        fast = optimal and time.monotonic() - t_rep < 0.25
        size = min(60, size + 1) if fast else max(6, size - 2)
    rows = d.rows(asg)
    s = score_ctt(inst, rows)
    if progress:
        progress(s.cost, float(it), time.monotonic() - t0)
    return CttResult(rows, s.cost, s.hard, time.monotonic() - t0, it, imp, history)
