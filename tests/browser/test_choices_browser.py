"""Issue 13 item 14: ranked choices on a phone — each option shows day, time, seats and fee, and an
option that meets when the child already has a course is flagged."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from enrollment import selectors
from enrollment.selectors import Meeting
from tests.browser.conftest import log_in, screenshot
from tests.enrollment import factories as f
from tests.enrollment.conftest import shop  # noqa: F401 - the enrollment fixture, shared

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choice_options_show_day_time_seats_fee_and_a_clash(phone_page, live_server, shop, world, monkeypatch):  # noqa: F811
    shop.window.delete()
    f.window(world.school_a, "preference", max_choices=3)
    times = {
        shop.robot.pk: [Meeting(0, dt.time(16, 40), dt.time(17, 40), 2, "科技楼201")],  # the seat the child holds
        shop.chess.pk: [Meeting(2, dt.time(16, 40), dt.time(17, 40), 2, "阅览室")],
        shop.art.pk: [Meeting(0, dt.time(16, 50), dt.time(17, 50), 2, "美术教室")],  # Monday, as the robot club
    }
    shop.chess.course.fee_per_class_hour = "3.00"
    shop.chess.course.save(update_fields=["fee_per_class_hour"])
    monkeypatch.setattr(selectors, "section_times", lambda ids: {i: times[i] for i in ids if i in times})
    page = phone_page
    log_in(page, live_server.url, "parent1")
    page.goto(f"{live_server.url}/family/child/{shop.child.pk}/choices/")
    first = page.get_by_label("第 1 志愿")
    chess = first.locator(f"option[value='{shop.chess.pk}']")
    expect(chess).to_have_text("国际象棋 · 1 · 周三 16:40–17:40 · 剩余 2 个名额 · 每课时 3.00 元")
    art = first.locator(f"option[value='{shop.art.pk}']")
    expect(art).to_contain_text("周一 16:50–17:50")
    expect(art).to_contain_text("与机器人社团同一时间")
    expect(first.locator(f"option[value='{shop.chess.pk}']")).not_to_contain_text("同一时间")
    warning = page.locator("#choice-clashes")
    expect(warning).to_contain_text("儿童画 · 1：与机器人社团同一时间")
    expect(warning).not_to_contain_text("国际象棋")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    screenshot(page, "parent-preferences-options")
