"""Issue 13 item 16: a teacher on a phone finds 我的课表 from the home page, and reads the home table."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.scheduling.factories import add_timetable_data, published_for_a

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_teacher_home_links_my_timetable_and_reads_on_a_phone(phone_page, live_server, world):
    tt = add_timetable_data(world)
    published_for_a(world, tt)
    page, base = phone_page, live_server.url
    log_in(page, base, "teacher_a")
    page.goto(f"{base}/teacher/")
    table = page.locator("main table").first
    table.wait_for()
    # every cell stays readable: no column squeezed to a character per line, nothing wider than the phone
    heights = table.locator("td:visible, th:visible").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().height)"
    )
    assert heights and max(heights) < 48, heights
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    expect(table).to_contain_text("已录取")
    screenshot(page, "teacher-home-phone")
    page.get_by_role("link", name="我的课表").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("我的课后服务课表")
    expect(page.get_by_test_id("weekly")).to_be_visible()
    expect(page.get_by_test_id("term-total")).to_be_visible()
    expect(page.get_by_role("heading", name="日历订阅")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    screenshot(page, "teacher-timetable-phone")
