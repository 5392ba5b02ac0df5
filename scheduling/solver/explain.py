"""Why a timetable cannot be made: which few requirements clash, in plain words.

Two steps. ``precheck`` counts obvious impossibilities without a solver (a teacher needed for more
meetings than they have slots, more kitchen meetings than kitchen-room-slots, a group with more
meetings than slots, no room large enough). If none is found and the model is infeasible, a
separate single-worker CP-SAT solve with one assumption literal per requirement group returns
``sufficient_assumptions_for_infeasibility()``; the set is shrunk while time allows, then phrased
for a coordinator in Chinese and English.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from .domain import Problem, Violation, eligible_teacher_ids


@dataclass(frozen=True)
class Explanation:
    """The verdict and the clashing requirements (empty when the problem is feasible)."""

    status: Literal["feasible", "infeasible", "unknown"]
    source: Literal["precheck", "core", "none"]
    clashes: tuple[Violation, ...]


def _names(problem: Problem) -> tuple[dict[str, str], dict[str, str]]:
    tn = {t.id: t.name or t.id for t in problem.teachers}
    sn = {s.id: s.name or s.id for s in problem.sections}
    return tn, sn


def precheck(problem: Problem) -> list[Violation]:
    """Counting impossibilities, cheapest first; each names its requirement in both languages."""
    out: list[Violation] = []
    tn, sn = _names(problem)
    slots_at: dict[str, list[str]] = defaultdict(list)
    for sl in problem.slots:
        slots_at[sl.school].append(sl.id)
    teachers = {t.id: t for t in problem.teachers}

    # A section nobody may teach, or with no room that fits it.
    for s in problem.sections:
        elig = eligible_teacher_ids(s, problem.teachers) & teachers.keys()
        if not elig:
            out.append(Violation("teacher_not_qualified", (s.id,),
                                 f"没有老师有资格教 {sn[s.id]}",
                                 f"no teacher is qualified for {sn[s.id]}"))  # fmt: skip
        rooms = [r for r in problem.rooms if r.school == s.school and s.features <= r.features]
        feat_zh = "、".join(sorted(s.features))
        feat_en = ", ".join(sorted(s.features))
        if not rooms:
            out.append(Violation("room_lacks_feature", (s.id,),
                                 f"{s.school} 没有{feat_zh}教室，{sn[s.id]} 需要",
                                 f"{s.school} has no room with {feat_en}, needed by "
                                 f"{sn[s.id]}"))  # fmt: skip
        elif max(r.capacity for r in rooms) < s.expected_size:
            best = max(r.capacity for r in rooms)
            out.append(Violation("room_too_small", (s.id,),
                                 f"{sn[s.id]} 有 {s.expected_size} 人，但最大的合适教室只有 "
                                 f"{best} 个座位",
                                 f"{sn[s.id]} has {s.expected_size} pupils but the largest "
                                 f"suitable room seats {best}"))  # fmt: skip
        if s.meetings_per_week > len(slots_at[s.school]):
            out.append(Violation("unplaced", (s.id,),
                                 f"{sn[s.id]} 每周 {s.meetings_per_week} 次课，但只有 "
                                 f"{len(slots_at[s.school])} 个时段",
                                 f"{sn[s.id]} needs {s.meetings_per_week} meetings but there "
                                 f"are {len(slots_at[s.school])} slots"))  # fmt: skip

    # A teacher who is the only possible teacher of more meetings than they can give.
    need: dict[str, int] = defaultdict(int)
    need_slots: dict[str, set[str]] = defaultdict(set)
    for s in problem.sections:
        elig = eligible_teacher_ids(s, problem.teachers) & teachers.keys()
        pinned = {p.teacher for p in problem.pins if p.section == s.id and p.teacher}
        only = pinned if len(pinned) == 1 else (elig if len(elig) == 1 else set())
        for k in only:
            need[k] += s.meetings_per_week
            need_slots[k].update(slots_at[s.school])
    for k, n in need.items():
        t = teachers.get(k)
        if t is None:
            continue
        free = len(need_slots[k] - t.unavailable)
        if n > free:
            out.append(Violation("teacher_unavailable", (k,),
                                 f"{tn[k]} 需要上 {n} 节课，但只有 {free} 个时段可用",
                                 f"{tn[k]} is needed for {n} meetings but is available in "
                                 f"{free} slots"))  # fmt: skip
        if n > t.max_periods_week:
            out.append(Violation("teacher_over_load", (k,),
                                 f"{tn[k]} 需要上 {n} 节课，但每周最多上 {t.max_periods_week} 节",
                                 f"{tn[k]} is needed for {n} meetings but may teach at most "
                                 f"{t.max_periods_week} a week"))  # fmt: skip

    # Equipment: meetings needing a feature versus (rooms with it) × slots, per school.
    for school in sorted({s.school for s in problem.sections}):
        feats = {f for s in problem.sections if s.school == school for f in s.features}
        for f in sorted(feats):
            m = sum(s.meetings_per_week for s in problem.sections
                    if s.school == school and f in s.features)  # fmt: skip
            n_rooms = sum(1 for r in problem.rooms if r.school == school and f in r.features)
            cap = n_rooms * len(slots_at[school])
            if n_rooms and m > cap:
                out.append(Violation("room_double_booked", (school, f),
                                     f"{school} 需要{f}教室的课共 {m} 节，但{f}教室只有 {cap} "
                                     "个教室时段",
                                     f"{school}: {m} meetings need a {f} room but there are only "
                                     f"{cap} {f}-room slots"))  # fmt: skip

    # More meetings at a school than room-slots.
    for school in sorted({s.school for s in problem.sections}):
        m = sum(s.meetings_per_week for s in problem.sections if s.school == school)
        cap = sum(1 for r in problem.rooms if r.school == school) * len(slots_at[school])
        if m > cap:
            out.append(
                Violation(
                    "room_double_booked",
                    (school,),
                    f"{school} 共需 {m} 节课，但只有 {cap} 个教室时段",
                    f"{school} needs {m} meetings but has only {cap} room-slots",
                )
            )

    # A group with more meetings than slots.
    group_meetings: dict[str, int] = defaultdict(int)
    group_school: dict[str, str] = {}
    for s in problem.sections:
        for g in s.groups:
            group_meetings[g] += s.meetings_per_week
            group_school[g] = s.school
    for g, m in group_meetings.items():
        n = len(slots_at[group_school[g]])
        if m > n:
            out.append(
                Violation(
                    "group_clash",
                    (g,),
                    f"{g} 的学生需要上 {m} 节课，但只有 {n} 个时段",
                    f"{g} needs {m} meetings but there are only {n} slots",
                )
            )
    return out


def _phrase(problem: Problem, rule: str, subjects: tuple[str, ...]) -> Violation:
    """One requirement group of the model, said for a coordinator."""
    tn, sn = _names(problem)
    teachers = {t.id: t for t in problem.teachers}
    sections = {s.id: s for s in problem.sections}
    a = subjects[0] if subjects else ""
    if rule == "unplaced":
        n = sections[a].meetings_per_week
        zh, en = f"{sn[a]} 每周要上 {n} 次课", f"{sn[a]} needs {n} meetings a week"
    elif rule == "teacher_unavailable":
        slots = sorted(teachers[a].unavailable)
        zh = f"{tn[a]} 在 {'、'.join(slots)} 不可用"
        en = f"{tn[a]} is unavailable in {', '.join(slots)}"
    elif rule == "teacher_double_booked":
        zh, en = f"{tn[a]} 同一时间只能上一节课", f"{tn[a]} teaches one meeting at a time"
    elif rule == "teacher_over_load":
        mx = teachers[a].max_periods_week
        zh, en = f"{tn[a]} 每周最多上 {mx} 节课", f"{tn[a]} teaches at most {mx} meetings a week"
    elif rule == "partner_travel":
        zh = f"{tn[a]} 在两所学校之间需要路程时间"
        en = f"{tn[a]} needs travel time between schools"
    elif rule == "group_clash":
        zh, en = f"{a} 的学生同一时间只能上一节课", f"{a} attends one meeting at a time"
    elif rule == "room_double_booked":
        zh, en = f"教室 {a} 同一时间只能安排一节课", f"room {a} holds one meeting at a time"
    elif rule == "room_too_small":
        n = sections[a].expected_size
        zh = f"{sn[a]} 需要至少 {n} 个座位的教室"
        en = f"{sn[a]} needs a room with at least {n} seats"
    elif rule == "room_lacks_feature":
        f = sorted(sections[a].features)
        zh, en = f"{sn[a]} 需要有{'、'.join(f)}的教室", f"{sn[a]} needs a room with {', '.join(f)}"
    elif rule == "teacher_not_qualified":
        b = subjects[1]
        zh, en = f"{tn[a]} 没有资格教 {sn[b]}", f"{tn[a]} is not qualified for {sn[b]}"
    elif rule == "pinned":
        pin = problem.pins[int(subjects[2])]
        what = [x for x in (pin.slot, pin.room, pin.teacher and tn.get(pin.teacher)) if x]
        zh = f"{sn[a]} 第 {pin.meeting + 1} 次课被固定在 {' / '.join(what)}"
        en = f"{sn[a]} meeting {pin.meeting + 1} is pinned to {' / '.join(what)}"
    else:
        zh = en = f"{rule}: {', '.join(subjects)}"
    return Violation(rule, subjects, zh, en)


def explain(problem: Problem, *, time_limit: float = 10.0, seed: int = 0) -> Explanation:
    """Name the few requirements that cannot hold together, or say the problem is feasible."""
    found = precheck(problem)
    if found:
        return Explanation("infeasible", "precheck", tuple(found))
    from ortools.sat.python import cp_model

    from .model import build

    t0 = time.monotonic()
    mdl = build(problem, explain=True)
    mdl.cp.clear_objective()
    keys = list(mdl.lits)
    lits = [mdl.lits[k] for k in keys]

    def run(active: list[int], limit: float) -> tuple[int, list[int]]:
        m = mdl.cp.clone()
        m.clear_assumptions()
        m.add_assumptions([lits[j] for j in active])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1  # required for sufficient_assumptions_…
        solver.parameters.max_time_in_seconds = max(0.05, limit)
        solver.parameters.random_seed = seed
        st = solver.solve(m)
        core = []
        if st == cp_model.INFEASIBLE:
            pos = {lits[j].index: j for j in active}
            core = [pos[v] for v in solver.sufficient_assumptions_for_infeasibility() if v in pos]
        return st, core

    st, core = run(list(range(len(lits))), time_limit)
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Explanation("feasible", "none", ())
    if st != cp_model.INFEASIBLE:
        return Explanation("unknown", "none", ())
    # Shrink: drop a requirement when the rest is still infeasible (deletion filter).
    core = core or list(range(len(lits)))
    j = 0
    while j < len(core) and time.monotonic() - t0 < time_limit:
        trial = core[:j] + core[j + 1 :]
        st2, sub = run(trial, min(1.0, time_limit - (time.monotonic() - t0)))
        if st2 == cp_model.INFEASIBLE:
            core = [c for c in trial if c in set(sub)] if sub else trial
            j = min(j, len(core))
        else:
            j += 1
    # demands (unplaced) last: the interesting part is what blocks them
    order = sorted(core, key=lambda c: (keys[c][0] == "unplaced", keys[c]))
    return Explanation("infeasible", "core", tuple(_phrase(problem, *keys[c]) for c in order))
