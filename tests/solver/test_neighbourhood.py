"""What a large-neighbourhood search needs from the rules: score a move by the part it touches, and
a model of a neighbourhood with everything outside it held where it is."""

from __future__ import annotations

import random
from dataclasses import replace

from scheduling.solver.check import check, touched
from scheduling.solver.domain import Pin, Placement, Problem, Solution
from scheduling.solver.model import build
from scheduling.solver.rules import RULES, SOFT
from scheduling.solver.solve import _add_hint, _placements, solve
from scheduling.solver.synth import synthetic_school

from .conftest import problem, room, section, slots, teacher


def _school_with_every_rule(seed: int) -> Problem:
    base = synthetic_school(seed, n_sections=16, n_teachers=8, n_rooms=10)
    rng = random.Random(seed)
    secs = tuple(
        replace(s, min_days=s.meetings_per_week, session=0 if s.kind == "homework" else 1,
                home_room=rng.choice(base.rooms).id if s.kind == "homework" else None)
        for s in base.sections
    )  # fmt: skip
    pins = tuple(Pin(s.id, 0, slot=rng.choice(base.slots).id) for s in rng.sample(secs, 2))
    teachers = tuple(replace(t, avoid=frozenset(rng.sample([s.id for s in base.slots], 2))) for t in base.teachers)
    p = replace(base, sections=secs, teachers=teachers, pins=pins, weights=dict.fromkeys(SOFT, 1))
    return replace(p, previous=Solution(tuple(_random_timetable(p, rng)), "feasible"))


def _random_meeting(p: Problem, sid: str, m: int, rng: random.Random) -> Placement:
    room = rng.choice(p.rooms).id if rng.random() < 0.97 else "nowhere"  # now and then invalid
    return Placement(sid, m, rng.choice(p.slots).id, room, rng.choice(p.teachers).id)


def _random_timetable(p: Problem, rng: random.Random) -> list[Placement]:
    return [_random_meeting(p, s.id, m, rng) for s in p.sections for m in range(s.meetings_per_week)]


def test_scoring_the_touched_part_gives_the_change_of_the_whole_timetable():
    for seed in (0, 1):
        p = _school_with_every_rule(seed)
        rng = random.Random(seed)
        now = _random_timetable(p, rng)
        seen_rules: set[str] = set()
        for _ in range(40):
            # move a few meetings (of one or several sections), sometimes drop or add one
            out = rng.sample(range(len(now)), rng.randint(1, 4))
            old_part = [now[j] for j in out]
            new_part = [_random_meeting(p, q.section, q.meeting, rng) for q in old_part]
            if rng.random() < 0.2:
                new_part.pop()
            if rng.random() < 0.2:
                new_part.append(_random_meeting(p, old_part[0].section, 7, rng))
            new = [q for j, q in enumerate(now) if j not in out] + new_part
            t = touched(p, old_part + new_part)
            before, after = check(p, now), check(p, new)
            part_before, part_after = check(p, now, only=t), check(p, new, only=t)
            assert after.cost - before.cost == part_after.cost - part_before.cost
            assert after.hard - before.hard == part_after.hard - part_before.hard
            for r in RULES:
                full = after.cost_by_rule.get(r, 0) - before.cost_by_rule.get(r, 0)
                part = part_after.cost_by_rule.get(r, 0) - part_before.cost_by_rule.get(r, 0)
                assert full == part, r
                full = after.hard_by_rule.get(r, 0) - before.hard_by_rule.get(r, 0)
                part = part_after.hard_by_rule.get(r, 0) - part_before.hard_by_rule.get(r, 0)
                assert full == part, r
            assert len(part_after.violations) <= len(after.violations)
            seen_rules |= {v.rule_id for v in after.violations}
            now = new
        assert seen_rules == set(RULES) - {"partner_travel"}  # one school: nobody travels


def test_a_neighbourhood_model_keeps_the_rest_and_is_never_worse():
    from ortools.sat.python import cp_model

    p = synthetic_school(1)
    first = solve(p, time_limit=10, seed=0, stop_after_first_solution=True)
    assert first.placements and first.hard_violations == 0
    free = {s.id for s in random.Random(0).sample(p.sections, 5)}
    fixed = [q for q in first.placements if q.section not in free]
    mdl = build(p, fixed=fixed)
    for i, s in enumerate(p.sections):
        if s.id not in free:  # held: constants, nothing to search
            assert len(mdl.slots_of[i]) == s.meetings_per_week and len(mdl.teachers_of[i]) == 1
    _add_hint(mdl, p, first.placements)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    assert solver.solve(mdl.cp) == cp_model.OPTIMAL
    got = _placements(mdl, solver.value)
    res = check(p, got)
    assert res.hard == 0 and res.cost <= first.cost and solver.objective_value == res.cost

    def key(ps: list[Placement] | tuple[Placement, ...]) -> set[tuple[str, str, str, str]]:
        return {(q.section, q.slot, q.room, q.teacher) for q in ps if q.section not in free}

    assert key(got) == key(first.placements)


def test_part_of_a_section_can_be_held():
    from ortools.sat.python import cp_model

    p = problem(slots(days=3), [room("R1"), room("R2")], [teacher("w"), teacher("l")], [section("a", n=2)],
                weights={"room_stability": 1})  # fmt: skip
    mdl = build(p, fixed=[Placement("a", 0, "A10", "R2", "l")])
    assert len(mdl.slots_of[0]) == 3  # the other meeting is free
    solver = cp_model.CpSolver()
    assert solver.solve(mdl.cp) == cp_model.OPTIMAL
    got = _placements(mdl, solver.value)
    assert {(q.slot, q.room, q.teacher) for q in got} >= {("A10", "R2", "l")}
    assert {q.room for q in got} == {"R2"} and {q.teacher for q in got} == {"l"}
    assert check(p, got).hard == 0
