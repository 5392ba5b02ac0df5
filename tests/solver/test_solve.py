"""Entry points: cancellation, hints, pins with meeting numbers, and the district decomposition."""

from __future__ import annotations

import threading
import time
from dataclasses import replace

from scheduling.solver.check import check
from scheduling.solver.domain import Pin, Problem
from scheduling.solver.solve import solve, solve_district, solve_many
from scheduling.solver.synth import synthetic_district, synthetic_school

from .conftest import problem, room, section, slots, teacher


def test_cancel_stops_the_search_and_returns_best_so_far():
    p = synthetic_school(3)
    cancel = threading.Event()
    seen: list[float] = []
    threading.Timer(1.0, cancel.set).start()
    t0 = time.monotonic()
    sol = solve(p, time_limit=60, workers=1, seed=0, cancel=cancel,
                progress=lambda best, bound, el, seen=seen: seen.append(best))  # fmt: skip
    assert time.monotonic() - t0 < 30  # far below the 60 s limit
    assert sol.status in ("cancelled", "optimal")
    if sol.placements:
        assert check(p, sol.placements).hard == 0


def test_cancel_callable():
    p = synthetic_school(4)
    sol = solve(p, time_limit=60, workers=1, cancel=lambda: True)
    assert sol.status in ("cancelled", "optimal", "feasible")


def test_pins_keep_their_meeting_number():
    p = problem(slots(days=3), [room("R1"), room("R2")], [teacher("w"), teacher("l")],
                [section("a", n=2)],
                pins=(Pin("a", 1, slot="A00"), Pin("a", 0, room="R2", teacher="l")))  # fmt: skip
    sol = solve(p, time_limit=5, seed=0)
    got = {q.meeting: q for q in sol.placements}
    assert got[1].slot == "A00" and got[0].room == "R2" and got[0].teacher == "l"
    assert check(p, sol.placements).hard == 0


def test_hint_from_previous_is_used_and_rescored():
    p = synthetic_school(5, n_sections=12, n_teachers=6, n_rooms=6)
    first = solve(p, time_limit=3, seed=0)
    again = solve(p, time_limit=3, seed=1, hint=first)
    assert again.placements and again.cost is not None and again.cost <= first.cost + 2


def test_solve_many_and_district():
    d = synthetic_district(1, n_schools=3, n_partners=2, per_school=10)
    sol = solve_district(d, time_limit=20, workers=1, processes=2, seed=0)
    assert sol.placements and sol.hard_violations == 0, sol.status
    res = check(d, sol.placements)
    assert res.hard == 0 and sol.cost == res.cost
    schools = [Problem(s.slots, s.rooms, s.teachers, s.sections)
               for s in (synthetic_school(7, school="X", n_sections=6, n_teachers=8),
                         synthetic_school(8, school="Y", n_sections=6, n_teachers=8))]  # fmt: skip
    sols = solve_many(schools, time_limit=4)
    assert all(s.placements and s.hard_violations == 0 for s in sols)


def test_objective_is_the_checkers_cost_so_the_bound_is_comparable():
    # the objective has no offset and every penalty equals its rule's count: the bound is a
    # lower bound of the checker's cost, and progress reports on the same scale
    p = synthetic_school(1)
    seen: list[tuple[float, float]] = []
    sol = solve(p, time_limit=60, workers=2, seed=0, progress=lambda best, bound, el: seen.append((best, bound)))
    assert sol.hard_violations == 0 and sol.bound is not None and sol.cost is not None
    assert 0 <= sol.bound <= sol.cost
    assert all(0 <= bound <= best for best, bound in seen)
    assert seen[-1][0] == sol.cost  # the last improving solution is the one returned
    if sol.status == "optimal":
        assert sol.bound == sol.cost


def test_first_solution_objective_equals_checker_cost_for_every_soft_rule():
    # a first (far from optimal) timetable: the penalty variables must equal the checker's counts
    # there too, not only at the optimum; every soft rule switched on, with a previous timetable
    base = synthetic_school(2, n_sections=16, n_teachers=8, n_rooms=10)
    secs = tuple(replace(s, min_days=2) if s.meetings_per_week == 2 else s for s in base.sections)
    weights = {"isolated_lectures": 2, "room_capacity": 1}
    p = replace(base, sections=secs, weights=weights)
    prev = solve(p, time_limit=10, seed=3)
    p = replace(p, previous=prev)
    for hint in (None, ()):  # from the previous timetable, and from nothing (every rule costs)
        seen: list[float] = []
        sol = solve(p, time_limit=10, seed=0, stop_after_first_solution=True, hint=hint,
                    progress=lambda best, bound, el, seen=seen: seen.append(best))  # fmt: skip
        assert sol.placements and sol.hard_violations == 0
        assert seen and seen[-1] == sol.cost, (seen, sol.cost_by_rule)
    assert len(sol.cost_by_rule) >= 6, sol.cost_by_rule  # the test does exercise the rules


def test_district_is_feasible_and_its_bound_below_its_cost():
    d = synthetic_district(2, n_schools=4, n_partners=2, per_school=12)
    costs: list[float] = []
    sol = solve_district(d, time_limit=20, workers=1, processes=2, seed=0,
                         progress=lambda cost, bound, el: costs.append(cost))  # fmt: skip
    assert sol.placements and sol.hard_violations == 0 and costs
    assert sol.bound is not None and 0 <= sol.bound <= sol.cost


def test_a_shortlist_that_leaves_no_timetable_is_dropped_early_not_searched_to_the_limit():
    """Issue 14 (measured on 人民路小学, 新城学校, 江湾学校): a room shortlist can leave no timetable
    although the school has rooms enough. Here three choices (no spare among them) keep the 24
    small groups in the 10 small rooms, 20 seats a week for 24 meetings. The fast first search
    (no presolve, no LP) can neither find one nor prove there is none; the interleaved search
    proves it at once, and `solve` goes on with every room."""
    sl = slots(days=2)
    rooms = [room(f"small{k}", cap=30) for k in range(10)] + [room(f"big{k}", cap=60) for k in range(10)]
    small = [section(f"s{k}", size=30, eligible_teachers=frozenset({f"ts{k}"})) for k in range(24)]
    large = [section(f"l{k}", size=60, eligible_teachers=frozenset({f"tl{k}"})) for k in range(16)]
    teachers = [teacher(f"ts{k}") for k in range(24)] + [teacher(f"tl{k}") for k in range(16)]
    p = problem(sl, rooms, teachers, small + large)
    # the first-timetable search alone (the first phase of every solve, solve_district's first
    # pass): before, it spent its whole limit on the shortlist and came back empty
    assert _shortlist_status(p, room_choices=3) == "INFEASIBLE"
    first = solve(p, time_limit=8, workers=1, room_choices=3, stop_after_first_solution=True)
    assert first.placements and first.hard_violations == 0
    assert len({(q.slot, q.room) for q in first.placements}) == 40  # every room of both slots
    best = solve(p, time_limit=20, workers=1, room_choices=3)
    assert best.status == "optimal" and best.hard_violations == 0


def _shortlist_status(p: Problem, room_choices: int) -> str:
    """Whether the shortlisted model alone has a timetable (``solve`` would drop an empty one)."""
    from ortools.sat.python import cp_model

    from scheduling.solver.model import build

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 20
    solver.parameters.num_workers = 1
    return solver.status_name(solver.solve(build(p, room_choices=room_choices).cp))


def test_room_shortlists_spread_over_equal_rooms_and_reach_the_less_fitting_ones():
    """新城学校 (demo district): its plain clubs fit its 22 plain classrooms equally well; with the room
    index breaking the tie every club was offered the same eight and the shortlist had no timetable.
    Now each section starts at its own place among equals, and two of its eight come from the rooms
    that fit it less well (here the art rooms), so together the shortlists reach every room."""
    rooms = [room(f"plain{k}", cap=50) for k in range(20)] + [room(f"art{k}", cap=45, features="art") for k in range(4)]
    clubs = [section(f"c{k}", size=25, eligible_teachers=frozenset({f"t{k}"})) for k in range(24)]
    p = problem(slots(days=1), rooms, [teacher(f"t{k}") for k in range(24)], clubs)
    from scheduling.solver.model import build

    mdl = build(p, room_choices=8)
    offered = [{p.rooms[r].id for r in mdl.rooms_of[i]} for i in range(len(clubs))]
    assert all(len(o) == 8 and sum(r.startswith("art") for r in o) == 2 for o in offered)
    assert set().union(*offered) == {r.id for r in rooms}
    # one slot, 24 clubs, 24 rooms: only a shortlist that reaches every room has a timetable
    assert _shortlist_status(p, room_choices=8) == "OPTIMAL"


def test_the_fast_first_search_gets_longer_once_every_room_is_offered():
    """新城学校 (demo district): with every room and teacher offered, the fast settings find its first
    timetable in ~1.4 s, where after 0.5 s of them the interleaved search took another ~6 s; while a
    shortlist may have to be proved empty, the fast settings stay short (the test above)."""
    from scheduling.solver.solve import fast_first_seconds

    assert fast_first_seconds(8.0, shortlist=True) == 0.5
    assert fast_first_seconds(1.0, shortlist=True) == 0.25
    assert fast_first_seconds(8.0, shortlist=False) == 3.0
    assert fast_first_seconds(1.0, shortlist=False) == 0.5
