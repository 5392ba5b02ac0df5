"""Enrollment test data on top of the shared `world` (tests/factories.py is not extended here)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from courses.models import Course, School, SchoolClass, Section, Term
from enrollment.models import EnrollmentWindow, Family, Guardian, Student
from partners.models import PartnerCourse


def term_of(school: School) -> Term:
    return school.terms.order_by("-start").first()


def window(school: School, mode: str = "first_come", *, open_: bool = True, **fields) -> EnrollmentWindow:
    now = timezone.now()
    opens, closes = (
        (now - dt.timedelta(hours=1), now + dt.timedelta(days=3))
        if open_
        else (
            now - dt.timedelta(days=5),
            now - dt.timedelta(days=1),
        )
    )
    fields.setdefault("opens_at", opens)
    fields.setdefault("closes_at", closes)
    return EnrollmentWindow.objects.create(school=school, term=term_of(school), mode=mode, **fields)


def section(
    school: School,
    title: str,
    *,
    capacity: int = 30,
    grades: tuple[int, ...] = (3,),
    kind: str = Course.Kind.CLUB,
    fee: str = "0",
    code: str = "1",
    teacher=None,
    partner_course: PartnerCourse | None = None,
) -> Section:
    course = Course.objects.create(
        school=school,
        kind=kind,
        title=title,
        grades=list(grades),
        seats_per_section=capacity,
        fee_per_class_hour=Decimal(fee),
        partner_course=partner_course,
    )
    return Section.objects.create(course=course, term=term_of(school), code=code, capacity=capacity, teacher=teacher)


def pupils(n: int, school: School, school_class: SchoolClass, *, prefix: str = "P", with_parent: bool = False):
    """`n` pupils, each in a family of its own (and with a parent user when asked)."""
    password = make_password("kehou-test-pass-1") if with_parent else None
    families = Family.objects.bulk_create(Family(label=f"{prefix}{i}") for i in range(n))
    students = Student.objects.bulk_create(
        Student(
            school=school,
            school_class=school_class,
            family=family,
            student_no=f"{prefix}{i:05d}",
            name=f"学生{prefix}{i}",
            sex="F" if i % 2 else "M",
            grade=school_class.grade,
        )
        for i, family in enumerate(families)
    )
    if with_parent:
        users = User.objects.bulk_create(
            User(username=f"{prefix.lower()}parent{i}", password=password, display_name=f"家长{i}") for i in range(n)
        )
        RoleGrant.objects.bulk_create(RoleGrant(user=u, role=Role.PARENT) for u in users)
        Guardian.objects.bulk_create(
            Guardian(user=u, family=f, name=f"家长{i}", phone=f"139{i:08d}")
            for i, (u, f) in enumerate(zip(users, families, strict=True))
        )
    return list(Student.objects.filter(pk__in=[s.pk for s in students]).select_related("school").order_by("pk"))
