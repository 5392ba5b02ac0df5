"""A small timetabling world on top of tests/factories.py `build_world` (solves in well under a second)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from courses.models import CalendarException, Course, Room, SchoolClass, Section, Slot, Teacher, Term
from scheduling.models import Placement, Timetable


@dataclass
class TT:
    term: Term
    term_b: Term
    rooms: list[Room]
    teachers: list[Teacher]
    class_2: SchoolClass
    homework: list[Section]
    clubs: list[Section]
    slots: dict[tuple[int, int], Slot]


def add_timetable_data(world) -> TT:
    """School A gets a second class, rooms, teachers, homework help twice a week and two clubs;
    its term gets a holiday (Thu 2026-10-01) and a swapped working day (Sat 2026-10-10, follows Fri)."""
    school = world.school_a
    term = Term.objects.get(school=school)
    term_b = Term.objects.get(school=world.school_b)
    class_2 = SchoolClass.objects.create(school=school, grade=3, number=2)
    rooms = [
        Room.objects.get(school=school),
        Room.objects.create(school=school, name="三(2)班教室", capacity=50),
        Room.objects.create(school=school, name="劳技教室", capacity=30, features=["kitchen"]),
    ]
    zhang = Teacher.objects.get(school=school, staff_no="T1")
    li = Teacher.objects.create(school=school, name="李老师", staff_no="T2", subjects=["语文"], max_periods_week=6)
    wang = Teacher.objects.create(school=school, name="王老师", staff_no="T3", subjects=["美术"], max_periods_week=6)
    homework = Course.objects.create(
        school=school,
        kind=Course.Kind.HOMEWORK,
        title="三年级作业辅导",
        grades=[3],
        seats_per_section=50,
        meetings_per_week=2,
    )
    hw = [
        Section.objects.create(
            course=homework, term=term, code="1班", teacher=li, school_class=world.class_a, capacity=45
        ),
        Section.objects.create(course=homework, term=term, code="2班", teacher=wang, school_class=class_2, capacity=45),
    ]
    calligraphy = Course.objects.create(
        school=school, kind=Course.Kind.CLUB, title="书法社团", grades=[3], seats_per_section=30, meetings_per_week=2
    )
    clubs = [
        world.section_a,
        Section.objects.create(course=calligraphy, term=term, code="1", teacher=wang, capacity=30),
    ]
    CalendarException.objects.create(term=term, date=dt.date(2026, 10, 1), kind="holiday", note="国庆")
    CalendarException.objects.create(term=term, date=dt.date(2026, 10, 10), kind="workday", follows_weekday=4)
    slots = {(s.weekday, s.session): s for s in Slot.objects.filter(school=school)}
    return TT(term, term_b, rooms, [zhang, li, wang], class_2, hw, clubs, slots)


def make_timetable(*, school, term, rows, status=Timetable.Status.DRAFT, version=None, by=None) -> Timetable:
    """A timetable written directly: rows are (section, meeting, slot, room, teacher)."""
    if version is None:
        version = (Timetable.objects.filter(school=school, term=term).count()) + 1
    tt = Timetable.objects.create(
        school=school,
        term=term,
        version=version,
        status=status,
        published_at=timezone.now() if status == Timetable.Status.PUBLISHED else None,
        published_by=by if status == Timetable.Status.PUBLISHED else None,
        created_by=by,
    )
    Placement.objects.bulk_create(
        [Placement(timetable=tt, section=s, meeting=m, slot=sl, room=r, teacher=t) for s, m, sl, r, t in rows]
    )
    return tt


def published_for_a(world, tt: TT, *, by=None) -> Timetable:
    """A valid published timetable for school A (homework session 1 Mon/Wed and Tue/Thu; clubs session 2)."""
    s, r, (zhang, li, wang) = tt.slots, tt.rooms, tt.teachers
    rows = [
        (tt.homework[0], 0, s[0, 1], r[0], li),
        (tt.homework[0], 1, s[2, 1], r[0], li),
        (tt.homework[1], 0, s[1, 1], r[1], wang),
        (tt.homework[1], 1, s[3, 1], r[1], wang),
        (tt.clubs[0], 0, s[0, 2], r[0], zhang),
        (tt.clubs[1], 0, s[1, 2], r[1], wang),
        (tt.clubs[1], 1, s[3, 2], r[1], wang),
    ]
    return make_timetable(school=world.school_a, term=tt.term, rows=rows, status=Timetable.Status.PUBLISHED, by=by)
