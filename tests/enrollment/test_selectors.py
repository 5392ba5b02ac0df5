"""Selectors: the catalogue's eligibility and seats left, the week, waitlist positions, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enrollment import selectors, services
from enrollment.models import Enrollment
from enrollment.selectors import Meeting

pytestmark = pytest.mark.django_db


def test_catalogue_counts_offers_as_taken_and_ignores_expired_ones(shop):
    now = timezone.now()
    Enrollment.objects.create(student=shop.others[0], section=shop.chess, status="enrolled")
    offer = Enrollment.objects.create(
        student=shop.others[1], section=shop.chess, status="waitlisted", offer_expires_at=now + dt.timedelta(hours=1)
    )
    Enrollment.objects.create(student=shop.others[2], section=shop.chess, status="waitlisted")
    items = {i.section.pk: i for i in selectors.catalogue_for_student(student=shop.child, term=shop.term, now=now)}
    assert items[shop.chess.pk].seats_left == 0 and items[shop.chess.pk].waiting == 1
    later = now + dt.timedelta(hours=2)
    items = {i.section.pk: i for i in selectors.catalogue_for_student(student=shop.child, term=shop.term, now=later)}
    assert items[shop.chess.pk].seats_left == 1  # the lapsed offer no longer holds the seat
    assert offer.offer_pending(now) and not offer.offer_pending(later)


def test_catalogue_eligibility_kind_and_weekday(shop, monkeypatch):
    now = timezone.now()
    titles = {i.course.title for i in selectors.catalogue_for_student(student=shop.child, term=shop.term, now=now)}
    assert titles == {"机器人社团", "国际象棋", "儿童画", "中点(工贸)"}
    assert selectors.catalogue_for_student(student=shop.sibling, term=shop.term, now=now) == []  # another school
    shop.child.on_roll = False
    assert selectors.catalogue_for_student(student=shop.child, term=shop.term, now=now) == []
    shop.child.on_roll = True
    monkeypatch.setattr(
        selectors, "section_times", lambda ids: {shop.art.pk: [Meeting(3, dt.time(15, 30), dt.time(16, 30))]}
    )
    thursday = selectors.catalogue_for_student(student=shop.child, term=shop.term, now=now, weekday=3)
    assert [i.course.title for i in thursday] == ["儿童画"]
    tutoring = selectors.catalogue_for_student(student=shop.child, term=shop.term, now=now, kind="tutoring")
    assert [i.course.title for i in tutoring] == ["儿童画"]


def test_meetings_clash_by_time_or_by_session():
    mon_1 = Meeting(0, dt.time(15, 30), dt.time(16, 30), 1)
    assert Meeting(0, dt.time(16, 0), dt.time(17, 0)).overlaps(mon_1)
    assert not Meeting(0, dt.time(16, 30), dt.time(17, 30)).overlaps(mon_1)  # back to back is fine
    assert not Meeting(1, dt.time(15, 30), dt.time(16, 30), 1).overlaps(mon_1)
    assert Meeting(0, session=1).overlaps(Meeting(0, session=1))
    assert not Meeting(0).overlaps(Meeting(0))  # nothing known: no clash
    assert selectors.section_times([1, 2, 3]) == {}  # until the timetable is published


def test_child_week_places_seats_by_weekday_and_lists_the_rest(shop, monkeypatch):
    Enrollment.objects.create(student=shop.child, section=shop.chess, status="enrolled")
    Enrollment.objects.create(student=shop.child, section=shop.art, status="waitlisted")
    monkeypatch.setattr(
        selectors,
        "section_times",
        lambda ids: {shop.chess.pk: [Meeting(4, dt.time(16, 40), dt.time(17, 40), 2, "阅览室")]},
    )
    week = selectors.child_week(shop.child)
    assert [i.section.course.title for i in week.days[4].items] == ["国际象棋"]
    assert [i.section.course.title for i in week.unscheduled] == ["机器人社团"]
    assert week.published and all(not d.items for d in week.days[:4])
    assert [d.dismissal for d in week.days] == ["session_2"] * 5


def test_waitlist_positions_follow_arrival_and_skip_offers(shop):
    services.enrollment_request(student=shop.others[0], section=shop.art, by=None)
    rows = [services.enrollment_request(student=p, section=shop.art, by=None).enrollment for p in shop.others[1:4]]
    assert [selectors.waitlist_position(r) for r in rows] == [1, 2, 3]
    seat = Enrollment.objects.get(student=shop.others[0], section=shop.art)
    services.enrollment_withdraw(enrollment=seat, by=None)
    for r in rows:
        r.refresh_from_db()
    assert [selectors.waitlist_position(r) for r in rows] == [None, 1, 2]


def test_parent_home_query_count_does_not_grow_with_seats(client, shop, world):
    client.force_login(world.users.parent_1)
    url = reverse("enrollment:parent_home")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for section in (shop.chess, shop.pastry):
        Enrollment.objects.create(student=shop.child, section=section, status="enrolled")
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
    assert len(few) < 40
