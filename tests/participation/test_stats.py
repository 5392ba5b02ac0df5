"""Statistics on a small hand-computed data set, and the bureau's privacy (names, 学籍号, small cells)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from courses.models import Course, SchoolClass
from enrollment.models import Enrollment, Preference, Student
from participation import services as part_services
from participation import stats
from participation.models import Attendance
from tests.enrollment import factories as f

pytestmark = pytest.mark.django_db
D1, D2 = dt.date(2026, 11, 23), dt.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def data(world):
    """School A: grade 3 = the world's child (club) + P0–P18; grade 4 = Q0–Q9.

    P0–P13 homework help (5 a week), P0–P4 also the club (allocated, their first choice; P5, P6
    ranked the club first but got no seat), Q0–Q8 tutoring once a week, Q9 on its waitlist.
    P0, P1 low-income; P14 left-behind; Q9 migrant.
    """
    a = world.school_a
    class4 = SchoolClass.objects.create(school=a, grade=4, number=1)
    p = f.pupils(19, a, world.class_a, prefix="P")
    q = f.pupils(10, a, class4, prefix="Q")
    for pupil, groups in (
        (p[0], ["low_income"]),
        (p[1], ["low_income"]),
        (p[14], ["left_behind"]),
        (q[9], ["migrant"]),
    ):
        pupil.priority_groups = groups
        pupil.save()
    homework = f.section(a, "三年级作业辅导", kind=Course.Kind.HOMEWORK, capacity=50)
    Course.objects.filter(pk=homework.course_id).update(meetings_per_week=5)
    tutoring = f.section(a, "四年级数学培优补差", kind=Course.Kind.TUTORING, grades=(4,), capacity=9)
    club = world.section_a
    Course.objects.filter(pk=club.course_id).update(fee_per_class_hour=Decimal("3.00"))
    window = f.window(a, "preference", open_=False)
    for pupil in p[:14]:
        Enrollment.objects.create(student=pupil, section=homework, status="enrolled", source="school")
    for pupil in p[:5]:
        Enrollment.objects.create(student=pupil, section=club, status="enrolled", source="allocation")
    for pupil in p[:7]:
        Preference.objects.create(window=window, student=pupil, section=club, rank=1)
    for pupil in q[:9]:
        Enrollment.objects.create(student=pupil, section=tutoring, status="enrolled")
    Enrollment.objects.create(student=q[9], section=tutoring, status="waitlisted")
    # two days of homework help: day 1 12 present, 1 absent, 1 leave; day 2 all 14 present
    marks = [Attendance(section=homework, date=D1, student=x, status="present") for x in p[2:14]]
    marks += [Attendance(section=homework, date=D1, student=p[0], status="absent")]
    marks += [Attendance(section=homework, date=D1, student=p[1], status="leave")]
    marks += [Attendance(section=homework, date=D2, student=x, status="present") for x in p[:14]]
    # the club on day 1: its 6 pupils present; P0 and P1 pay nothing (low-income)
    marks += [Attendance(section=club, date=D1, student=x, status="present") for x in [*p[:5], world.children_a[0]]]
    Attendance.objects.bulk_create(marks)
    part_services.daily_recount()
    return {"p": p, "q": q}


def _row(rows, key):
    return next(r for r in rows if r["key"] == key)


def test_rates_on_a_hand_computed_data_set(world, data):
    s = stats.school_stats(school_ids=[world.school_a.pk])
    t = s["total"]
    assert (t["on_roll"], t["taking_part"], t["rate"], t["five_days"], t["five_rate"]) == (30, 24, 80.0, 14, 46.7)
    assert (t["expected"], t["present"], t["absent"], t["leave"], t["attendance_rate"]) == (34, 32, 1, 1, 94.1)
    assert t["fee_due"] == Decimal("12.00")  # 4 paying pupils × 3.00; P0, P1 exempt
    g3, g4 = _row(s["by_grade"], 3), _row(s["by_grade"], 4)
    assert (g3["on_roll"], g3["taking_part"], g3["rate"], g3["five_rate"]) == (20, 15, 75.0, 70.0)
    assert (g4["on_roll"], g4["taking_part"], g4["rate"], g4["five_rate"]) == (10, 9, 90.0, 0.0)
    kinds = {r["key"]: r["rate"] for r in s["by_kind"]}
    assert kinds == {"homework": 46.7, "tutoring": 30.0, "club": 20.0, "partner": 0.0}
    sexes = {r["key"]: (r["on_roll"], r["taking_part"], r["rate"]) for r in s["by_sex"]}
    assert sexes == {"M": (16, 13, 81.2), "F": (14, 11, 78.6)}
    groups = {r["key"]: (r["on_roll"], r["taking_part"], r["rate"]) for r in s["by_group"]}
    assert groups["low_income"] == (2, 2, 100.0)
    assert groups["left_behind"] == (1, 0, 0.0)
    assert groups["migrant"] == (1, 0, 0.0)
    assert groups["none"] == (26, 22, 84.6)
    assert s["demand"] == {"ranked": 7, "first_given": 5, "first_choice_rate": 71.4, "waiting": 1, "unplaced": 2}
    assert _row(s["by_class"], world.class_a.pk)["rate"] == 75.0
    week = s["weekly"][0]
    assert (week["label"], week["expected"], week["present"], week["attendance_rate"]) == ("11-23", 34, 32, 94.1)


def test_bureau_figures_suppress_small_cells(world, data):
    s = stats.for_bureau(stats.school_stats(school_ids=[world.school_a.pk, world.school_b.pk]))
    g4 = _row(s["by_grade"], 4)
    assert g4["on_roll"] == 10 and g4["taking_part"] is None and g4["rate"] is None  # 9 taking part
    assert _row(s["by_group"], "left_behind")["on_roll"] is None
    school_b = next(r for r in s["by_school"] if r["school_id"] == world.school_b.pk)
    assert school_b["on_roll"] is None and school_b["rate"] is None  # one pupil
    assert s["demand"]["waiting"] is None and s["demand"]["first_choice_rate"] is None  # 1 waiting, 7 ranked


def _xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def test_no_bureau_page_or_api_response_names_a_pupil(client, world, data):
    client.force_login(world.users.bureau)
    a = world.school_a.pk
    bodies = [
        client.get(reverse("participation:bureau_home")).content.decode(),
        client.get(reverse("participation:bureau_school", args=[a])).content.decode(),
        _xlsx_text(client.get(reverse("participation:bureau_export")).content),
        _xlsx_text(client.get(reverse("participation:bureau_export"), {"school": a}).content),
    ]
    for path in (
        "/api/v1/stats/district",
        f"/api/v1/stats/schools/{a}",
        "/api/v1/stats/attendance/daily",
        "/api/v1/district/summary",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        bodies.append(response.content.decode())
    for part in ("classes", "enrollments", "attendance"):
        for fmt in ("csv", "json"):
            response = client.get(f"/api/v1/regulator/{part}.{fmt}")
            assert response.status_code == 200, (part, fmt)
            bodies.append(response.content.decode())
    assert "锦溪小学" in bodies[0] and "pupil_ref" in bodies[-3]
    everything = "\n".join(bodies)
    for pupil in Student.objects.all():
        assert pupil.name not in everything, pupil.name
        assert pupil.student_no not in everything, pupil.student_no
    district = client.get("/api/v1/stats/district").json()
    assert _row(district["by_grade"], 4)["taking_part"] is None
    assert "partners/" in bodies[0]  # the link to the partner-course review
    # other roles get nothing
    client.force_login(world.users.coordinator_a)
    assert client.get(reverse("participation:bureau_home")).status_code == 403
    assert client.get("/api/v1/stats/district").status_code == 403
    assert client.get("/api/v1/regulator/enrollments.csv").status_code == 403
    assert client.get(reverse("participation:bureau_school", args=[a])).status_code == 403


def test_coordinator_sees_their_school_with_names(client, world, data):
    client.force_login(world.users.coordinator_a)
    page = client.get(reverse("participation:school_stats", args=[world.school_a.pk])).content.decode()
    assert data["p"][14].name in page  # no seat: named for the school
    export = client.get(reverse("participation:school_export", args=[world.school_a.pk]))
    assert export.status_code == 200 and data["p"][14].name in _xlsx_text(export.content)
    assert client.get(reverse("participation:school_stats", args=[world.school_b.pk])).status_code == 404
