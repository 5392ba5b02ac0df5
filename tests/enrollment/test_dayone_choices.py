"""Issue 13 items 4 and 5: the dismissal choice knows the child's week; paid courses ask before booking."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from core.errors import DomainError
from enrollment import selectors, services
from enrollment.models import DismissalChoice, Enrollment
from enrollment.selectors import Meeting
from tests.enrollment import factories as f

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2027, 1, 11)  # two school weeks before the test term's end (2027-01-22)


@pytest.fixture
def club_on_monday(shop, monkeypatch):
    """The child's robot club meets on Monday in session 2; the paid pottery course Mon and Wed."""
    shop.pottery = f.section(shop.child.school, "陶艺", fee="3.50")
    times = {
        shop.robot.pk: [Meeting(0, dt.time(16, 40), dt.time(17, 40), 2, "科技楼201")],
        shop.pottery.pk: [
            Meeting(0, dt.time(15, 30), dt.time(16, 30), 1, "美术教室"),
            Meeting(2, dt.time(15, 30), dt.time(16, 30), 1, "美术教室"),
        ],
    }
    monkeypatch.setattr(selectors, "section_times", lambda ids: {i: times[i] for i in ids if i in times})
    return shop


# --- item 4 -----------------------------------------------------------------------------------------


def test_leaving_after_session_1_on_the_clubs_day_is_refused_naming_the_course(club_on_monday):
    shop = club_on_monday
    with pytest.raises(DomainError) as refused:
        services.dismissal_set(student=shop.child, term=shop.term, weekday=0, choice="session_1", by=None)
    error = refused.value
    assert error.code == "dismissal_misses_course" and error.fields["courses"] == ["机器人社团"]
    assert "机器人社团" in error.message("zh-hans") and "机器人社团" in error.message("en")
    assert not DismissalChoice.objects.exists()
    # Tuesday has no session-2 course: fine; Monday once the family accepts it: saved
    services.dismissal_set(student=shop.child, term=shop.term, weekday=1, choice="session_1", by=None)
    services.dismissal_set(
        student=shop.child, term=shop.term, weekday=0, choice="session_1", by=None, accept_missing=True
    )
    assert dict(DismissalChoice.objects.values_list("weekday", "choice")) == {0: "session_1", 1: "session_1"}


def test_the_parents_panel_warns_at_the_moment_of_choosing_and_asks_again(client, club_on_monday, world):
    shop = club_on_monday
    client.force_login(world.users.parent_1)
    url = reverse("enrollment:dismissal", args=[shop.child.pk])
    fragment = client.post(url, {"weekday": 0, "choice": "session_1"}, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert "机器人社团" in body and 'name="accept_missing"' in body
    assert not DismissalChoice.objects.exists()
    client.post(url, {"weekday": 0, "choice": "session_1", "accept_missing": "1"}, headers={"HX-Request": "true"})
    assert DismissalChoice.objects.get(student=shop.child, weekday=0).choice == "session_1"


# --- item 5 -----------------------------------------------------------------------------------------


def test_the_fee_quote_counts_the_meetings_left_on_the_term_calendar(club_on_monday):
    shop = club_on_monday
    quote = selectors.fee_quote(section=shop.pottery, today=MONDAY)
    assert (quote.fee, quote.meetings, quote.total, quote.estimated) == (Decimal("3.50"), 4, Decimal("14.00"), False)
    unpublished = selectors.fee_quote(section=shop.art, today=MONDAY)
    assert not unpublished.paid  # a free course costs nothing and asks nothing
    paid_later = f.section(shop.child.school, "书法", fee="2.00", code="2")
    estimate = selectors.fee_quote(section=paid_later, today=MONDAY)
    assert (estimate.meetings, estimate.total, estimate.estimated) == (2, Decimal("4.00"), True)


def test_a_paid_course_is_booked_only_with_the_confirmed_term_total(club_on_monday):
    shop = club_on_monday
    now = timezone.make_aware(dt.datetime.combine(MONDAY, dt.time(8)))
    shop.window.opens_at, shop.window.closes_at = now - dt.timedelta(days=1), now + dt.timedelta(days=1)
    shop.window.save()
    with pytest.raises(DomainError) as refused:
        services.enrollment_request(student=shop.child, section=shop.pottery, by=None, now=now)
    error = refused.value
    assert error.code == "fee_not_confirmed"
    assert error.fields == {"fee_per_class_hour": "3.50", "meetings": 4, "term_total": "14.00", "estimated": False}
    assert "14.00" in error.message("zh-hans") and "3.50" in error.message("en")
    with pytest.raises(DomainError):  # a different total is not a confirmation
        services.enrollment_request(student=shop.child, section=shop.pottery, by=None, now=now, confirmed_total="7")
    assert not Enrollment.objects.filter(section=shop.pottery).exists()
    result = services.enrollment_request(
        student=shop.child, section=shop.pottery, by=None, now=now, confirmed_total="14.00"
    )
    assert result.enrolled


def test_the_api_refuses_without_the_confirmed_total_and_says_what_it_is(client, club_on_monday, world):
    shop = club_on_monday
    _token, raw = ApiToken.issue(user=world.users.parent_1)
    headers = {"Authorization": f"Bearer {raw}"}
    body = {"student": shop.child.pk, "section": shop.pottery.pk}
    refused = client.post("/api/v1/enrollments", json.dumps(body), content_type="application/json", headers=headers)
    assert refused.status_code == 409 and refused.json()["code"] == "fee_not_confirmed"
    total = refused.json()["fields"]["term_total"]
    assert Decimal(total) == selectors.fee_quote(section=shop.pottery, today=timezone.localdate()).total
    body["confirmed_total"] = total
    taken = client.post("/api/v1/enrollments", json.dumps(body), content_type="application/json", headers=headers)
    assert taken.status_code == 201


def test_the_page_shows_fee_meetings_and_total_then_books_on_confirmation(client, club_on_monday, world):
    shop = club_on_monday
    client.force_login(world.users.parent_1)
    catalogue = client.get(reverse("enrollment:catalogue", args=[shop.child.pk])).content.decode()
    quote = selectors.fee_quote(section=shop.pottery, today=timezone.localdate())
    assert f"合计 {quote.total} 元" in catalogue
    url = reverse("enrollment:enroll", args=[shop.child.pk])
    page = client.post(url, {"section": shop.pottery.pk}).content.decode()
    assert 'id="fee-confirm"' in page and "每课时 3.50 元" in page and f"{quote.total} 元" in page
    assert not Enrollment.objects.filter(section=shop.pottery).exists()
    client.post(url, {"section": shop.pottery.pk, "confirmed_total": f"{quote.total:.2f}"})
    assert Enrollment.objects.get(section=shop.pottery, student=shop.child).status == "enrolled"
