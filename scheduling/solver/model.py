"""The CP-SAT model of an after-school timetable; every rule posts itself (``rules/``).

Variables (all created in :func:`build`):

* ``at[i, t]`` — section ``i`` meets in slot ``t`` (its meetings are interchangeable, so there is
  no meeting index and no symmetry between meetings); named ``"meets(s=12,t=3)"``.
* ``z[i, t, r]`` — section ``i`` meets in slot ``t`` in room ``r``; named ``"room(s=12,t=3,r=5)"``.
  Only rooms of the section's school; in normal mode only rooms the rules leave (size,
  equipment, home room).
* ``tk[i, k]`` — section ``i`` is taught by teacher ``k`` (one teacher for all its meetings);
  named ``"teaches(s=12,k=4)"``.
* ``w[i, t, k]`` — teacher ``k`` teaches section ``i`` in slot ``t`` (``at AND tk``; just ``at``
  when the section has a single candidate teacher); named ``"teaches_at(s=12,t=3,k=4)"``.

Indices are positions in ``problem.sections``, ``problem.slots``, ``problem.rooms`` and
``problem.teachers``. Meeting numbers are given after solving (``solve._placements``): pinned
meetings get their pinned slot, the others follow in slot order.

:func:`build` makes the candidate domains, lets every rule of the registry narrow them
(``Rule.narrow``), creates the variables, lets every rule post itself (``Rule.post``) and
minimises the weighted penalties. Hard rules are plain constraints, or, when the model is built
for explanation, constraints enforced by one assumption literal per requirement group
(``Model.lits``), so that CP-SAT can name a small set of requirements that cannot hold together.

ortools is imported inside functions: web processes import this module without paying for it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .domain import CLASH_ONLY, Placement, Problem, eligible_teacher_ids
from .rules import REGISTRY, active, weight

Key = tuple[str, tuple[str, ...]]  # (rule id, subjects): one requirement group
# Of a section's shortlisted rooms, one in this many comes from the rooms that fit it less well.
ROOM_SPARE_EVERY = 4


@dataclass
class Domains:
    """Candidate slots, rooms and teachers per section (indices), before any variable exists.

    Rules narrow the free candidates (``Rule.narrow``); afterwards ``build`` shortlists them and
    adds back what is pinned or fixed (``keep_*``), so a bad pin meets the rule's constraint and
    is named instead of silently making the section unplaceable.
    """

    problem: Problem
    explain: bool
    own_session: bool
    slots_of: dict[int, list[int]] = field(default_factory=dict)
    rooms_of: dict[int, list[int]] = field(default_factory=dict)
    teachers_of: dict[int, list[int]] = field(default_factory=dict)
    keep_slots: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    keep_rooms: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    keep_teachers: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))

    def narrow_slots(self, i: int, ok: Callable[[int], bool]) -> None:
        self.slots_of[i] = [t for t in self.slots_of[i] if ok(t)]

    def narrow_rooms(self, i: int, ok: Callable[[int], bool]) -> None:
        self.rooms_of[i] = [r for r in self.rooms_of[i] if ok(r)]

    def narrow_teachers(self, i: int, ok: Callable[[int], bool]) -> None:
        self.teachers_of[i] = [k for k in self.teachers_of[i] if ok(k)]


@dataclass
class Model:
    """The CP-SAT model plus the variable dictionaries, keyed as documented above."""

    problem: Problem
    cp: Any
    explain: bool
    session_hint: bool = False
    slots_only: bool = False  # no rooms: ``z`` is empty and rooms are counted per slot
    at: dict[tuple[int, int], Any] = field(default_factory=dict)
    z: dict[tuple[int, int, int], Any] = field(default_factory=dict)
    tk: dict[tuple[int, int], Any] = field(default_factory=dict)
    w: dict[tuple[int, int, int], Any] = field(default_factory=dict)
    lits: dict[Key, Any] = field(default_factory=dict)
    penalties: list[tuple[str, int, Any]] = field(default_factory=list)  # (rule, weight, expr)
    slots_of: dict[int, list[int]] = field(default_factory=dict)  # section → slot indices
    rooms_of: dict[int, list[int]] = field(default_factory=dict)  # section → room indices
    teachers_of: dict[int, list[int]] = field(default_factory=dict)  # section → teacher indices
    index: dict[str, dict[str, int]] = field(default_factory=dict)  # kind → id → position
    posted: Counter[str] = field(default_factory=Counter)  # rule id → constraints and penalties
    posted_by: dict[str, set[str]] = field(default_factory=dict)  # rule → rule ids it posted as
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def lit(self, rule: str, *subjects: str) -> Any | None:
        """The assumption literal of a requirement group (explain mode), else None."""
        if not self.explain:
            return None
        key = (rule, subjects)
        if key not in self.lits:
            self.lits[key] = self.cp.new_bool_var(f"req({rule}:{','.join(subjects)})")
        return self.lits[key]

    def require(self, ct: Any, rule: str, *subjects: str) -> None:
        """Post ``ct`` as part of requirement ``(rule, subjects)``."""
        self.posted[rule] += 1
        lit = self.lit(rule, *subjects)
        if lit is not None:
            ct.only_enforce_if(lit)

    def weight(self, rule: str) -> int:
        """The rule's weight in this problem (0 = a soft rule that is off)."""
        return weight(rule, self.problem.weights)

    def penalise(self, rule: str, expr: Any) -> None:
        """Add ``weight * expr`` to the objective; ``expr`` equals the checker's units."""
        w = weight(rule, self.problem.weights)
        if w:
            self.posted[rule] += 1
            self.penalties.append((rule, w, expr))

    def penalty_by_rule(self, value: Callable[[Any], int]) -> dict[str, int]:
        """The weighted objective per rule in a solution (``value`` = ``solver.value``)."""
        out: dict[str, int] = defaultdict(int)
        for rule, w, e in self.penalties:
            out[rule] += w * int(value(e))
        return {r: v for r, v in out.items() if v}

    # ---- shared views of the variables, computed once (rules only read them) ----------------

    def pairs(self, slots: list[int]) -> list[tuple[int, int, int]]:
        """Pairs of distinct slots on one weekday with their gap in minutes (negative = overlap)."""
        p = self.problem
        out = []
        for a_i, a in enumerate(slots):
            sa = p.slots[a]
            for b in slots[a_i + 1 :]:
                g = sa.gap_to(p.slots[b])
                if g is not None:
                    out.append((a, b, g))
        return out

    def busy(self) -> dict[tuple[int, int], list[Any]]:
        """``busy[k, t]``: the ``w`` terms of teacher k in slot t."""
        if "busy" not in self._memo:
            out: dict[tuple[int, int], list[Any]] = defaultdict(list)
            for (_, t, k), v in self.w.items():
                out[k, t].append(v)
            self._memo["busy"] = out
        return self._memo["busy"]

    def busy_slots(self) -> dict[int, list[int]]:
        """Slots in which each teacher could teach, in ``busy`` order."""
        if "busy_slots" not in self._memo:
            by_k: dict[int, list[int]] = defaultdict(list)
            for k, t in self.busy():
                by_k[k].append(t)
            self._memo["busy_slots"] = by_k
        return self._memo["busy_slots"]

    def members(self, kind: str | None = None, clash_only: bool = True) -> dict[str, list[int]]:
        """Sections per group (optionally one kind; optionally without clash-only groups)."""
        key = ("members", kind, clash_only)
        if key not in self._memo:
            out: dict[str, list[int]] = defaultdict(list)
            for i, s in enumerate(self.problem.sections):
                if kind is None or s.kind == kind:
                    for g in s.groups:
                        if clash_only or not g.startswith(CLASH_ONLY):
                            out[g].append(i)
            self._memo[key] = out
        return self._memo[key]

    def eligible(self, i: int) -> frozenset[str]:
        """Teacher ids who may teach section i."""
        key = ("eligible", i)
        if key not in self._memo:
            self._memo[key] = eligible_teacher_ids(self.problem.sections[i], self.problem.teachers)
        return self._memo[key]

    def by_day(self, i: int) -> dict[int, list[Any]]:
        """Section i's ``at`` variables per weekday."""
        out: dict[int, list[Any]] = defaultdict(list)
        for t in self.slots_of[i]:
            out[self.problem.slots[t].weekday].append(self.at[i, t])
        return out


def build(
    problem: Problem,
    *,
    explain: bool = False,
    room_choices: int | None = None,
    teacher_choices: int | None = None,
    own_session: bool = False,
    session_hint: bool = False,
    fixed: Iterable[Placement] = (),
    only_fixed: bool = False,
    slots_only: bool = False,
    only_slots: dict[str, Iterable[str]] | None = None,
    keep: Iterable[Placement] = (),
    busy_rooms: Iterable[tuple[str, str]] = (),
) -> Model:
    """Create variables and post every rule of the registry; the objective is the weighted soft
    penalties, equal to the checker's cost in every solution.

    ``own_session`` offers a section with a ``session`` only the slots of that session (plus
    pinned slots): the quick first timetable then already keeps homework and clubs apart.
    ``session_hint`` only hints that (the first-solution search follows it where it can).

    ``room_choices`` keeps only that many best-fitting rooms per section (plus pinned and
    previous ones): far fewer variables and less room symmetry. ``teacher_choices`` does the same
    for big teacher pools (homework help that every teacher may give), rotating the shortlist
    from section to section so the load can still be balanced. Both can only lose solutions, so
    ``solve`` retries without them when the restricted model is infeasible.

    ``fixed`` meetings are held where they are: their slot, room and teacher are offered even
    where a rule would not offer them, and forced. A section whose every meeting is fixed gets
    exactly those choices (its variables are then constants), so a model of a neighbourhood
    (LNS) only searches the sections left free; the rule verifier fixes a whole timetable to
    read each rule's penalty from the model. ``only_fixed`` places nothing else: every section
    gets exactly its fixed choices (none if it has no fixed meeting), so the model scores exactly
    the timetable ``fixed`` (a missing meeting breaks ``unplaced``, as in the checker).

    ``slots_only`` builds the slot half of the period-first decomposition: no room variables
    (``z`` is empty), rooms only counted (``room_double_booked``: per slot, the sections that
    can only use a set of rooms are at most that many), rules about rooms post nothing; a timetable
    of it gets its rooms from a second model with ``only_slots``. ``only_slots[section id]``
    offers that section only those slot ids (plus held ones): a neighbourhood of some days or
    sessions, or "slots fixed, rooms free". The rooms and teachers of ``keep`` (the incumbent of
    a neighbourhood) stay on the shortlists, as ``problem.previous``'s do. ``busy_rooms`` are
    ``(slot id, room id)`` pairs taken by meetings outside the problem (a neighbourhood's model
    leaves out the sections it cannot affect, but not the rooms they hold).
    """
    from ortools.sat.python import cp_model

    p = problem
    mdl = Model(p, cp_model.CpModel(), explain, session_hint=session_hint, slots_only=slots_only)
    mdl.index = {
        "section": {s.id: i for i, s in enumerate(p.sections)},
        "slot": {s.id: i for i, s in enumerate(p.slots)},
        "room": {r.id: i for i, r in enumerate(p.rooms)},
        "teacher": {k.id: i for i, k in enumerate(p.teachers)},
    }
    ix = mdl.index
    dom = Domains(p, explain, own_session)
    for pin in p.pins:
        i = ix["section"].get(pin.section)
        if i is None:
            continue
        if pin.slot in ix["slot"]:
            dom.keep_slots[i].add(ix["slot"][pin.slot])
        if pin.room in ix["room"]:
            dom.keep_rooms[i].add(ix["room"][pin.room])
        if pin.teacher in ix["teacher"]:
            dom.keep_teachers[i].add(ix["teacher"][pin.teacher])
    held = _held(mdl, fixed)
    busy = {(ix["slot"][t], ix["room"][r]) for t, r in busy_rooms if t in ix["slot"] and r in ix["room"]}
    # a fully fixed section is offered exactly its fixed choices (pins then only meet constants)
    full = {i for i, triples in held.items() if len(triples) >= p.sections[i].meetings_per_week}
    if only_fixed:
        full = set(range(len(p.sections)))
    for i in full:
        dom.keep_slots[i], dom.keep_rooms[i], dom.keep_teachers[i] = set(), set(), set()
    for i, triples in held.items():
        dom.keep_slots[i].update(t for t, _, _ in triples)
        dom.keep_rooms[i].update(r for _, r, _ in triples)
        dom.keep_teachers[i].update(k for _, _, k in triples)
    previous_rooms: dict[int, set[int]] = defaultdict(set)
    previous_teachers: dict[int, set[int]] = defaultdict(set)
    for q in [*(p.previous.placements if p.previous is not None else ()), *keep]:
        i = ix["section"].get(q.section)
        if i is not None and q.room in ix["room"]:
            previous_rooms[i].add(ix["room"][q.room])
        if i is not None and q.teacher in ix["teacher"]:
            previous_teachers[i].add(ix["teacher"][q.teacher])
    slots_by_school: dict[str, list[int]] = defaultdict(list)
    for t, sl in enumerate(p.slots):
        slots_by_school[sl.school].append(t)
    rooms_by_school: dict[str, list[int]] = defaultdict(list)
    for r, rm in enumerate(p.rooms):
        rooms_by_school[rm.school].append(r)
    teachers_by_school: dict[str, list[int]] = defaultdict(list)
    for k, tch in enumerate(p.teachers):
        for school in tch.schools:
            teachers_by_school[school].append(k)

    # Candidates: the slots and rooms of the section's school, and the teachers serving it or
    # named for it; a fully fixed section only its fixed choices. Then the rules narrow them.
    for i, s in enumerate(p.sections):
        if i in full:
            dom.slots_of[i] = [t for t in slots_by_school[s.school] if t in dom.keep_slots[i]]
            dom.rooms_of[i] = [r for r in rooms_by_school[s.school] if r in dom.keep_rooms[i]]
            dom.teachers_of[i] = sorted(dom.keep_teachers[i])
            continue
        dom.slots_of[i] = list(slots_by_school[s.school])
        dom.rooms_of[i] = list(rooms_by_school[s.school])
        named = {ix["teacher"][k] for k in s.eligible_teachers if k in ix["teacher"]}
        dom.teachers_of[i] = sorted(set(teachers_by_school[s.school]) | named)
    for rule in REGISTRY:
        if active(rule.id, p.weights) or rule.kind == "soft":
            rule.narrow(dom)

    if only_slots:
        for sid, slot_ids in only_slots.items():
            i = ix["section"].get(sid)
            if i is not None:
                allowed = {ix["slot"][t] for t in slot_ids if t in ix["slot"]}
                dom.narrow_slots(i, lambda t, allowed=allowed: t in allowed)
    for i, s in enumerate(p.sections):
        school_slots = set(slots_by_school[s.school])
        mdl.slots_of[i] = sorted(set(dom.slots_of[i]) | (dom.keep_slots[i] & school_slots))
        rooms = dom.rooms_of[i]
        if room_choices is not None and not explain and len(rooms) > room_choices:
            keep = previous_rooms[i] | dom.keep_rooms[i] | set(room_shortlist(p, i, rooms, room_choices))
            rooms = [r for r in rooms if r in keep]
        school_rooms = set(rooms_by_school[s.school])
        mdl.rooms_of[i] = sorted(set(rooms) | (dom.keep_rooms[i] & school_rooms))
        elig = set(dom.teachers_of[i])
        if teacher_choices is not None and not explain and len(elig) > teacher_choices:
            pool = sorted(elig)
            start = (i * teacher_choices) % len(pool)
            elig = set((pool + pool)[start : start + teacher_choices]) | previous_teachers[i]
        mdl.teachers_of[i] = sorted(elig | dom.keep_teachers[i])
        for t in mdl.slots_of[i]:
            mdl.at[i, t] = mdl.cp.new_bool_var(f"meets(s={i},t={t})")
            if slots_only:
                continue
            zs = []
            for r in mdl.rooms_of[i]:
                if (t, r) in busy:
                    continue
                mdl.z[i, t, r] = v = mdl.cp.new_bool_var(f"room(s={i},t={t},r={r})")
                zs.append(v)
            mdl.cp.add(sum(zs) == mdl.at[i, t])
        for k in mdl.teachers_of[i]:
            mdl.tk[i, k] = mdl.cp.new_bool_var(f"teaches(s={i},k={k})")
        for t in mdl.slots_of[i]:
            for k in mdl.teachers_of[i]:
                if len(mdl.teachers_of[i]) == 1:
                    mdl.w[i, t, k] = mdl.at[i, t]
                    continue
                v = mdl.cp.new_bool_var(f"teaches_at(s={i},t={t},k={k})")
                mdl.cp.add_implication(v, mdl.at[i, t])
                mdl.cp.add_implication(v, mdl.tk[i, k])
                mdl.cp.add_bool_or([v, ~mdl.at[i, t], ~mdl.tk[i, k]])
                mdl.w[i, t, k] = v

    for rule in REGISTRY:
        if rule.kind == "hard" and not active(rule.id, p.weights):
            continue
        before = Counter(mdl.posted)
        rule.post(mdl)
        mdl.posted_by[rule.id] = {r for r, n in mdl.posted.items() if n != before[r]}
    for i, triples in held.items():
        for t, r, k in triples:
            mdl.cp.add(mdl.at[i, t] == 1)
            if not slots_only:
                mdl.cp.add(mdl.z[i, t, r] == 1)
            mdl.cp.add(mdl.tk[i, k] == 1)
    if mdl.penalties:
        mdl.cp.minimize(sum(w * e for _, w, e in mdl.penalties))
    return mdl


def room_shortlist(p: Problem, i: int, rooms: list[int], choices: int) -> list[int]:
    """The ``choices`` rooms offered to section ``i`` out of ``rooms`` (the ones its rules allow).

    Most are the best-fitting rooms: no equipment the section does not need (keep kitchens for
    cooking), seats for everyone (where room_too_small is off, as in ITC-2007, smaller rooms are
    offered too, the least crowded first), then the snuggest. Two things keep the sections'
    shortlists from piling onto the same rooms. Among equally fitting rooms each section starts
    at its own place in the list: with the room index as the tie-break, every plain club of
    新城学校 (demo district) had the same 8 of its 22 plain classrooms, and there was no timetable.
    And ``choices // ROOM_SPARE_EVERY`` of them come from the rooms that fit less well than the
    best ones, again from each section's own place, so every room is within some sections' reach:
    with plain rooms only, 新城学校's best timetable cost 44, with two spares in eight 29 (its optimum
    with every room).
    """
    s = p.sections[i]

    def fit(r: int) -> tuple[int, int, int]:
        room = p.rooms[r]
        return (len(room.features - s.features), max(0, s.expected_size - room.capacity),
                abs(room.capacity - s.expected_size))  # fmt: skip

    spares = choices // ROOM_SPARE_EVERY
    start = (i * (choices - spares)) % len(rooms)  # consecutive sections, consecutive windows
    ranked = [rooms[n] for n in sorted(range(len(rooms)), key=lambda n: (fit(rooms[n]), (n - start) % len(rooms)))]
    best = ranked[: choices - spares]
    rest = [r for r in ranked[len(best) :] if fit(r) > fit(best[-1])] or ranked[len(best) :]
    at = (i * spares) % len(rest)
    return best + (rest + rest)[at : at + spares]


def _held(mdl: Model, fixed: Iterable[Placement]) -> dict[int, list[tuple[int, int, int]]]:
    """Fixed meetings as ``(slot, room, teacher)`` indices per section; a meeting at another
    school or with unknown data cannot be held (the model then misses it, as the checker does)."""
    p, ix = mdl.problem, mdl.index
    out: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for q in fixed:
        i, t = ix["section"].get(q.section), ix["slot"].get(q.slot)
        r, k = ix["room"].get(q.room), ix["teacher"].get(q.teacher)
        if i is None or t is None or r is None or k is None:
            continue
        school = p.sections[i].school
        if p.slots[t].school == school and p.rooms[r].school == school:
            out[i].append((t, r, k))
    return dict(out)
