"""Issue 13 item 1: homework help meets in the class's own classroom (hard rule homework_in_home_room)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from courses import imports
from courses.models import Course, SchoolClass
from scheduling import adapters
from scheduling.solver.check import check
from scheduling.solver.solve import solve
from tests.courses.xlsx import upload
from tests.scheduling.factories import add_timetable_data

pytestmark = pytest.mark.django_db


def _with_home_rooms(world):
    tt = add_timetable_data(world)
    world.class_a.home_room = tt.rooms[0]
    world.class_a.save()
    tt.class_2.home_room = tt.rooms[1]
    tt.class_2.save()
    return tt


def test_the_adapter_gives_homework_help_its_class_home_room_and_nothing_else(world):
    tt = _with_home_rooms(world)
    sections = {s.id: s for s in adapters.problem_build(school=world.school_a, term=tt.term).problem.sections}
    assert sections[f"section:{tt.homework[0].pk}"].home_room == f"room:{tt.rooms[0].pk}"
    assert sections[f"section:{tt.homework[1].pk}"].home_room == f"room:{tt.rooms[1].pk}"
    assert sections[f"section:{tt.clubs[1].pk}"].home_room is None  # a club meets where the solver puts it


def test_a_school_switches_the_rule_off_per_course(world):
    tt = _with_home_rooms(world)
    Course.objects.filter(pk=tt.homework[0].course_id).update(homework_in_home_room=False)
    sections = adapters.problem_build(school=world.school_a, term=tt.term).problem.sections
    assert all(s.home_room is None for s in sections)


def test_the_solved_timetable_puts_every_homework_meeting_in_the_home_room(world):
    tt = _with_home_rooms(world)
    built = adapters.problem_build(school=world.school_a, term=tt.term)
    solution = solve(built.problem, time_limit=5, workers=1, seed=1)
    assert solution.hard_violations == 0
    homes = {f"section:{tt.homework[0].pk}": f"room:{tt.rooms[0].pk}", f"section:{tt.homework[1].pk}": f"room:{tt.rooms[1].pk}"}  # fmt: skip
    rooms = {(p.section, p.room) for p in solution.placements if p.section in homes}
    assert rooms == set(homes.items())
    # the independent checker says the rule's sentence when a meeting is moved out of the home room
    moved = [replace(p, room=f"room:{tt.rooms[1].pk}") if p.section == next(iter(homes)) else p for p in solution.placements]  # fmt: skip
    report = check(built.problem, moved)
    assert any(v.rule_id == "homework_in_home_room" for v in report.violations)


def test_the_rooms_import_carries_the_home_room_column(world):
    school = world.school_a
    SchoolClass.objects.create(school=school, grade=3, number=4)
    rows = [["名称", "容纳人数", "设施", "本班"], ["三（4）班教室", 50, "", "三（4）班"], ["劳技教室", 30, "厨房", ""]]
    result = imports.rooms_import(school=school, upload=upload(rows))
    assert result.ok and result.created == 2
    klass = SchoolClass.objects.get(school=school, grade=3, number=4)
    assert klass.home_room.name == "三（4）班教室"
    assert result.extra["home_rooms_set"] == 1


@pytest.mark.parametrize(
    ("cell", "code"), [("三（9）班", "unknown_home_class"), ("四班", "bad_home_class")]
)  # fmt: skip
def test_a_bad_home_class_is_a_problem_and_nothing_is_written(world, cell, code):
    school = world.school_a
    before = school.rooms.count()
    rows = [["名称", "容纳人数", "本班"], ["新教室", 50, cell]]
    result = imports.rooms_import(school=school, upload=upload(rows))
    assert not result.ok and [p.code for p in result.problems] == [code]
    assert result.problems[0].column == "本班"
    assert school.rooms.count() == before
