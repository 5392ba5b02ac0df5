"""Fixtures for enrollment tests: the shared world plus courses, windows and a second child."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.enrollment import factories as f


@pytest.fixture
def shop(world):
    """School A (锦溪小学) with a first-come window open and four grade-3 sections, one of them a
    partner course and one full; a grade-5 course; and a sibling at school B in family 1."""
    from courses.models import Course, SchoolClass
    from enrollment.models import Student
    from partners.models import PartnerCourse

    a = world.school_a
    term = f.term_of(a)
    partner_course = PartnerCourse.objects.get(title="中点")
    s = SimpleNamespace()
    s.window = f.window(a, "first_come")
    s.robot = world.section_a  # 机器人社团, child already enrolled in the world
    s.chess = f.section(
        a, "国际象棋", capacity=2
    )  # free: a paid course asks first (tests/enrollment/test_fees_confirm.py)
    s.art = f.section(a, "儿童画", capacity=1, kind=Course.Kind.TUTORING)
    s.pastry = f.section(a, "中点(工贸)", capacity=20, kind=Course.Kind.PARTNER, partner_course=partner_course)
    s.grade5 = f.section(a, "五年级科学", grades=(5,))
    s.other_school = world.section_b
    s.term = term
    s.child = world.children_a[0]
    class_b4 = SchoolClass.objects.create(school=world.school_b, grade=4, number=2)
    s.sibling = Student.objects.create(
        school=world.school_b,
        school_class=class_b4,
        family=s.child.family,
        student_no="G0003",
        name="王小刚",
        sex="M",
        grade=4,
    )
    s.others = f.pupils(4, a, world.class_a, prefix="X", with_parent=True)
    return s


@pytest.fixture(params=["python", "one_statement"])
def claim_path(request, monkeypatch):
    """Run a test through each path of `enrollment.capacity.claim`: the Python path (both databases)
    and the one-statement SQL function (PostgreSQL only; skipped on SQLite, which has no such path)."""
    from django.db import connection

    from enrollment import capacity

    if request.param == "one_statement" and connection.vendor != "postgresql":
        pytest.skip("the one-statement claim exists on PostgreSQL only")
    monkeypatch.setattr(capacity, "ONE_STATEMENT", request.param == "one_statement")
    return request.param
