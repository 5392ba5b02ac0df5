"""Dismissal at the gate (弹性离校): the conflict rule, a day's change before the cut-off (and the
refusal after it), the gate list's batches per gate and class, pick-up persons, who may see it."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEvent
from enrollment import selectors as enrollment_selectors
from enrollment import services as enrollment_services
from enrollment.models import (
    DismissalChange,
    DismissalChoice,
    DismissalRules,
    Enrollment,
)
from enrollment.selectors import Meeting, dismissal_misses
from messaging.models import Message
from participation.gate import services as gate_services
from participation.gate.models import PickupPerson
from participation.gate.selectors import gate_day
from participation.models import LeaveReport
from tests.enrollment import factories as f
from tests.scheduling.factories import add_timetable_data, published_for_a

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 11, 23)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@pytest.fixture
def gate(world, monkeypatch):
    """School A on Monday: homework help for class 1 (session 1), the robot club (session 2) with
    the world's child and three pupils of class 2."""
    monkeypatch.setattr(timezone, "now", lambda: at(MONDAY, 10))
    tt = add_timetable_data(world)
    published_for_a(world, tt)
    child = world.children_a[0]
    class1 = f.pupils(3, world.school_a, world.class_a, prefix="M")
    class2 = f.pupils(3, world.school_a, tt.class_2, prefix="N")
    for p in [child, *class1]:
        Enrollment.objects.create(student=p, section=tt.homework[0], status="enrolled")
    for p in class2:
        Enrollment.objects.create(student=p, section=world.section_a, status="enrolled")
    return tt, child, class1, class2


def test_the_conflict_rule_is_one_function():
    s1 = Meeting(0, dt.time(15, 30), dt.time(16, 30), 1)
    s2 = Meeting(0, dt.time(16, 40), dt.time(17, 40), 2)
    assert dismissal_misses("session_1", [s1, s2]) == [s2]
    assert dismissal_misses("session_2", [s1, s2]) == []
    assert dismissal_misses("extended", [s1, s2]) == []


def test_conflicts_selector_finds_the_course_a_choice_misses(world, gate):
    tt, child, _c1, _c2 = gate
    found = enrollment_selectors.dismissal_conflicts(
        term_id=tt.term.pk, choices={(child.pk, 0): "session_1", (child.pk, 1): "session_1", (child.pk, 2): "session_2"}
    )
    assert list(found) == [(child.pk, 0)]  # Monday: the robot club is in session 2
    assert found[child.pk, 0][0].course == "机器人社团"


def test_a_change_for_today_before_the_cutoff_is_on_the_gate_list(world, gate):
    tt, child, class1, _class2 = gate
    before = gate_day(school=world.school_a, day=MONDAY)
    [main] = before.gates
    assert [b.key for b in main.batches] == ["session_2"]
    classes = {cb.school_class.pk: [p.student.name for p in cb.pupils] for cb in main.batches[0].classes}
    assert set(classes) == {world.class_a.pk, tt.class_2.pk}
    assert sorted(classes[world.class_a.pk]) == sorted([child.name, *[p.name for p in class1]])
    with pytest.raises(DomainError) as refused:  # at the moment the family chooses: the course is named
        enrollment_services.dismissal_day_set(student=child, day=MONDAY, choice="session_1", by=world.users.parent_1)
    assert refused.value.code == "dismissal_misses_course" and "机器人社团" in refused.value.message("zh-hans")
    assert not DismissalChange.objects.exists()
    enrollment_services.dismissal_day_set(
        student=child, day=MONDAY, choice="session_1", by=world.users.parent_1, accept_missing=True
    )
    after = gate_day(school=world.school_a, day=MONDAY)
    batches = {b.key: b for b in after.gates[0].batches}
    assert batches["session_1"].time == dt.time(16, 30)
    [mine] = [p for cb in batches["session_1"].classes for p in cb.pupils]
    assert mine.student == child and mine.changed
    assert [c.course for c in mine.conflicts] == ["机器人社团"]  # flagged: he leaves before his club
    assert after.flagged == [mine]
    assert Message.objects.filter(about=f"student:{child.pk}", kind="dismissal_change").exists()
    assert AuditEvent.objects.filter(action="enrollment.dismissal_day.updated").count() == 1


def test_a_change_after_the_cutoff_is_refused_with_the_time_and_writes_nothing(world, gate, monkeypatch):
    _tt, child, _c1, _c2 = gate
    DismissalRules.objects.create(school=world.school_a, change_cutoff=dt.time(9, 30))
    with pytest.raises(DomainError) as caught:
        enrollment_services.dismissal_day_set(student=child, day=MONDAY, choice="session_1", by=None)
    assert caught.value.code == "dismissal_cutoff" and caught.value.status == 409
    assert "09:30" in caught.value.message("zh-hans") and "09:30" in caught.value.message("en")
    assert not DismissalChange.objects.exists()
    with pytest.raises(DomainError):  # a past day is closed too
        enrollment_services.dismissal_day_set(
            student=child, day=MONDAY - dt.timedelta(days=1), choice="extended", by=None
        )
    # a later day is fine; a day without service is refused
    enrollment_services.dismissal_day_set(student=child, day=MONDAY + dt.timedelta(days=1), choice="extended", by=None)
    with pytest.raises(DomainError) as caught:
        enrollment_services.dismissal_day_set(student=child, day=dt.date(2026, 11, 29), choice="extended", by=None)
    assert "date" in caught.value.fields
    with pytest.raises(DomainError) as caught:
        enrollment_services.dismissal_day_set(student=child, day=MONDAY + dt.timedelta(days=2), choice="later", by=None)
    assert "choice" in caught.value.fields


def test_a_weekly_change_after_the_cutoff_keeps_todays_list(world, gate):
    tt, child, _c1, _c2 = gate
    DismissalRules.objects.create(school=world.school_a, change_cutoff=dt.time(9, 30))
    enrollment_services.dismissal_set(
        student=child, term=tt.term, weekday=0, choice="session_1", by=None, accept_missing=True
    )
    assert DismissalChoice.objects.get(student=child, weekday=0).choice == "session_1"  # from next Monday
    assert DismissalChange.objects.get(student=child, date=MONDAY).choice == "session_2"  # today as it was
    choice, _changed = enrollment_selectors.dismissal_on(student_ids=[child.pk], term=tt.term, day=MONDAY, weekday=0)[
        child.pk
    ]
    assert choice == "session_2"


def test_gates_pickups_leave_and_extended_care_on_the_list(world, gate):
    tt, child, class1, class2 = gate
    coord = world.users.coordinator_a
    enrollment_services.dismissal_rules_save(
        school=world.school_a, change_cutoff="12:00", extended_until="18:30", by=coord
    )
    east = gate_services.gate_create(school=world.school_a, name="东门", by=coord)
    gate_services.gate_classes_set(gate=east, class_ids=[tt.class_2.pk], by=coord)
    with pytest.raises(DomainError):
        gate_services.gate_create(school=world.school_a, name="东门", by=coord)
    with pytest.raises(DomainError):  # another school's class
        gate_services.gate_classes_set(gate=east, class_ids=[world.class_b.pk], by=coord)
    gate_services.pickup_person_add(
        family_id=child.family_id, name="王奶奶", relation="奶奶", phone="139 0000 1234", by=None
    )
    with pytest.raises(DomainError) as caught:
        gate_services.pickup_person_add(family_id=child.family_id, name="", relation="", phone="12", by=None)
    assert set(caught.value.fields) == {"name", "relation", "phone"}
    assert PickupPerson.objects.count() == 1
    DismissalChoice.objects.create(student=class2[0], term=tt.term, weekday=0, choice="extended")
    LeaveReport.objects.create(student=class1[0], date=MONDAY)
    day = gate_day(school=world.school_a, day=MONDAY)
    names = [g.name for g in day.gates]
    assert names == ["正门", "东门"] or names == ["Main gate", "东门"]
    east_batches = {b.key: b for b in day.gates[1].batches}
    assert east_batches["extended"].time == dt.time(18, 30)
    assert [p.student for cb in east_batches["extended"].classes for p in cb.pupils] == [class2[0]]
    main = [p for b in day.gates[0].batches for cb in b.classes for p in cb.pupils]
    mine = next(p for p in main if p.student == child)
    assert [p.name for p in mine.pickups] == ["王奶奶"] and mine.pickups[0].phone_tail == "1234"
    assert next(p for p in main if p.student == class1[0]).on_leave
    only_east = gate_day(school=world.school_a, day=MONDAY, gate_id=east.pk)
    assert [g.name for g in only_east.gates] == ["东门"]


def test_who_may_see_the_gate_list(client, world, gate):
    url = reverse("participation:gate_list", args=[world.school_a.pk])
    client.force_login(world.users.teacher_a)
    page = client.get(url, {"date": MONDAY.isoformat()})
    assert page.status_code == 200 and "机器人社团" not in page.content.decode()  # names, not courses
    assert world.children_a[0].name in page.content.decode()
    fragment = client.get(url, {"date": MONDAY.isoformat()}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith('<div id="gate-list"')
    printed = client.get(url, {"date": MONDAY.isoformat(), "print": "1"}).content.decode()
    assert "已交接" in printed or "handed over" in printed
    client.force_login(world.users.coordinator_b)
    assert client.get(url).status_code == 404
    client.force_login(world.users.parent_1)
    assert client.get(url).status_code == 403
    client.force_login(world.users.coordinator_a)
    assert client.get(url, {"date": "not-a-date"}).status_code == 404


def test_family_pages_for_going_home_and_pickups(client, world, gate):
    _tt, child, _c1, _c2 = gate
    client.force_login(world.users.parent_1)
    url = reverse("participation:going_home", args=[child.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"date": MONDAY.isoformat(), "choice": "session_1"}, follow=True).content.decode()
    assert "机器人社团" in refused and not DismissalChange.objects.exists()  # named before anything is saved
    client.post(url, {"date": MONDAY.isoformat(), "choice": "session_1", "accept_missing": "1"})
    assert DismissalChange.objects.get(student=child).choice == "session_1"
    page = client.get(url).content.decode()
    assert "将错过机器人社团" in page
    client.post(
        reverse("participation:pickup_add", args=[child.pk]),
        {"name": "王爷爷", "relation": "爷爷", "phone": "13900001111"},
    )
    person = PickupPerson.objects.get()
    other = world.children_b[0]
    assert client.get(reverse("participation:going_home", args=[other.pk])).status_code == 404
    client.force_login(world.users.parent_2)
    client.post(reverse("participation:pickup_remove", args=[other.pk, person.pk]))
    assert PickupPerson.objects.filter(pk=person.pk).exists()  # not theirs: nothing removed
