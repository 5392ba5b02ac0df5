"""The independent checker: scores any timetable against every rule of the registry, in plain Python.

It imports no ortools and shares no code with the model beyond the data classes: each rule's
``score`` (its checker half) is written apart from its ``post`` (its model half), so a bug in the
model cannot hide itself. Every solution the engine returns is re-scored here and the cost shown
to people is this one, never the solver's objective.

``check(problem, placements, only=touched(problem, moved))`` scores just the violations that
meetings in ``moved`` can change: a neighbourhood search compares two timetables that differ
only there by those parts instead of by whole checks.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import combinations
from typing import TYPE_CHECKING

from .domain import Placement, Problem, SectionDemand, Violation, eligible_teacher_ids
from .rules import HARD, REGISTRY, active, weight
from .rules.base import SCOPES, Scope

if TYPE_CHECKING:
    from .ctt import CttInstance


@dataclass(frozen=True)
class CheckResult:
    """Violations found, the weighted cost per soft rule, and the count per hard rule."""

    violations: tuple[Violation, ...]
    cost_by_rule: dict[str, int]
    hard_by_rule: dict[str, int]

    @property
    def hard(self) -> int:
        """Number of hard violations; a usable timetable has 0."""
        return sum(self.hard_by_rule.values())

    @property
    def cost(self) -> int:
        """Total weighted soft cost."""
        return sum(self.cost_by_rule.values())


class ProblemIndex:
    """A problem's lookups by id, names and counts, computed once per check or precheck and
    shared by the rules (the rules' ``score``, ``precheck`` and ``phrase`` read only this)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.slots = {s.id: s for s in problem.slots}
        self.rooms = {r.id: r for r in problem.rooms}
        self.teachers = {t.id: t for t in problem.teachers}
        self.sections = {s.id: s for s in problem.sections}
        self._names = {t.id: t.name for t in problem.teachers} | {s.id: s.name for s in problem.sections}
        self._eligible: dict[str, frozenset[str]] = {}

    def name(self, obj_id: str) -> str:
        """What people call a teacher or a section (its id when it has no name)."""
        return self._names.get(obj_id) or obj_id

    def eligible(self, s: SectionDemand) -> frozenset[str]:
        """Who may teach a section (``domain.eligible_teacher_ids``), once per section."""
        if s.id not in self._eligible:
            self._eligible[s.id] = eligible_teacher_ids(s, self.problem.teachers)
        return self._eligible[s.id]

    @cached_property
    def slots_at(self) -> dict[str, list[str]]:
        """Slot ids per school."""
        out: dict[str, list[str]] = defaultdict(list)
        for sl in self.problem.slots:
            out[sl.school].append(sl.id)
        return out

    @cached_property
    def weekdays_at(self) -> dict[str, set[int]]:
        """Weekdays with slots, per school."""
        out: dict[str, set[int]] = defaultdict(set)
        for sl in self.problem.slots:
            out[sl.school].add(sl.weekday)
        return out

    @cached_property
    def schools(self) -> list[str]:
        """Schools that have sections, sorted."""
        return sorted({s.school for s in self.problem.sections})

    @cached_property
    def sole_teacher_need(self) -> tuple[dict[str, int], dict[str, set[str]]]:
        """Meetings (and the slots they could use) that only one teacher may give: a section with
        a single pinned teacher, or a single eligible one."""
        need: dict[str, int] = defaultdict(int)
        need_slots: dict[str, set[str]] = defaultdict(set)
        pinned: dict[str, set[str]] = defaultdict(set)
        for pin in self.problem.pins:
            if pin.teacher:
                pinned[pin.section].add(pin.teacher)
        for s in self.problem.sections:
            elig = self.eligible(s) & self.teachers.keys()
            pins = pinned[s.id]
            only = pins if len(pins) == 1 else (elig if len(elig) == 1 else set())
            for k in only:
                need[k] += s.meetings_per_week
                need_slots[k].update(self.slots_at[s.school])
        return need, need_slots


class CheckView(ProblemIndex):
    """A timetable indexed for the rules: placements by teacher, room, group and section.

    Placements that name unknown data, or a slot or room of another school than their section's,
    are ``invalid`` (``unplaced`` reports them) and no other rule sees them.
    """

    def __init__(self, problem: Problem, placements: Iterable[Placement]) -> None:
        super().__init__(problem)
        self.placements = tuple(placements)
        self.invalid: list[tuple[Placement, str]] = []  # (placement, "unknown" | "foreign_room")
        self.valid: list[Placement] = []
        self.seen: Counter[tuple[str, int]] = Counter()
        for p in self.placements:
            s, sl = self.sections.get(p.section), self.slots.get(p.slot)
            r, t = self.rooms.get(p.room), self.teachers.get(p.teacher)
            if s is None or sl is None or r is None or t is None or sl.school != s.school:
                self.invalid.append((p, "unknown"))
                continue
            if r.school != s.school:
                self.invalid.append((p, "foreign_room"))
                continue
            self.seen[p.section, p.meeting] += 1
            self.valid.append(p)

    def _by(self, key: str) -> dict[str, list[Placement]]:
        out: dict[str, list[Placement]] = defaultdict(list)
        for p in self.valid:
            out[getattr(p, key)].append(p)
        return out

    @cached_property
    def by_teacher(self) -> dict[str, list[Placement]]:
        return self._by("teacher")

    @cached_property
    def by_room(self) -> dict[str, list[Placement]]:
        return self._by("room")

    @cached_property
    def by_section(self) -> dict[str, list[Placement]]:
        return self._by("section")

    @cached_property
    def by_group(self) -> dict[str, list[Placement]]:
        """Per group of the section, plus ``section:<id>`` (a section meets once at a time)."""
        out: dict[str, list[Placement]] = defaultdict(list)
        for p in self.valid:
            for g in self.sections[p.section].groups | {"section:" + p.section}:
                out[g].append(p)
        return out

    @cached_property
    def meetings_seen(self) -> dict[str, list[int]]:
        """Meeting numbers placed per section, in order of first appearance."""
        out: dict[str, list[int]] = defaultdict(list)
        for sid, m in self.seen:
            out[sid].append(m)
        return out

    @cached_property
    def placed(self) -> dict[tuple[str, int], Placement]:
        """``(section, meeting)`` → its placement (the last one if placed twice)."""
        return {(p.section, p.meeting): p for p in self.valid}

    def gap(self, a: Placement, b: Placement) -> int | None:
        """Minutes between two meetings on one weekday (negative = overlap), else None."""
        if a.slot == b.slot:
            return -1
        return self.slots[a.slot].gap_to(self.slots[b.slot])


Only = Mapping[Scope, Collection[str]]


def check(
    problem: Problem, placements: tuple[Placement, ...] | list[Placement], *, only: Only | None = None
) -> CheckResult:
    """Score ``placements`` against every rule of the registry for ``problem``.

    ``only`` (e.g. ``touched(problem, moved)``) scores just the violations charged to those keys
    of each rule's scope; for two timetables that differ only in the meetings ``moved``,
    ``check(new, only=T).cost - check(old, only=T).cost`` is the change of the full cost (and
    likewise for ``hard``) when ``T = touched(problem, moved_before + moved_after)``.
    """
    view = CheckView(problem, placements)
    out: list[Violation] = []
    soft: dict[str, int] = defaultdict(int)
    hard_by_rule: dict[str, int] = dict.fromkeys(HARD, 0)
    for rule in REGISTRY:
        keys = None if only is None else only.get(rule.scope, ())
        if rule.kind == "hard":
            if not active(rule.id, problem.weights):
                continue
            for h in rule.score(view, keys):
                out.append(Violation(rule.id, h.subjects, h.zh, h.en, 1))
                hard_by_rule[rule.id] += 1
            continue
        w = weight(rule.id, problem.weights)
        if w <= 0:
            continue
        for h in rule.score(view, keys):
            if h.units > 0:
                soft[rule.id] += w * h.units
                out.append(Violation(rule.id, h.subjects, h.zh, h.en, w * h.units))
    return CheckResult(tuple(out), dict(soft), hard_by_rule)


def touched(problem: Problem, placements: Iterable[Placement]) -> dict[Scope, set[str]]:
    """The keys, per scope, to which a violation involving these meetings can be charged."""
    sections = {s.id: s for s in problem.sections}
    out: dict[Scope, set[str]] = {scope: set() for scope in SCOPES}
    for p in placements:
        out["section"].add(p.section)
        out["teacher"].add(p.teacher)
        out["room"].add(p.room)
        out["group"].add("section:" + p.section)
        s = sections.get(p.section)
        if s is not None:
            out["group"].update(s.groups)
            out["school"].add(s.school)
    return out


# ---------------------------------------------------------------------------------------------
# ITC-2007 Track 3 (UD2) scoring, same rule ids.

CTT_HARD = ("unplaced", "group_clash", "teacher_double_booked", "room_double_booked",
            "teacher_unavailable")  # fmt: skip
CTT_SOFT = ("room_capacity", "min_working_days", "isolated_lectures", "room_stability")
UD2_WEIGHTS = {"room_capacity": 1, "min_working_days": 5, "isolated_lectures": 2,
               "room_stability": 1}  # fmt: skip


@dataclass(frozen=True)
class CttScore:
    """UD2 hard violations and soft cost per kind (by rule id)."""

    hard_by_rule: dict[str, int]
    cost_by_rule: dict[str, int]

    @property
    def hard(self) -> int:
        return sum(self.hard_by_rule.values())

    @property
    def cost(self) -> int:
        return sum(self.cost_by_rule.values())


def score_ctt(inst: CttInstance, lectures: list[tuple[str, str, int, int]]) -> CttScore:
    """Score a CB-CTT timetable (``(course, room, day, period)`` rows) with UD2 weights.

    Hard: ``unplaced`` (ITC "Lectures": missing or same-period duplicates), ``group_clash``
    (curriculum conflicts), ``teacher_double_booked``, ``room_double_booked`` and
    ``teacher_unavailable`` (ITC "Availability").
    """
    courses = {c.id: c for c in inst.courses}
    rooms = {r.id: r for r in inst.rooms}
    alias = {("r" + rid): rid for rid in rooms} | {rid[1:]: rid for rid in rooms if rid[:1] == "r"}
    hard: dict[str, int] = dict.fromkeys(CTT_HARD, 0)
    cost: dict[str, int] = dict.fromkeys(CTT_SOFT, 0)
    at: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for cid, rid, day, per in lectures:
        rid = rid if rid in rooms else alias.get(rid, rid)
        if cid not in courses or rid not in rooms:
            hard["unplaced"] += 1
            continue
        at[cid].append((day, per, rid))
    room_use: Counter[tuple[str, int, int]] = Counter()
    period_courses: dict[tuple[int, int], set[str]] = defaultdict(set)
    for cid, ls in at.items():
        c = courses[cid]
        periods = Counter((d, p) for d, p, _ in ls)
        hard["unplaced"] += sum(n - 1 for n in periods.values())
        hard["unplaced"] += max(0, c.lectures - len(periods))
        for d, p, rid in ls:
            room_use[rid, d, p] += 1
            period_courses[d, p].add(cid)
            if (d, p) in inst.unavailable.get(cid, ()):
                hard["teacher_unavailable"] += 1
            cost["room_capacity"] += max(0, c.students - rooms[rid].capacity)
        cost["min_working_days"] += 5 * max(0, c.min_days - len({d for d, _, _ in ls}))
        cost["room_stability"] += len({r for _, _, r in ls}) - 1
    for c in inst.courses:
        if c.id not in at:
            hard["unplaced"] += c.lectures
    hard["room_double_booked"] = sum(n - 1 for n in room_use.values())
    curricula_of: dict[str, list[int]] = defaultdict(list)
    for qi, q in enumerate(inst.curricula):
        for cid in q.courses:
            curricula_of[cid].append(qi)
    for cs in period_courses.values():
        for a, b in combinations(sorted(cs), 2):
            if courses[a].teacher == courses[b].teacher:
                hard["teacher_double_booked"] += 1
            if set(curricula_of[a]) & set(curricula_of[b]):
                hard["group_clash"] += 1
    for q in inst.curricula:
        cells: Counter[tuple[int, int]] = Counter()
        for cid in q.courses:
            for d, p, _ in at.get(cid, ()):
                cells[d, p] += 1
        for (d, p), n in cells.items():
            if (d, p - 1) not in cells and (d, p + 1) not in cells:
                cost["isolated_lectures"] += 2 * n
    return CttScore(hard, cost)
