"""An impossible school gets the right clashing requirement named, in Chinese and English."""

from __future__ import annotations

from scheduling.solver.domain import Pin
from scheduling.solver.explain import explain, precheck

from .conftest import problem, room, section, slots, teacher


def test_teacher_needed_more_than_available():
    sl = slots(days=5)
    p = problem(sl, [room(f"R{j}") for j in range(3)],
                [teacher("w", name="王老师", unavailable=frozenset({"A00"}))],
                [section("a", n=3), section("b", n=3)])  # fmt: skip
    e = explain(p)
    assert e.status == "infeasible" and e.source == "precheck"
    msgs = [v.message_zh for v in e.clashes]
    assert "王老师 需要上 6 节课，但只有 4 个时段可用" in msgs
    assert any(v.message_en == "王老师 is needed for 6 meetings but is available in 4 slots"
               for v in e.clashes)  # fmt: skip


def test_kitchen_room_slots_counted():
    p = problem(slots(days=2), [room("K", features="kitchen"), room("R")],
                [teacher(f"t{j}", "cooking") for j in range(3)],
                [section(f"c{j}", "cooking", features=frozenset({"kitchen"})) for j in range(3)])  # fmt: skip
    found = precheck(p)
    assert [v.rule_id for v in found] == ["room_double_booked"]
    assert "kitchen" in found[0].message_zh


def test_group_and_room_size_prechecks():
    p = problem(slots(days=1), [room("R", 10), room("R2", 10)], [teacher("w"), teacher("l")],
                [section("a", groups=frozenset({"一年级社团"})),
                 section("b", groups=frozenset({"一年级社团"}), size=20)])  # fmt: skip
    rules = {v.rule_id for v in precheck(p)}
    assert rules == {"group_clash", "room_too_small"}


def test_core_names_a_bad_pin():
    # Nothing countable is wrong; the pin puts the art class where its teacher is away.
    p = problem(slots(days=2), [room("R1")],
                [teacher("w", name="王老师", unavailable=frozenset({"A00"}))],
                [section("a", name="美术")], pins=(Pin("a", 0, slot="A00"),))  # fmt: skip
    e = explain(p, time_limit=5)
    assert e.source == "core"
    assert {"pinned", "teacher_unavailable"} <= {v.rule_id for v in e.clashes}
    assert any("王老师 在 A00 不可用" == v.message_zh for v in e.clashes)


def test_feasible_problem_has_no_clash():
    p = problem(slots(days=2), [room("R1")], [teacher("w")], [section("a")])
    e = explain(p)
    assert e.status == "feasible" and not e.clashes


def test_home_room_prechecks():
    rooms = [room("home", 20), room("lab", 40, features="lab"), room("R3", 40, school="B")]
    secs = [
        section("hw1", size=30, home_room="home", name="一班作业辅导"),  # 20 seats for 30 pupils
        section("hw2", features=frozenset({"lab"}), home_room="home"),  # no lab there
        section("hw3", home_room="R3"),  # a room of another school
        section("hw4", n=2, home_room="home"),  # with hw1 and hw2: 4 meetings, 2 slots
    ]
    p = problem(slots(days=2), rooms, [teacher(f"t{j}") for j in range(4)], secs)
    found = [v for v in precheck(p) if v.rule_id == "homework_in_home_room"]
    assert [v.subjects for v in found] == [("hw1", "home"), ("hw2", "home"), ("hw3",), ("home",)]
    assert found[0].message_zh == "一班作业辅导 有 30 人，但本班教室 home 只有 20 个座位"
    assert found[3].message_en == "classroom home is needed for 4 meetings but there are 2 slots"


def test_core_names_a_pin_out_of_the_home_room():
    p = problem(slots(days=2), [room("home"), room("R2")], [teacher("w")],
                [section("hw", name="作业辅导", home_room="home")], pins=(Pin("hw", 0, room="R2"),))  # fmt: skip
    assert precheck(p) == []
    e = explain(p, time_limit=5)
    assert e.source == "core"
    assert {v.rule_id for v in e.clashes} == {"pinned", "homework_in_home_room"}
    assert "作业辅导 在本班教室 home 上课" in {v.message_zh for v in e.clashes}
