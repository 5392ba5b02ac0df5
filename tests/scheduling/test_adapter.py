"""Rows → Problem → Solution → rows, and what the adapter puts into the Problem."""

from __future__ import annotations

import datetime as dt

import pytest

from courses.models import Course, Room, School, Section, Slot, Teacher, Term
from enrollment.models import Enrollment
from partners.models import TravelTime
from scheduling import adapters
from scheduling.models import Pin, Placement, Timetable
from scheduling.solver.solve import solve
from tests.scheduling.factories import add_timetable_data, make_timetable, published_for_a

pytestmark = pytest.mark.django_db


def test_problem_has_ids_groups_teachers_and_pins(world):
    tt = add_timetable_data(world)
    Pin.objects.create(section=tt.clubs[1], meeting=1, slot=tt.slots[4, 2])
    Enrollment.objects.create(student=world.children_a[0], section=tt.homework[0], status="enrolled")
    built = adapters.problem_build(school=world.school_a, term=tt.term)
    p = built.problem
    assert {s.id for s in p.slots} == {f"slot:{s.pk}" for s in tt.slots.values()}
    assert {r.id for r in p.rooms} == {f"room:{r.pk}" for r in tt.rooms}
    sections = {s.id: s for s in p.sections}
    assert set(sections) == {f"section:{s.pk}" for s in [*tt.homework, *tt.clubs]}
    hw = sections[f"section:{tt.homework[0].pk}"]
    assert hw.meetings_per_week == 2 and hw.kind == "homework" and hw.expected_size == 45
    assert hw.eligible_teachers == {f"teacher:{tt.teachers[1].pk}"}
    assert f"class:{world.class_a.pk}" in hw.groups
    club = sections[f"section:{world.section_a.pk}"]
    assert f"band:{world.school_a.pk}:g3" in club.groups
    # the child is enrolled in the robot club and in homework help: those two never meet at once
    pupils = {g for g in hw.groups if g.startswith("pupils:")}
    assert pupils and pupils <= club.groups
    assert p.pins == (adapters.d.Pin(f"section:{tt.clubs[1].pk}", 1, slot=f"slot:{tt.slots[4, 2].pk}"),)
    assert adapters.humanize(f"room:{tt.rooms[2].pk} 太小", built.labels) == "劳技教室 太小"


def test_round_trip_solution_becomes_one_draft_with_all_placements(world):
    tt = add_timetable_data(world)
    built = adapters.problem_build(school=world.school_a, term=tt.term)
    solution = solve(built.problem, time_limit=5, workers=1, seed=1)
    assert solution.placements and solution.hard_violations == 0
    timetable = adapters.solution_write(built=built, solution=solution, by=world.users.coordinator_a)
    assert timetable.status == Timetable.Status.DRAFT and timetable.version == 1
    assert timetable.hard_violations == 0 and timetable.cost is not None
    assert set(adapters.timetable_placements(timetable)) == set(solution.placements)
    assert timetable.placements.count() == 2 + 2 + 1 + 2
    # a second write is the next version
    again = adapters.solution_write(built=built, solution=solution)
    assert again.version == 2


def test_previous_timetable_and_minimal_change(world):
    tt = add_timetable_data(world)
    published = published_for_a(world, tt)
    built = adapters.problem_build(school=world.school_a, term=tt.term, previous=published)
    assert built.problem.previous is not None
    assert len(built.problem.previous.placements) == published.placements.count()
    solution = solve(built.problem, time_limit=5, workers=1, hint=built.problem.previous)
    # the published timetable is valid, so the best re-solve keeps it exactly
    assert dict(solution.cost_by_rule).get("minimal_change", 0) == 0


def test_partner_teacher_brings_meetings_elsewhere_and_travel_time(world):
    tt = add_timetable_data(world)
    partner_teacher = Teacher.objects.get(provider=world.provider)
    other = School.objects.create(district=world.district, code="C1", name="城北小学", kind="primary")
    other_term = Term.objects.create(school=other, name="2026秋", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 22))
    other_slot = Slot.objects.create(school=other, weekday=2, session=1, start=dt.time(15, 30), end=dt.time(16, 30))
    other_room = Room.objects.create(school=other, name="劳技教室", capacity=30, features=["kitchen"])
    from partners.models import PartnerCourse

    pc = PartnerCourse.objects.get(provider=world.provider)
    other_course = Course.objects.create(
        school=other, kind="partner", partner_course=pc, title="中点", grades=[3], seats_per_section=20
    )
    other_section = Section.objects.create(
        course=other_course, term=other_term, code="1", teacher=partner_teacher, capacity=20
    )
    make_timetable(school=other, term=other_term, rows=[(other_section, 0, other_slot, other_room, partner_teacher)],
                   status=Timetable.Status.PUBLISHED)  # fmt: skip
    TravelTime.objects.create(from_school=world.school_a, to_school=other, minutes=25)
    here = Course.objects.create(
        school=world.school_a, kind="partner", partner_course=pc, title="中点", grades=[3], seats_per_section=20
    )
    Section.objects.create(course=here, term=tt.term, code="1", teacher=partner_teacher, capacity=20)
    built = adapters.problem_build(school=world.school_a, term=tt.term)
    p = built.problem
    ext = f"section:{other_section.pk}"
    assert ext in {s.id for s in p.sections} and ext not in built.local_sections
    assert any(pin.section == ext and pin.slot == f"slot:{other_slot.pk}" for pin in p.pins)
    assert p.travel(f"school:{world.school_a.pk}", f"school:{other.pk}") == 25
    teacher = next(t for t in p.teachers if t.id == f"teacher:{partner_teacher.pk}")
    assert teacher.schools == {f"school:{world.school_a.pk}", f"school:{other.pk}"}
    solution = solve(p, time_limit=5, workers=1)
    assert solution.hard_violations == 0
    timetable = adapters.solution_write(built=built, solution=solution)
    # only this school's meetings are written; the other school's published row is untouched
    assert not timetable.placements.filter(section=other_section).exists()
    assert Placement.objects.filter(section=other_section).count() == 1
    mine = timetable.placements.get(section__course=here)
    assert not (mine.slot.weekday == 2 and mine.slot.session == 1)
