"""Issue 13 item 3: the term calendar decides school days for leave reports and registers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core.errors import DomainError
from participation import services as part_services
from participation.models import LeaveReport, Register
from tests.participation.test_attendance import HOLIDAY, SWAPPED, _url, tt  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 9, 30)  # a Wednesday, the day before the 国庆 holiday of add_timetable_data
SATURDAY = dt.date(2026, 10, 17)  # an ordinary Saturday
NEW_YEAR_OUTSIDE = dt.date(2027, 2, 1)  # after the term's end (2027-01-22)


@pytest.fixture
def today(monkeypatch):
    from participation import selectors as part_selectors

    monkeypatch.setattr(part_selectors.timezone, "localdate", lambda: TODAY)


@pytest.mark.parametrize("day", [SATURDAY, HOLIDAY, NEW_YEAR_OUTSIDE])
def test_leave_on_a_day_that_is_no_school_day_is_refused(world, tt, today, day):  # noqa: F811
    child = world.children_a[0]
    with pytest.raises(DomainError) as refused:
        part_services.leave_report(student=child, day=day, reason="", by=world.users.parent_1)
    assert refused.value.code == "not_school_day"
    assert not LeaveReport.objects.exists()


def test_leave_on_a_school_day_and_a_swapped_working_saturday_is_accepted(world, tt, today):  # noqa: F811
    child = world.children_a[0]
    for day in (dt.date(2026, 10, 12), SWAPPED):  # a Monday; the Saturday that follows Friday
        part_services.leave_report(student=child, day=day, reason="", by=world.users.parent_1)
    assert LeaveReport.objects.filter(student=child).count() == 2


def test_the_leave_page_says_why_a_holiday_is_refused(client, world, tt, today):  # noqa: F811
    child = world.children_a[0]
    client.force_login(world.users.parent_1)
    response = client.post(reverse("participation:leave", args=[child.pk]), {"date": HOLIDAY.isoformat()}, follow=True)
    assert "不是学期中的上学日" in response.content.decode()
    assert not LeaveReport.objects.exists()


@pytest.mark.parametrize(
    ("day", "code"),
    [(HOLIDAY, "not_school_day"), (SATURDAY, "not_school_day"), (dt.date(2026, 10, 9), "day_in_future")],
)
def test_registers_of_holidays_and_future_days_are_refused_with_a_clear_code(world, tt, today, day, code):  # noqa: F811
    club = world.section_a  # meets on Mondays and Fridays (10-09 is a Friday)
    with pytest.raises(DomainError) as refused:
        part_services.register_save(section=club, day=day, by=world.users.teacher_a)
    assert refused.value.code == code
    assert not Register.objects.exists()


def test_the_register_page_of_a_holiday_shows_no_buttons_and_says_why(client, world, tt, today):  # noqa: F811
    client.force_login(world.users.teacher_a)
    page = client.get(_url("register", world.section_a, dt.date(2026, 10, 9))).content.decode()
    assert 'id="register-closed"' in page and "register_mark" not in page and "mark-present" not in page
    assert "不能提前点名" in page
