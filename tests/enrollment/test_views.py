"""Pages: scoping (another family's child, another school's roster), htmx fragments, forms, bad input."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enrollment import services
from enrollment.models import DismissalChoice, Enrollment, Preference, RosterProposal
from tests.enrollment import factories as f

pytestmark = pytest.mark.django_db


def _parent(client, world):
    client.force_login(world.users.parent_1)
    return client


def _child_pages(child_id):
    return [
        reverse("enrollment:child_detail", args=[child_id]),
        reverse("enrollment:catalogue", args=[child_id]),
        reverse("enrollment:preferences", args=[child_id]),
    ]


def test_parent_home_shows_every_child_across_schools(client, shop, world):
    body = _parent(client, world).get(reverse("enrollment:parent_home")).content.decode()
    assert shop.child.name in body and shop.sibling.name in body
    assert "锦溪小学" in body and "城南小学" in body
    assert "机器人社团" in body  # the world's seat, listed until the timetable gives it a time
    assert world.children_b[0].name not in body
    assert "课后服务自愿参加，家长可随时申请退出。" in body  # the footer says so on every family page


def test_another_familys_child_is_404_on_every_page_and_action(client, shop, world):
    _parent(client, world)
    other = world.children_b[0]
    seat = Enrollment.objects.get(student=other)
    for url in _child_pages(other.pk):
        response = client.get(url)
        assert response.status_code == 404 and other.name not in response.content.decode()
    posts = [
        (reverse("enrollment:enroll", args=[other.pk]), {"section": world.section_b.pk}),
        (reverse("enrollment:dismissal", args=[other.pk]), {"weekday": 0, "choice": "extended"}),
        (reverse("enrollment:withdraw", args=[other.pk, seat.pk]), {}),
        (reverse("enrollment:offer_accept", args=[other.pk, seat.pk]), {}),
        # my child in the URL, another family's seat id in it: still not found
        (reverse("enrollment:withdraw", args=[shop.child.pk, seat.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404
    seat.refresh_from_db()
    assert seat.status == "enrolled"
    assert not DismissalChoice.objects.exists()


def test_absurd_ids_are_not_found_not_errors(client, shop, world):
    _parent(client, world)
    assert client.get(f"/family/child/{10**30}/").status_code == 404
    assert client.get(f"/family/child/{10**30}/courses/").status_code == 404
    url = reverse("enrollment:enroll", args=[shop.child.pk])
    response = client.post(url, {"section": str(10**30)})
    assert response.status_code == 302  # the form refuses it: back to the catalogue with a message
    response = client.post(url, {"section": "1 OR 1=1"}, follow=True)
    assert "请求无效" in response.content.decode()
    assert client.post(url, {"section": 999999999}).status_code == 404
    assert not Enrollment.objects.filter(student=shop.child).exclude(section=shop.robot).exists()


def test_catalogue_lists_only_what_the_child_may_take(client, shop, world):
    body = _parent(client, world).get(reverse("enrollment:catalogue", args=[shop.child.pk])).content.decode()
    for title in ("国际象棋", "儿童画", "中点(工贸)", "机器人社团"):
        assert title in body
    assert "五年级科学" not in body and "围棋" not in body
    assert "自愿参加" in body
    assert "免费" in body  # chess; a paid course: tests/enrollment/test_fees_confirm.py
    assert "抢座" in body or "报名" in body


def test_catalogue_filter_by_kind_htmx_fragment_vs_page(client, shop, world):
    _parent(client, world)
    url = reverse("enrollment:catalogue", args=[shop.child.pk])
    full = client.get(url, {"kind": "partner"}).content.decode()
    fragment = client.get(url, {"kind": "partner"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full and 'id="catalogue"' in full
    assert "<html" not in fragment and fragment.strip().startswith('<div id="catalogue"')
    assert "中点(工贸)" in fragment and "国际象棋" not in fragment
    # a weekday filter: sections without published times do not match any weekday
    assert "国际象棋" not in client.get(url, {"weekday": "2"}, headers={"HX-Request": "true"}).content.decode()
    assert client.get(url, {"kind": "nonsense"}).status_code == 200  # an unknown filter is ignored


def test_take_a_seat_and_withdraw_through_the_pages(client, shop, world):
    _parent(client, world)
    url = reverse("enrollment:enroll", args=[shop.child.pk])
    response = client.post(url, {"section": shop.chess.pk, "key": "k" * 16}, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("enrollment:child_detail", args=[shop.child.pk])
    assert "已获得" in body and "国际象棋" in body
    # the same form sent again (double tap, back button) changes nothing
    body = client.post(url, {"section": shop.chess.pk, "key": "k" * 16}, follow=True).content.decode()
    assert "已经处理过" in body
    row = Enrollment.objects.get(student=shop.child, section=shop.chess)
    client.post(reverse("enrollment:withdraw", args=[shop.child.pk, row.pk]))
    row.refresh_from_db()
    assert row.status == "withdrawn"


def test_full_section_asks_before_waitlisting(client, shop, world):
    f.pupils(1, world.school_a, world.class_a, prefix="Z")
    from enrollment import services

    services.enrollment_request(student=shop.others[0], section=shop.art, by=None)
    _parent(client, world)
    url = reverse("enrollment:enroll", args=[shop.child.pk])
    body = client.post(url, {"section": shop.art.pk}, follow=True).content.decode()
    assert "名额已满" in body
    assert not Enrollment.objects.filter(student=shop.child, section=shop.art).exists()
    client.post(url, {"section": shop.art.pk, "waitlist": "on"})
    assert Enrollment.objects.get(student=shop.child, section=shop.art).status == "waitlisted"
    body = client.get(reverse("enrollment:child_detail", args=[shop.child.pk])).content.decode()
    assert "候补第 1 位" in body


def test_an_error_brings_the_family_back_to_the_filtered_list_at_the_card(client, shop, world):
    """Issue 13 item 13: after a refusal the catalogue keeps its filters and its place."""
    f.pupils(1, world.school_a, world.class_a, prefix="Z")
    services.enrollment_request(student=shop.others[0], section=shop.art, by=None)  # art is full
    _parent(client, world)
    catalogue = reverse("enrollment:catalogue", args=[shop.child.pk])
    page = client.get(catalogue, {"kind": "tutoring"}).content.decode()
    assert '<input type="hidden" name="kind" value="tutoring">' in page  # the enroll form carries it
    url = reverse("enrollment:enroll", args=[shop.child.pk])
    response = client.post(url, {"section": shop.art.pk, "kind": "tutoring", "weekday": ""})
    assert response.status_code == 302
    assert response["Location"] == f"{catalogue}?kind=tutoring#section-{shop.art.pk}"
    # a filter value the catalogue does not know is dropped, never echoed into the address
    response = client.post(url, {"section": shop.art.pk, "kind": "evil", "weekday": "2"})
    assert response["Location"] == f"{catalogue}#section-{shop.art.pk}"


def test_missing_csrf_token_is_refused_and_changes_nothing(shop, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users.parent_1)
    response = client.post(reverse("enrollment:enroll", args=[shop.child.pk]), {"section": shop.chess.pk})
    assert response.status_code == 403
    assert not Enrollment.objects.filter(student=shop.child, section=shop.chess).exists()


def test_dismissal_htmx_returns_the_fragment_and_saves(client, shop, world):
    _parent(client, world)
    url = reverse("enrollment:dismissal", args=[shop.child.pk])
    fragment = client.post(url, {"weekday": 2, "choice": "session_1"}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.strip().startswith(f'<div class="dismissal" id="dismissal-{shop.child.pk}"')
    assert "<html" not in fragment and "已保存" in fragment
    assert DismissalChoice.objects.get(student=shop.child, weekday=2).choice == "session_1"
    response = client.post(url, {"weekday": 2, "choice": "extended"})
    assert response.status_code == 302
    assert DismissalChoice.objects.get(student=shop.child, weekday=2).choice == "extended"
    client.post(url, {"weekday": 9, "choice": "extended"}, headers={"HX-Request": "true"})
    assert DismissalChoice.objects.count() == 1


def test_preferences_page_ranks_and_changes(client, shop, world):
    shop.window.delete()
    f.window(world.school_a, "preference", max_choices=3)
    _parent(client, world)
    url = reverse("enrollment:preferences", args=[shop.child.pk])
    page = client.get(url).content.decode()
    assert "第 1 志愿" in page and "提前填报不会带来任何优势" in page
    client.post(url, {"rank_1": shop.chess.pk, "rank_2": shop.art.pk, "rank_3": shop.pastry.pk})
    client.post(url, {"rank_1": shop.pastry.pk, "rank_2": "", "rank_3": shop.chess.pk})
    assert list(
        Preference.objects.filter(student=shop.child).order_by("rank").values_list("section_id", flat=True)
    ) == [
        shop.pastry.pk,
        shop.chess.pk,
    ]
    # a tampered form: a section of another school
    body = client.post(url, {"rank_1": world.section_b.pk}, follow=True).content.decode()
    assert "不符合该课程的报名条件" in body
    assert Preference.objects.filter(student=shop.child).count() == 2


def test_coordinator_roster_scoped_to_own_school(client, shop, world):
    client.force_login(world.users.coordinator_a)
    own = reverse("enrollment:section_roster", args=[world.school_a.pk, shop.robot.pk])
    assert shop.child.name in client.get(own).content.decode()
    assert (
        client.get(reverse("enrollment:section_roster", args=[world.school_b.pk, world.section_b.pk])).status_code
        == 404
    )
    # school A in the URL, school B's section id: not found either
    assert (
        client.get(reverse("enrollment:section_roster", args=[world.school_a.pk, world.section_b.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("enrollment:roster_export", args=[world.school_b.pk, world.section_b.pk])).status_code == 404
    )
    assert client.get(reverse("enrollment:school_enrollment", args=[world.school_b.pk])).status_code == 404
    seat_b = Enrollment.objects.get(section=world.section_b)
    url = reverse("enrollment:roster_remove", args=[world.school_a.pk, shop.robot.pk, seat_b.pk])
    assert client.post(url, {"reason": "x", "confirmed": "yes"}).status_code == 404
    seat_b.refresh_from_db()
    assert seat_b.status == "enrolled"
    client.force_login(world.users.parent_1)
    assert client.get(own).status_code == 403


def test_roster_export_is_an_excel_workbook(client, shop, world):
    from openpyxl import load_workbook

    client.force_login(world.users.coordinator_a)
    response = client.get(reverse("enrollment:roster_export", args=[world.school_a.pk, shop.robot.pk]))
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert names == [shop.child.name]


def test_coordinator_adds_removes_sets_windows_and_notices(client, shop, world):
    client.force_login(world.users.coordinator_a)
    school = world.school_a
    add = reverse("enrollment:roster_add", args=[school.pk, shop.chess.pk])
    client.post(add, {"student_no": shop.others[0].student_no, "reason": "补录"})
    assert not Enrollment.objects.filter(student=shop.others[0], section=shop.chess).exists()  # a proposal only
    proposal = RosterProposal.objects.get(student=shop.others[0], section=shop.chess, status="pending")
    services.proposal_accept(proposal=proposal, by=None)  # the family says yes
    row = Enrollment.objects.get(student=shop.others[0], section=shop.chess)
    assert row.status == "enrolled" and row.note == "补录"
    client.post(add, {"student_no": world.children_b[0].student_no, "reason": "别校学生"})  # not our pupil
    assert not Enrollment.objects.filter(student=world.children_b[0], section=shop.chess).exists()
    remove = reverse("enrollment:roster_remove", args=[school.pk, shop.chess.pk, row.pk])
    asked = client.post(remove, {"reason": "家长要求"})  # without JavaScript: the question first
    assert asked.status_code == 200 and 'id="confirm-action"' in asked.content.decode()
    assert 'name="reason" value="家长要求"' in asked.content.decode()
    row.refresh_from_db()
    assert row.status == "enrolled"
    client.post(remove, {"reason": "家长要求", "confirmed": "yes"})
    row.refresh_from_db()
    assert row.status == "withdrawn"
    page = client.get(reverse("enrollment:school_enrollment", args=[school.pk])).content.decode()
    assert "国际象棋" in page and "先到先得" in page
    response = client.post(
        reverse("enrollment:window_edit", args=[school.pk, shop.window.pk]),
        {
            "term": shop.term.pk,
            "mode": "first_come",
            "opens_at": "2026-09-01T08:00",
            "closes_at": "2026-09-10T20:00",
            "max_choices": 3,
            "offer_hours": 12,
            "max_seats": 1,
            "missed_first_choice_bonus": "on",
            "head_start_hours": 24,
        },
    )
    assert response.status_code == 302
    shop.window.refresh_from_db()
    assert shop.window.offer_hours == 12
    # another school's term in the form is refused by the form's choices
    other_term = f.term_of(world.school_b)
    response = client.post(
        reverse("enrollment:window_new", args=[school.pk]),
        {
            "term": other_term.pk,
            "mode": "first_come",
            "opens_at": "2026-09-01T08:00",
            "closes_at": "2026-09-02T08:00",
            "max_choices": 3,
            "offer_hours": 24,
        },
    )
    assert response.status_code == 200 and school.windows.count() == 1
    client.post(
        reverse("enrollment:notice_new", args=[school.pk]),
        {"title": "本周五提前放学", "body": "15:30 放学", "audience": "grade:3"},
    )
    client.force_login(world.users.parent_1)
    assert "本周五提前放学" in client.get(reverse("enrollment:parent_home")).content.decode()


def _window_form(term, **extra):
    data = {
        "term": term.pk,
        "mode": "preference",
        "opens_at": "2027-02-20T08:00",
        "closes_at": "2027-02-27T20:00",
        "max_choices": 3,
        "offer_hours": 24,
        "max_seats": 2,
        "priority_order": "残疾, 留守儿童、dual_earner",
        "head_start_hours": 12,
    }
    data.update(extra)
    return data


def test_coordinator_sets_the_allocation_rules_of_a_window(client, world):
    client.force_login(world.users.coordinator_a)
    school = world.school_a
    url = reverse("enrollment:window_new", args=[school.pk])
    response = client.post(url, _window_form(f.term_of(school)))
    assert response.status_code == 302
    window = school.windows.get()
    assert window.priority_order == ["disabled", "left_behind", "dual_earner"]
    assert (window.max_seats, window.head_start_hours, window.missed_first_choice_bonus) == (2, 12, False)
    page = client.get(reverse("enrollment:window_edit", args=[school.pk, window.pk])).content.decode()
    assert "残疾, 留守儿童, 双职工" in page


def test_unknown_or_repeated_priority_groups_are_refused_and_nothing_is_saved(client, world):
    client.force_login(world.users.coordinator_a)
    school = world.school_a
    url = reverse("enrollment:window_new", args=[school.pk])
    body = client.post(url, _window_form(f.term_of(school), priority_order="残疾, 外星人")).content.decode()
    assert "外星人" in body and "留守儿童" in body
    body = client.post(url, _window_form(f.term_of(school), priority_order="残疾, disabled")).content.decode()
    assert "disabled" in body
    assert not school.windows.exists()


def test_allocation_rules_are_fixed_once_the_window_opens(client, world):
    client.force_login(world.users.coordinator_a)
    school = world.school_a
    window = f.window(school, "preference", priority_order=["migrant"])
    url = reverse("enrollment:window_edit", args=[school.pk, window.pk])
    opens = timezone.localtime(window.opens_at).strftime("%Y-%m-%dT%H:%M")
    closes = timezone.localtime(window.closes_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, _window_form(window.term, opens_at=opens, closes_at=closes, priority_order="残疾"))
    assert response.status_code == 200
    assert "窗口开放后" in response.content.decode()
    window.refresh_from_db()
    assert window.priority_order == ["migrant"] and window.max_seats == 1
