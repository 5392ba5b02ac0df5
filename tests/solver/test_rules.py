"""One test per rule, each on the smallest problem where that rule alone decides the outcome."""

from __future__ import annotations

from dataclasses import replace

from scheduling.solver.check import check
from scheduling.solver.domain import Pin, Placement, Solution, Teacher
from scheduling.solver.rules import HARD, RULES, SOFT
from scheduling.solver.solve import solve

from .conftest import problem, room, section, slots, teacher


def _solve(p, **kw):
    sol = solve(p, time_limit=5, workers=1, seed=1, **kw)
    assert sol.placements, sol.status
    res = check(p, sol.placements)
    assert res.hard == 0, res.violations
    assert sol.cost == res.cost  # the reported cost is the checker's
    return sol, res


def _at(sol, sid, m=0):
    return next(q for q in sol.placements if q.section == sid and q.meeting == m)


def test_registry_has_sentences_and_ids():
    assert {"teacher_double_booked", "partner_travel", "pinned", "minimal_change"} <= set(RULES)
    for r in RULES.values():
        assert r.id.islower() and r.zh and r.en and r.kind in ("hard", "soft")
    assert set(HARD).isdisjoint(SOFT)


def test_teacher_double_booked():
    p = problem(slots(days=2), [room("R1"), room("R2")], [teacher("w")],
                [section("a"), section("b")])  # fmt: skip
    sol, _ = _solve(p)
    assert _at(sol, "a").slot != _at(sol, "b").slot


def test_room_double_booked():
    p = problem(slots(days=2), [room("R1")], [teacher("w"), teacher("l")],
                [section("a", eligible_teachers=frozenset({"w"})),
                 section("b", eligible_teachers=frozenset({"l"}))])  # fmt: skip
    sol, _ = _solve(p)
    assert _at(sol, "a").slot != _at(sol, "b").slot


def test_group_clash():
    p = problem(slots(days=2), [room("R1"), room("R2")], [teacher("w"), teacher("l")],
                [section("a", eligible_teachers=frozenset({"w"}), groups=frozenset({"1班"})),
                 section("b", eligible_teachers=frozenset({"l"}), groups=frozenset({"1班"}))])  # fmt: skip
    sol, _ = _solve(p)
    assert _at(sol, "a").slot != _at(sol, "b").slot


def test_room_too_small():
    p = problem(slots(days=1), [room("small", 10), room("big", 30)], [teacher("w")],
                [section("a", size=20)])  # fmt: skip
    sol, _ = _solve(p)
    assert _at(sol, "a").room == "big"


def test_room_lacks_feature():
    p = problem(slots(days=1), [room("plain"), room("kitchen", features="kitchen")],
                [teacher("w", "cooking")],
                [section("a", "cooking", features=frozenset({"kitchen"}))])  # fmt: skip
    sol, _ = _solve(p)
    assert _at(sol, "a").room == "kitchen"


def test_teacher_unavailable():
    p = problem(slots(days=2), [room("R1")], [teacher("w", unavailable=frozenset({"A00"}))],
                [section("a")])  # fmt: skip
    sol, _ = _solve(p)
    assert _at(sol, "a").slot == "A10"


def test_teacher_not_qualified():
    p = problem(slots(days=1), [room("R1")], [teacher("w", "music"), teacher("l", "art")],
                [section("a", "art")])  # fmt: skip
    sol, _ = _solve(p)
    assert _at(sol, "a").teacher == "l"


def test_teacher_over_load():
    # the preference pushes both sections to w; the load limit of 1 decides
    sl = slots(days=2)
    p = problem(sl, [room("R1"), room("R2")],
                [teacher("w", max_periods_week=1),
                 teacher("l", avoid=frozenset(s.id for s in sl))],
                [section("a"), section("b")], weights={"teacher_preference": 1})  # fmt: skip
    sol, _ = _solve(p)
    assert sorted(q.teacher for q in sol.placements) == ["l", "w"]


def test_partner_travel():
    # P teaches at A 16:00-16:50 on Monday; B's Monday slot is 17:00 (10 min later, travel 30)
    sa = slots("A", days=1, sessions=1)
    sb = tuple(s for s in slots("B", days=2, sessions=2) if (s.weekday, s.session) != (1, 0))
    t = Teacher(
        "P", "合作老师", frozenset({"A", "B"}), frozenset({"voc"}), avoid=frozenset({"B11"})
    )  # prefers Monday, travel forbids it
    p = problem(sa + sb, [room("RA", school="A"), room("RB", school="B")], [t],
                [section("a", "voc", school="A"), section("b", "voc", school="B")],
                travel_minutes={("A", "B"): 30}, weights={"teacher_preference": 1})  # fmt: skip
    sol, _ = _solve(p)
    assert _at(sol, "b").slot == "B11"
    assert "partner_travel" in {
        v.rule_id
        for v in check(p, [Placement("a", 0, "A00", "RA", "P"), Placement("b", 0, "B01", "RB", "P")]).violations
    }


def test_pinned():
    p = problem(slots(days=2), [room("R1"), room("R2")], [teacher("w")], [section("a")],
                pins=(Pin("a", 0, slot="A10", room="R2"),))  # fmt: skip
    sol, _ = _solve(p)
    assert (_at(sol, "a").slot, _at(sol, "a").room) == ("A10", "R2")


def test_teacher_load_balance():
    p = problem(slots(days=2), [room("R1"), room("R2")], [teacher("w"), teacher("l")],
                [section("a"), section("b")], weights={"teacher_load_balance": 2})  # fmt: skip
    sol, res = _solve(p)
    assert {q.teacher for q in sol.placements} == {"w", "l"}
    assert res.cost_by_rule.get("teacher_load_balance", 0) == 0


def test_meetings_spread():
    p = problem(slots(days=2, sessions=2), [room("R1")], [teacher("w")], [section("a", n=2)],
                weights={"meetings_spread": 3})  # fmt: skip
    sol, res = _solve(p)
    assert len({q.slot[1] for q in sol.placements}) == 2  # two weekdays
    assert res.cost == 0


def test_club_band_spread():
    secs = [section(x, eligible_teachers=frozenset({x}), groups=frozenset({"g3"})) for x in "ab"]
    p = problem(slots(days=2, sessions=2), [room("R1"), room("R2")],
                [teacher("a"), teacher("b")], secs, weights={"club_band_spread": 2})  # fmt: skip
    sol, res = _solve(p)
    assert _at(sol, "a").slot[1] != _at(sol, "b").slot[1]
    assert res.cost == 0


def test_teacher_preference():
    p = problem(slots(days=2), [room("R1")], [teacher("w", avoid=frozenset({"A00"}))],
                [section("a")], weights={"teacher_preference": 1})  # fmt: skip
    sol, res = _solve(p)
    assert _at(sol, "a").slot == "A10" and res.cost == 0


def test_room_stability():
    p = problem(slots(days=2), [room("R1"), room("R2")], [teacher("w")], [section("a", n=2)],
                weights={"room_stability": 1})  # fmt: skip
    sol, res = _solve(p)
    assert len({q.room for q in sol.placements}) == 1 and res.cost == 0


def test_session_by_kind():
    """Homework help in session 1 and a club in session 2 on the only day: no clash for a pupil in both."""
    p = problem(slots(days=1, sessions=2), [room("R1")], [teacher("w")],
                [section("hw", session=0), section("club", session=1)])  # fmt: skip
    sol, res = _solve(p)
    assert (_at(sol, "hw").slot, _at(sol, "club").slot) == ("A00", "A01") and res.cost == 0
    swapped = [Placement("hw", 0, "A01", "R1", "w"), Placement("club", 0, "A00", "R1", "w")]
    assert check(p, swapped).cost_by_rule["session_by_kind"] == 2 * RULES["session_by_kind"].weight


def test_homework_in_home_room():
    # the home room is not the snuggest fit: the rule narrows the rooms before the shortlist
    rooms = [room("big", 50), room("home", 40), room("R3", 30)]
    p = problem(slots(days=3), rooms, [teacher("w", "homework")],
                [section("hw", "homework", n=3, size=30, kind="homework", home_room="home")])  # fmt: skip
    sol, _ = _solve(p, room_choices=1)
    assert {q.room for q in sol.placements} == {"home"}
    # None: the school switched the rule off for this course, and the shortlist's room is used
    off = replace(p, sections=(replace(p.sections[0], home_room=None),))
    sol, _ = _solve(off, room_choices=1)
    assert {q.room for q in sol.placements} == {"R3"}


def test_minimal_change_keeps_previous_timetable():
    base = problem(slots(days=3, sessions=2), [room("R1"), room("R2")],
                   [teacher("w"), teacher("l")],
                   [section("a", n=2), section("b"), section("c")])  # fmt: skip
    first, _ = _solve(base)
    again = problem(base.slots, base.rooms, base.teachers, base.sections,
                    previous=first, weights={"minimal_change": 5})  # fmt: skip
    sol, res = _solve(again)
    key = {(q.section, q.slot, q.room, q.teacher) for q in sol.placements}
    assert key == {(q.section, q.slot, q.room, q.teacher) for q in first.placements}
    assert res.cost == 0


def test_min_working_days_when_weighted():
    p = problem(slots(days=2, sessions=2), [room("R1")], [teacher("w")],
                [section("a", n=2, min_days=2)], weights={"min_working_days": 5})  # fmt: skip
    sol, res = _solve(p)
    assert len({q.slot[1] for q in sol.placements}) == 2 and res.cost == 0


def test_room_capacity_soft_when_weighted():
    # With the hard rule the only room is too small; as ITC-2007 scores it, it costs per pupil.
    p = problem(slots(days=1), [room("R1", 8)], [teacher("w")], [section("a", size=10)],
                weights={"room_capacity": 1})  # fmt: skip
    res = check(p, [Placement("a", 0, "A00", "R1", "w")])
    assert res.cost_by_rule["room_capacity"] == 2
    assert res.hard_by_rule["room_too_small"] == 1


def test_isolated_lectures_when_weighted():
    p = problem(slots(days=1, sessions=3), [room("R1")], [teacher("w")],
                [section("a", n=2, groups=frozenset({"q"}))],
                weights={"isolated_lectures": 2})  # fmt: skip
    sol, res = _solve(p)
    sessions = sorted(int(q.slot[2]) for q in sol.placements)
    assert sessions[1] - sessions[0] == 1 and res.cost == 0


def test_previous_solution_object_is_plain_data():
    s = Solution((), "unknown")
    assert s.cost is None and s.placements == ()
