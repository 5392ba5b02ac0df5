"""Every timetable the engine returns passes the independent checker (random small problems)."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduling.solver.check import check
from scheduling.solver.domain import Problem, Room, SectionDemand, Slot, Teacher
from scheduling.solver.explain import explain
from scheduling.solver.solve import solve


@st.composite
def small_problems(draw) -> Problem:
    schools = ["A", "B"][: draw(st.integers(1, 2))]
    sl = tuple(
        Slot(f"{s}{d}{k}", d, k, 960 + 55 * k, 1010 + 55 * k, s)
        for s in schools for d in range(draw(st.integers(1, 3))) for k in range(2)
    )  # fmt: skip
    rooms = tuple(
        Room(f"{s}R{j}", s, draw(st.sampled_from([10, 20, 30])),
             frozenset({"kitchen"}) if draw(st.booleans()) else frozenset())
        for s in schools for j in range(draw(st.integers(1, 3)))
    )  # fmt: skip
    subjects = ["art", "cooking"]
    teachers = tuple(
        Teacher(f"T{j}", f"老师{j}",
                frozenset(draw(st.lists(st.sampled_from(schools), min_size=1, unique=True))),
                frozenset(draw(st.lists(st.sampled_from(subjects), min_size=1, unique=True))),
                frozenset(draw(st.lists(st.sampled_from([s.id for s in sl]), max_size=2))),
                max_periods_week=draw(st.integers(1, 4)),
                avoid=frozenset(draw(st.lists(st.sampled_from([s.id for s in sl]), max_size=1))))
        for j in range(draw(st.integers(1, 3)))
    )  # fmt: skip
    secs = []
    for j in range(draw(st.integers(1, 4))):
        course = draw(st.sampled_from(subjects))
        secs.append(SectionDemand(
            f"S{j}", course, draw(st.sampled_from(schools)), draw(st.integers(1, 2)),
            draw(st.sampled_from([5, 15, 25])),
            features=frozenset({"kitchen"}) if course == "cooking" else frozenset(),
            groups=frozenset(draw(st.lists(st.sampled_from(["g1", "g2"]), max_size=1))),
            kind=draw(st.sampled_from(["club", "homework"])),
            session=draw(st.sampled_from([None, 0, 1]))))  # fmt: skip
        if secs[-1].kind == "homework":  # homework help in the class's own room, or not
            own = [r.id for r in rooms if r.school == secs[-1].school]
            secs[-1] = replace(secs[-1], home_room=draw(st.sampled_from([None, *own])))
    return Problem(sl, rooms, teachers, tuple(secs), travel_minutes={("A", "B"): 15})


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(small_problems())
def test_every_solution_passes_check_and_infeasible_is_explained(p):
    sol = solve(p, time_limit=2, workers=1, seed=0)
    if sol.placements:
        res = check(p, sol.placements)
        assert res.hard == 0, res.violations
        assert sol.cost == res.cost and sol.hard_violations == 0
    elif sol.status == "infeasible":
        e = explain(p, time_limit=2)
        assert e.status == "infeasible" and e.clashes
