"""The partner teacher's itinerary across host schools, from published timetables."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Room, Section, Slot
from partners import services
from scheduling.itinerary import itinerary_build
from scheduling.models import Placement, Timetable

pytestmark = pytest.mark.django_db


def _host(pw, school, term):
    row = services.host_request_create(school=school, term=term, partner_course=pw.pastry, by=pw.partner)
    services.host_request_accept(host_request=row, by=pw.partner, teacher=pw.teacher)
    return Section.objects.get(course__school=school, course__partner_course=pw.pastry)


def _timetable(section, slot, *, status=Timetable.Status.PUBLISHED, version=1):
    school = section.course.school
    tt = Timetable.objects.create(
        school=school,
        term=section.term,
        version=version,
        status=status,
        published_at=timezone.now() if status == Timetable.Status.PUBLISHED else None,
    )
    Placement.objects.create(
        timetable=tt, section=section, meeting=0, slot=slot, room=Room.objects.filter(school=school).first(),
        teacher=section.teacher,
    )  # fmt: skip
    return tt


@pytest.fixture
def two_schools(pw):
    a, b = pw.world.school_a, pw.world.school_b
    sa, sb = _host(pw, a, pw.term_a), _host(pw, b, pw.term_b)
    tue1_a = Slot.objects.get(school=a, weekday=1, session=1)  # 15:30–16:30
    tue2_b = Slot.objects.get(school=b, weekday=1, session=2)  # 16:40–17:40
    _timetable(sa, tue1_a)
    _timetable(sb, tue2_b)
    return sa, sb


def test_itinerary_shows_both_schools_and_flags_short_travel(pw, two_schools):
    a, b = pw.world.school_a, pw.world.school_b
    services.travel_time_set(a=a, b=b, minutes=25, by=pw.world.users.bureau)
    it = itinerary_build(teacher=pw.teacher)
    tuesday = it.days[1]
    assert [(s.school.name, f"{s.start:%H:%M}") for s in tuesday.stops] == [
        ("锦溪小学", "15:30"),
        ("城南小学", "16:40"),
    ]
    second = tuesday.stops[1]
    assert (second.gap, second.travel, second.problem) == (10, 25, "partner_travel")
    assert [s.name for s in it.schools] == ["锦溪小学", "城南小学"] and len(it.problems) == 1

    services.travel_time_set(a=b, b=a, minutes=10, by=pw.world.users.bureau)
    second = itinerary_build(teacher=pw.teacher).days[1].stops[1]
    assert (second.gap, second.travel, second.problem) == (10, 10, "")


def test_itinerary_flags_unknown_travel_and_clashes_and_ignores_drafts(pw, two_schools):
    sa, sb = two_schools
    assert itinerary_build(teacher=pw.teacher).days[1].stops[1].problem == "travel_unknown"
    # a draft timetable never shows
    _timetable(sa, Slot.objects.get(school=sa.course.school, weekday=0, session=1), status="draft", version=2)
    assert not itinerary_build(teacher=pw.teacher).days[0].stops
    # two meetings at once at two schools: a clash
    Placement.objects.filter(section=sb).update(slot=Slot.objects.get(school=sb.course.school, weekday=1, session=1))
    second = itinerary_build(teacher=pw.teacher).days[1].stops[1]
    assert second.problem == "teacher_double_booked" and second.gap < 0


def test_itinerary_page_and_api(pw, two_schools, login):
    services.travel_time_set(a=pw.world.school_a, b=pw.world.school_b, minutes=5, by=pw.world.users.bureau)
    client = login(pw.partner)
    page = client.get(reverse("itinerary:partner"))
    text = page.content.decode()
    assert page.status_code == 200 and "锦溪小学" in text and "城南小学" in text
    body = client.get("/api/v1/partner/itinerary").json()
    assert [s["name"] for s in body["schools"]] == ["锦溪小学", "城南小学"] and body["problems"] == 0
    stops = body["days"][1]["stops"]
    assert [s["travel_minutes"] for s in stops] == [None, 5] and stops[1]["gap_minutes"] == 10
    for user in (pw.world.users.coordinator_a, pw.world.users.teacher_a, pw.world.users.bureau):
        assert login(user).get(reverse("itinerary:partner")).status_code == 403
        assert login(user).get("/api/v1/partner/itinerary").json()["code"] == "forbidden"
    # another provider's teacher sees only their own (empty) week
    other = login(pw.other_user).get("/api/v1/partner/itinerary").json()
    assert other["schools"] == [] and all(not d["stops"] for d in other["days"])


def test_sections_at_schools_without_a_published_timetable_are_counted_and_named(pw, login):
    """Issue 13 item 6: never dropped silently — "1 个教学班尚未排课（城南小学）"."""
    a, b = pw.world.school_a, pw.world.school_b
    sa, _sb = _host(pw, a, pw.term_a), _host(pw, b, pw.term_b)
    _timetable(sa, Slot.objects.get(school=a, weekday=1, session=1))  # only school A publishes
    it = itinerary_build(teacher=pw.teacher)
    assert len(it.stops) == 1
    assert [(u.school.name, u.sections) for u in it.unscheduled] == [("城南小学", 1)]
    client = login(pw.partner)
    text = client.get(reverse("itinerary:partner")).content.decode()
    assert "1 个教学班尚未排课（城南小学）" in text
    body = client.get("/api/v1/partner/itinerary").json()
    assert body["unscheduled_sections"] == 1 and body["unscheduled"][0]["school"] == "城南小学"
