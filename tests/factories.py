"""A small hand-built world for Django tests (the demo seed is tested on its own)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.auth.hashers import make_password

from accounts.models import Role, RoleGrant, User
from courses.models import Course, District, Room, School, SchoolClass, Section, Slot, Teacher, Term
from enrollment.models import Enrollment, Family, Guardian, Student
from partners.models import PartnerCourse, Provider


@dataclass
class World:
    district: District
    school_a: School
    school_b: School
    users: SimpleNamespace
    children_a: list[Student]
    children_b: list[Student]
    class_a: SchoolClass
    class_b: SchoolClass
    section_a: Section
    section_b: Section
    provider: Provider


def _user(username: str, password_hash: str, *, phone: str | None = None, role: str | None = None, **scope) -> User:
    user = User.objects.create(username=username, password=password_hash, phone=phone, display_name=username)
    if role:
        RoleGrant.objects.create(user=user, role=role, **scope)
    return user


def _school(district: District, code: str, name: str, kind: str = School.Kind.PRIMARY) -> tuple[School, Term]:
    school = School.objects.create(district=district, code=code, name=name, kind=kind)
    term = Term.objects.create(school=school, name="2026秋", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 22))
    for weekday in range(5):
        Slot.objects.create(school=school, weekday=weekday, session=1, start=dt.time(15, 30), end=dt.time(16, 30))
        Slot.objects.create(school=school, weekday=weekday, session=2, start=dt.time(16, 40), end=dt.time(17, 40))
    Room.objects.create(school=school, name="三(1)班教室", capacity=50)
    return school, term


def build_world(*, password: str) -> World:
    hashed = make_password(password)
    district = District.objects.create(name="测试区", code="t")
    school_a, term_a = _school(district, "A1", "锦溪小学")
    school_b, term_b = _school(district, "B1", "城南小学")
    class_a = SchoolClass.objects.create(school=school_a, grade=3, number=1)
    class_b = SchoolClass.objects.create(school=school_b, grade=3, number=1)

    fam_1 = Family.objects.create(label="王家")
    fam_2 = Family.objects.create(label="李家")
    parent_1 = _user("parent1", hashed, phone="13800000001", role=Role.PARENT)
    parent_2 = _user("parent2", hashed, phone="13800000002", role=Role.PARENT)
    Guardian.objects.create(user=parent_1, family=fam_1, name="王芳", phone="13800000001", relation="母亲")
    Guardian.objects.create(user=parent_2, family=fam_2, name="李强", phone="13800000002", relation="父亲")
    children_a = [
        Student.objects.create(
            school=school_a, school_class=class_a, family=fam_1, student_no="G0001", name="王小明", sex="M", grade=3
        )
    ]
    children_b = [
        Student.objects.create(
            school=school_b, school_class=class_b, family=fam_2, student_no="G0002", name="李小红", sex="F", grade=3
        )
    ]

    teacher_user = _user("teacher_a", hashed, role=Role.TEACHER, school=school_a)
    teacher = Teacher.objects.create(
        user=teacher_user, school=school_a, name="张老师", staff_no="T1", subjects=["数学"]
    )
    course_a = Course.objects.create(
        school=school_a, kind=Course.Kind.CLUB, title="机器人社团", grades=[3], seats_per_section=30
    )
    course_b = Course.objects.create(
        school=school_b, kind=Course.Kind.CLUB, title="围棋", grades=[3], seats_per_section=30
    )
    section_a = Section.objects.create(course=course_a, term=term_a, code="1", teacher=teacher, capacity=30)
    section_b = Section.objects.create(course=course_b, term=term_b, code="1", capacity=30)
    Enrollment.objects.create(student=children_a[0], section=section_a, status=Enrollment.Status.ENROLLED)
    Enrollment.objects.create(student=children_b[0], section=section_b, status=Enrollment.Status.ENROLLED)

    vocational, _term = _school(district, "V1", "工贸旅游学校", School.Kind.VOCATIONAL)
    provider = Provider.objects.create(
        district=district,
        name="工贸旅游学校",
        kind=Provider.Kind.VOCATIONAL,
        school=vocational,
        qualification_status=Provider.Review.APPROVED,
    )
    partner_user = _user("partner", hashed, role=Role.PARTNER_TEACHER, provider=provider)
    Teacher.objects.create(user=partner_user, provider=provider, name="陈师傅", staff_no="P1", subjects=["中点"])
    PartnerCourse.objects.create(
        provider=provider,
        title="中点",
        kind=PartnerCourse.Kind.LABOUR,
        grades=[4, 5, 6],
        group_size=20,
        status=PartnerCourse.Status.APPROVED,
        room_features=["kitchen"],
    )

    users = SimpleNamespace(
        parent_1=parent_1,
        parent_2=parent_2,
        coordinator_a=_user("coord_a", hashed, role=Role.COORDINATOR, school=school_a),
        coordinator_b=_user("coord_b", hashed, role=Role.COORDINATOR, school=school_b),
        teacher_a=teacher_user,
        partner=partner_user,
        bureau=_user("bureau", hashed, role=Role.BUREAU, district=district),
        nobody=_user("nobody", hashed),
    )
    return World(
        district=district,
        school_a=school_a,
        school_b=school_b,
        users=users,
        children_a=children_a,
        children_b=children_b,
        class_a=class_a,
        class_b=class_b,
        section_a=section_a,
        section_b=section_b,
        provider=provider,
    )
