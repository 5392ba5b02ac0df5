"""The independent checker: scores any timetable against the rules in plain Python.

It imports no ortools and shares no code with the model beyond the data classes, so a bug in the
model cannot hide itself: every solution the engine returns is re-scored here and the cost shown
to people is this one, never the solver's objective.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from .domain import CLASH_ONLY, Placement, Problem, Violation, eligible_teacher_ids
from .rules import RULES, weight

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


def _name(obj_id: str, names: dict[str, str]) -> str:
    return names.get(obj_id) or obj_id


def check(problem: Problem, placements: tuple[Placement, ...] | list[Placement]) -> CheckResult:
    """Score ``placements`` against every rule of the registry for ``problem``."""
    slots = {s.id: s for s in problem.slots}
    rooms = {r.id: r for r in problem.rooms}
    teachers = {t.id: t for t in problem.teachers}
    sections = {s.id: s for s in problem.sections}
    names = {t.id: t.name for t in problem.teachers} | {s.id: s.name for s in problem.sections}
    out: list[Violation] = []
    soft: dict[str, int] = defaultdict(int)

    def hard(rule: str, subjects: tuple[str, ...], zh: str, en: str) -> None:
        out.append(Violation(rule, subjects, zh, en, 1))

    def penal(rule: str, units: int, subjects: tuple[str, ...], zh: str, en: str) -> None:
        w = weight(rule, problem.weights)
        if units > 0 and w > 0:
            soft[rule] += w * units
            out.append(Violation(rule, subjects, zh, en, w * units))

    valid: list[Placement] = []
    seen: Counter[tuple[str, int]] = Counter()
    for p in placements:
        s, sl, r, t = sections.get(p.section), slots.get(p.slot), rooms.get(p.room), None
        t = teachers.get(p.teacher)
        if s is None or sl is None or r is None or t is None or sl.school != s.school:
            hard("unplaced", (p.section,), f"{p} 无效", f"{p} refers to unknown or foreign data")
            continue
        if r.school != s.school:
            hard("unplaced", (p.section, p.room), "教室不在本校", "room is at another school")
            continue
        seen[p.section, p.meeting] += 1
        valid.append(p)
    for s in problem.sections:
        for m in range(s.meetings_per_week):
            if seen[s.id, m] != 1:
                nm = _name(s.id, names)
                hard("unplaced", (s.id,), f"{nm} 第{m + 1}次课未排或重复",
                     f"{nm} meeting {m + 1} is not placed exactly once")  # fmt: skip
        for (sid, m), _n in seen.items():
            if sid == s.id and m >= s.meetings_per_week:
                hard("unplaced", (s.id,), "多余的课次", f"{s.id} has an extra meeting {m}")

    # Per-placement rules.
    for p in valid:
        s, sl, r, t = sections[p.section], slots[p.slot], rooms[p.room], teachers[p.teacher]
        sn, tn = _name(s.id, names), t.name
        if r.capacity < s.expected_size:
            hard("room_too_small", (s.id, r.id),
                 f"{r.id} 只有 {r.capacity} 个座位，{sn} 需要 {s.expected_size} 个",
                 f"{r.id} seats {r.capacity}, {sn} needs {s.expected_size}")  # fmt: skip
        missing = s.features - r.features
        if missing:
            hard("room_lacks_feature", (s.id, r.id),
                 f"{r.id} 缺少 {'、'.join(sorted(missing))}（{sn}）",
                 f"{r.id} lacks {', '.join(sorted(missing))} for {sn}")  # fmt: skip
        if p.slot in t.unavailable:
            hard("teacher_unavailable", (t.id, p.slot),
                 f"{tn} 在 {p.slot} 不可用", f"{tn} is unavailable in {p.slot}")  # fmt: skip
        if t.id not in eligible_teacher_ids(s, problem.teachers):
            hard("teacher_not_qualified", (t.id, s.id),
                 f"{tn} 没有资格教 {sn}", f"{tn} is not qualified for {sn}")  # fmt: skip
        extra = r.capacity - s.expected_size
        if extra < 0:
            penal("room_capacity", -extra, (s.id, r.id), "教室座位不足", "room over capacity")
        if s.session is not None and sl.session != s.session:
            penal("session_by_kind", 1, (s.id, p.slot),
                  f"{sn} 排在第{sl.session + 1}时段，应在第{s.session + 1}时段",
                  f"{sn} meets in session {sl.session + 1}, belongs in session {s.session + 1}")  # fmt: skip
        pref = int(p.slot in t.avoid) + int(bool(t.preferred) and p.slot not in t.preferred)
        penal("teacher_preference", pref, (t.id, p.slot),
              f"{tn} 不希望在 {p.slot} 上课", f"{tn} would rather not teach in {p.slot}")  # fmt: skip

    # Pairs of placements in time: teacher, room, group, travel.
    by_teacher: dict[str, list[Placement]] = defaultdict(list)
    by_room: dict[str, list[Placement]] = defaultdict(list)
    by_group: dict[str, list[Placement]] = defaultdict(list)
    for p in valid:
        by_teacher[p.teacher].append(p)
        by_room[p.room].append(p)
        for g in sections[p.section].groups | {"section:" + p.section}:
            by_group[g].append(p)

    def gap(a: Placement, b: Placement) -> int | None:
        if a.slot == b.slot:
            return -1
        return slots[a.slot].gap_to(slots[b.slot])

    for tid, ps in by_teacher.items():
        tn = teachers[tid].name
        for a, b in combinations(ps, 2):
            g = gap(a, b)
            if g is None:
                continue
            if g < 0:
                hard("teacher_double_booked", (tid, a.slot, b.slot),
                     f"{tn} 同时要上 {_name(a.section, names)} 和 {_name(b.section, names)}",
                     f"{tn} would teach {_name(a.section, names)} and "
                     f"{_name(b.section, names)} at once")  # fmt: skip
                continue
            sa, sb = slots[a.slot].school, slots[b.slot].school
            need = problem.travel(sa, sb)
            if g < need:
                hard("partner_travel", (tid, a.slot, b.slot),
                     f"{tn} 从 {sa} 到 {sb} 需要 {need} 分钟，但两节课只隔 {g} 分钟",
                     f"{tn} needs {need} min from {sa} to {sb} but has {g} min")  # fmt: skip
        load = len(ps)
        if load > teachers[tid].max_periods_week:
            hard("teacher_over_load", (tid,),
                 f"{tn} 每周 {load} 节课，超过上限 {teachers[tid].max_periods_week}",
                 f"{tn} has {load} meetings, above the maximum "
                 f"{teachers[tid].max_periods_week}")  # fmt: skip
    for rid, ps in by_room.items():
        for a, b in combinations(ps, 2):
            g = gap(a, b)
            if g is not None and g < 0:
                hard("room_double_booked", (rid, a.slot, b.slot),
                     f"{rid} 同时安排了 {_name(a.section, names)} 和 {_name(b.section, names)}",
                     f"{rid} holds {_name(a.section, names)} and "
                     f"{_name(b.section, names)} at once")  # fmt: skip
    for gid, ps in by_group.items():
        for a, b in combinations(ps, 2):
            g = gap(a, b)
            if g is not None and g < 0:
                hard("group_clash", (gid, a.slot, b.slot),
                     f"{gid} 的 {_name(a.section, names)} 和 {_name(b.section, names)} 时间冲突",
                     f"{gid}: {_name(a.section, names)} and {_name(b.section, names)} "
                     "clash")  # fmt: skip

    # Pins.
    placed = {(p.section, p.meeting): p for p in valid}
    for pin in problem.pins:
        p = placed.get((pin.section, pin.meeting))
        if p is None or any(
            want is not None and want != got
            for want, got in ((pin.slot, p.slot), (pin.room, p.room), (pin.teacher, p.teacher))
        ):
            hard("pinned", (pin.section,), f"{_name(pin.section, names)} 未按固定安排",
                 f"{_name(pin.section, names)} is not where it was pinned")  # fmt: skip

    # Per-section soft rules.
    by_section: dict[str, list[Placement]] = defaultdict(list)
    for p in valid:
        by_section[p.section].append(p)
    for sid, ps in by_section.items():
        s, sn = sections[sid], _name(sid, names)
        days = Counter(slots[p.slot].weekday for p in ps)
        penal("meetings_spread", sum(n - 1 for n in days.values()), (sid,),
              f"{sn} 有多次课在同一天", f"{sn} meets more than once on a day")  # fmt: skip
        penal("room_stability", len({p.room for p in ps}) - 1, (sid,),
              f"{sn} 使用了多间教室", f"{sn} moves between rooms")  # fmt: skip
        if s.min_days:
            penal("min_working_days", max(0, s.min_days - len(days)), (sid,),
                  f"{sn} 分布天数不足", f"{sn} is spread over too few days")  # fmt: skip

    # Teacher load balance: per school, max minus min load among teachers who could teach there.
    for school in sorted({s.school for s in problem.sections}):
        cands: set[str] = set()
        for s in problem.sections:
            if s.school == school:
                cands |= eligible_teacher_ids(s, problem.teachers)
        if len(cands) < 2:
            continue
        loads = Counter(p.teacher for p in valid if sections[p.section].school == school)
        vals = [loads.get(t, 0) for t in cands]
        penal("teacher_load_balance", max(vals) - min(vals), (school,),
              f"{school} 老师课时不均（{min(vals)}–{max(vals)}）",
              f"{school} teacher loads range {min(vals)}–{max(vals)}")  # fmt: skip

    # Club band spread and curriculum compactness, per group.
    weekdays_by_school: dict[str, set[int]] = defaultdict(set)
    for sl in problem.slots:
        weekdays_by_school[sl.school].add(sl.weekday)
    for gid, ps in by_group.items():
        if gid.startswith(("section:", CLASH_ONLY)):
            continue
        clubs = [p for p in ps if sections[p.section].kind == "club"]
        if clubs:
            ndays = len(weekdays_by_school[sections[clubs[0].section].school]) or 1
            cap = math.ceil(len(clubs) / ndays)
            per_day = Counter(slots[p.slot].weekday for p in clubs)
            penal("club_band_spread", sum(max(0, n - cap) for n in per_day.values()), (gid,),
                  f"{gid} 的社团集中在少数几天", f"{gid}'s clubs bunch on a few days")  # fmt: skip
        cells = {(slots[p.slot].weekday, slots[p.slot].session) for p in ps}
        iso = sum(1 for d, k in cells if (d, k - 1) not in cells and (d, k + 1) not in cells)
        penal("isolated_lectures", iso, (gid,), f"{gid} 有孤立的课", f"{gid} has isolated meetings")

    # Minimal change against the previous timetable.
    if problem.previous is not None:
        now = {(p.section, p.slot, p.room, p.teacher) for p in valid}
        lost = [
            q
            for q in problem.previous.placements
            if q.section in sections and (q.section, q.slot, q.room, q.teacher) not in now
        ]
        for q in lost:
            penal("minimal_change", 1, (q.section, q.slot),
                  f"{_name(q.section, names)} 在 {q.slot} 的安排被改动",
                  f"{_name(q.section, names)} in {q.slot} was changed")  # fmt: skip

    hard_by_rule: dict[str, int] = {r: 0 for r in RULES if RULES[r].kind == "hard"}
    for v in out:
        if RULES[v.rule_id].kind == "hard":
            hard_by_rule[v.rule_id] += 1
    return CheckResult(tuple(out), dict(soft), hard_by_rule)


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
