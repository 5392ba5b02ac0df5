"""The demo seed (`seed_demo --size small`): shape, demo logins, idempotence and determinism.

The small size keeps real class sizes (40–50, one class per grade), so it is ~650 pupils and
seeds in well under a second; the district size has the same code paths at scale.
"""

from __future__ import annotations

import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F

from accounts.models import Role, RoleGrant, User
from courses.models import Course, School, SchoolClass, Section, Teacher
from demo.district import DEMO_LOGINS, DEMO_PARENT_PHONE, demo_lottery_seed, plan_demo, row_counts
from enrollment.models import Enrollment, EnrollmentWindow, Family, Preference, PriorityGroup, Student
from partners.models import PartnerCourse, Provider, TravelTime

pytestmark = pytest.mark.django_db


def _seed(seed: int | None = None) -> str:
    out = StringIO()
    args = ["seed_demo", "--size", "small"] + (["--seed", str(seed)] if seed is not None else [])
    call_command(*args, stdout=out)
    return out.getvalue()


def _snapshot() -> list[tuple[str, str, str, int, str]]:
    """What must not change between two runs with the same seed (ids may)."""
    return list(
        Student.objects.order_by("student_no").values_list("student_no", "name", "sex", "grade", "school__code")
    )


class _Rollback(Exception):
    pass


def test_small_has_the_expected_shape() -> None:
    """Counts stay in the ranges the tests of other features (and the README) rely on."""
    output = _seed()
    assert "总用时" in output and "coordinator" in output and DEMO_PARENT_PHONE in output

    assert School.objects.count() == 4
    assert list(School.objects.values_list("name", flat=True)[:2]) == ["锦溪小学", "城南小学"]  # ordered by code
    assert 550 <= Student.objects.count() <= 750
    assert SchoolClass.objects.count() == 15  # 6 + 6 primary classes, 3 junior classes
    sizes = SchoolClass.objects.annotate(n=Count("students")).values_list("n", flat=True)
    assert all(40 <= n <= 50 for n in sizes)
    two_children = Family.objects.annotate(n=Count("children")).filter(n=2).count()
    assert 0.08 <= two_children / Family.objects.count() <= 0.25
    assert 25 <= Teacher.objects.filter(school__isnull=False).count() <= 60
    assert Course.objects.filter(kind="club").values("title").distinct().count() >= 30
    assert Course.objects.filter(kind="partner").count() == 4 * 2 + 1  # 2 host primaries, 1 institution course
    assert PartnerCourse.objects.filter(status="approved").count() == 5
    assert Provider.objects.get(name="工贸旅游学校").school.kind == "vocational"
    assert TravelTime.objects.count() == 4 * 3
    assert all(5 <= m <= 45 for m in TravelTime.objects.values_list("minutes", flat=True))

    # Every homework section is one class, as big as the class; ~90 % of pupils hold its seat.
    for section in Section.objects.filter(course__kind="homework").select_related("school_class"):
        assert section.capacity == section.school_class.students.count()
        assert section.teacher_id == section.school_class.head_teacher_id
    assert 0.8 <= Enrollment.objects.count() / Student.objects.count() <= 0.97
    assert not Enrollment.objects.exclude(section__course__kind="homework").exists()
    assert set(Enrollment.objects.values_list("source", flat=True)) == {Enrollment.Source.SCHOOL}

    # Preferences: ~70 % of pupils rank exactly 3 distinct non-homework sections of their own school.
    ranked = Preference.objects.values("student").annotate(n=Count("id"), s=Count("section", distinct=True))
    assert all(r["n"] == 3 and r["s"] == 3 for r in ranked)
    assert 0.6 <= ranked.count() / Student.objects.count() <= 0.8
    assert not Preference.objects.filter(section__course__kind="homework").exists()
    assert not Preference.objects.exclude(section__course__school=F("student__school")).exists()

    # Windows are closed, commit to a lottery seed and keep it secret until allocation.
    for window in EnrollmentWindow.objects.select_related("school"):
        assert window.lottery_seed == ""
        assert len(window.lottery_seed_hash) == 64
        assert window.max_choices == 3
        assert demo_lottery_seed(window.school.code)  # the reveal is recomputable
    groups = {g for gs in Student.objects.values_list("priority_groups", flat=True) for g in gs}
    assert groups <= set(PriorityGroup.values)
    assert re.fullmatch(r"G\d{18}", Student.objects.first().student_no)


def test_demo_logins_exist_with_their_roles() -> None:
    """Each account in DEMO_LOGINS works with the demo password and has the advertised scope."""
    _seed()
    for login in DEMO_LOGINS:
        user = User.objects.get(username=login["username"])
        if login["role"] == "superuser":
            assert user.is_superuser and user.is_staff
        else:
            assert RoleGrant.objects.filter(user=user, role=login["role"]).exists(), login
    assert RoleGrant.objects.get(user__username="coordinator").school.name == "锦溪小学"
    assert RoleGrant.objects.get(user__username="coordinator2").school.name == "城南小学"
    assert RoleGrant.objects.get(user__username="bureau").district.code == "demo"

    teacher = User.objects.get(username="teacher").teacher
    assert teacher.school.name == "锦溪小学" and teacher.sections.count() >= 3

    partner = User.objects.get(username="partner").teacher
    assert partner.provider.name == "工贸旅游学校"
    assert RoleGrant.objects.filter(
        user__username="partner", role=Role.PARTNER_TEACHER, provider=partner.provider
    ).exists()
    assert partner.sections.values("course__school").distinct().count() >= 2  # travels between host schools

    children = User.objects.get(username="parent").guardian.family.children.select_related("school")
    assert sorted(c.school.kind for c in children) == ["junior", "primary"]
    assert any(c.school.name == "锦溪小学" for c in children)
    assert User.objects.get(username="parent").phone == DEMO_PARENT_PHONE
    assert User.objects.get(username="parent2").guardian.family.children.filter(school__name="锦溪小学").exists()
    # Parents also log in with their phone number.
    assert authenticate(None, username=DEMO_PARENT_PHONE, password="kehou2026").username == "parent"


def test_second_run_changes_nothing() -> None:
    """Re-seeding finds the demo district and leaves every table as it was."""
    _seed()
    before = row_counts()
    output = _seed()
    assert "未做任何更改" in output
    assert row_counts() == before


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    """Deterministic: seed 7 twice (rolling the first back) gives the same pupils; seed 8 does not."""
    seed_7 = _seed_and_roll_back(7)
    assert not Student.objects.exists()
    seed_8 = _seed_and_roll_back(8)
    _seed(7)
    assert _snapshot() == seed_7
    assert seed_8 != seed_7
    assert len(seed_7) == Student.objects.count() > 0


def _seed_and_roll_back(seed: int) -> list[tuple[str, str, str, int, str]]:
    snapshot: list[tuple[str, str, str, int, str]] = []
    try:
        with transaction.atomic():
            _seed(seed)
            snapshot = _snapshot()
            raise _Rollback
    except _Rollback:
        pass
    return snapshot


def test_district_plan_has_the_seed_reports_scale() -> None:
    """The district size, checked on the in-memory plan (no inserts): the numbers the README quotes."""
    plan = plan_demo("district")
    kinds = Counter(s.kind for s in plan.schools)
    assert kinds == {"primary": 30, "junior": 10, "nine_year": 2, "vocational": 1}
    assert plan.schools[0].name == "锦溪小学"
    primary = sum(1 for p in plan.pupils if p.grade <= 6)
    junior = len(plan.pupils) - primary
    assert 28_500 <= primary <= 31_500 and 13_000 <= junior <= 15_000
    assert all(40 <= c.size <= 50 for c in plan.classes)
    clubs = Counter(c.school for c in plan.courses if c.kind == "club")
    assert all(15 <= n <= 30 for n in clubs.values()) and len(clubs) == 42
    assert len({c.title for c in plan.courses if c.kind == "club"}) > 100
    assert 0.12 <= sum(len(f.children) == 2 for f in plan.families) / len(plan.families) <= 0.18
    assert plan.overloaded == 0  # every section's teacher stays within max_periods_week
    assert all(t.load <= t.max_periods for t in plan.teachers)


def test_timetables_option_solves_and_publishes_once() -> None:
    """`--timetables demo` publishes the demo logins' schools with the engine; a re-run adds nothing."""
    from demo.district import demo_timetable_schools
    from demo.timetables import publish_demo_timetables
    from scheduling.models import Timetable
    from scheduling.selectors import published_meetings

    _seed()
    assert demo_timetable_schools() == ["101", "102", "201"]  # coordinators' schools and the demo children's
    rows = publish_demo_timetables(school_codes=["201"], time_limit=5.0)
    assert [(r.school, r.published, r.hard) for r in rows] == [("东湖中学", True, 0)]
    timetable = Timetable.objects.get(school__code="201", status=Timetable.Status.PUBLISHED)
    sections = list(Section.objects.filter(course__school__code="201").values_list("pk", flat=True))
    meetings = published_meetings(sections)
    assert len(meetings) == len(sections) == rows[0].sections
    assert timetable.placements.count() == sum(len(m) for m in meetings.values())
    assert publish_demo_timetables(school_codes=["201"], time_limit=5.0) == []  # already published: left alone
    assert Timetable.objects.filter(school__code="201").count() == 1
