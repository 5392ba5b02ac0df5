"""Writing a demo plan to the database, phase by phase, remembering the ids each phase gets back."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models
from django.db.models.functions import Mod

from accounts.models import Role, RoleGrant, User
from allocation.engine.lottery import commitment
from courses.models import (
    CalendarException,
    Course,
    District,
    Room,
    School,
    SchoolClass,
    Section,
    Slot,
    Teacher,
    Term,
)
from demo.data import (
    DEMO_DISTRICT_CODE,
    DEMO_DISTRICT_NAME,
    DEMO_TERM_NAME,
    HOLIDAYS,
    HOMEWORK_SEATS_AT,
    JUNIOR_GRID,
    PRIMARY_GRID,
    SWAPPED_WORKDAYS,
    TERM_END,
    TERM_START,
    VOCATIONAL_SCHOOL,
    WINDOW_CLOSES,
    WINDOW_OPENS,
    demo_lottery_seed,
)
from demo.planner.records import DemoPlan, travel_minutes
from enrollment.models import Enrollment, EnrollmentWindow, Family, Guardian, Preference, Student
from partners.models import PartnerCourse, Provider, TravelTime

_CHUNK = 5000  # objects built and inserted at a time: bounds memory for the district
_BATCH = 1000  # rows per INSERT (the backend lowers it to its parameter limit)


class Writer:
    """Inserts a plan with bulk_create, phase by phase, remembering the ids it gets back."""

    def __init__(self, plan: DemoPlan, say: Callable[[str], None]) -> None:
        self.plan = plan
        self.say = say
        self.phases: list[tuple[str, float]] = []
        self.password = make_password(settings.KEHOU_DEMO_PASSWORD)  # hashed once, shared by every user
        self.school_ids: list[int] = []
        self.term_ids: dict[int, int] = {}
        self.slot_ids: dict[int, list[int]] = {}
        self.teacher_ids: list[int] = []
        self.class_ids: list[int] = []
        self.section_ids: dict[int, list[int]] = {}
        self.provider_ids: dict[str, int] = {}
        self.partner_course_ids: list[int] = []
        self.student_ids: list[int] = []
        self.window_ids: dict[int, int] = {}
        self.district: District | None = None

    def write(self) -> list[tuple[str, float]]:
        """Write every phase; returns (label, seconds) per phase."""
        phases: list[tuple[str, Callable[[], str]]] = [
            ("学区、学校与合作机构", self._schools),
            ("学期、校历与时段", self._calendar),
            ("教室", self._rooms),
            ("教师与演示账号", self._teachers),
            ("班级", self._classes),
            ("课程与教学班", self._courses),
            ("家庭、家长与学生", self._families),
            ("报名窗口、志愿与作业辅导名额", self._choices),
            ("校际路程", self._travel),
        ]
        for i, (label, step) in enumerate(phases, start=1):
            t0 = time.perf_counter()
            detail = step()
            took = time.perf_counter() - t0
            self.phases.append((label, took))
            self.say(f"[{i}/{len(phases)}] {label}：{detail}（{took:.1f} 秒）")
        return self.phases

    def _schools(self) -> str:
        plan = self.plan
        self.district = District.objects.create(name=DEMO_DISTRICT_NAME, code=DEMO_DISTRICT_CODE)
        self.school_ids = _bulk(
            School,
            (
                School(district=self.district, name=s.name, code=s.code, kind=s.kind, address=s.address)
                for s in plan.schools
            ),
        )
        voc = Provider.objects.create(
            district=self.district,
            name=VOCATIONAL_SCHOOL,
            kind=Provider.Kind.VOCATIONAL,
            school_id=self.school_ids[plan.vocational],
            qualification_status=Provider.Review.APPROVED,
            qualification_expires=dt.date(2027, 8, 31),
        )
        inst = Provider.objects.create(
            district=self.district,
            name="星辰科技教育",
            kind=Provider.Kind.INSTITUTION,
            qualification_status=Provider.Review.APPROVED,
            qualification_expires=dt.date(2027, 6, 30),
        )
        self.provider_ids = {"vocational": voc.pk, "institution": inst.pk}
        self.partner_course_ids = _bulk(
            PartnerCourse,
            (
                PartnerCourse(
                    provider_id=self.provider_ids[provider],
                    title=title,
                    title_en=title_en,
                    description=description,
                    kind=kind,
                    grades=grades,
                    group_size=group,
                    meetings_per_week=1,
                    materials=materials,
                    room_features=feats,
                    fee_per_class_hour=Decimal(fee),
                    status=PartnerCourse.Status.APPROVED,
                )
                for provider, (
                    title,
                    title_en,
                    kind,
                    grades,
                    group,
                    feats,
                    fee,
                    materials,
                    description,
                ) in plan.partner_courses
            ),
        )
        return f"{len(self.school_ids)} 所学校，2 家合作机构，{len(self.partner_course_ids)} 门合作课程"

    def _calendar(self) -> str:
        plan = self.plan
        with_pupils = [si for si, s in enumerate(plan.schools) if s.has_pupils]
        term_ids = _bulk(
            Term,
            (
                Term(school_id=self.school_ids[si], name=DEMO_TERM_NAME, start=TERM_START, end=TERM_END)
                for si in with_pupils
            ),
        )
        self.term_ids = dict(zip(with_pupils, term_ids, strict=True))
        exceptions = []
        for term_id in term_ids:
            exceptions += [
                CalendarException(term_id=term_id, date=d, kind=CalendarException.Kind.HOLIDAY, note=note)
                for d, note in HOLIDAYS
            ]
            exceptions += [
                CalendarException(
                    term_id=term_id, date=d, kind=CalendarException.Kind.WORKDAY, follows_weekday=wd, note=note
                )
                for d, wd, note in SWAPPED_WORKDAYS
            ]
        _bulk(CalendarException, exceptions, want_ids=False)
        slots: list[Slot] = []
        for si in with_pupils:
            grid = JUNIOR_GRID if plan.schools[si].kind == "junior" else PRIMARY_GRID
            for wd in range(5):
                for session, (start, end) in enumerate(grid[1 if wd == 4 else 0], start=1):
                    slots.append(
                        Slot(
                            school_id=self.school_ids[si],
                            weekday=wd,
                            session=session,
                            start=dt.time(*start),
                            end=dt.time(*end),
                        )
                    )
        ids = _bulk(Slot, slots)
        for n, si in enumerate(with_pupils):
            self.slot_ids[si] = ids[n * 10 : n * 10 + 10]
        return f"{len(term_ids)} 个学期，{len(exceptions)} 个校历例外，{len(slots)} 个时段"

    def _rooms(self) -> str:
        ids = _bulk(
            Room,
            (
                Room(school_id=self.school_ids[si], name=r.name, capacity=r.capacity, features=r.features)
                for si, s in enumerate(self.plan.schools)
                for r in s.rooms
            ),
            want_ids=False,
        )
        return f"{ids} 间"

    def _teachers(self) -> str:
        plan = self.plan
        jx, second = self.school_ids[0], self.school_ids[1]
        staff = [
            ("coordinator", "周丽华", False),
            ("coordinator2", "吴建国", False),
            ("bureau", "刘明", False),
            ("admin", "系统管理员", True),
        ]
        staff_users = [
            User(username=u, password=self.password, display_name=name, is_staff=admin, is_superuser=admin)
            for u, name, admin in staff
        ]
        User.objects.bulk_create(staff_users)
        by_name = {u.username: u.pk for u in staff_users}
        user_ids = _bulk(
            User,
            (
                User(username=t.username, password=self.password, phone=t.phone, display_name=t.name)
                for t in plan.teachers
            ),
        )
        self.teacher_ids = _bulk(
            Teacher,
            (
                Teacher(
                    user_id=uid,
                    school_id=self.school_ids[t.school] if t.school is not None else None,
                    provider_id=self.provider_ids[t.provider] if t.provider else None,
                    name=t.name,
                    staff_no=t.staff_no,
                    phone=t.phone,
                    subjects=t.subjects,
                    max_periods_week=t.max_periods,
                )
                for t, uid in zip(plan.teachers, user_ids, strict=True)
            ),
        )
        grants = [
            RoleGrant(user_id=by_name["coordinator"], role=Role.COORDINATOR, school_id=jx),
            RoleGrant(user_id=by_name["coordinator2"], role=Role.COORDINATOR, school_id=second),
            RoleGrant(user_id=by_name["bureau"], role=Role.BUREAU, district=self.district),
        ]
        for t, uid in zip(plan.teachers, user_ids, strict=True):
            if t.provider:
                grants.append(
                    RoleGrant(user_id=uid, role=Role.PARTNER_TEACHER, provider_id=self.provider_ids[t.provider])
                )
            else:
                grants.append(RoleGrant(user_id=uid, role=Role.TEACHER, school_id=self.school_ids[t.school]))
        _bulk(RoleGrant, grants, want_ids=False)
        through = Teacher.unavailable_slots.through
        blocked = _bulk(
            through,
            (
                through(teacher_id=tid, slot_id=self.slot_ids[t.school][k])
                for t, tid in zip(plan.teachers, self.teacher_ids, strict=True)
                if t.school is not None
                for k in t.unavailable
            ),
            want_ids=False,
        )
        return f"{len(self.teacher_ids)} 名教师（含 {sum(1 for t in plan.teachers if t.provider)} 名合作机构教师），{blocked} 个不可用时段"

    def _classes(self) -> str:
        plan = self.plan
        self.class_ids = _bulk(
            SchoolClass,
            (
                SchoolClass(
                    school_id=self.school_ids[c.school],
                    grade=c.grade,
                    number=c.number,
                    head_teacher_id=self.teacher_ids[c.head] if c.head >= 0 else None,
                )
                for c in plan.classes
            ),
        )
        return f"{len(self.class_ids)} 个班"

    def _courses(self) -> str:
        plan = self.plan
        course_ids = _bulk(
            Course,
            (
                Course(
                    school_id=self.school_ids[c.school],
                    partner_course_id=self.partner_course_ids[c.partner] if c.partner is not None else None,
                    kind=c.kind,
                    title=c.title,
                    description=c.description,
                    grades=c.grades,
                    seats_per_section=c.seats,
                    meetings_per_week=c.meetings,
                    room_features=c.features,
                    fee_per_class_hour=c.fee,
                )
                for c in plan.courses
            ),
        )
        ids = _bulk(
            Section,
            (
                Section(
                    course_id=cid,
                    term_id=self.term_ids[c.school],
                    code=s.code,
                    teacher_id=self.teacher_ids[s.teacher] if s.teacher >= 0 else None,
                    school_class_id=self.class_ids[s.klass] if s.klass is not None else None,
                    capacity=s.capacity,
                )
                for c, cid in zip(plan.courses, course_ids, strict=True)
                for s in c.sections
            ),
        )
        pos = 0
        for k, c in enumerate(plan.courses):
            self.section_ids[k] = ids[pos : pos + len(c.sections)]
            pos += len(c.sections)
        clubs = len({c.title for c in plan.courses if c.kind == "club"})
        return f"{len(course_ids)} 门课程（社团 {clubs} 种），{len(ids)} 个教学班"

    def _families(self) -> str:
        plan = self.plan
        family_ids = _bulk(
            Family, (Family(label="、".join(plan.pupils[p].name for p in f.children) + "家") for f in plan.families)
        )
        guardians = [(fi, g) for fi, f in enumerate(plan.families) for g in f.guardians]
        user_ids = _bulk(
            User,
            (
                User(username=g.username, password=self.password, phone=g.phone, display_name=g.name)
                for _fi, g in guardians
            ),
        )
        _bulk(
            Guardian,
            (
                Guardian(user_id=uid, family_id=family_ids[fi], name=g.name, phone=g.phone, relation=g.relation)
                for (fi, g), uid in zip(guardians, user_ids, strict=True)
            ),
            want_ids=False,
        )
        _bulk(RoleGrant, (RoleGrant(user_id=uid, role=Role.PARENT) for uid in user_ids), want_ids=False)
        order = [p for f in plan.families for p in f.children]
        ids = _bulk(
            Student,
            (
                Student(
                    school_id=self.school_ids[pupil.school],
                    school_class_id=self.class_ids[pupil.klass],
                    family_id=family_ids[pupil.family],
                    student_no=pupil.student_no,
                    name=pupil.name,
                    sex=pupil.sex,
                    grade=pupil.grade,
                    priority_groups=pupil.groups,
                )
                for pupil in (plan.pupils[p] for p in order)
            ),
        )
        self.student_ids = [0] * len(plan.pupils)
        for p, sid in zip(order, ids, strict=True):
            self.student_ids[p] = sid
        siblings = sum(1 for f in plan.families if len(f.children) > 1)
        return f"{len(family_ids)} 户（{siblings} 户有两个孩子），{len(user_ids)} 位家长，{len(ids)} 名学生"

    def _choices(self) -> str:
        plan = self.plan
        with_pupils = [si for si, s in enumerate(plan.schools) if s.has_pupils]
        window_ids = _bulk(
            EnrollmentWindow,
            (
                EnrollmentWindow(
                    school_id=self.school_ids[si],
                    term_id=self.term_ids[si],
                    mode=EnrollmentWindow.Mode.PREFERENCE,
                    opens_at=WINDOW_OPENS,
                    closes_at=WINDOW_CLOSES,
                    max_choices=3,
                    lottery_seed_hash=commitment(demo_lottery_seed(plan.schools[si].code, plan.seed)),
                )
                for si in with_pupils
            ),
        )
        self.window_ids = dict(zip(with_pupils, window_ids, strict=True))
        n_prefs = _bulk(
            Preference,
            (
                Preference(
                    window_id=self.window_ids[pupil.school],
                    student_id=self.student_ids[p],
                    section_id=self.section_ids[k][s],
                    rank=rank,
                )
                for p, pupil in enumerate(plan.pupils)
                for rank, (k, s) in enumerate(pupil.prefs, start=1)
            ),
            want_ids=False,
        )
        # `submitted_at` is auto_now, so spread it over the (closed) window afterwards: 24 buckets.
        for bucket in range(24):
            at = WINDOW_OPENS + dt.timedelta(hours=bucket * 7, minutes=(bucket * 37) % 60)
            Preference.objects.filter(window_id__in=window_ids).annotate(b=Mod("student_id", 24)).filter(
                b=bucket
            ).update(submitted_at=at)
        homework: dict[int, int] = {}
        for k, c in enumerate(plan.courses):
            if c.kind == "homework":
                for s, sid in zip(c.sections, self.section_ids[k], strict=True):
                    homework[s.klass] = sid
        n_enr = _bulk(
            Enrollment,
            (
                Enrollment(
                    student_id=self.student_ids[p],
                    section_id=homework[pupil.klass],
                    status=Enrollment.Status.ENROLLED,
                    source=Enrollment.Source.SCHOOL,  # the school places pupils in their class's homework help
                    created_at=HOMEWORK_SEATS_AT,
                )
                for p, pupil in enumerate(plan.pupils)
                if pupil.homework
            ),
            want_ids=False,
        )
        return f"{len(window_ids)} 个志愿窗口，{n_prefs} 条志愿，{n_enr} 个作业辅导名额"

    def _travel(self) -> str:
        plan = self.plan
        n = _bulk(
            TravelTime,
            (
                TravelTime(
                    from_school_id=self.school_ids[a], to_school_id=self.school_ids[b], minutes=travel_minutes(sa, sb)
                )
                for a, sa in enumerate(plan.schools)
                for b, sb in enumerate(plan.schools)
                if a != b
            ),
            want_ids=False,
        )
        return f"{n} 条"


def _bulk(model: type[models.Model], objs: Iterable[models.Model], *, want_ids: bool = True) -> Any:
    """bulk_create in chunks (so the district never holds all objects at once); ids in order, or a count."""
    ids: list[int] = []
    count = 0
    for chunk in _chunks(objs, _CHUNK):
        model.objects.bulk_create(chunk, batch_size=_BATCH)
        count += len(chunk)
        if want_ids:
            ids.extend(o.pk for o in chunk)
    return ids if want_ids else count


def _chunks(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
