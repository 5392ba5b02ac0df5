"""Every rule verified on a small fixed timetable, in the checker AND in the CP-SAT model.

The Timefold ``ConstraintVerifier`` idea: a timetable in, the rule's penalty (soft) or number of
violations (hard) out. The same timetable is then fixed in the model (``build(fixed=...,
only_fixed=True)``) and the model must agree with the checker on every rule:

* soft: the rule's share of the objective (``Model.penalty_by_rule``) equals the checker's cost
  for it; on a timetable that keeps every hard rule (every timetable the engine returns) so does
  every other rule's share, and the objective equals the checker's total (a few penalties are
  exact only then: ``isolated_lectures`` assumes no group clash, ``teacher_load_balance`` counts
  a section's meetings through its teacher);
* hard: in explain mode (one assumption literal per requirement group) the requirement groups
  that must be dropped belong exactly to the hard rules the checker reports, and in normal mode
  the fixed timetable is infeasible exactly when the checker finds a hard violation.
"""

from __future__ import annotations

import pkgutil
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest

from scheduling.solver import rules as rules_pkg
from scheduling.solver.check import check
from scheduling.solver.domain import Pin, Placement, Problem, Solution, Teacher
from scheduling.solver.model import build
from scheduling.solver.rules import HARD, REGISTRY, RULES, SOFT
from scheduling.solver.rules.base import SCOPES, Rule

from .conftest import problem, room, section, slots, teacher

P = Placement


@dataclass(frozen=True)
class ModelVerdict:
    """What the model says about one fixed timetable."""

    feasible: bool  # normal mode: the timetable satisfies every hard rule
    objective: float | None  # normal mode, when feasible
    broken: Counter[str]  # explain mode: requirement groups that cannot hold, per rule
    penalties: dict[str, int] = field(default_factory=dict)  # explain mode: weighted, per rule


def _solver() -> Any:
    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10
    return solver


def model_verdict(p: Problem, placements: list[Placement]) -> ModelVerdict:
    """Fix ``placements`` (and nothing else) in the model and read what it says."""
    from ortools.sat.python import cp_model

    # explain mode: every hard requirement group has a literal; with the timetable fixed each
    # literal is forced (true iff its constraints hold), so maximising them just reads them
    mdl = build(p, explain=True, fixed=placements, only_fixed=True)
    mdl.cp.minimize(sum(w * e for _, w, e in mdl.penalties) - 10_000 * sum(mdl.lits.values()))
    solver = _solver()
    assert solver.solve(mdl.cp) == cp_model.OPTIMAL
    broken = Counter(rule for (rule, _), v in mdl.lits.items() if not solver.value(v))
    penalties = mdl.penalty_by_rule(solver.value)
    # normal mode: the model the engine solves, with the timetable fixed
    mdl = build(p, fixed=placements, only_fixed=True)
    solver = _solver()
    st = solver.solve(mdl.cp)
    feasible = st == cp_model.OPTIMAL
    objective = (solver.objective_value if mdl.penalties else 0.0) if feasible else None
    if feasible:
        assert mdl.penalty_by_rule(solver.value) == penalties
    return ModelVerdict(feasible, objective, broken, penalties)


def verify(p: Problem, placements: list[Placement], rule: str, expected: int) -> None:
    """The checker finds ``expected`` for ``rule`` and the model agrees with it on every rule."""
    res = check(p, placements)
    got = res.hard_by_rule[rule] if RULES[rule].kind == "hard" else res.cost_by_rule.get(rule, 0)
    assert got == expected, res.violations
    for v in res.violations:
        assert v.rule_id in RULES and v.message_zh and v.message_en
    m = model_verdict(p, placements)
    assert set(m.broken) == {r for r, n in res.hard_by_rule.items() if n}, (m.broken, res.hard_by_rule)
    assert m.feasible == (res.hard == 0)
    if RULES[rule].kind == "soft":
        assert m.penalties.get(rule, 0) == expected
    if m.feasible:
        assert m.penalties == res.cost_by_rule
        assert m.objective == res.cost


@dataclass(frozen=True)
class Case:
    """One rule on its smallest problem: a timetable that breaks it and one that does not."""

    rule: str
    problem: Problem
    bad: list[Placement]
    expected: int  # hard: violations; soft: weighted cost
    good: list[Placement]
    also: frozenset[str] = frozenset()  # other rules the bad timetable cannot help breaking


def _fired(p: Problem, placements: list[Placement]) -> set[str]:
    res = check(p, placements)
    return {r for r, n in res.hard_by_rule.items() if n} | set(res.cost_by_rule)


def _cases() -> list[Case]:
    two = slots(days=2)
    partner = Teacher("P", "合作老师", frozenset({"A", "B"}), frozenset({"voc"}))
    travel = problem(slots("A", days=1) + slots("B", days=2, sessions=2),
                     [room("RA"), room("RB", school="B")], [partner],
                     [section("a", "voc"), section("b", "voc", school="B")],
                     travel_minutes={("A", "B"): 30})  # fmt: skip
    pinned = problem(two, [room("R1"), room("R2")], [teacher("w")], [section("a")],
                     pins=(Pin("a", 0, slot="A10", room="R2"),))  # fmt: skip
    previous = Solution((P("a", 0, "A00", "R1", "w"),), "feasible")
    return [
        # ---- hard ----
        Case("unplaced", problem(two, [room("R1")], [teacher("w")], [section("a", n=2)]),
             [P("a", 0, "A00", "R1", "w")], 1,
             [P("a", 0, "A00", "R1", "w"), P("a", 1, "A10", "R1", "w")]),
        Case("teacher_double_booked", problem(two, [room("R1"), room("R2")], [teacher("w")],
                                              [section("a"), section("b")]),
             [P("a", 0, "A00", "R1", "w"), P("b", 0, "A00", "R2", "w")], 1,
             [P("a", 0, "A00", "R1", "w"), P("b", 0, "A10", "R2", "w")]),
        # P teaches at A 16:00-16:50; B's Monday session 2 starts 17:00, 10 minutes later
        Case("partner_travel", travel,
             [P("a", 0, "A00", "RA", "P"), P("b", 0, "B01", "RB", "P")], 1,
             [P("a", 0, "A00", "RA", "P"), P("b", 0, "B11", "RB", "P")]),
        Case("room_double_booked", problem(two, [room("R1")], [teacher("w"), teacher("l")],
                                           [section("a", eligible_teachers=frozenset({"w"})),
                                            section("b", eligible_teachers=frozenset({"l"}))]),
             [P("a", 0, "A00", "R1", "w"), P("b", 0, "A00", "R1", "l")], 1,
             [P("a", 0, "A00", "R1", "w"), P("b", 0, "A10", "R1", "l")]),
        Case("group_clash", problem(two, [room("R1"), room("R2")], [teacher("w"), teacher("l")],
                                    [section("a", groups=frozenset({"1班"})),
                                     section("b", groups=frozenset({"1班"}))]),
             [P("a", 0, "A00", "R1", "w"), P("b", 0, "A00", "R2", "l")], 1,
             [P("a", 0, "A00", "R1", "w"), P("b", 0, "A10", "R2", "l")]),
        Case("room_too_small", problem(two, [room("small", 10), room("big", 30)], [teacher("w")],
                                       [section("a", size=20)]),
             [P("a", 0, "A00", "small", "w")], 1, [P("a", 0, "A00", "big", "w")]),
        Case("room_lacks_feature", problem(two, [room("plain"), room("K", features="kitchen")],
                                           [teacher("w", "cooking")],
                                           [section("a", "cooking", features=frozenset({"kitchen"}))]),
             [P("a", 0, "A00", "plain", "w")], 1, [P("a", 0, "A00", "K", "w")]),
        Case("teacher_unavailable", problem(two, [room("R1")], [teacher("w", unavailable=frozenset({"A00"}))],
                                            [section("a")]),
             [P("a", 0, "A00", "R1", "w")], 1, [P("a", 0, "A10", "R1", "w")]),
        Case("teacher_not_qualified", problem(two, [room("R1")], [teacher("w", "music"), teacher("l")],
                                              [section("a")]),
             [P("a", 0, "A00", "R1", "w")], 1, [P("a", 0, "A00", "R1", "l")]),
        Case("teacher_over_load", problem(two, [room("R1")], [teacher("w", max_periods_week=1), teacher("l")],
                                          [section("a"), section("b")]),
             [P("a", 0, "A00", "R1", "w"), P("b", 0, "A10", "R1", "w")], 1,
             [P("a", 0, "A00", "R1", "w"), P("b", 0, "A10", "R1", "l")]),
        Case("pinned", pinned, [P("a", 0, "A00", "R1", "w")], 1, [P("a", 0, "A10", "R2", "w")]),
        Case("homework_in_home_room", problem(two, [room("R1"), room("R2")], [teacher("w")],
                                              [section("hw", n=2, kind="homework", home_room="R2")]),
             [P("hw", 0, "A00", "R2", "w"), P("hw", 1, "A10", "R1", "w")], 1,
             [P("hw", 0, "A00", "R2", "w"), P("hw", 1, "A10", "R2", "w")]),
        # ---- soft: weighted cost ----
        Case("teacher_load_balance", problem(two, [room("R1")], [teacher("w"), teacher("l")],
                                             [section("a"), section("b")], weights={"teacher_load_balance": 2}),
             [P("a", 0, "A00", "R1", "w"), P("b", 0, "A10", "R1", "w")], 2 * 2,
             [P("a", 0, "A00", "R1", "w"), P("b", 0, "A10", "R1", "l")]),
        Case("meetings_spread", problem(slots(days=2, sessions=2), [room("R1")], [teacher("w")],
                                        [section("a", n=2)], weights={"meetings_spread": 3}),
             [P("a", 0, "A00", "R1", "w"), P("a", 1, "A01", "R1", "w")], 3,
             [P("a", 0, "A00", "R1", "w"), P("a", 1, "A10", "R1", "w")]),
        Case("club_band_spread", problem(slots(days=2, sessions=2), [room("R1")], [teacher("w")],
                                         [section("a", groups=frozenset({"g3"})),
                                          section("b", groups=frozenset({"g3"}))],
                                         weights={"club_band_spread": 2}),
             [P("a", 0, "A00", "R1", "w"), P("b", 0, "A01", "R1", "w")], 2,
             [P("a", 0, "A00", "R1", "w"), P("b", 0, "A11", "R1", "w")]),
        Case("teacher_preference", problem(two, [room("R1")],
                                           [teacher("w", avoid=frozenset({"A00"}), preferred=frozenset({"A10"}))],
                                           [section("a")], weights={"teacher_preference": 1}),
             [P("a", 0, "A00", "R1", "w")], 2, [P("a", 0, "A10", "R1", "w")]),
        Case("room_stability", problem(two, [room("R1"), room("R2")], [teacher("w")], [section("a", n=2)],
                                       weights={"room_stability": 1}),
             [P("a", 0, "A00", "R1", "w"), P("a", 1, "A10", "R2", "w")], 1,
             [P("a", 0, "A00", "R2", "w"), P("a", 1, "A10", "R2", "w")]),
        Case("minimal_change", problem(two, [room("R1")], [teacher("w")], [section("a")],
                                       previous=previous, weights={"minimal_change": 5}),
             [P("a", 0, "A10", "R1", "w")], 5, [P("a", 0, "A00", "R1", "w")]),
        Case("min_working_days", problem(slots(days=2, sessions=2), [room("R1")], [teacher("w")],
                                         [section("a", n=2, min_days=2)], weights={"min_working_days": 5}),
             [P("a", 0, "A00", "R1", "w"), P("a", 1, "A01", "R1", "w")], 5,
             [P("a", 0, "A01", "R1", "w"), P("a", 1, "A10", "R1", "w")]),
        Case("session_by_kind", problem(slots(days=1, sessions=2), [room("R1")], [teacher("w")],
                                        [section("hw", session=0), section("club", session=1)]),
             [P("hw", 0, "A01", "R1", "w"), P("club", 0, "A00", "R1", "w")], 2 * 5,
             [P("hw", 0, "A00", "R1", "w"), P("club", 0, "A01", "R1", "w")]),
        # as ITC-2007 counts it; in a school the hard room_too_small breaks too (the model agrees)
        Case("room_capacity", problem(two, [room("R1", 8), room("R2", 30)], [teacher("w")], [section("a", size=10)],
                                      weights={"room_capacity": 1}),
             [P("a", 0, "A00", "R1", "w")], 2, [P("a", 0, "A00", "R2", "w")], frozenset({"room_too_small"})),
        Case("isolated_lectures", problem(slots(days=1, sessions=3), [room("R1")], [teacher("w")],
                                          [section("a", n=2, groups=frozenset({"q"}))],
                                          weights={"isolated_lectures": 2}),
             [P("a", 0, "A00", "R1", "w"), P("a", 1, "A02", "R1", "w")], 2 * 2,
             [P("a", 0, "A00", "R1", "w"), P("a", 1, "A01", "R1", "w")]),
    ]  # fmt: skip


CASES = _cases()


def test_every_rule_has_a_verifier_case():
    assert {c.rule for c in CASES} == set(RULES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_rule_penalises_the_bad_timetable_in_checker_and_model(case: Case):
    assert _fired(case.problem, case.bad) == {case.rule} | case.also  # the rule alone decides
    verify(case.problem, case.bad, case.rule, case.expected)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_rule_accepts_the_good_timetable_in_checker_and_model(case: Case):
    assert _fired(case.problem, case.good) == set()
    verify(case.problem, case.good, case.rule, 0)


# ---- the registry, the model and the checker know the same rules ---------------------------


def everything() -> tuple[Problem, list[Placement]]:
    """One small district where every rule has something to say, and a timetable breaking each."""
    sa, sb = slots("A", days=2, sessions=3), slots("B", days=1, sessions=2)
    rooms = [room("R1"), room("R2"), room("K", features="kitchen"), room("S", 5), room("RB", school="B")]
    teachers = [
        teacher("w", "art cooking", unavailable=frozenset({"A12"}), max_periods_week=3,
                preferred=frozenset({"A00", "A01", "A10", "A11"})),
        teacher("l"),
        teacher("m", "music"),
        Teacher("P", "合作老师", frozenset({"A", "B"}), frozenset({"voc"})),
    ]  # fmt: skip
    sections = [
        section("a", n=2, groups=frozenset({"g"}), min_days=2, session=0),
        section("b", groups=frozenset({"g"}), session=1),
        section("c", "cooking", features=frozenset({"kitchen"})),
        section("d", "voc", eligible_teachers=frozenset({"P"})),
        section("e", "voc", school="B", eligible_teachers=frozenset({"P"})),
        section("f"),
        section("h", groups=frozenset({"q"})),
        section("u"),
        section("hw", kind="homework", home_room="R2"),
    ]
    weights = dict.fromkeys(SOFT, 1)
    previous = Solution((P("a", 0, "A10", "R1", "w"),), "feasible")
    p = problem(sa + sb, rooms, teachers, sections, pins=(Pin("f", 0, teacher="m"),),
                travel_minutes={("A", "B"): 30}, previous=previous, weights=weights)  # fmt: skip
    bad = [
        P("a", 0, "A00", "R1", "w"),  # a: one day, two rooms, session 2, moved from A10
        P("a", 1, "A01", "R2", "w"),
        P("b", 0, "A00", "R1", "l"),  # b: with a in R1 and in group g, session 1
        P("c", 0, "A00", "S", "w"),  # c: no kitchen, 5 seats, w already teaches a
        P("d", 0, "A00", "R2", "P"),  # d, e: P has 10 minutes to travel 30
        P("e", 0, "B01", "RB", "P"),
        P("f", 0, "A12", "K", "w"),  # f: pinned to m; w unavailable, over 3, not preferred
        P("h", 0, "A10", "R1", "m"),  # h: m teaches music; alone in group q
        P("hw", 0, "A11", "R1", "l"),  # hw: not in its classroom R2
    ]  # u: not placed
    return p, bad


def test_each_rule_module_is_in_the_registry_once_and_named_after_its_id():
    modules = {m.name for m in pkgutil.iter_modules(rules_pkg.__path__)} - {"base"}
    assert modules == set(RULES)
    assert len(REGISTRY) == len(RULES)
    for rule in REGISTRY:
        assert type(rule).__module__ == f"{rules_pkg.__name__}.{rule.id}"


@pytest.mark.parametrize("rule", REGISTRY, ids=lambda r: r.id)
def test_each_rule_has_both_halves_and_a_sentence_in_both_languages(rule: Rule):
    assert type(rule).post is not Rule.post, "posts to the model"
    assert type(rule).score is not Rule.score, "is scored by the checker"
    assert rule.id.isidentifier() and rule.id.islower()
    assert rule.kind in ("hard", "soft") and rule.weight > 0 and rule.scope in SCOPES
    assert any("\u4e00" <= ch <= "\u9fff" for ch in rule.zh) and rule.zh.endswith("。")
    assert rule.en[0].isupper() and rule.en.endswith(".") and not any("\u4e00" <= ch <= "\u9fff" for ch in rule.en)
    assert rule.kind == "soft" or (rule.weight == 1 and rule.default_on)


def test_model_and_checker_cover_exactly_the_registry():
    p, bad = everything()
    # every rule posts to the model (explain mode offers every room, so the rules that otherwise
    # act through the domains post too) and only under its own id
    mdl = build(p, explain=True)
    assert set(mdl.posted) == set(RULES)
    assert mdl.posted_by == {r: {r} for r in RULES}
    assert {rule for rule, _ in mdl.lits} == set(HARD)  # requirement groups are hard rules only
    normal = build(p, room_choices=2, teacher_choices=1)
    assert all(posted <= {r} for r, posted in normal.posted_by.items())
    assert set(normal.posted) <= set(RULES)
    # the checker scores every rule of the registry, and nothing else
    res = check(p, bad)
    assert {v.rule_id for v in res.violations} == set(RULES)
    assert set(res.hard_by_rule) == set(HARD) and set(res.cost_by_rule) <= set(SOFT)
    assert set(res.cost_by_rule) == set(SOFT)


def test_model_agrees_with_checker_on_a_timetable_breaking_every_rule():
    p, bad = everything()
    res = check(p, bad)
    m = model_verdict(p, bad)
    assert set(m.broken) == set(HARD) == {r for r, n in res.hard_by_rule.items() if n}
    assert not m.feasible


def test_model_objective_is_the_checkers_cost_on_a_timetable_keeping_every_hard_rule():
    p, _ = everything()
    m = next(t for t in p.teachers if t.id == "m")
    p = replace(p, teachers=tuple(replace(t, subjects=frozenset({"art"})) if t is m else t for t in p.teachers))
    good = [
        P("a", 0, "A00", "R1", "w"),
        P("a", 1, "A10", "K", "w"),  # another room, and not where it was
        P("b", 0, "A01", "R2", "l"),
        P("c", 0, "A11", "K", "w"),
        P("d", 0, "A10", "R2", "P"),  # Tuesday at A, Monday at B: no travel in between
        P("e", 0, "B00", "RB", "P"),
        P("f", 0, "A02", "R1", "m"),
        P("h", 0, "A01", "R1", "m"),
        P("u", 0, "A12", "R1", "l"),
        P("hw", 0, "A11", "R2", "l"),
    ]
    res = check(p, good)
    assert res.hard == 0 and len(res.cost_by_rule) >= 4, res.violations
    verify(p, good, "teacher_not_qualified", 0)


def test_the_solver_readme_lists_every_rule():
    text = (Path(rules_pkg.__file__).parents[1] / "README.md").read_text()
    for rule in REGISTRY:
        assert f"| `{rule.id}` | {rule.kind} |" in text and rule.zh in text, rule.id
