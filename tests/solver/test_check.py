"""The independent checker finds each hard violation on a hand-made timetable."""

from __future__ import annotations

import pytest

from scheduling.solver.check import check
from scheduling.solver.domain import Pin, Placement, Teacher

from .conftest import problem, room, section, slots, teacher

P = Placement


def _base(**kw):
    return problem(slots(days=2), [room("R1", 30), room("K", 30, features="kitchen")],
                   [teacher("w", "art cooking", unavailable=frozenset({"A10"}),
                            max_periods_week=1), teacher("l", "art")],
                   [section("a", groups=frozenset({"g"})), section("b", groups=frozenset({"g"})),
                    section("c", "cooking", size=40, features=frozenset({"kitchen"}))], **kw)  # fmt: skip


@pytest.mark.parametrize(
    ("placements", "rule"),
    [
        ([P("a", 0, "A00", "R1", "w"), P("b", 0, "A00", "K", "w")], "teacher_double_booked"),
        ([P("a", 0, "A00", "R1", "w"), P("b", 0, "A00", "R1", "l")], "room_double_booked"),
        ([P("a", 0, "A00", "R1", "w"), P("b", 0, "A00", "K", "l")], "group_clash"),
        ([P("c", 0, "A00", "K", "w")], "room_too_small"),
        ([P("c", 0, "A00", "R1", "w")], "room_lacks_feature"),
        ([P("a", 0, "A10", "R1", "w")], "teacher_unavailable"),
        ([P("c", 0, "A00", "K", "l")], "teacher_not_qualified"),
        ([P("a", 0, "A00", "R1", "w"), P("c", 0, "A10", "K", "w")], "teacher_over_load"),
        ([P("a", 0, "A00", "R1", "w")], "unplaced"),
    ],
)
def test_checker_names_the_rule(placements, rule):
    res = check(_base(), placements)
    assert rule in {v.rule_id for v in res.violations}
    v = next(v for v in res.violations if v.rule_id == rule)
    assert v.message_zh and v.message_en


def test_checker_pin():
    p = _base(pins=(Pin("a", 0, slot="A10"),))
    res = check(p, [P("a", 0, "A00", "R1", "l")])
    assert res.hard_by_rule["pinned"] == 1


def test_checker_travel_overlap_across_schools_is_double_booking():
    t = Teacher("P", "合作", frozenset({"A", "B"}), frozenset({"voc"}))
    p = problem(slots("A", 1) + slots("B", 1), [room("RA"), room("RB", school="B")], [t],
                [section("a", "voc"), section("b", "voc", school="B")],
                travel_minutes={("A", "B"): 20})  # fmt: skip
    res = check(p, [P("a", 0, "A00", "RA", "P"), P("b", 0, "B00", "RB", "P")])
    assert res.hard_by_rule["teacher_double_booked"] == 1


def test_clean_timetable_has_no_violation():
    res = check(_base(), [P("a", 0, "A00", "R1", "l"), P("b", 0, "A10", "R1", "l"),
                          P("c", 0, "A00", "K", "w")])  # fmt: skip
    assert res.hard_by_rule["room_too_small"] == 1  # c has 40 pupils, K seats 30
    assert res.hard == 1
