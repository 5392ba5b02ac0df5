"""The period-first construction and the large-neighbourhood search of the one engine (``lns.py``),
on the product's ``Problem``: a school's rules and ITC-2007's alike. Pure and fast (small limits)."""

from __future__ import annotations

import random
from dataclasses import replace

from scheduling.solver.check import check
from scheduling.solver.ctt import parse_ctt, read_ctt, to_problem
from scheduling.solver.domain import Placement
from scheduling.solver.lns import KINDS, _delta, _neighbourhood, _pick, _Shape, improve, repair, slots_first
from scheduling.solver.model import build
from scheduling.solver.rules import SOFT
from scheduling.solver.solve import LNS_MIN_SLOTS, _wants_lns, solve
from scheduling.solver.synth import synthetic_school

from .conftest import problem, room, section, slots, teacher
from .test_ctt import TINY


def _solve_model(mdl, limit: float = 5.0):
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = 1
    return solver.solve(mdl.cp), solver


def test_slot_model_counts_rooms_instead_of_choosing_them():
    """Three sections, one slot a day, two rooms: the slot model has no room variables, and never
    puts three meetings in one slot."""
    p = problem(slots(days=2), [room("R1"), room("R2")], [teacher("a"), teacher("b"), teacher("c")],
                [section("x", n=1, eligible_teachers=frozenset({"a"})),
                 section("y", n=1, eligible_teachers=frozenset({"b"})),
                 section("z", n=2, eligible_teachers=frozenset({"c"}))])  # fmt: skip
    mdl = build(p, slots_only=True)
    assert mdl.slots_only and not mdl.z and mdl.at
    crowd = [mdl.at[i, 0] for i in range(3)]
    mdl.cp.add(sum(crowd) == 3)
    st, _ = _solve_model(mdl)
    from ortools.sat.python import cp_model

    assert st == cp_model.INFEASIBLE


def test_only_slots_and_busy_rooms_narrow_the_model():
    p = problem(slots(days=3), [room("R1"), room("R2")], [teacher("w")], [section("a", n=1)])
    mdl = build(p, only_slots={"a": ["A10", "A20"]}, busy_rooms=[("A10", "R1")])
    ix = mdl.index
    assert sorted(p.slots[t].id for t in mdl.slots_of[0]) == ["A10", "A20"]
    assert (0, ix["slot"]["A10"], ix["room"]["R1"]) not in mdl.z
    assert (0, ix["slot"]["A10"], ix["room"]["R2"]) in mdl.z


def test_slots_first_on_tiny_is_complete_and_its_bound_is_a_lower_bound():
    prob = to_problem(parse_ctt(TINY))
    got = slots_first(prob, time_limit=3)
    assert got is not None
    placements, bound = got
    res = check(prob, placements)
    assert res.hard == 0 and all(q.room for q in placements)
    assert 0 <= bound <= res.cost == 10  # the optimum of TINY is 10 (see test_ctt)


def test_a_repair_holds_everything_outside_the_neighbourhood_and_is_never_worse(ctt_dir):
    prob = to_problem(read_ctt(ctt_dir / "comp01.ctt"))
    got = slots_first(prob, time_limit=3)
    assert got is not None
    start, _ = got
    shape, rng = _Shape(prob), random.Random(1)
    current = list(start)
    cost = check(prob, current).cost
    for _ in range(6):
        kind, freed, allowed = _neighbourhood(shape, current, 12, rng)
        out = repair(prob, current, freed, allowed, time_limit=2)
        assert out is not None, kind
        new, closed, _ = out
        held = {(q.section, q.slot, q.room, q.teacher) for q in current if (q.section, q.meeting) not in freed}
        assert held <= {(q.section, q.slot, q.room, q.teacher) for q in new}
        if allowed is not None:
            moved = {(q.section, q.slot) for q in new} - {(q.section, q.slot) for q in current}
            assert all(slot in allowed[sid] for sid, slot in moved)
        res = check(prob, new)
        assert res.hard == 0
        if closed:  # CP-SAT's optimum of the neighbourhood: the incumbent is one of its timetables
            assert res.cost <= cost
        d_hard, d_cost = _delta(prob, current, new)
        assert (d_hard, d_cost) == (0, res.cost - cost)
        if res.cost <= cost:
            current, cost = new, res.cost


def test_improve_on_a_school_keeps_the_school_rules_and_reports_the_checker_cost():
    """The same search on an after-school problem (every soft rule on, homework rooms, pins)."""
    p = synthetic_school(0, n_sections=14, n_teachers=7, n_rooms=8)
    p = replace(p, weights=dict.fromkeys(SOFT, 1) | {"room_capacity": 0, "isolated_lectures": 0})
    first = solve(p, time_limit=5, stop_after_first_solution=True, strategy="model")
    assert first.placements
    seen: list[float] = []
    found = improve(p, list(first.placements), deadline=__import__("time").monotonic() + 3,
                    progress=lambda c, b, e: seen.append(c))  # fmt: skip
    res = check(p, found.placements)
    assert res.hard == 0 == found.hard and found.cost == res.cost <= first.cost
    assert seen == sorted(seen, reverse=True) and (not seen or seen[-1] == found.cost)
    assert found.iterations > 0


def test_solve_picks_the_lns_for_long_weeks_and_reports_on_the_checker_scale():
    tiny = to_problem(parse_ctt(TINY))  # 4 slots: one model
    assert not _wants_lns(tiny)
    long_week = replace(tiny, slots=tuple(replace(s, id=f"x{n}", weekday=n % 5, session=n // 5)
                                          for n, s in enumerate(tiny.slots * 6)))  # fmt: skip
    assert len(long_week.slots) >= LNS_MIN_SLOTS and _wants_lns(long_week)
    reports: list[tuple[float, float, float]] = []
    sol = solve(tiny, time_limit=3, strategy="lns", progress=lambda *a: reports.append(a))
    assert sol.cost == check(tiny, sol.placements).cost == 10 and sol.hard_violations == 0
    assert reports and reports[0][0] >= sol.cost and all(b <= sol.cost for _, b, _ in reports)


def test_a_hint_that_keeps_the_hard_rules_is_where_the_search_starts():
    prob = to_problem(parse_ctt(TINY))
    sol = solve(prob, time_limit=2, strategy="lns")
    again = solve(prob, time_limit=1, strategy="lns", hint=sol)
    assert again.cost == sol.cost and again.hard_violations == 0
    broken = [Placement(q.section, q.meeting, prob.slots[0].id, q.room, q.teacher) for q in sol.placements]
    assert solve(prob, time_limit=2, strategy="lns", hint=broken).hard_violations == 0


def test_the_room_shortlist_offers_rooms_that_seat_everyone_first():
    """Where room_too_small is off (ITC-2007), smaller rooms are candidates too, but a shortlist
    keeps the snuggest rooms that seat the whole section before any crowded one."""
    rooms = [room("R5", 5), room("R10", 10), room("R25", 25), room("R30", 30), room("R100", 100)]
    p = problem(slots(days=2), rooms, [teacher("w")], [section("a", size=20)],
                weights={"room_too_small": 0, "room_capacity": 1})  # fmt: skip
    mdl = build(p, room_choices=2)
    assert sorted(p.rooms[r].id for r in mdl.rooms_of[0]) == ["R25", "R30"]
    crowded = build(replace(p, rooms=tuple(rooms[:2])), room_choices=1)
    assert [crowded.problem.rooms[r].id for r in crowded.rooms_of[0]] == ["R10"]


def test_slots_first_hands_over_a_complete_timetable_before_its_soft_phase(ctt_dir):
    """The site shows a timetable at once: the hard rules' slot model with greedy rooms is passed
    to ``on_first`` before the soft slot model spends its share, and never beats the result."""
    prob = to_problem(read_ctt(ctt_dir / "comp01.ctt"))
    early: list[list[Placement]] = []
    got = slots_first(prob, time_limit=3, on_first=early.append)
    assert got is not None and len(early) == 1
    first = check(prob, early[0])
    assert first.hard == 0 and all(q.room for q in early[0])
    assert len(early[0]) == sum(s.meetings_per_week for s in prob.sections)
    assert check(prob, got[0]).cost <= first.cost


def test_solve_reports_the_first_timetable_within_a_few_seconds(ctt_dir):
    prob = to_problem(read_ctt(ctt_dir / "comp01.ctt"))
    reports: list[tuple[float, float, float]] = []
    sol = solve(prob, time_limit=6, strategy="lns", progress=lambda *a: reports.append(a))
    assert sol.hard_violations == 0 and reports and reports[0][2] < 3.0
    assert [c for c, _, _ in reports] == sorted((c for c, _, _ in reports), reverse=True)


def test_a_group_days_neighbourhood_frees_one_or_two_days_of_related_groups(ctt_dir):
    prob = to_problem(read_ctt(ctt_dir / "comp01.ctt"))
    got = slots_first(prob, time_limit=3)
    assert got is not None
    current, shape, rng = got[0], _Shape(prob), random.Random(3)
    slot = {s.id: s for s in prob.slots}
    for _ in range(5):
        kind, freed, allowed = _neighbourhood(shape, current, 12, rng, "group days")
        assert kind == "group days" and freed and allowed is not None
        days = {slot[t].weekday for ts in allowed.values() for t in ts}
        assert 1 <= len(days) <= 2
        at = {(q.section, q.meeting): q.slot for q in current}
        assert all(slot[at[m]].weekday in days for m in freed)
        out = repair(prob, current, freed, allowed, time_limit=2)
        assert out is not None and check(prob, out[0]).hard == 0


def test_kinds_are_drawn_by_their_payoff_but_none_is_starved():
    rng = random.Random(0)
    score = dict.fromkeys(KINDS, 0.0) | {"group": 10.0}
    drawn = [_pick(score, rng) for _ in range(2000)]
    assert drawn.count("group") > 1000
    assert all(drawn.count(k) > 0 for k in KINDS)


def test_week_rooms_lets_whole_sections_trade_rooms_where_a_slot_by_slot_move_cannot():
    """Eight slots in a ring, two rooms, section k meets in slots k and k+1. Bit b_k says whether
    section k has room r1 at its first slot; it keeps its room iff b_k != b_(k+1). With two equal
    pairs half the ring apart, re-rooming the meetings of one section's two slots flips at most
    two neighbouring bits and can only move the instability; re-rooming everything in that
    section's rooms all week (``week``) flips the four bits between them: nobody changes room."""
    from scheduling.solver.lns import _rooms_neighbourhood

    n, bits = 8, (1, 1, 0, 1, 0, 0, 1, 0)
    sl = [s.id for s in slots(days=n)]
    p = problem(slots(days=n), [room("r1"), room("r2")], [teacher(f"t{k}") for k in range(n)],
                [section(f"s{k}", n=2, eligible_teachers=frozenset({f"t{k}"})) for k in range(n)],
                weights={"room_stability": 1})  # fmt: skip
    current = []
    for k in range(n):
        first = "r1" if bits[k] else "r2"
        second = "r2" if bits[(k + 1) % n] else "r1"  # the room section k+1 leaves free
        current += [
            Placement(f"s{k}", 0, sl[k], first, f"t{k}"),
            Placement(f"s{k}", 1, sl[(k + 1) % n], second, f"t{k}"),
        ]
    assert check(p, current).hard == 0 and check(p, current).cost == 2
    rng = random.Random(0)
    for _ in range(20):  # slot-by-slot re-rooming, whichever section it centres on
        freed, allowed = _rooms_neighbourhood(current, rng, every=False)
        got = repair(p, current, freed, allowed, time_limit=5, room_choices=None)
        assert got is not None and check(p, got[0]).cost == 2
    freed, allowed = _rooms_neighbourhood(current, random.Random(1), every=False, week=True)
    assert freed == {(q.section, q.meeting) for q in current}  # a moving section: both rooms, all week
    got = repair(p, current, freed, allowed, time_limit=5, room_choices=None)
    assert got is not None and check(p, got[0]).cost == 0 and check(p, got[0]).hard == 0
    assert sorted((q.section, q.slot) for q in got[0]) == sorted((q.section, q.slot) for q in current)  # slots held


def _kick_problem():
    """Ten slots, two rooms, three sections with their own teachers: every meeting always has
    another slot, so every kick has a timetable. x meets 3 times but wants 5 days: cost 10 at best."""
    p = problem(slots(days=5, sessions=2), [room("R1"), room("R2")], [teacher("a"), teacher("b"), teacher("c")],
                [section("x", n=3, min_days=5, eligible_teachers=frozenset({"a"})),
                 section("y", n=2, eligible_teachers=frozenset({"b"})),
                 section("z", n=2, eligible_teachers=frozenset({"c"}))],
                weights={"min_working_days": 5})  # fmt: skip
    start = [Placement("x", 0, "A00", "R1", "a"), Placement("x", 1, "A01", "R1", "a"),
             Placement("x", 2, "A10", "R1", "a"), Placement("y", 0, "A00", "R2", "b"),
             Placement("y", 1, "A20", "R1", "b"), Placement("z", 0, "A30", "R1", "c"),
             Placement("z", 1, "A40", "R1", "c")]  # fmt: skip
    return p, start


def test_a_kick_moves_every_meeting_it_frees_to_another_slot_and_keeps_the_hard_rules():
    """The perturbation of the iterated search: each freed meeting is offered every slot of its
    school but its own, so the repair has to move them all; the rest stays put."""
    from scheduling.solver.lns import _kick

    p, current = _kick_problem()
    assert check(p, current).hard == 0 and check(p, current).cost == 15  # x on two days: 3 short
    shape, rng = _Shape(p), random.Random(5)
    at = {(q.section, q.meeting): q.slot for q in current}
    for _ in range(8):
        freed, allowed = _kick(shape, current, 3, rng)
        assert freed and all(at[m] not in allowed[m[0]] for m in freed)
        out = repair(p, current, freed, allowed, time_limit=5)
        assert out is not None
        new = out[0]
        assert check(p, new).hard == 0
        slot_now = {(q.section, q.meeting): q.slot for q in new}
        held = {(q.section, q.slot) for q in current if (q.section, q.meeting) not in freed}
        assert held <= {(q.section, q.slot) for q in new}
        for sid in {s for s, _ in freed}:  # a section's freed meetings now sit in slots none of them had
            before = {at[m] for m in freed if m[0] == sid}
            assert not before & {slot_now[m] for m in freed if m[0] == sid}


def test_kicks_happen_and_the_search_still_returns_its_best_timetable(monkeypatch):
    """With a kick after every move without a gain (and every kick possible), kicks happen again and
    again, and ``improve`` still returns the best timetable it met, on the checker's scale."""
    from scheduling.solver import lns

    p, start = _kick_problem()
    seen: list[float] = []
    monkeypatch.setattr(lns, "KICK_AFTER", 1)
    found = improve(p, start, deadline=__import__("time").monotonic() + 60, max_moves=40, seed=2,
                    progress=lambda c, b, e: seen.append(c))  # fmt: skip
    assert found.kicks > 0
    res = check(p, found.placements)
    assert res.hard == 0 and found.cost == res.cost == 10
    assert seen == sorted(seen, reverse=True) and seen[-1] == 10
