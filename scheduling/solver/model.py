"""The CP-SAT model of an after-school timetable: one ``add_<rule>()`` per rule.

Variables (all created in :func:`build`):

* ``at[i, t]`` — section ``i`` meets in slot ``t`` (its meetings are interchangeable, so there is
  no meeting index and no symmetry between meetings); named ``"meets(s=12,t=3)"``.
* ``z[i, t, r]`` — section ``i`` meets in slot ``t`` in room ``r``; named ``"room(s=12,t=3,r=5)"``.
  Only rooms of the section's school; in normal mode only rooms that fit it (size, equipment).
* ``tk[i, k]`` — section ``i`` is taught by teacher ``k`` (one teacher for all its meetings);
  named ``"teaches(s=12,k=4)"``.
* ``w[i, t, k]`` — teacher ``k`` teaches section ``i`` in slot ``t`` (``at AND tk``; just ``at``
  when the section has a single candidate teacher); named ``"teaches_at(s=12,t=3,k=4)"``.

Indices are positions in ``problem.sections``, ``problem.slots``, ``problem.rooms`` and
``problem.teachers``. Meeting numbers are given after solving (``solve._placements``): pinned
meetings get their pinned slot, the others follow in slot order.

Hard rules are plain constraints, or, when the model is built for explanation, constraints
enforced by one assumption literal per requirement group (``Model.lits``), so that CP-SAT can
name a small set of requirements that cannot hold together.

ortools is imported inside functions: web processes import this module without paying for it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .domain import CLASH_ONLY, Problem, eligible_teacher_ids
from .rules import weight

Key = tuple[str, tuple[str, ...]]  # (rule id, subjects): one requirement group


@dataclass
class Model:
    """The CP-SAT model plus the variable dictionaries, keyed as documented above."""

    problem: Problem
    cp: Any
    explain: bool
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
        lit = self.lit(rule, *subjects)
        if lit is not None:
            ct.only_enforce_if(lit)

    def penalise(self, rule: str, expr: Any) -> None:
        w = weight(rule, self.problem.weights)
        if w:
            self.penalties.append((rule, w, expr))


def _pairs(problem: Problem, slots: list[int]) -> list[tuple[int, int, int]]:
    """Pairs of distinct slots on one weekday with their gap in minutes (negative = overlap)."""
    out = []
    for a_i, a in enumerate(slots):
        sa = problem.slots[a]
        for b in slots[a_i + 1 :]:
            g = sa.gap_to(problem.slots[b])
            if g is not None:
                out.append((a, b, g))
    return out


def _fits(problem: Problem, i: int, r: int) -> bool:
    s, room = problem.sections[i], problem.rooms[r]
    return room.capacity >= s.expected_size and s.features <= room.features


def build(
    problem: Problem,
    *,
    explain: bool = False,
    room_choices: int | None = None,
    teacher_choices: int | None = None,
    own_session: bool = False,
    session_hint: bool = False,
) -> Model:
    """Create variables and post every rule; the objective is the weighted soft penalties.

    ``own_session`` offers a section with a ``session`` only the slots of that session (plus
    pinned slots): the quick first timetable then already keeps homework and clubs apart.
    ``session_hint`` only hints that (the first-solution search follows it where it can).

    ``room_choices`` keeps only that many best-fitting rooms per section (plus pinned and
    previous ones): far fewer variables and less room symmetry. ``teacher_choices`` does the same
    for big teacher pools (homework help that every teacher may give), rotating the shortlist
    from section to section so the load can still be balanced. Both can only lose solutions, so
    ``solve`` retries without them when the restricted model is infeasible.
    """
    from ortools.sat.python import cp_model

    mdl = Model(problem, cp_model.CpModel(), explain)
    p = problem
    mdl.index = {
        "section": {s.id: i for i, s in enumerate(p.sections)},
        "slot": {s.id: i for i, s in enumerate(p.slots)},
        "room": {r.id: i for i, r in enumerate(p.rooms)},
        "teacher": {k.id: i for i, k in enumerate(p.teachers)},
    }
    kidx = mdl.index["teacher"]
    pinned_rooms: dict[int, set[int]] = defaultdict(set)
    pinned_teachers: dict[int, set[int]] = defaultdict(set)
    for pin in p.pins:
        i = mdl.index["section"].get(pin.section)
        if i is not None and pin.teacher in kidx:
            pinned_teachers[i].add(kidx[pin.teacher])
        if i is not None and pin.room in mdl.index["room"]:
            pinned_rooms[i].add(mdl.index["room"][pin.room])
    previous_rooms: dict[int, set[int]] = defaultdict(set)
    previous_teachers: dict[int, set[int]] = defaultdict(set)
    for q in p.previous.placements if p.previous is not None else ():
        i = mdl.index["section"].get(q.section)
        if i is not None and q.room in mdl.index["room"]:
            previous_rooms[i].add(mdl.index["room"][q.room])
        if i is not None and q.teacher in kidx:
            previous_teachers[i].add(kidx[q.teacher])
    slots_by_school: dict[str, list[int]] = defaultdict(list)
    for t, sl in enumerate(p.slots):
        slots_by_school[sl.school].append(t)
    rooms_by_school: dict[str, list[int]] = defaultdict(list)
    for r, rm in enumerate(p.rooms):
        rooms_by_school[rm.school].append(r)
    pinned_slots: dict[int, set[int]] = defaultdict(set)
    for pin in p.pins:
        i = mdl.index["section"].get(pin.section)
        if i is not None and pin.slot in mdl.index["slot"]:
            pinned_slots[i].add(mdl.index["slot"][pin.slot])
    for i, s in enumerate(p.sections):
        mdl.slots_of[i] = slots_by_school[s.school]
        if own_session and s.session is not None:
            mdl.slots_of[i] = [t for t in mdl.slots_of[i] if p.slots[t].session == s.session or t in pinned_slots[i]]
        # Outside explain mode a room that cannot fit the section is simply not offered: that is
        # how room_too_small and room_lacks_feature hold (pinned rooms stay, so a bad pin is named)
        mdl.rooms_of[i] = [
            r for r in rooms_by_school[s.school]
            if explain or _fits(p, i, r) or r in pinned_rooms[i]
        ]  # fmt: skip
        if room_choices is not None and not explain and len(mdl.rooms_of[i]) > room_choices:
            keep = pinned_rooms[i] | previous_rooms[i]
            ranked = sorted(
                mdl.rooms_of[i],
                key=lambda r, s=s: (
                    len(p.rooms[r].features - s.features),  # keep kitchens for cooking
                    p.rooms[r].capacity - s.expected_size,  # then the snuggest fit
                    r,
                ),
            )
            keep |= set(ranked[:room_choices])
            mdl.rooms_of[i] = [r for r in mdl.rooms_of[i] if r in keep]
        elig = {kidx[k] for k in eligible_teacher_ids(s, p.teachers) if k in kidx}
        if teacher_choices is not None and not explain and len(elig) > teacher_choices:
            pool = sorted(elig)
            start = (i * teacher_choices) % len(pool)
            elig = set((pool + pool)[start : start + teacher_choices]) | previous_teachers[i]
        mdl.teachers_of[i] = sorted(elig | pinned_teachers[i])
        for t in mdl.slots_of[i]:
            mdl.at[i, t] = mdl.cp.new_bool_var(f"meets(s={i},t={t})")
            if session_hint and s.session is not None and p.slots[t].session != s.session:
                mdl.cp.add_hint(mdl.at[i, t], 0)
            zs = []
            for r in mdl.rooms_of[i]:
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

    for add in HARD_RULES + SOFT_RULES:
        add(mdl)
    if mdl.penalties:
        mdl.cp.minimize(sum(w * e for _, w, e in mdl.penalties))
    return mdl


# ---- hard rules ----------------------------------------------------------------------------


def add_unplaced(mdl: Model) -> None:
    """Every weekly meeting of every section is placed, with one teacher."""
    for i, s in enumerate(mdl.problem.sections):
        mdl.require(mdl.cp.add(sum(mdl.at[i, t] for t in mdl.slots_of[i]) == s.meetings_per_week),
                    "unplaced", s.id)  # fmt: skip
        mdl.require(mdl.cp.add(sum(mdl.tk[i, k] for k in mdl.teachers_of[i]) == 1),
                    "unplaced", s.id)  # fmt: skip


def _busy(mdl: Model) -> dict[tuple[int, int], list[Any]]:
    """``busy[k, t]``: the ``w`` terms of teacher k in slot t."""
    out: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for (_, t, k), v in mdl.w.items():
        out[k, t].append(v)
    return out


def _slots_by_teacher(busy: dict[tuple[int, int], list[Any]]) -> dict[int, list[int]]:
    by_k: dict[int, list[int]] = defaultdict(list)
    for k, t in busy:
        by_k[k].append(t)
    return by_k


def add_teacher_double_booked(mdl: Model) -> None:
    """A teacher teaches at most one meeting at a time (also across schools)."""
    p = mdl.problem
    busy = _busy(mdl)
    for k, ts in _slots_by_teacher(busy).items():
        kid = p.teachers[k].id
        for t in ts:
            if len(busy[k, t]) > 1:
                mdl.require(mdl.cp.add(sum(busy[k, t]) <= 1), "teacher_double_booked", kid)
        for a, b, g in _pairs(p, sorted(ts)):
            if g < 0:
                mdl.require(mdl.cp.add(sum(busy[k, a]) + sum(busy[k, b]) <= 1),
                            "teacher_double_booked", kid)  # fmt: skip


def add_partner_travel(mdl: Model) -> None:
    """A teacher serving several schools has time to travel between two meetings."""
    p = mdl.problem
    busy = _busy(mdl)
    for k, ts in _slots_by_teacher(busy).items():
        if len({p.slots[t].school for t in ts}) < 2:
            continue
        for a, b, g in _pairs(p, sorted(ts)):
            sa, sb = p.slots[a].school, p.slots[b].school
            if sa != sb and 0 <= g < p.travel(sa, sb):
                mdl.require(mdl.cp.add(sum(busy[k, a]) + sum(busy[k, b]) <= 1),
                            "partner_travel", p.teachers[k].id)  # fmt: skip


def add_room_double_booked(mdl: Model) -> None:
    """A room holds at most one meeting at a time."""
    p = mdl.problem
    at: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for (_, t, r), v in mdl.z.items():
        at[t, r].append(v)
    for (_t, r), vs in at.items():
        if len(vs) > 1:
            mdl.require(mdl.cp.add(sum(vs) <= 1), "room_double_booked", p.rooms[r].id)
    rooms_slots: dict[int, set[int]] = defaultdict(set)
    for t, r in at:
        rooms_slots[r].add(t)
    for r, ts in rooms_slots.items():
        for a, b, g in _pairs(p, sorted(ts)):
            if g < 0:
                mdl.require(mdl.cp.add(sum(at[a, r]) + sum(at[b, r]) <= 1),
                            "room_double_booked", p.rooms[r].id)  # fmt: skip


def _members(mdl: Model, kind: str | None = None, clash_only: bool = True) -> dict[str, list[int]]:
    """Sections per group (optionally one kind; optionally without clash-only groups)."""
    out: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(mdl.problem.sections):
        if kind is None or s.kind == kind:
            for g in s.groups:
                if clash_only or not g.startswith(CLASH_ONLY):
                    out[g].append(i)
    return out


def add_group_clash(mdl: Model) -> None:
    """A class, a grade's club band or pupils enrolled together attend one meeting at a time."""
    p = mdl.problem
    for g, secs in _members(mdl).items():
        at: dict[int, list[Any]] = defaultdict(list)
        for i in secs:
            for t in mdl.slots_of[i]:
                at[t].append(mdl.at[i, t])
        for vs in at.values():
            if len(vs) > 1:
                mdl.require(mdl.cp.add(sum(vs) <= 1), "group_clash", g)
        for a, b, gap in _pairs(p, sorted(at)):
            if gap < 0:
                mdl.require(mdl.cp.add(sum(at[a]) + sum(at[b]) <= 1), "group_clash", g)


def add_room_too_small(mdl: Model) -> None:
    """A room seats at least the section's expected pupils."""
    p = mdl.problem
    for (i, _t, r), v in mdl.z.items():
        if p.rooms[r].capacity < p.sections[i].expected_size:
            mdl.require(mdl.cp.add(v == 0), "room_too_small", p.sections[i].id)


def add_room_lacks_feature(mdl: Model) -> None:
    """A room has the equipment the course needs (kitchen, lab, …)."""
    p = mdl.problem
    for (i, _t, r), v in mdl.z.items():
        if not p.sections[i].features <= p.rooms[r].features:
            mdl.require(mdl.cp.add(v == 0), "room_lacks_feature", p.sections[i].id)


def add_teacher_unavailable(mdl: Model) -> None:
    """A teacher is never placed in a slot they are unavailable."""
    p = mdl.problem
    for (i, t, k), v in mdl.w.items():
        if p.slots[t].id in p.teachers[k].unavailable:
            mdl.require(mdl.cp.add(mdl.at[i, t] + mdl.tk[i, k] <= 1), "teacher_unavailable",
                        p.teachers[k].id)  # fmt: skip
            del v


def add_teacher_not_qualified(mdl: Model) -> None:
    """Only a qualified teacher teaches a section."""
    p = mdl.problem
    for (i, k), v in mdl.tk.items():
        s = p.sections[i]
        if p.teachers[k].id not in eligible_teacher_ids(s, p.teachers):
            mdl.require(mdl.cp.add(v == 0), "teacher_not_qualified", p.teachers[k].id, s.id)


def add_teacher_over_load(mdl: Model) -> None:
    """A teacher never exceeds their weekly maximum of meetings."""
    p = mdl.problem
    load: dict[int, list[Any]] = defaultdict(list)
    for (i, k), v in mdl.tk.items():
        load[k].append(p.sections[i].meetings_per_week * v)
    for k, terms in load.items():
        mdl.require(mdl.cp.add(sum(terms) <= p.teachers[k].max_periods_week),
                    "teacher_over_load", p.teachers[k].id)  # fmt: skip


def add_pinned(mdl: Model) -> None:
    """What the coordinator pinned (slot, room, teacher) stays as pinned."""
    p = mdl.problem
    ix = mdl.index
    room_only: dict[tuple[int, int], int] = defaultdict(int)
    for n, pin in enumerate(p.pins):
        i = ix["section"].get(pin.section)
        if i is None or pin.meeting >= p.sections[i].meetings_per_week:
            continue
        subj = (pin.section, str(pin.meeting), str(n))
        zero = mdl.cp.new_constant(0)
        t = ix["slot"].get(pin.slot) if pin.slot is not None else None
        r = ix["room"].get(pin.room) if pin.room is not None else None
        if pin.slot is not None:
            mdl.require(mdl.cp.add(mdl.at.get((i, t), zero) == 1), "pinned", *subj)
            if pin.room is not None:
                mdl.require(mdl.cp.add(mdl.z.get((i, t, r), zero) == 1), "pinned", *subj)
        elif pin.room is not None:
            room_only[i, r if r is not None else -1] += 1
            # another meeting than those pinned to a slot
            taken = {ix["slot"].get(q.slot) for q in p.pins
                     if q.section == pin.section and q.slot is not None}  # fmt: skip
            e = sum(mdl.z.get((i, tt, r), zero) for tt in mdl.slots_of[i] if tt not in taken)
            mdl.require(mdl.cp.add(e >= room_only[i, r if r is not None else -1]),
                        "pinned", *subj)  # fmt: skip
        if pin.teacher is not None:
            k = ix["teacher"].get(pin.teacher)
            mdl.require(mdl.cp.add(mdl.tk.get((i, k), zero) == 1), "pinned", *subj)


HARD_RULES = [
    add_unplaced, add_teacher_double_booked, add_partner_travel, add_room_double_booked,
    add_group_clash, add_room_too_small, add_room_lacks_feature, add_teacher_unavailable,
    add_teacher_not_qualified, add_teacher_over_load, add_pinned,
]  # fmt: skip


# ---- soft rules ----------------------------------------------------------------------------


def add_teacher_load_balance(mdl: Model) -> None:
    """After-school hours are spread fairly over a school's teachers (max minus min load).

    The loads are those of every teacher who could teach at the school (as the checker counts
    them), also teachers left off every shortlist (load 0). The spread is a variable bounded
    below by ``ceil(total / n) - floor(total / n)``, so the objective bound starts on the
    checker's scale instead of at ``-total``.
    """
    p = mdl.problem
    if not weight("teacher_load_balance", p.weights):
        return
    kidx = mdl.index["teacher"]
    by_school: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(p.sections):
        by_school[s.school].append(i)
    for school, secs in by_school.items():
        ids: set[str] = set()
        for i in secs:
            ids |= eligible_teacher_ids(p.sections[i], p.teachers)
        if len(ids) < 2:  # the checker's condition, on the same set of teachers
            continue
        cands = {kidx[k] for k in ids if k in kidx}
        load: dict[int, list[Any]] = {k: [] for k in sorted(cands)}
        for i in secs:
            for k in mdl.teachers_of[i]:
                if k in load:
                    load[k].append(p.sections[i].meetings_per_week * mdl.tk[i, k])
        top = sum(p.sections[i].meetings_per_week for i in secs)
        n = len(ids)
        # every meeting of the school goes to one of these teachers (or to an unqualified pinned
        # one, a hard violation): the maximum is at least the mean and the minimum at most it
        mean_hi, mean_lo = -(-top // n), top // n
        loads = []
        for k, terms in load.items():
            v = mdl.cp.new_int_var(0, min(top, sum(p.sections[i].meetings_per_week for i in secs
                                                   if k in mdl.teachers_of[i])),
                                   f"load(school={school},k={k})")  # fmt: skip
            mdl.cp.add(v == sum(terms))
            loads.append(v)
        if len(cands) < len(ids):  # an eligible id that is not in the problem: load 0, as checked
            loads.append(mdl.cp.new_constant(0))
        # exactly the largest and the smallest load, so every solution's objective is its cost
        hi = mdl.cp.new_int_var(0, top, f"load_max(school={school})")
        lo = mdl.cp.new_int_var(0, top, f"load_min(school={school})")
        mdl.cp.add_max_equality(hi, loads)
        mdl.cp.add_min_equality(lo, loads)
        if not mdl.explain:  # qualified teachers only: every meeting is counted here
            mdl.cp.add(hi >= mean_hi)
            mdl.cp.add(lo <= mean_lo)
        spread = mdl.cp.new_int_var(0, top, f"load_spread(school={school})")
        mdl.cp.add(spread == hi - lo)
        mdl.penalise("teacher_load_balance", spread)


def _by_day(mdl: Model, i: int) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for t in mdl.slots_of[i]:
        out[mdl.problem.slots[t].weekday].append(mdl.at[i, t])
    return out


def add_meetings_spread(mdl: Model) -> None:
    """A section's meetings fall on different days (one unit per extra meeting on a day)."""
    p = mdl.problem
    if not weight("meetings_spread", p.weights):
        return
    for i, s in enumerate(p.sections):
        if s.meetings_per_week < 2:
            continue
        for d, terms in _by_day(mdl, i).items():
            if len(terms) < 2:
                continue
            extra = mdl.cp.new_int_var(0, len(terms), f"same_day_extra(s={i},d={d})")
            mdl.cp.add_max_equality(extra, [sum(terms) - 1, 0])
            mdl.penalise("meetings_spread", extra)


def add_club_band_spread(mdl: Model) -> None:
    """A grade's clubs are spread over the week so a pupil can take several."""
    p = mdl.problem
    if not weight("club_band_spread", p.weights):
        return
    for g, secs in _members(mdl, "club", clash_only=False).items():
        school = p.sections[secs[0]].school
        ndays = len({sl.weekday for sl in p.slots if sl.school == school}) or 1
        total = sum(p.sections[i].meetings_per_week for i in secs)
        cap = math.ceil(total / ndays)
        days: dict[int, list[Any]] = defaultdict(list)
        for i in secs:
            for d, terms in _by_day(mdl, i).items():
                days[d].extend(terms)
        for d, terms in days.items():
            if len(terms) > cap:
                over = mdl.cp.new_int_var(0, len(terms), f"club_band_over(g={g},d={d})")
                mdl.cp.add_max_equality(over, [sum(terms) - cap, 0])
                mdl.penalise("club_band_spread", over)


def add_teacher_preference(mdl: Model) -> None:
    """Teachers get the slots they prefer and avoid the ones they dislike."""
    p = mdl.problem
    if not weight("teacher_preference", p.weights):
        return
    for (_i, t, k), v in mdl.w.items():
        tch, sid = p.teachers[k], p.slots[t].id
        units = int(sid in tch.avoid) + int(bool(tch.preferred) and sid not in tch.preferred)
        if units:
            mdl.penalise("teacher_preference", units * v)


def add_room_stability(mdl: Model) -> None:
    """A section keeps the same room all week (one unit per extra room)."""
    p = mdl.problem
    if not weight("room_stability", p.weights):
        return
    for i, s in enumerate(p.sections):
        if s.meetings_per_week < 2:
            continue
        uses = []
        for r in mdl.rooms_of[i]:
            u = mdl.cp.new_bool_var(f"uses_room(s={i},r={r})")
            zs = [mdl.z[i, t, r] for t in mdl.slots_of[i]]
            for v in zs:
                mdl.cp.add_implication(v, u)
            mdl.cp.add_bool_or([*zs, ~u])  # used exactly when some meeting is there
            uses.append(u)
        # a non-negative variable, not ``sum(uses) - 1``: CP-SAT's bound then never counts the
        # constant -1 per section (which made the reported bound negative)
        extra = mdl.cp.new_int_var(0, max(0, len(uses) - 1), f"extra_rooms(s={i})")
        mdl.cp.add_max_equality(extra, [sum(uses) - 1, 0])
        mdl.penalise("room_stability", extra)


def add_minimal_change(mdl: Model) -> None:
    """A re-planned timetable keeps as much of the previous one as possible."""
    p = mdl.problem
    if p.previous is None or not weight("minimal_change", p.weights):
        return
    ix = mdl.index
    for n, q in enumerate(p.previous.placements):
        i = ix["section"].get(q.section)
        if i is None:
            continue
        t, r, k = ix["slot"].get(q.slot), ix["room"].get(q.room), ix["teacher"].get(q.teacher)
        if (i, t, r) not in mdl.z or (i, k) not in mdl.tk:
            mdl.penalise("minimal_change", 1)
            continue
        kept = mdl.cp.new_bool_var(f"kept_previous(n={n},s={i},t={t},r={r},k={k})")
        mdl.cp.add_implication(kept, mdl.z[i, t, r])
        mdl.cp.add_implication(kept, mdl.tk[i, k])
        mdl.cp.add_bool_or([kept, ~mdl.z[i, t, r], ~mdl.tk[i, k]])
        mdl.penalise("minimal_change", 1 - kept)


def add_min_working_days(mdl: Model) -> None:
    """A course is spread over at least its minimum number of days (ITC-2007)."""
    p = mdl.problem
    if not weight("min_working_days", p.weights):
        return
    for i, s in enumerate(p.sections):
        if not s.min_days:
            continue
        used = []
        for d, terms in _by_day(mdl, i).items():
            u = mdl.cp.new_bool_var(f"day_used(s={i},d={d})")
            mdl.cp.add_max_equality(u, terms)
            used.append(u)
        short = mdl.cp.new_int_var(0, s.min_days, f"days_short(s={i})")
        mdl.cp.add_max_equality(short, [s.min_days - sum(used), 0])
        mdl.penalise("min_working_days", short)


def add_session_by_kind(mdl: Model) -> None:
    """Each meeting outside its section's session costs one (homework in session 1, clubs in 2)."""
    p = mdl.problem
    if not weight("session_by_kind", p.weights):
        return
    for i, s in enumerate(p.sections):
        if s.session is None:
            continue
        for t in mdl.slots_of[i]:
            if p.slots[t].session != s.session:
                mdl.penalise("session_by_kind", mdl.at[i, t])


def add_room_capacity(mdl: Model) -> None:
    """Each pupil beyond a room's seats costs one (ITC-2007; off unless weighted)."""
    p = mdl.problem
    if not weight("room_capacity", p.weights):
        return
    for (i, _t, r), v in mdl.z.items():
        over = p.sections[i].expected_size - p.rooms[r].capacity
        if over > 0:
            mdl.penalise("room_capacity", over * v)


def add_isolated_lectures(mdl: Model) -> None:
    """A group's meetings are adjacent within a day, none isolated (ITC-2007; off by default)."""
    p = mdl.problem
    if not weight("isolated_lectures", p.weights):
        return
    for g, secs in _members(mdl, clash_only=False).items():
        occ: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for i in secs:
            for t in mdl.slots_of[i]:
                occ[p.slots[t].weekday, p.slots[t].session].append(mdl.at[i, t])
        for (d, k), terms in occ.items():
            e = sum(terms)
            for nb in ((d, k - 1), (d, k + 1)):
                if nb in occ:
                    e = e - sum(occ[nb])
            iso = mdl.cp.new_int_var(0, len(terms), f"isolated(g={g},d={d},k={k})")
            # a group meets at most once per cell (group_clash), so max(0, e) is 0 or 1 and
            # equals the checker's "isolated" for that cell (an integer, so that an explanation
            # that drops group_clash is not made infeasible here)
            mdl.cp.add_max_equality(iso, [e, 0])
            mdl.penalise("isolated_lectures", iso)


SOFT_RULES = [
    add_teacher_load_balance, add_meetings_spread, add_club_band_spread, add_teacher_preference,
    add_room_stability, add_minimal_change, add_min_working_days, add_session_by_kind, add_room_capacity,
    add_isolated_lectures,
]  # fmt: skip
