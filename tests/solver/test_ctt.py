"""CB-CTT parsing, the UD2 scorer against published solutions, the CLI and a tiny solve."""

from __future__ import annotations

from dataclasses import replace

import pytest

from scheduling.solver.check import check, score_ctt
from scheduling.solver.ctt import UD2_WEIGHTS, main, parse_ctt, parse_solution, read_ctt, rows_of, to_problem
from scheduling.solver.domain import Placement
from scheduling.solver.solve import solve

# Docheinstein's race results (solutions/docheinstein-races/compNN.sol), re-scored: RC/MWD/CC/RS.
PUBLISHED = {
    "comp01": (5, (4, 0, 0, 1)), "comp02": (36, (0, 10, 26, 0)), "comp03": (66, (0, 20, 46, 0)),
    "comp04": (37, (0, 5, 32, 0)), "comp05": (305, (0, 190, 114, 1)),
    "comp06": (40, (0, 5, 28, 7)), "comp07": (14, (0, 0, 10, 4)),
}  # fmt: skip

TINY = """Name: Tiny
Courses: 3
Rooms: 2
Days: 2
Periods_per_day: 2
Curricula: 1
Constraints: 1

COURSES:
c1 t1 2 2 30
c2 t2 2 1 10
c3 t1 1 1 50

ROOMS:
A 40
B 20

CURRICULA:
q1 2 c1 c2

UNAVAILABILITY_CONSTRAINTS:
c3 0 0

END.
"""


def test_parse_tiny():
    inst = parse_ctt(TINY)
    assert (inst.name, inst.days, inst.periods_per_day) == ("Tiny", 2, 2)
    assert [c.id for c in inst.courses] == ["c1", "c2", "c3"]
    assert inst.curricula[0].courses == ("c1", "c2")
    assert inst.unavailable == {"c3": frozenset({(0, 0)})}


def test_parse_comp01(ctt_dir):
    inst = read_ctt(ctt_dir / "comp01.ctt")
    assert (len(inst.courses), len(inst.rooms), len(inst.curricula)) == (30, 6, 14)
    assert inst.n_periods == 30 and sum(len(v) for v in inst.unavailable.values()) == 53


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_published_costs_exactly(ctt_dir, name):
    inst = read_ctt(ctt_dir / f"{name}.ctt")
    rows = parse_solution((ctt_dir / "solutions/docheinstein-races" / f"{name}.sol").read_text())
    s = score_ctt(inst, rows)
    cost, parts = PUBLISHED[name]
    assert s.hard == 0
    assert s.cost == cost
    assert tuple(s.cost_by_rule[k] for k in
                 ("room_capacity", "min_working_days", "isolated_lectures", "room_stability")) == parts  # fmt: skip


def test_room_alias_and_hard_violations():
    inst = parse_ctt(TINY)
    rows = [("c1", "rA", 0, 0), ("c1", "A", 0, 0), ("c2", "B", 0, 0), ("c3", "A", 0, 0)]
    s = score_ctt(inst, rows)
    assert s.hard_by_rule["unplaced"] == 1 + 1 + 1  # c1 duplicate period, c1 and c2 missing one
    assert s.hard_by_rule["group_clash"] == 1  # c1 and c2 share q1 in (0, 0)
    assert s.hard_by_rule["teacher_double_booked"] == 1  # c1 and c3 are both t1
    assert s.hard_by_rule["room_double_booked"] == 2  # A holds c1 twice and c3
    assert s.hard_by_rule["teacher_unavailable"] == 1  # c3 at (0, 0)


def _placements(inst, rows):
    teacher = {c.id: f"{c.teacher}/{c.id}" for c in inst.courses}
    count: dict[str, int] = {}
    out = []
    for c, r, d, p in rows:
        out.append(Placement(c, count.get(c, 0), f"{d}.{p}", r, teacher[c]))
        count[c] = count.get(c, 0) + 1
    return out


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_product_checker_on_the_itc_problem_is_the_ud2_cost(ctt_dir, name):
    """ITC-2007 read into the product's Problem: the product's checker gives the referee's cost."""
    inst = read_ctt(ctt_dir / f"{name}.ctt")
    rows = parse_solution((ctt_dir / "solutions/docheinstein-races" / f"{name}.sol").read_text())
    res = check(to_problem(inst), _placements(inst, rows))
    ref = score_ctt(inst, rows)
    assert res.hard == 0 and res.cost == ref.cost == PUBLISHED[name][0]
    assert {k: v for k, v in res.cost_by_rule.items() if v} == {k: v for k, v in ref.cost_by_rule.items() if v}


def test_itc_mapping_switches_room_too_small_off_and_ud2_on(ctt_dir):
    """Course → section, curriculum → group, unavailability, UD2 weights; for schools the same
    timetable breaks the hard room_too_small (a problem without the UD2 weights)."""
    inst = read_ctt(ctt_dir / "comp01.ctt")
    prob = to_problem(inst)
    assert prob.weights == UD2_WEIGHTS and prob.weights["room_too_small"] == 0
    assert {k for k, v in prob.weights.items() if v} == {
        "room_capacity", "min_working_days", "isolated_lectures", "room_stability"}  # fmt: skip
    by_id = {s.id: s for s in prob.sections}
    c0 = inst.courses[0]
    assert by_id[c0.id].meetings_per_week == c0.lectures and by_id[c0.id].min_days == c0.min_days
    assert {q.id for q in inst.curricula if c0.id in q.courses} <= by_id[c0.id].groups
    unav = {t.id: t.unavailable for t in prob.teachers}
    assert sum(len(v) for v in unav.values()) == 53
    rows = parse_solution((ctt_dir / "solutions/docheinstein-races/comp01.sol").read_text())
    school = replace(prob, weights={**UD2_WEIGHTS, "room_too_small": 1})
    res = check(school, _placements(inst, rows))
    assert {k: v for k, v in res.hard_by_rule.items() if v} == {"room_too_small": 4}
    assert res.cost_by_rule == {"room_capacity": 4, "room_stability": 1}


def test_active_switches_only_what_the_problem_says():
    from scheduling.solver.rules import active

    assert active("room_too_small", {}) and active("room_too_small", {"room_too_small": 1})
    assert not active("room_too_small", {"room_too_small": 0})
    assert not active("isolated_lectures", {}) and active("isolated_lectures", {"isolated_lectures": 2})
    assert active("meetings_spread", {}) and not active("meetings_spread", {"meetings_spread": 0})


@pytest.mark.parametrize("strategy", ["lns", "model"])
def test_the_product_solve_on_tiny_is_feasible_and_the_referee_agrees(strategy):
    inst = parse_ctt(TINY)
    sol = solve(to_problem(inst), time_limit=3, workers=1, seed=0, strategy=strategy)
    s = score_ctt(inst, rows_of(sol.placements))
    assert s.hard == 0 and sol.hard_violations == 0 and sol.cost == s.cost
    assert sol.cost == 10  # c3 (50) must sit in A (40); c1 needs both days → isolated lectures
    assert sol.bound is not None and sol.bound <= sol.cost


def test_cli_score_and_solve(tmp_path, capsys, ctt_dir):
    inst_path = tmp_path / "tiny.ctt"
    inst_path.write_text(TINY)
    out = tmp_path / "tiny.sol"
    assert main(["solve", str(inst_path), "--time-limit", "2", "--workers", "1", "--seed", "3",
                 "--out", str(out), "--quiet"]) == 0  # fmt: skip
    assert main(["score", str(inst_path), str(out)]) == 0
    text = capsys.readouterr().out
    assert "hard_total 0" in text and "soft room_capacity" in text
    sol = ctt_dir / "solutions/docheinstein-races/comp07.sol"
    assert main(["score", str(ctt_dir / "comp07.ctt"), str(sol)]) == 0
    assert "cost 14" in capsys.readouterr().out
