"""Issue 13 item 8: the headline attendance rate says what it rests on (registers and pupils)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from courses.models import Section
from participation import stats
from participation.models import Attendance, Register
from tests.participation.test_stats import D1, D2, data  # noqa: F401 - the hand-computed data set

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def registers(world, data):  # noqa: F811
    """The registers behind data's marks: homework help on two days, the club on one."""
    homework = Section.objects.get(course__title="三年级作业辅导")
    for section, day in ((homework, D1), (homework, D2), (world.section_a, D1)):
        Register.objects.create(section=section, date=day, school_id=world.school_a.pk)
    return data


def test_the_total_carries_the_registers_and_pupils_behind_the_rate(world, registers):
    t = stats.school_stats(school_ids=[world.school_a.pk])["total"]
    assert (t["attendance_rate"], t["registers"], t["attendance_pupils"]) == (94.1, 3, 15)
    assert Attendance.objects.values("student").distinct().count() == 15


def test_the_bureau_headline_shows_them_and_hides_fewer_than_ten_pupils(client, world, registers):
    client.force_login(world.users.bureau)
    page = client.get(reverse("participation:bureau_home")).content.decode()
    assert "94.1%" in page and "基于 3 次点名、15 名学生" in page
    api = client.get("/api/v1/stats/district").json()["total"]
    assert (api["registers"], api["attendance_pupils"]) == (3, 15)
    Attendance.objects.exclude(student__name__in=["学生P2", "学生P3"]).delete()
    cache.clear()
    page = client.get(reverse("participation:bureau_home")).content.decode()
    assert "基于 3 次点名，不足 10 名学生" in page
