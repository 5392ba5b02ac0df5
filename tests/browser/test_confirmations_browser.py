"""Issue 13 item 17: what cannot be taken back asks first — publishing a timetable while the term runs,
publishing an allocation (tests/browser/test_allocation_browser.py), removing a pupil from a section."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from enrollment.models import Enrollment
from scheduling import services as scheduling_services
from scheduling.models import Timetable
from tests.browser.conftest import log_in, screenshot
from tests.scheduling.factories import add_timetable_data, published_for_a

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MID_TERM = dt.date(2026, 11, 27)


@pytest.fixture
def mid_term(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: MID_TERM)
    return MID_TERM


def test_publishing_a_timetable_mid_term_says_what_moves_and_asks(desk_page, live_server, world, mid_term):
    tt = add_timetable_data(world)
    v1 = published_for_a(world, tt)
    v2 = scheduling_services.timetable_copy(timetable=v1, by=None)
    moved = v2.placements.get(section=tt.clubs[0], meeting=0)
    moved.slot = tt.slots[4, 2]
    moved.save(update_fields=["slot"])
    page, base = desk_page, live_server.url
    log_in(page, base, "coord_a")
    page.goto(f"{base}/school/{world.school_a.pk}/timetable/{v2.pk}/publish/")
    box = page.locator("#publish-midterm")
    expect(box).to_contain_text("学期已经开始")
    expect(box).to_contain_text("1 节课")  # one meeting of one section moves
    button = page.locator("form button.primary")
    button.click()  # not ticked: the browser keeps the form, nothing is published
    page.wait_for_timeout(300)
    v2.refresh_from_db()
    assert v2.status == Timetable.Status.DRAFT
    screenshot(page, "timetable-publish-midterm")
    page.get_by_label("我确认：学期中途更改课表。").check()
    button.click()
    page.get_by_text("已发布。家长和老师现在看到的是这份课表。").wait_for()
    v2.refresh_from_db()
    assert v2.status == Timetable.Status.PUBLISHED


def test_publishing_before_the_term_needs_no_tick(desk_page, live_server, world, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2026, 8, 20))
    tt = add_timetable_data(world)
    v1 = published_for_a(world, tt)
    v2 = scheduling_services.timetable_copy(timetable=v1, by=None)
    log_in(desk_page, live_server.url, "coord_a")
    desk_page.goto(f"{live_server.url}/school/{world.school_a.pk}/timetable/{v2.pk}/publish/")
    expect(desk_page.locator("#publish-midterm")).to_have_count(0)


def test_removing_a_pupil_asks_first(desk_page, live_server, world):
    page, base = desk_page, live_server.url
    seat = Enrollment.objects.get(section=world.section_a, status="enrolled")
    log_in(page, base, "coord_a")
    page.goto(f"{base}/school/{world.school_a.pk}/sections/{world.section_a.pk}/roster/")
    page.get_by_placeholder("原因").fill("家长电话要求")
    asked: list[str] = []

    def say_no(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", say_no)
    page.get_by_role("button", name="移出").click()
    page.wait_for_timeout(500)
    assert asked and seat.student.name in asked[0]
    seat.refresh_from_db()
    assert seat.status == "enrolled"  # cancelled: nothing happened
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="移出").click()
    expect(page.locator("ul.messages")).to_contain_text(seat.student.name)
    seat.refresh_from_db()
    assert seat.status != "enrolled"


def test_without_javascript_removing_a_pupil_still_asks_first(browser, live_server, world):
    """No dialog without JavaScript: the same form lands on a question page; only its button removes."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", java_script_enabled=False)
    page, base = context.new_page(), live_server.url
    try:
        seat = Enrollment.objects.get(section=world.section_a, status="enrolled")
        log_in(page, base, "coord_a")
        page.goto(f"{base}/school/{world.school_a.pk}/sections/{world.section_a.pk}/roster/")
        page.get_by_placeholder("原因").fill("家长电话要求")
        page.get_by_role("button", name="移出").click()
        box = page.locator("#confirm-action")
        expect(box).to_contain_text(f"将 {seat.student.name} 移出这个教学班？")
        seat.refresh_from_db()
        assert seat.status == "enrolled"  # asked, nothing changed yet
        box.get_by_role("button", name="移出").click()
        expect(page.locator("ul.messages")).to_contain_text(seat.student.name)
        seat.refresh_from_db()
        assert seat.status != "enrolled"
    finally:
        context.close()
