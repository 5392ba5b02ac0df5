"""The demo district (示范区), or a small three-school slice for tests: the public API.

`seed_demo(size, seed)` first *plans* everything in plain Python objects from one
`random.Random(seed)` (demo.planner: the same seed always gives the same names, 学籍号 and
choices), then writes the plan in one transaction (demo.writer: the schools' set-up through the
apps' own services, which validate it and leave an audit trail; the ~400,000 rows of people and
choices in bulk). The District with code "demo" is the marker: a second run finds it and changes
nothing. The data tables are in demo.data. Refuses under DJANGO_ENV=production (demo.guard).

What the data is meant to exercise: the preference window and allocation (popular clubs 2–3×
oversubscribed on first choices, siblings across a primary and its nearby junior school,
priority groups at policy-like rates), the timetable (teachers with subjects, loads and
unavailable slots; rooms with features; partner teachers travelling between host schools) and
the bureau's participation figures (~30,000 primary and ~14,000 junior pupils).

Conventions: school codes 1xx primary (101 = 锦溪小学, 102 = 城南小学), 2xx junior, 3xx nine-year,
401 = 工贸旅游学校; teacher usernames "t" + school code + staff number (t101007), parent
usernames "p" + phone; every user's password is settings.KEHOU_DEMO_PASSWORD. Partner teachers
belong to their provider (Teacher.provider set, Teacher.school empty). Each window's lottery seed
is not stored: `demo_lottery_seed(code, seed)` recomputes it for the reveal at allocation.

Commands, tests, benchmarks and demo.apps import from here (the other modules may move).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from accounts.models import Role, RoleGrant, User
from core.models import AuditEvent
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
    DEMO_PARENT2_PHONE,
    DEMO_PARENT_PHONE,
    DEMO_SEED,
    DEMO_TERM_NAME,
    FIRST_SCHOOL,
    SECOND_SCHOOL,
    SUBJECTS,
    VOCATIONAL_SCHOOL,
    Size,
    demo_lottery_seed,
)
from demo.guard import refuse_in_production
from demo.planner import DemoPlan, build_plan
from demo.supervision import seed_supervision
from demo.writer import Writer
from enrollment.models import Enrollment, EnrollmentWindow, Family, Guardian, Notice, Preference, Student
from partners.models import HostRequest, PartnerCourse, Provider, TravelTime

__all__ = [
    "DEMO_DISTRICT_CODE",
    "DEMO_DISTRICT_NAME",
    "DEMO_LOGINS",
    "DEMO_PARENT2_PHONE",
    "DEMO_PARENT_PHONE",
    "DEMO_SEED",
    "DEMO_TERM_NAME",
    "FIRST_SCHOOL",
    "SECOND_SCHOOL",
    "SUBJECTS",
    "VOCATIONAL_SCHOOL",
    "DemoPlan",
    "SeedReport",
    "Size",
    "demo_lottery_seed",
    "demo_seed_hint",
    "demo_timetable_schools",
    "is_seeded",
    "plan_demo",
    "row_counts",
    "seed_demo",
]

# The fixed demo accounts (password settings.KEHOU_DEMO_PASSWORD); README and tests read this.
DEMO_LOGINS: list[dict[str, str]] = [
    {"username": "coordinator", "role": Role.COORDINATOR.value, "scope": f"{FIRST_SCHOOL}课后服务负责人"},
    {"username": "coordinator2", "role": Role.COORDINATOR.value, "scope": f"{SECOND_SCHOOL}课后服务负责人"},
    {"username": "teacher", "role": Role.TEACHER.value, "scope": f"{FIRST_SCHOOL}教师，任教多个教学班"},
    {
        "username": "partner",
        "role": Role.PARTNER_TEACHER.value,
        "scope": f"{VOCATIONAL_SCHOOL}教师（中点），送课到多所小学",
    },
    {"username": "bureau", "role": Role.BUREAU.value, "scope": f"{DEMO_DISTRICT_NAME}教育局"},
    {
        "username": "parent",
        "role": Role.PARENT.value,
        "scope": f"家长：一个孩子在{FIRST_SCHOOL}，一个在附近初中；也可用手机号 {DEMO_PARENT_PHONE} 登录",
    },
    {"username": "parent2", "role": Role.PARENT.value, "scope": f"家长：一个孩子在{FIRST_SCHOOL}"},
    {
        "username": "inspector",
        "role": Role.INSPECTOR.value,
        "scope": "执法检查人员（教育部门）：双随机抽查任务、整改核查",
    },
    {
        "username": "institution",
        "role": Role.INSTITUTION.value,
        "scope": "校外培训机构：本机构信息、整改通知书（一份已逾期）",
    },
    {
        "username": "expert",
        "role": Role.EXPERT.value,
        "scope": "课程审核专家：手机上查看分到的课程审核（一件待评），给出学科类/非学科类意见",
    },
    {"username": "hotline", "role": Role.HOTLINE.value, "scope": "投诉举报热线：受理、办理、答复、回访（一件已逾期）"},
    {"username": "admin", "role": "superuser", "scope": "系统管理员（Django 管理后台）"},
]


@dataclass
class SeedReport:
    """What a run did: whether it created anything and how long each phase took."""

    created: bool
    size: str
    seed: int
    elapsed: float = 0.0
    phases: list[tuple[str, float]] = field(default_factory=list)


def plan_demo(size: Size = "district", seed: int = DEMO_SEED) -> DemoPlan:
    """The rows `seed_demo` would write, as plain objects (no database): for checks and benchmarks."""
    return build_plan(size, seed)


def is_seeded() -> bool:
    """The marker: the demo district exists."""
    return District.objects.filter(code=DEMO_DISTRICT_CODE).exists()


def demo_seed_hint(window: EnrollmentWindow) -> str:
    """The seed of a demo district window (so the demo's allocation can be run); "" elsewhere."""
    if window.school.district.code != DEMO_DISTRICT_CODE:
        return ""
    return demo_lottery_seed(window.school.code)


def demo_timetable_schools() -> list[str]:
    """Codes of the schools the demo logins look at: the coordinators', the demo children's, and every
    school where the partner login's provider teaches (so the partner's week across schools, with
    the travel between them, is timetabled)."""
    codes = set(
        RoleGrant.objects.filter(user__username__in=["coordinator", "coordinator2"], school__isnull=False).values_list(
            "school__code", flat=True
        )
    )
    codes |= set(
        Student.objects.filter(family__guardians__user__username__in=["parent", "parent2"]).values_list(
            "school__code", flat=True
        )
    )
    providers = RoleGrant.objects.filter(user__username="partner", role=Role.PARTNER_TEACHER).values("provider")
    codes |= set(
        Section.objects.filter(course__partner_course__provider__in=providers).values_list(
            "course__school__code", flat=True
        )
    )
    return sorted(codes)


def row_counts() -> dict[str, int]:
    """Rows per demo-relevant table (used by the command's summary and the idempotence test)."""
    tables: dict[str, type[models.Model]] = {
        "schools": School,
        "terms": Term,
        "calendar_exceptions": CalendarException,
        "slots": Slot,
        "rooms": Room,
        "teachers": Teacher,
        "classes": SchoolClass,
        "courses": Course,
        "sections": Section,
        "providers": Provider,
        "partner_courses": PartnerCourse,
        "travel_times": TravelTime,
        "families": Family,
        "guardians": Guardian,
        "students": Student,
        "users": User,
        "role_grants": RoleGrant,
        "windows": EnrollmentWindow,
        "preferences": Preference,
        "enrollments": Enrollment,
        "teacher_unavailable": Teacher.unavailable_slots.through,
        "host_requests": HostRequest,
        "notices": Notice,
        "audit_events": AuditEvent,
    }
    return {name: model.objects.count() for name, model in tables.items()}


def seed_demo(size: Size = "district", seed: int = DEMO_SEED, log: Callable[[str], None] | None = None) -> SeedReport:
    """Create the demo data unless the demo district already exists; everything in one transaction.

    Refuses under DJANGO_ENV=production (the demo creates `admin` with a published password)."""
    refuse_in_production()
    if size not in ("district", "small"):
        raise ValueError(f"unknown size {size!r}")
    say = log or (lambda _msg: None)
    report = SeedReport(created=False, size=size, seed=seed)
    started = time.perf_counter()
    with transaction.atomic():
        if is_seeded():
            report.elapsed = time.perf_counter() - started
            return report
        clash = sorted(
            User.objects.filter(username__in=[d["username"] for d in DEMO_LOGINS]).values_list("username", flat=True)
        )
        if clash:
            raise ValueError(f"demo usernames already taken without a demo district: {', '.join(clash)}")
        t0 = time.perf_counter()
        plan = plan_demo(size, seed)
        report.phases.append(("规划（内存中）", time.perf_counter() - t0))
        say(
            f"  规划完成：{len(plan.schools)} 所学校，{len(plan.classes)} 个班，{len(plan.pupils)} 名学生，"
            f"{len(plan.families)} 户家庭，{len(plan.teachers)} 名教师，{len(plan.courses)} 门课程"
            f"（{time.perf_counter() - t0:.1f} 秒）"
        )
        report.phases += Writer(plan, say).write()
        t0 = time.perf_counter()
        seed_supervision(
            District.objects.get(code=DEMO_DISTRICT_CODE),
            seed=seed,
            password=make_password(settings.KEHOU_DEMO_PASSWORD),
            log=say,
        )
        report.phases.append(("校外培训机构监管", time.perf_counter() - t0))
        report.created = True
    report.elapsed = time.perf_counter() - started
    return report
