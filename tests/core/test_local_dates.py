"""Timestamps become dates in the school's time zone (Asia/Shanghai), never UTC's.

At 07:30 in Beijing it is still the previous day in UTC (23:30): a `.date()` on the UTC value
would put the pupil's seat, or the window's closing day, on the wrong calendar day.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from allocation.adapter import problem_build
from enrollment.models import Enrollment, Preference
from participation.exports import regulator_rows
from tests.enrollment import factories as f

BEIJING = ZoneInfo("Asia/Shanghai")
MORNING = dt.datetime(2026, 9, 1, 7, 30, tzinfo=BEIJING)  # 2026-08-31 23:30 UTC

pytestmark = pytest.mark.django_db


def test_the_regulator_export_dates_a_seat_by_the_beijing_calendar(world):
    Enrollment.objects.filter(student=world.children_a[0]).update(created_at=MORNING)
    rows = regulator_rows("enrollments", [world.school_a.pk])
    mine = [r for r in rows if r["section"] == world.section_a.code and r["course"] == world.section_a.course.title]
    assert [r["since"] for r in mine] == ["2026-09-01"]


def test_a_window_closing_at_0730_beijing_finds_siblings_seated_that_day(world):
    """The allocation looks for siblings' seats in the term running on the window's closing day: the
    Beijing day (a term starting on 1 September counts), not the UTC day (31 August)."""
    a, b = world.school_a, world.school_b
    term_a, term_b = f.term_of(a), f.term_of(b)
    type(term_b).objects.filter(pk=term_b.pk).update(start=dt.date(2026, 9, 1))
    window = f.window(a, "preference", open_=False, opens_at=MORNING - dt.timedelta(days=5), closes_at=MORNING)
    club = f.section(a, "合唱", capacity=5)
    child = world.children_a[0]
    Enrollment.objects.filter(student=child).delete()
    Preference.objects.create(window=window, student=child, section=club, rank=1)
    # the sibling at school B holds a seat in B's term that starts on the Beijing closing day
    sibling = world.children_b[0]
    type(sibling).objects.filter(pk=sibling.pk).update(family=child.family)
    from scheduling.models import Placement, Timetable  # a published time for the sibling's seat

    section_b = world.section_b
    assert section_b.term_id == term_b.pk and term_a.pk != term_b.pk
    timetable = Timetable.objects.create(school=b, term=term_b, version=1, status="published", published_at=MORNING)
    from courses.models import Room, Slot, Teacher

    slot = Slot.objects.filter(school=b).first() or Slot.objects.create(
        school=b, weekday=0, session=1, start=dt.time(15, 30), end=dt.time(16, 30)
    )
    room = Room.objects.create(school=b, name="测试教室", capacity=40)
    teacher = Teacher.objects.create(school=b, name="周老师", staff_no="B9")
    Placement.objects.create(timetable=timetable, section=section_b, meeting=0, slot=slot, room=room, teacher=teacher)
    window.refresh_from_db()  # as the worker reads it: in UTC
    built = problem_build(window)
    assert sibling.pk in built.fixed_ids
