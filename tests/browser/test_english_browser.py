"""Issue 13 item 19: English pages say everything in English — the timetable grid's weekdays, a
finished run's message (stored by the worker in Chinese), dates — on SQLite as well (the full walk
of every page is tests/browser/test_walk_browser.py, PostgreSQL only)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from scheduling.models import SolveRun
from tests.browser.conftest import PHONE, log_in
from tests.enrollment import factories as f
from tests.scheduling.factories import add_timetable_data, published_for_a

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _english(browser, live_server, username: str, *, phone: bool = False):
    context = browser.new_context(viewport=PHONE if phone else {"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, live_server.url, username)
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "domain": host, "path": "/"}])
    return page


def test_timetable_and_run_pages_in_english(browser, live_server, world):
    tt = add_timetable_data(world)
    v1 = published_for_a(world, tt)
    run = SolveRun.objects.create(
        school=world.school_a, term=tt.term, status="succeeded", result_timetable=v1, progress=100,
        message="课表第 1 版已生成草稿。",  # what the worker wrote, in the default language
    )  # fmt: skip
    page = _english(browser, live_server, "coord_a")
    try:
        page.goto(f"{live_server.url}/school/{world.school_a.pk}/timetable/{v1.pk}/")
        head = page.locator("#week-grid thead")
        expect(head).to_contain_text("Mon")
        expect(head).to_contain_text("Fri")
        assert not CJK.search(head.inner_text()), head.inner_text()
        page.goto(f"{live_server.url}/school/{world.school_a.pk}/timetable/runs/{run.pk}/")
        expect(page.locator(".run-message")).to_have_text("Timetable v1 is ready as a draft.")
    finally:
        page.context.close()


def test_parent_dates_in_english(browser, live_server, world):
    f.window(world.school_a, "preference", max_choices=3)
    page = _english(browser, live_server, "parent1", phone=True)
    try:
        page.goto(f"{live_server.url}/family/")
        box = page.locator(".window-box").first
        expect(box).to_contain_text("open until")
        text = box.inner_text()
        assert re.search(r"open until [A-Z][a-z]{2} \d{1,2}, \d\d:\d\d", text), text
        assert "月" not in text and not CJK.search(text), text
        voluntary = page.locator("p.voluntary").inner_text()
        assert not CJK.search(voluntary), voluntary
    finally:
        page.context.close()


def test_teacher_week_in_english(browser, live_server, world):
    tt = add_timetable_data(world)
    published_for_a(world, tt)
    page = _english(browser, live_server, "teacher_a", phone=True)
    try:
        page.goto(f"{live_server.url}/teacher/timetable/")
        days = page.locator(".itinerary .day h3")
        expect(days).to_have_text(["Mon", "Tue", "Wed", "Thu", "Fri"])
    finally:
        page.context.close()
