"""Period-first construction and large-neighbourhood search on the product's ``Problem``.

Why: one CP-SAT model of a big week (ITC-2007: 20–45 periods, 100+ courses) stays far from the
best known timetables; solved in pieces it gets close. Both halves use only ``model.build`` (every
rule of the registry posts itself) and ``check.check`` (the cost), so whatever rules a problem has —
a school's or ITC-2007's — the search keeps them.

1. *Slots first* (``slots_first``): ``build(slots_only=True)`` — slot and teacher variables, rooms
   only counted per slot — first from the hard rules alone (a timetable in a fraction of a second),
   then with the soft rules for a share of the time, hinted with it. Its bound is a lower bound of
   the whole problem (it is a relaxation, and rules about rooms only add cost).
2. *Rooms second*: ``build(only_slots=those slots)`` chooses rooms (and teachers) exactly.
3. *LNS* (``improve``): repeatedly free some meetings — a costly group with its neighbours, a
   teacher's sections, two days or two adjacent sessions of a few groups, a costly group's day or
   two with the groups its sections share, random sections, the rooms of every meeting in one
   section's slots, or the rooms of every meeting all week in the rooms one section uses (whole
   sections trade rooms) — and let CP-SAT re-place them exactly with the rest held
   (``build(fixed=rest)``), hinted with the incumbent. A move is kept when the checker finds it
   no worse; the neighbourhood grows while CP-SAT closes pieces quickly; the kind of the next
   move is drawn in proportion to the cost each kind has lately removed per second.
4. *Kicks*: a timetable that no move improves any more is a local optimum of all these
   neighbourhoods (ITC-2007 comp10 and comp20 after 120 s: none of 128 moves of 40–60 meetings,
   nor 32 of 100–150, removed anything). After ``KICK_AFTER`` moves without a gain some meetings
   are forced into other slots (``_kick``) and the search goes on from there, from the best
   timetable again when the last kick led nowhere better (iterated local search).

Every cost here is ``check.check``'s.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .check import check, touched
from .domain import CLASH_ONLY, Placement, Problem
from .rules import SOFT

Progress = Callable[[float, float, float], None]
Stop = Callable[[], bool]

# Every ROOMS_EVERY-th move re-rooms the meetings in one section's slots (unless ``ADAPT``); after
# ALL_ROOMS_EVERY moves every meeting is re-roomed (slots held) for at most ALL_ROOMS_LIMIT seconds,
# and the interval doubles each time until it pays (comp07, cost 97: nothing gained in 2 s or 10 s).
ROOMS_EVERY = 10  # (when kinds are not chosen by their payoff, ``ADAPT`` off)
ALL_ROOMS_EVERY = 100
ALL_ROOMS_LIMIT = 2.0
REPAIR_LIMIT = 1.0  # seconds of CP-SAT per move
ROOM_CHOICES = 4  # rooms offered per freed section in a move (best fitting, plus those it uses)
COSTS_EVERY = 8  # neighbourhoods drawn between two whole checks for the sections' cost shares
KICK_AFTER = 15  # moves without a gain on the current timetable before it is perturbed (0 = never)
KICK_SIZE = 10  # meetings a perturbation forces into other slots


@dataclass
class Search:
    """The outcome of ``improve``: the best timetable, its checker cost and how it went."""

    placements: list[Placement]
    cost: int
    hard: int
    iterations: int = 0
    improvements: int = 0
    kicks: int = 0


def _params(solver: Any, *, time_limit: float, workers: int, seed: int) -> None:
    prm = solver.parameters
    prm.max_time_in_seconds = max(0.05, time_limit)
    prm.num_workers = max(1, workers)
    prm.random_seed = seed
    # measured on ITC-2007 comp07 pieces of ~20 meetings: the full LP relaxation closes 11/12
    # repairs in 0.2 s against 4/12 in 0.8 s with the default level
    prm.linearization_level = 2
    if LIGHT_REPAIRS:
        # a piece of 20–40 meetings with the rest constant: symmetry detection and probing cost
        # more than they save (comp07, 40 pieces from one incumbent: CP-SAT time 1.09 → 0.78 s at
        # 20 meetings, 1.80 → 1.23 s at 40, the same pieces closed and improved)
        prm.symmetry_level = 0
        prm.cp_model_probing_level = 0


def _hint(mdl: Any, placements: list[Placement]) -> None:
    """Hint the model with a timetable: slots, rooms (when the model has them) and teachers."""
    ix = mdl.index
    used: set[tuple[int, int]] = set()
    teacher_of: dict[int, int] = {}
    for q in placements:
        i, t = ix["section"].get(q.section), ix["slot"].get(q.slot)
        if (i, t) in mdl.at:
            used.add((i, t))  # type: ignore[arg-type]
            r = ix["room"].get(q.room)
            if (i, t, r) in mdl.z:
                mdl.cp.add_hint(mdl.z[i, t, r], 1)
        k = ix["teacher"].get(q.teacher)
        if i is not None and k is not None:
            teacher_of[i] = k
    for (i, t), v in mdl.at.items():
        mdl.cp.add_hint(v, int((i, t) in used))
    for (i, k), v in mdl.tk.items():
        if i in teacher_of:
            mdl.cp.add_hint(v, int(teacher_of[i] == k))


def slots_first(
    problem: Problem,
    *,
    time_limit: float,
    workers: int = 1,
    seed: int = 0,
    stop: Stop | None = None,
    on_first: Callable[[list[Placement]], None] | None = None,
) -> tuple[list[Placement], float] | None:
    """A whole timetable by the period-first decomposition, and the slot model's bound.

    ``on_first`` gets the first complete timetable as soon as there is one (the hard rules' slot
    model with rooms given greedily), before the soft rules' slot model spends its share: the site
    shows a timetable within a second or two while the better one is sought.

    None when the slot model finds nothing or its slots cannot all get rooms (room counts per
    slot are a relaxation when sections may use different rooms); the caller then builds the
    first timetable the plain way.
    """
    from ortools.sat.python import cp_model

    from .model import build
    from .solve import _placements

    t0 = time.monotonic()
    left = lambda: time_limit - (time.monotonic() - t0)  # noqa: E731
    bare = replace(problem, weights={**problem.weights, **dict.fromkeys(SOFT, 0)})
    mdl = build(bare, slots_only=True)
    first = cp_model.CpSolver()
    _params(first, time_limit=max(1.0, 0.6 * time_limit), workers=workers, seed=seed)
    first.parameters.linearization_level = 0
    first.parameters.stop_after_first_solution = True
    if first.solve(mdl.cp) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    chosen = _slot_choice(mdl, first.value)
    early = _greedy_rooms(mdl, chosen)  # the slot model knows each section's rooms
    if not all(q.room for q in early):
        early = []
    elif on_first is not None:
        on_first(early)
    bound = 0.0
    mdl = build(problem, slots_only=True)
    if mdl.penalties and left() > 0.5 and not (stop and stop()):
        _hint(mdl, chosen)
        solver = cp_model.CpSolver()
        _params(solver, time_limit=0.8 * left(), workers=workers, seed=seed)
        solver.parameters.linearization_level = 1  # the whole week: the full LP is too slow
        if workers == 1:
            solver.parameters.interleave_search = True

        class _Stop(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                if stop is not None and stop():
                    self.stop_search()

        st = solver.solve(mdl.cp, _Stop())
        if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            chosen = _slot_choice(mdl, solver.value)
            bound = max(0.0, solver.best_objective_bound)
    slots_of: dict[str, list[str]] = defaultdict(list)
    for q in chosen:
        slots_of[q.section].append(q.slot)
    rooms = build(problem, only_slots=slots_of)
    greedy = _greedy_rooms(rooms, chosen)
    _hint(rooms, greedy)
    solver = cp_model.CpSolver()
    _params(solver, time_limit=max(1.0, left()), workers=workers, seed=seed)
    found = None
    if solver.solve(rooms.cp) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        found = _placements(rooms, solver.value)
    for other in (greedy, early):
        if other and all(q.room for q in other):
            a, b = check(problem, other), check(problem, found) if found else None
            if b is None or (a.hard, a.cost) < (b.hard, b.cost):
                found = other
    return (found, bound) if found else None


def _greedy_rooms(mdl: Any, chosen: list[Placement]) -> list[Placement]:
    """Rooms for a slot timetable: in every slot the largest section first, into the largest free
    room it may use (optimal for ``room_capacity`` alone when every room suits every section)."""
    p, ix = mdl.problem, mdl.index
    by_slot: dict[str, list[Placement]] = defaultdict(list)
    for q in chosen:
        by_slot[q.slot].append(q)
    out = []
    for qs in by_slot.values():
        taken: set[int] = set()
        for q in sorted(qs, key=lambda q: -p.sections[ix["section"][q.section]].expected_size):
            i = ix["section"][q.section]
            free = [r for r in mdl.rooms_of[i] if r not in taken]
            r = max(free, key=lambda r: p.rooms[r].capacity) if free else None
            if r is not None:
                taken.add(r)
            out.append(replace(q, room=p.rooms[r].id if r is not None else ""))
    return out


def _slot_choice(mdl: Any, value: Callable[[Any], int]) -> list[Placement]:
    """Slots and teacher per section from a slot model (room left empty)."""
    p = mdl.problem
    out = []
    for i, s in enumerate(p.sections):
        k = next((k for k in mdl.teachers_of[i] if value(mdl.tk[i, k])), None)
        ts = [t for t in mdl.slots_of[i] if value(mdl.at[i, t])]
        for m, t in enumerate(ts):
            out.append(Placement(s.id, m, p.slots[t].id, "", p.teachers[k].id if k is not None else ""))
    return out


LIGHT_REPAIRS = True
ADAPT = True  # choose neighbourhood kinds by what they have lately earned per second (``_pick``)
KINDS = ("group", "teacher", "days", "sessions", "random", "group days", "rooms", "week rooms")
MIN_SHARE = 0.04  # every kind keeps at least this chance, so a kind that starts paying is noticed


def _pick(score: dict[str, float], rng: random.Random) -> str:
    """A neighbourhood kind, in proportion to what it has lately earned per second."""
    total = sum(score.values()) or 1.0
    ws = [MIN_SHARE + v / total for v in score.values()]
    return rng.choices(list(score), weights=ws)[0]


class _Shape:
    """What the neighbourhoods need to know about a problem, computed once."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.sections = [s.id for s in problem.sections]
        self.slot = {s.id: s for s in problem.slots}
        self.school_slots: dict[str, set[str]] = defaultdict(set)  # a section may meet in its school's slots
        for sl in problem.slots:
            self.school_slots[sl.school].add(sl.id)
        self.school_of = {s.id: s.school for s in problem.sections}
        self.days = sorted({s.weekday for s in problem.slots})
        self.sessions = sorted({s.session for s in problem.slots})
        self.groups: dict[str, list[str]] = defaultdict(list)  # real groups (curricula, classes)
        self.clash: dict[str, list[str]] = defaultdict(list)  # clash-only groups (a teacher)
        for s in problem.sections:
            for g in s.groups:
                (self.clash if g.startswith(CLASH_ONLY) else self.groups)[g].append(s.id)
        self.group_list = sorted(self.groups)
        self.groups_of = {s.id: sorted(g for g in s.groups if not g.startswith(CLASH_ONLY)) for s in problem.sections}
        self._costs: dict[str, float] = {}
        self._costs_age = 0
        self.nbr: dict[str, set[str]] = defaultdict(set)
        for members in [*self.groups.values(), *self.clash.values()]:
            for a in members:
                self.nbr[a].update(m for m in members if m != a)


def _costs_of(shape: _Shape, current: list[Placement]) -> dict[str, float]:
    """Sections' cost shares, recomputed every ``COSTS_EVERY`` asks (a whole check each time)."""
    if shape._costs_age % COSTS_EVERY == 0:
        shape._costs = _section_costs(shape.problem, current, shape)
    shape._costs_age += 1
    return shape._costs


def _section_costs(problem: Problem, placements: list[Placement], shape: _Shape) -> dict[str, float]:
    """Each section's share of the soft cost (a group's cost is shared by its sections)."""
    res = check(problem, placements)
    out: dict[str, float] = defaultdict(float)
    for v in res.violations:
        if v.rule_id not in SOFT:
            continue
        for subj in v.subjects:
            if subj in shape.groups:
                for sid in shape.groups[subj]:
                    out[sid] += v.cost / len(shape.groups[subj])
                break
            if subj.startswith("section:") or subj in shape.groups_of:
                out[subj.removeprefix("section:")] += v.cost
                break
    return out


def _neighbourhood(
    shape: _Shape, current: list[Placement], size: int, rng: random.Random, kind: str | None = None
) -> tuple[str, set[tuple[str, int]], dict[str, set[str]] | None]:
    """Meetings to free (``(section, meeting)``) and, for some kinds, the slots they may take."""
    by_section: dict[str, list[Placement]] = defaultdict(list)
    for q in current:
        by_section[q.section].append(q)
    freed: set[tuple[str, int]] = set()

    def add(sid: str) -> None:
        freed.update((q.section, q.meeting) for q in by_section[sid])

    kind = kind or rng.choice(["group", "group", "teacher", "days", "sessions", "random"])
    if not shape.group_list and kind in ("group", "days", "sessions", "group days"):
        kind = "random"
    if kind == "group days":
        return kind, *_group_days(shape, current, by_section, size, rng)
    if kind in ("group", "teacher", "random"):
        costs = _costs_of(shape, current) if kind != "random" else {}
        ids = list(costs) if costs and rng.random() < 0.6 else shape.sections
        weights = [1.0 + costs.get(s, 0.0) for s in ids]
        tries = 0
        while len(freed) < size and tries < 50:
            tries += 1
            if kind == "random" or not freed:
                seed_sid = rng.choices(ids, weights=weights)[0] if kind != "random" else rng.choice(shape.sections)
            else:
                seed_sid = rng.choice(sorted({s for s, _ in freed}))
            if kind == "group":
                gs = shape.groups_of.get(seed_sid) or shape.group_list
                g = rng.choice(gs) if rng.random() < 0.7 else rng.choice(shape.group_list)
                for sid in shape.groups[g]:
                    add(sid)
            elif kind == "teacher":
                add(seed_sid)
                for sid in rng.sample(sorted(shape.nbr[seed_sid]), min(3, len(shape.nbr[seed_sid]))):
                    add(sid)
            else:
                add(seed_sid)
        return kind, freed, None
    if kind == "days":
        days = set(rng.sample(shape.days, min(2, len(shape.days))))
        cells = {sid for sid, sl in shape.slot.items() if sl.weekday in days}
    else:
        n = min(2, len(shape.sessions))
        k0 = rng.randrange(len(shape.sessions) - n + 1)
        band = set(shape.sessions[k0 : k0 + n])
        cells = {sid for sid, sl in shape.slot.items() if sl.session in band}
    # only the meetings in those slots of a few groups, so the piece stays small
    for g in rng.sample(shape.group_list, len(shape.group_list)):
        if len(freed) >= size:
            break
        for sid in shape.groups[g]:
            freed.update((q.section, q.meeting) for q in by_section[sid] if q.slot in cells)
    allowed: dict[str, set[str]] = {sid: set(cells) for sid, _ in freed}
    return kind, freed, allowed


def _group_days(
    shape: _Shape, current: list[Placement], by_section: dict[str, list[Placement]], size: int, rng: random.Random
) -> tuple[set[tuple[str, int]], dict[str, set[str]]]:
    """A costly group's meetings on one or two of its days, then those of the groups its sections
    share on the same days, until ``size``: a day's compactness (isolated meetings, spread) is
    repaired by moving meetings within and between those days, the rest of the week held."""
    costs = _costs_of(shape, current)
    gcost = {g: sum(costs.get(sid, 0.0) for sid in shape.groups[g]) for g in shape.group_list}
    g0 = rng.choices(shape.group_list, weights=[1.0 + gcost[g] for g in shape.group_list])[0]
    days_of = sorted({shape.slot[q.slot].weekday for sid in shape.groups[g0] for q in by_section[sid]})
    days = set(rng.sample(days_of or shape.days, min(rng.choice((1, 2)), len(days_of or shape.days))))
    cells = {sid for sid, sl in shape.slot.items() if sl.weekday in days}
    freed: set[tuple[str, int]] = set()
    queue, seen = [g0], {g0}
    while queue and len(freed) < size:
        g = queue.pop(0)
        for sid in shape.groups[g]:
            freed.update((q.section, q.meeting) for q in by_section[sid] if q.slot in cells)
            for h in shape.groups_of.get(sid, ()):
                if h not in seen:
                    seen.add(h)
                    queue.append(h)
        rng.shuffle(queue)
    return freed, {sid: set(cells) for sid, _ in freed}


def _rooms_neighbourhood(
    current: list[Placement], rng: random.Random, every: bool, week: bool = False
) -> tuple[set[tuple[str, int]], dict[str, set[str]]]:
    """Slots held, rooms free: every meeting in the slots of one section that moves between rooms
    (or of any section), or every meeting at all; ``week``: every meeting, all week, in the rooms
    one moving section uses and one room more, so whole sections can trade rooms (a section kept
    in one room needs the others in that room elsewhere in all its slots, not just in one)."""
    by_section: dict[str, list[Placement]] = defaultdict(list)
    for q in current:
        by_section[q.section].append(q)
    if every:
        freed = {(q.section, q.meeting) for q in current}
    else:
        moving = [s for s, qs in by_section.items() if len({q.room for q in qs}) > 1]
        focus = rng.choice(moving) if moving and rng.random() < 0.8 else rng.choice(sorted(by_section))
        if week:
            rooms = {q.room for q in by_section[focus]} | {rng.choice(sorted({q.room for q in current}))}
            freed = {(q.section, q.meeting) for q in current if q.room in rooms}
        else:
            slots = {q.slot for q in by_section[focus]}
            freed = {(q.section, q.meeting) for q in current if q.slot in slots}
    allowed: dict[str, set[str]] = defaultdict(set)
    for q in current:
        if (q.section, q.meeting) in freed:
            allowed[q.section].add(q.slot)
    return freed, dict(allowed)


def repair(
    problem: Problem,
    current: list[Placement],
    freed: set[tuple[str, int]],
    allowed: dict[str, set[str]] | None,
    *,
    time_limit: float,
    workers: int = 1,
    seed: int = 0,
    room_choices: int | None = ROOM_CHOICES,
) -> tuple[list[Placement], bool, float] | None:
    """Re-place the ``freed`` meetings with every other meeting held where it is: the best
    timetable reachable by moving only those (CP-SAT on ``build(fixed=rest)``), whether CP-SAT
    proved it best, and CP-SAT's seconds. None when it found nothing in time."""
    from ortools.sat.python import cp_model

    from .model import build
    from .solve import _placements

    part, outside = _part(problem, current, {s for s, _ in freed})
    rest = [q for q in current if (q.section, q.meeting) not in freed and q.section in part]
    sub = _restrict(problem, part)
    busy = {(q.slot, q.room) for q in outside}
    mdl = build(sub, fixed=rest, only_slots=allowed, room_choices=room_choices, teacher_choices=6,
                keep=current, busy_rooms=busy)  # fmt: skip
    _hint(mdl, current)
    solver = cp_model.CpSolver()
    _params(solver, time_limit=time_limit, workers=workers, seed=seed)
    st = solver.solve(mdl.cp)
    if st not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return outside + _placements(mdl, solver.value), st == cp_model.OPTIMAL, solver.wall_time


def _part(problem: Problem, current: list[Placement], freed: set[str]) -> tuple[set[str], list[Placement]]:
    """The sections a move of ``freed`` sections can affect (the freed ones and those sharing a
    group or a possible teacher with them) and the meetings of all others, which stay put."""
    from .domain import eligible_teacher_ids

    by_id = {s.id: s for s in problem.sections}
    groups: set[str] = set()
    teachers: set[str] = set()
    for sid in freed:
        s = by_id[sid]
        groups |= s.groups
        teachers |= eligible_teacher_ids(s, problem.teachers)
    part = set(freed)
    for s in problem.sections:
        if s.groups & groups:
            part.add(s.id)
    for q in current:
        if q.teacher in teachers:
            part.add(q.section)
    return part, [q for q in current if q.section not in part]


def _restrict(problem: Problem, part: set[str]) -> Problem:
    """The problem of some sections (pins and history follow; rooms, slots, teachers stay)."""
    prev = problem.previous
    if prev is not None:
        prev = replace(prev, placements=tuple(q for q in prev.placements if q.section in part))
    return replace(
        problem,
        sections=tuple(s for s in problem.sections if s.id in part),
        pins=tuple(p for p in problem.pins if p.section in part),
        previous=prev,
    )


def _delta(problem: Problem, old: list[Placement], new: list[Placement]) -> tuple[int, int]:
    """The change of (hard violations, cost) from ``old`` to ``new``, scored only on what the
    meetings that differ touch (``check(..., only=touched(...))``: the same change as two
    whole checks, ``tests/solver/test_neighbourhood.py``)."""
    old_set, new_set = set(old), set(new)
    moved = [q for q in old if q not in new_set] + [q for q in new if q not in old_set]
    if not moved:
        return 0, 0
    keys = touched(problem, moved)
    a, b = check(problem, old, only=keys), check(problem, new, only=keys)
    return b.hard - a.hard, b.cost - a.cost


def _kick(
    shape: _Shape, current: list[Placement], size: int, rng: random.Random
) -> tuple[set[tuple[str, int]], dict[str, set[str]]]:
    """A perturbation: the meetings of a neighbourhood (a group's, a teacher's or random sections),
    each forced out of the slot it has, so the repair must place them elsewhere (at the least cost
    it can) — out of a timetable that no move of the search improves any more."""
    _, freed, _ = _neighbourhood(shape, current, size, rng, rng.choice(("group", "teacher", "random")))
    slot_of = {(q.section, q.meeting): q.slot for q in current}
    allowed: dict[str, set[str]] = {}
    for sid, m in freed:
        allowed.setdefault(sid, set(shape.school_slots[shape.school_of[sid]]))
        allowed[sid].discard(slot_of[sid, m])
    return freed, allowed


def improve(
    problem: Problem,
    start: list[Placement],
    *,
    deadline: float,
    workers: int = 1,
    seed: int = 0,
    bound: float = 0.0,
    t0: float | None = None,
    progress: Progress | None = None,
    stop: Stop | None = None,
    max_moves: int | None = None,
    room_choices: int | None = ROOM_CHOICES,
) -> Search:
    """Large-neighbourhood search from ``start`` until ``deadline`` (``time.monotonic``), the cost
    reaches ``bound``, ``stop()``, or ``max_moves`` moves. Moves are kept when the checker finds
    them no worse than the current timetable; after ``KICK_AFTER`` moves without a gain the
    current timetable is perturbed (``_kick``) — from the best one when it is worse — and the
    search goes on from there (iterated local search: one timetable's basin is not the last)."""
    t0 = time.monotonic() if t0 is None else t0
    rng = random.Random(seed)
    shape = _Shape(problem)
    res = check(problem, start)
    best = Search(list(start), res.cost, res.hard)
    cur = Search(list(start), res.cost, res.hard)
    meetings = sum(s.meetings_per_week for s in problem.sections)
    size = max(6, min(20, meetings // 10))
    score = dict.fromkeys(KINDS, 1.0)
    all_rooms_every = next_all_rooms = ALL_ROOMS_EVERY
    it = last_gain = 0
    while best.cost > bound or best.hard:
        left = deadline - time.monotonic()
        if left < 0.2 or (stop and stop()) or (max_moves is not None and it >= max_moves):
            break
        it += 1
        allowed: dict[str, set[str]] | None
        limit = min(REPAIR_LIMIT, left)
        t_move = time.monotonic()
        pick = None
        if KICK_AFTER and it - last_gain > KICK_AFTER and not cur.hard:
            if (cur.hard, cur.cost) > (best.hard, best.cost):
                cur = Search(list(best.placements), best.cost, best.hard)
            kind = "kick"
            freed, allowed = _kick(shape, cur.placements, KICK_SIZE, rng)
            last_gain = it
        elif it == next_all_rooms:
            next_all_rooms = it + all_rooms_every
            kind, limit = "all rooms", min(ALL_ROOMS_LIMIT, left)
            freed, allowed = _rooms_neighbourhood(cur.placements, rng, every=True)
        elif (it % ROOMS_EVERY == 0) if not ADAPT else (pick := _pick(score, rng)) in ("rooms", "week rooms"):
            kind = pick or "rooms"
            freed, allowed = _rooms_neighbourhood(cur.placements, rng, every=False, week=kind == "week rooms")
        else:
            kind, freed, allowed = _neighbourhood(shape, cur.placements, size, rng, pick if ADAPT else None)
        if not freed:
            continue
        out = repair(problem, cur.placements, freed, allowed, time_limit=limit, workers=workers,
                     seed=seed + it, room_choices=None if kind.endswith("rooms") else room_choices)  # fmt: skip
        if kind == "all rooms" and (out is None or _delta(problem, cur.placements, out[0]) >= (0, 0)):
            all_rooms_every *= 2  # it did not pay: wait twice as long for the next one
            next_all_rooms = it + all_rooms_every
        if out is None:
            if kind != "kick" and not kind.endswith("rooms"):
                size = max(6, int(size * 0.9))
            continue
        new, closed, seconds = out
        d_hard, d_cost = _delta(problem, cur.placements, new)
        hard, cost = cur.hard + d_hard, cur.cost + d_cost
        if kind == "kick":
            if not hard:
                cur.placements, cur.cost, cur.hard = new, cost, hard
                best.kicks += 1
            continue
        if kind in score:
            # reward: cost removed per second of the move (plus a little for a changed timetable,
            # which moves the search on); an exponential average, so kinds that stop paying fade
            gain = max(0, -d_cost) + (0.1 if d_cost <= 0 and set(new) != set(cur.placements) else 0.0)
            score[kind] = 0.9 * score[kind] + 0.1 * gain / max(0.02, time.monotonic() - t_move)
        if (hard, cost) <= (cur.hard, cur.cost):
            if (hard, cost) < (cur.hard, cur.cost):
                last_gain = it
            cur.placements, cur.cost, cur.hard = new, cost, hard
            if (hard, cost) < (best.hard, best.cost):
                best.improvements += 1
                best.placements, best.cost, best.hard = list(new), cost, hard
                if progress is not None:
                    progress(float(cost), bound, time.monotonic() - t0)
        if not kind.endswith("rooms"):
            # aim for pieces CP-SAT closes in about a quarter of a second (its own time: building
            # the model grows with the problem, not with the piece)
            fast = closed and seconds < 0.25
            size = min(60, size + 1) if fast else max(6, size - 2)
    best.iterations = it
    return best
