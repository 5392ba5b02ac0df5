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
