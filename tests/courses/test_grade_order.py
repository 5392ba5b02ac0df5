"""Issue 13 item 12: grades sort by number everywhere (一 二 三 五, not 一 三 二 五; 2班 before 10班)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import selectors
from courses.models import Course, Section, course_order_key, grade_key, natural_key
from enrollment import selectors as enrollment_selectors
from tests.enrollment import factories as f

pytestmark = pytest.mark.django_db

TITLES = {"三年级作业辅导": 3, "一年级作业辅导": 1, "五年级作业辅导": 5, "二年级作业辅导": 2}


@pytest.fixture
def homework(world):
    school = world.school_a
    term = f.term_of(school)
    courses = [
        Course.objects.create(school=school, kind="homework", title=t, grades=[g], seats_per_section=50)
        for t, g in TITLES.items()
    ]
    for code in ("10班", "2班", "1班"):
        Section.objects.create(course=courses[0], term=term, code=code, capacity=45)
    return courses


def test_the_keys():
    assert grade_key([4, 3]) == 3 and grade_key(7) == 7 and grade_key([]) == 99
    assert sorted(["10班", "2班", "1班"], key=natural_key) == ["1班", "2班", "10班"]
    assert sorted(TITLES) != ["一年级作业辅导", "二年级作业辅导", "三年级作业辅导", "五年级作业辅导"]  # by code point


def test_course_and_section_lists_go_by_grade_number(world, homework):
    titles = [c.title for c in selectors.course_list_for_school(school=world.school_a) if c.kind == "homework"]
    assert titles == ["一年级作业辅导", "二年级作业辅导", "三年级作业辅导", "五年级作业辅导"]
    assert sorted(homework, key=course_order_key) == [homework[1], homework[3], homework[0], homework[2]]
    sections = enrollment_selectors.section_list_for_school(
        school=world.school_a, term=f.term_of(world.school_a), now=timezone.now()
    )
    assert [s.code for s in sections if s.course.title == "三年级作业辅导"] == ["1班", "2班", "10班"]


def test_the_coordinators_courses_page_lists_grades_in_order(client, world, homework):
    client.force_login(world.users.coordinator_a)
    page = client.get(reverse("courses:setup_courses", args=[world.school_a.pk])).content.decode()
    positions = [page.index(t) for t in ("一年级作业辅导", "二年级作业辅导", "三年级作业辅导", "五年级作业辅导")]
    assert positions == sorted(positions)
