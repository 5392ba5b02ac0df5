"""A parent on a phone, in Chinese: ranks choices, takes a first-come seat, sees the week, withdraws,
and accepts a seat offered from the waitlist."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from enrollment import selectors, services
from enrollment.models import Enrollment, Preference
from enrollment.selectors import Meeting
from tests.browser.conftest import log_in, screenshot
from tests.enrollment import factories as f
from tests.enrollment.conftest import shop  # noqa: F401 - the enrollment fixture, shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, base_url: str, username: str = "parent1") -> None:
    log_in(page, base_url, username)
    page.wait_for_url(f"{base_url}/family/")


def test_parent_ranks_three_choices_and_changes_them(phone_page, live_server, shop, world):  # noqa: F811
    shop.window.delete()
    f.window(world.school_a, "preference", max_choices=3)
    page = phone_page
    _log_in(page, live_server.url)
    child_card = page.locator(f"#child-{shop.child.pk}")
    expect(child_card).to_contain_text("提前填报不会带来任何优势")
    child_card.get_by_role("link", name="我的志愿").click()
    expect(page.get_by_role("heading", name=f"{shop.child.name} 的志愿")).to_be_visible()
    page.get_by_label("第 1 志愿").select_option(label="国际象棋 · 1")
    page.get_by_label("第 2 志愿").select_option(label="儿童画 · 1")
    page.get_by_label("第 3 志愿").select_option(label="中点(工贸) · 1")
    page.get_by_role("button", name="保存志愿").click()
    expect(page.locator("ul.messages")).to_contain_text("志愿已保存")
    expect(page.locator("ol.choices li")).to_have_text(
        [re.compile("国际象棋"), re.compile("儿童画"), re.compile("中点")]
    )
    # change them: the partner course first, chess second, nothing third
    page.goto(f"{live_server.url}/family/child/{shop.child.pk}/choices/")
    page.get_by_label("第 1 志愿").select_option(label="中点(工贸) · 1")
    page.get_by_label("第 2 志愿").select_option(label="国际象棋 · 1")
    page.get_by_label("第 3 志愿").select_option(label="— 不选 —")
    page.get_by_role("button", name="保存志愿").click()
    expect(page.locator("ol.choices li")).to_have_text([re.compile("中点"), re.compile("国际象棋")])
    screenshot(page, "parent-preferences")
    assert list(
        Preference.objects.filter(student=shop.child).order_by("rank").values_list("section_id", flat=True)
    ) == [shop.pastry.pk, shop.chess.pk]


def test_parent_takes_a_seat_sees_the_week_and_withdraws(phone_page, live_server, shop, world, monkeypatch):  # noqa: F811
    times = {
        shop.robot.pk: [Meeting(0, dt.time(16, 40), dt.time(17, 40), 2, "科技楼201")],
        shop.chess.pk: [
            Meeting(2, dt.time(16, 40), dt.time(17, 40), 2, "阅览室"),
            Meeting(4, dt.time(15, 30), dt.time(16, 30), 1, "阅览室"),
        ],
    }
    monkeypatch.setattr(selectors, "section_times", lambda ids: {i: times[i] for i in ids if i in times})
    page = phone_page
    _log_in(page, live_server.url)
    page.locator(f"#child-{shop.child.pk}").get_by_role("link", name="课程").click()
    expect(page.get_by_text("自愿参加", exact=False).first).to_be_visible()
    card = page.locator(f"#section-{shop.chess.pk}")
    expect(card).to_contain_text("免费")  # paid courses: test_dayone_domain_browser.py
    expect(card).to_contain_text("2 / 2")
    screenshot(page, "parent-catalogue")
    card.get_by_role("button", name="立即报名").click()
    expect(page.locator("ul.messages")).to_contain_text("已获得“国际象棋”的名额")
    week = page.locator(f"#week-{shop.child.pk}")
    expect(week.locator(".week-day").nth(2)).to_contain_text("国际象棋")
    expect(week.locator(".week-day").nth(2)).to_contain_text("16:40–17:40")
    expect(week.locator(".week-day").nth(0)).to_contain_text("机器人社团")
    # flexible dismissal, saved by htmx without leaving the page
    page.get_by_label("周五").select_option(label="延时托管")
    expect(page.locator(f"#dismissal-{shop.child.pk}")).to_contain_text("已保存")
    page.get_by_role("heading", name="每周课表").scroll_into_view_if_needed()
    screenshot(page, "parent-enroll")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".seat-list li", has_text="国际象棋").get_by_role("button", name="退出").click()
    expect(page.locator("ul.messages")).to_contain_text("已退出“国际象棋”")
    expect(week.locator(".week-day").nth(2)).not_to_contain_text("国际象棋")
    assert Enrollment.objects.get(student=shop.child, section=shop.chess).status == "withdrawn"
    assert Enrollment.objects.filter(student=shop.child, section=shop.robot, status="enrolled").exists()


def test_waitlisted_parent_receives_and_accepts_the_offer(phone_page, live_server, shop, world):  # noqa: F811
    holder = services.enrollment_request(student=shop.others[0], section=shop.art, by=None).enrollment
    page = phone_page
    _log_in(page, live_server.url)
    page.goto(f"{live_server.url}/family/child/{shop.child.pk}/courses/")
    card = page.locator(f"#section-{shop.art.pk}")
    expect(card).to_contain_text("0 / 1")
    card.get_by_role("button", name="已满，加入候补").click()
    expect(page.locator("ul.messages")).to_contain_text("候补名单")
    expect(page.get_by_text("候补第 1 位")).to_be_visible()
    # the family holding the seat gives it up: the seat is offered to us
    services.enrollment_withdraw(enrollment=holder, by=None)
    page.reload()
    offer = page.locator("li.offer", has_text="儿童画")
    expect(offer).to_contain_text("请在")
    screenshot(page, "parent-offer")
    offer.get_by_role("button", name="确认递补").click()
    expect(page.locator("ul.messages")).to_contain_text("已获得“儿童画”的名额")
    expect(page.locator("li.offer")).to_have_count(0)
    screenshot(page, "parent-offer-accepted")
    assert Enrollment.objects.get(student=shop.child, section=shop.art).status == "enrolled"
