"""Registers: who may take them, the calendar, leave, incremental aggregates, the history seed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from courses.models import Course, Section, Teacher
from enrollment.models import Enrollment
from participation import selectors as part_selectors
from participation import services as part_services
from participation.models import Attendance, AttendanceDaily, LeaveReport, Register
from partners.models import PartnerCourse
from scheduling.models import Placement
from tests.enrollment import factories as f
from tests.scheduling.factories import add_timetable_data, published_for_a

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 11, 23)  # a Monday before "today" in these tests' calendar (term 2026-09-01 … 2027-01-22)
HOLIDAY = dt.date(2026, 10, 1)  # Thursday, a holiday in add_timetable_data
SWAPPED = dt.date(2026, 10, 10)  # Saturday, a working day following Friday's timetable


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def tt(world, monkeypatch):
    """School A's published timetable; the club (teacher_a's section) also meets on Fridays."""
    monkeypatch.setattr(part_selectors.timezone, "localdate", lambda: dt.date(2026, 11, 27))
    data = add_timetable_data(world)
    timetable = published_for_a(world, data)
    zhang = data.teachers[0]
    Placement.objects.create(
        timetable=timetable,
        section=world.section_a,
        meeting=1,
        slot=data.slots[4, 2],
        room=data.rooms[0],
        teacher=zhang,
    )
    data.timetable = timetable
    return data


def _url(name: str, section: Section, day: dt.date) -> str:
    return reverse(f"participation:{name}", args=[section.pk, day.isoformat()])


def test_school_days_skip_holidays_and_follow_swapped_days(world, tt):
    days = part_selectors.school_days(tt.term)
    assert HOLIDAY not in days
    assert days[SWAPPED] == 4  # Saturday follows Friday
    assert dt.date(2026, 10, 11) not in days  # an ordinary Sunday
    club = world.section_a
    assert part_selectors.meets_on(club, SWAPPED)  # the club meets on Fridays
    assert part_selectors.meets_on(club, MON)
    assert not part_selectors.meets_on(club, MON + dt.timedelta(days=1))  # Tuesday: no club
    homework_tue_thu = tt.homework[1]
    assert part_selectors.meets_on(homework_tue_thu, dt.date(2026, 10, 8))  # Thursday
    assert not part_selectors.meets_on(homework_tue_thu, HOLIDAY)


def test_teacher_takes_only_their_own_registers(client, world, tt):
    client.force_login(world.users.teacher_a)
    assert client.get(_url("register", world.section_a, MON)).status_code == 200
    assert client.get(_url("register", tt.homework[1], MON)).status_code == 404  # 王老师's section
    assert client.get(_url("register", world.section_b, MON)).status_code == 404  # another school
    response = client.post(_url("register_mark", tt.homework[1], MON), {"student": 1, "status": "absent"})
    assert response.status_code == 404
    assert not Register.objects.exists()
    day = client.get(reverse("participation:teacher_day"), {"date": MON.isoformat()}).content.decode()
    assert "机器人社团" in day and "书法社团" not in day


def test_register_defaults_to_present_and_each_tap_saves(client, world, tt):
    child = world.children_a[0]
    others = f.pupils(3, world.school_a, world.class_a, prefix="R")
    for pupil in others:
        Enrollment.objects.create(student=pupil, section=world.section_a, status="enrolled")
    client.force_login(world.users.teacher_a)
    page = client.get(_url("register", world.section_a, MON)).content.decode()
    assert child.name in page and 'aria-pressed="true"' in page and "mark-present on" in page
    response = client.post(
        _url("register_mark", world.section_a, MON),
        {"student": others[0].pk, "status": "absent"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "<html" not in response.content.decode()
    register = Register.objects.get(section=world.section_a, date=MON)
    assert (register.expected, register.present, register.absent, register.leave) == (4, 3, 1, 0)
    assert register.taken_by == world.users.teacher_a and register.teacher.name == "张老师"
    assert Attendance.objects.filter(section=world.section_a, date=MON).count() == 4
    # correcting a mark changes counts, not the number of rows
    client.post(_url("register_mark", world.section_a, MON), {"student": others[0].pk, "status": "present"})
    register.refresh_from_db()
    assert (register.present, register.absent) == (4, 0)


def test_no_register_on_a_holiday_a_day_without_meeting_or_in_the_future(client, world, tt):
    client.force_login(world.users.teacher_a)
    for day in (HOLIDAY, MON + dt.timedelta(days=1), dt.date(2026, 11, 30)):
        client.post(_url("register_save", world.section_a, day))
    assert not Register.objects.exists()
    client.post(_url("register_save", world.section_a, SWAPPED))
    assert Register.objects.filter(date=SWAPPED).count() == 1


def test_partner_teacher_takes_the_register_of_their_section(client, world, tt):
    chen = Teacher.objects.get(provider=world.provider)
    course = Course.objects.create(
        school=world.school_a,
        kind=Course.Kind.PARTNER,
        title="中点(工贸)",
        grades=[3],
        seats_per_section=20,
        partner_course=PartnerCourse.objects.get(title="中点"),
    )
    section = Section.objects.create(course=course, term=tt.term, code="1", teacher=chen, capacity=20)
    Placement.objects.create(
        timetable=tt.timetable, section=section, meeting=0, slot=tt.slots[0, 2], room=tt.rooms[2], teacher=chen
    )
    Enrollment.objects.create(student=world.children_a[0], section=section, status="enrolled")
    client.force_login(world.users.partner)
    assert client.get(_url("register", section, MON)).status_code == 200
    assert client.get(_url("register", world.section_a, MON)).status_code == 404
    client.post(_url("register_save", section, MON))
    assert Register.objects.get(section=section).present == 1


def test_coordinator_sees_untaken_registers_of_their_own_school_only(client, world, tt):
    client.force_login(world.users.coordinator_a)
    url = reverse("participation:school_attendance", args=[world.school_a.pk])
    page = client.get(url, {"date": MON.isoformat()}).content.decode()
    assert "机器人社团" in page  # not taken yet
    assert client.post(_url("register_save", world.section_a, MON)).status_code == 302
    page = client.get(url, {"date": MON.isoformat()}).content.decode()
    assert reverse("participation:register", args=[world.section_a.pk, MON.isoformat()]) not in page
    assert client.get(reverse("participation:school_attendance", args=[world.school_b.pk])).status_code == 404
    assert client.get(_url("register", world.section_b, MON)).status_code == 404
    client.force_login(world.users.coordinator_b)
    assert client.get(_url("register", world.section_a, MON)).status_code == 404


def test_parent_reports_leave_only_for_their_own_child(client, world, tt, monkeypatch):
    child = world.children_a[0]
    client.force_login(world.users.parent_1)
    url = reverse("participation:leave", args=[child.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"date": "2026-11-27", "reason": "看病"}).status_code == 302
    assert LeaveReport.objects.get(student=child).reason == "看病"
    other = world.children_b[0]
    assert client.post(reverse("participation:leave", args=[other.pk]), {"date": "2026-11-27"}).status_code == 404
    assert not LeaveReport.objects.filter(student=other).exists()
    client.post(url, {"date": "2026-11-01"})  # the past: refused
    assert LeaveReport.objects.filter(student=child).count() == 1
    client.force_login(world.users.teacher_a)
    client.post(_url("register_save", world.section_a, dt.date(2026, 11, 27)))  # a Friday
    assert Attendance.objects.get(student=child, date=dt.date(2026, 11, 27)).status == "leave"
    client.force_login(world.users.coordinator_a)
    assert client.get(url).status_code == 403


def _cells() -> dict:
    return {
        (c.school_id, c.date, c.grade, c.kind): (c.expected, c.present, c.absent, c.leave, c.fee_due)
        for c in AttendanceDaily.objects.all()
        if c.expected or c.present or c.absent or c.leave or c.fee_due
    }


def test_incremental_aggregates_equal_a_full_recount(world, tt):
    chess = f.section(world.school_a, "国际象棋", fee="3.50", teacher=tt.teachers[0])
    Placement.objects.create(
        timetable=tt.timetable, section=chess, meeting=0, slot=tt.slots[2, 2], room=tt.rooms[0], teacher=tt.teachers[0]
    )
    kids = f.pupils(12, world.school_a, world.class_a, prefix="S")
    kids[0].priority_groups = ["low_income"]
    kids[0].save()
    for kid in kids:
        Enrollment.objects.create(student=kid, section=chess, status="enrolled")
        Enrollment.objects.create(student=kid, section=tt.homework[0], status="enrolled")
    wed = MON + dt.timedelta(days=2)
    by = world.users.coordinator_a
    part_services.register_save(section=chess, day=wed, changes={kids[1].pk: "absent"}, by=by)
    part_services.register_save(section=chess, day=wed, changes={kids[1].pk: "leave", kids[2].pk: "absent"}, by=by)
    part_services.register_save(section=chess, day=wed, changes={kids[0].pk: "absent"}, by=by)
    part_services.register_save(section=chess, day=wed, changes={kids[0].pk: "present"}, by=by)
    part_services.register_save(section=tt.homework[0], day=MON, changes={kids[3].pk: "leave"}, by=by)
    Enrollment.objects.create(student=world.children_a[0], section=chess, status="enrolled")
    part_services.register_save(section=chess, day=wed, changes={}, by=by)  # a late joiner is added, present
    Enrollment.objects.filter(student=kids[4], section=chess).update(status="withdrawn")
    part_services.register_save(section=chess, day=wed, changes={kids[4].pk: "absent"}, by=by)  # still on that day
    incremental = _cells()
    key = (world.school_a.pk, wed, 3, "club")
    # 13 pupils: present 10 (kids[0] exempt), leave 1, absent 2 → fee 9 × 3.50
    assert incremental[key] == (13, 10, 2, 1, Decimal("31.50"))
    part_services.daily_recount()
    assert _cells() == incremental
    assert Register.objects.get(section=chess, date=wed).expected == 13


def test_seed_history_matches_a_recount_and_respects_the_calendar():
    from io import StringIO

    from django.core.management import call_command

    from demo.history import seed_history

    call_command("seed_demo", "--size", "small", stdout=StringIO())
    report = seed_history(until=dt.date(2026, 10, 16))
    assert report.created and report.marks > 10_000 and report.registers > 100
    assert not Attendance.objects.filter(date=HOLIDAY).exists()
    assert Attendance.objects.filter(date=SWAPPED).exists()  # the swapped Saturday follows Friday
    assert not Attendance.objects.filter(date=dt.date(2026, 10, 11)).exists()  # Sunday
    assert Register.objects.filter(date__gt=dt.date(2026, 10, 16)).count() == 0
    written = _cells()
    part_services.daily_recount()
    assert _cells() == written
    again = seed_history(until=dt.date(2026, 10, 16))
    assert not again.created
