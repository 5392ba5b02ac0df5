"""Teachers' load over the real term calendar, and private iCalendar feeds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from enrollment.models import Enrollment, PupilCalendarFeed
from scheduling import selectors
from scheduling.models import CalendarFeed, Timetable
from tests.scheduling.factories import add_timetable_data, make_timetable, published_for_a

pytestmark = pytest.mark.django_db


def _plain_weekdays(start: dt.date, end: dt.date) -> dict[int, int]:
    out = dict.fromkeys(range(5), 0)
    day = start
    while day <= end:
        if day.weekday() < 5:
            out[day.weekday()] += 1
        day += dt.timedelta(days=1)
    return out


def test_term_counts_drop_holidays_and_add_swapped_days(world):
    tt = add_timetable_data(world)
    plain = _plain_weekdays(tt.term.start, tt.term.end)
    counts = selectors.term_weekday_counts(tt.term)
    assert counts[3] == plain[3] - 1  # Thu 2026-10-01 is a holiday
    assert counts[4] == plain[4] + 1  # Sat 2026-10-10 is a working day following Friday
    assert [counts[d] for d in (0, 1, 2)] == [plain[d] for d in (0, 1, 2)]
    days = dict(selectors.term_days(tt.term))
    assert dt.date(2026, 10, 1) not in days and days[dt.date(2026, 10, 10)] == 4


def test_teacher_load_per_week_and_term_total(world, client):
    tt = add_timetable_data(world)
    published_for_a(world, tt)
    wang = tt.teachers[2]  # homework 3-2 Tue+Thu, calligraphy Tue+Thu
    placements = list(selectors.published_placements(teacher_id=wang.pk))
    load = selectors.teacher_load(placements)
    plain = _plain_weekdays(tt.term.start, tt.term.end)
    assert load["weekly"] == 4
    assert load["term_total"] == 2 * plain[1] + 2 * (plain[3] - 1)
    # the teacher's own page (张老师: robot club on Mondays)
    client.force_login(world.users.teacher_a)
    page = client.get(reverse("scheduling:teacher"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="weekly">1<' in html and f'data-testid="term-total">{plain[0]}<' in html
    client.force_login(world.users.partner)
    assert client.get(reverse("scheduling:teacher")).status_code == 200


def test_pupil_ical_feed_has_the_right_dates_and_a_revoked_link_is_gone(world, client):
    tt = add_timetable_data(world)
    s, r, (_zhang, _li, wang) = tt.slots, tt.rooms, tt.teachers
    make_timetable(
        school=world.school_a,
        term=tt.term,
        rows=[(tt.clubs[1], 0, s[3, 2], r[1], wang), (tt.clubs[1], 1, s[4, 2], r[1], wang)],
        status=Timetable.Status.PUBLISHED,
    )
    child = world.children_a[0]
    Enrollment.objects.create(student=child, section=tt.clubs[1], status="enrolled")
    client.force_login(world.users.parent_1)
    assert client.post(reverse("enrollment:child_feed_issue", args=[child.pk])).status_code == 302
    feed = PupilCalendarFeed.objects.get(student=child)
    assert len(feed.token) >= 40
    client.logout()  # the feed URL needs no login, only the token
    response = client.get(reverse("scheduling:feed", args=[feed.token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    starts = [line.split(":", 1)[1] for line in body.split("\r\n") if line.startswith("DTSTART:")]
    plain = _plain_weekdays(tt.term.start, tt.term.end)
    assert len(starts) == (plain[3] - 1) + (plain[4] + 1)
    # 16:40 in Shanghai is 08:40 UTC
    assert "20261008T084000Z" in starts  # an ordinary Thursday
    assert "20261001T084000Z" not in starts  # National Day holiday
    assert "20261002T084000Z" in starts and "20261010T084000Z" in starts  # Friday and the swapped Saturday
    assert "书法社团" in body
    # another family cannot make or revoke this child's links
    client.force_login(world.users.parent_2)
    assert client.post(reverse("enrollment:child_feed_issue", args=[child.pk])).status_code == 404
    assert client.post(reverse("enrollment:child_feed_revoke", args=[child.pk, feed.pk])).status_code == 404
    client.force_login(world.users.parent_1)
    assert client.post(reverse("enrollment:child_feed_revoke", args=[child.pk, feed.pk])).status_code == 302
    client.logout()
    assert client.get(reverse("scheduling:feed", args=[feed.token])).status_code == 404
    assert client.get(reverse("scheduling:feed", args=["not-a-real-token"])).status_code == 404


def test_teacher_feed_lists_only_published_meetings(world, client):
    tt = add_timetable_data(world)
    published_for_a(world, tt)
    client.force_login(world.users.teacher_a)
    client.post(reverse("scheduling:teacher_feed_issue"))
    feed = CalendarFeed.objects.get(teacher__user=world.users.teacher_a)
    page = client.get(reverse("scheduling:teacher")).content.decode()
    assert feed.token in page
    body = client.get(reverse("scheduling:feed", args=[feed.token])).content.decode()
    assert body.count("BEGIN:VEVENT") == _plain_weekdays(tt.term.start, tt.term.end)[0]
    assert "DTSTART:20260907T084000Z" in body
    client.post(reverse("scheduling:teacher_feed_revoke", args=[feed.pk]))
    assert client.get(reverse("scheduling:feed", args=[feed.token])).status_code == 404
