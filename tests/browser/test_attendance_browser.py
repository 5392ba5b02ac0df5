"""A teacher takes a register on a phone; the bureau's dashboard draws its charts (in Chinese)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from enrollment.models import Enrollment
from participation.models import Attendance, Register
from scheduling.models import Placement
from tests.browser.conftest import log_in, screenshot
from tests.enrollment import factories as f
from tests.scheduling.factories import add_timetable_data, published_for_a

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
FRIDAY = dt.date(2026, 11, 27)


@pytest.fixture
def today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: FRIDAY)
    cache.clear()
    return FRIDAY


def test_teacher_takes_a_register_on_a_phone(phone_page, live_server, world, today):
    tt = add_timetable_data(world)
    timetable = published_for_a(world, tt)
    Placement.objects.create(
        timetable=timetable,
        section=world.section_a,
        meeting=1,
        slot=tt.slots[4, 2],
        room=tt.rooms[0],
        teacher=tt.teachers[0],
    )
    pupils = f.pupils(5, world.school_a, world.class_a, prefix="B")
    for pupil in pupils:
        Enrollment.objects.create(student=pupil, section=world.section_a, status="enrolled")
    page = phone_page
    log_in(page, live_server.url, "teacher_a")
    page.goto(f"{live_server.url}/attendance/")
    page.get_by_role("link", name="机器人社团").click()
    page.get_by_text("尚未点名").wait_for()
    row = page.locator(f"#pupil-{pupils[1].pk}")
    row.get_by_role("button", name="缺勤").click()
    row.locator("button[data-status=absent][aria-pressed=true]").wait_for()
    page.get_by_text("已保存").wait_for()
    row = page.locator(f"#pupil-{pupils[2].pk}")
    row.get_by_role("button", name="请假").click()
    row.locator("button[data-status=leave][aria-pressed=true]").wait_for()
    assert page.locator("[data-count=present]").inner_text() == "4"
    screenshot(page, "attendance-register-phone")
    register = Register.objects.get(section=world.section_a, date=FRIDAY)
    assert (register.expected, register.present, register.absent, register.leave) == (6, 4, 1, 1)
    assert Attendance.objects.get(student=pupils[1], date=FRIDAY).status == "absent"


def test_a_tap_changes_only_that_pupils_row_and_the_page_stays(phone_page, live_server, world, today):
    """Issue 13 item 9: a tap swapped the whole list and threw the phone to the bottom."""
    tt = add_timetable_data(world)
    timetable = published_for_a(world, tt)
    Placement.objects.create(
        timetable=timetable,
        section=world.section_a,
        meeting=1,
        slot=tt.slots[4, 2],
        room=tt.rooms[0],
        teacher=tt.teachers[0],
    )
    world.section_a.capacity = 40
    world.section_a.save(update_fields=["capacity"])
    pupils = f.pupils(30, world.school_a, world.class_a, prefix="S")
    for pupil in pupils:
        Enrollment.objects.create(student=pupil, section=world.section_a, status="enrolled")
    page = phone_page
    log_in(page, live_server.url, "teacher_a")
    page.goto(f"{live_server.url}/attendance/register/{world.section_a.pk}/{FRIDAY.isoformat()}/")
    target = page.locator(f"#pupil-{pupils[15].pk}")
    target.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 120)")
    # marks on elements that a swap of the whole list would replace
    page.evaluate("document.querySelectorAll('.register-row').forEach(r => r.dataset.probe = 'kept')")
    before = page.evaluate("window.scrollY")
    assert before > 300
    target.get_by_role("button", name="缺勤").click()
    page.locator(f"#pupil-{pupils[15].pk} button[data-status=absent][aria-pressed=true]").wait_for()
    expect(page.locator("[data-count=absent]")).to_have_text("1")
    expect(page.locator("#register")).to_contain_text("已保存")
    page.wait_for_timeout(300)  # htmx settles and would scroll now
    assert page.evaluate("window.scrollY") == before
    kept = page.evaluate(
        "[...document.querySelectorAll('.register-row')].filter(r => r.dataset.probe === 'kept').length"
    )
    assert kept == page.locator(".register-row").count() - 1  # only the tapped row was swapped
    assert page.locator(f"#pupil-{pupils[15].pk}").get_attribute("data-probe") is None
    target = page.locator(f"#pupil-{pupils[16].pk}")
    target.get_by_role("button", name="请假").click()
    page.locator(f"#pupil-{pupils[16].pk} button[data-status=leave][aria-pressed=true]").wait_for()
    expect(page.locator("[data-count=present]")).to_have_text("29")  # 31 pupils: the world's one and ours
    assert page.evaluate("window.scrollY") == before
    assert Attendance.objects.get(student=pupils[15], date=FRIDAY).status == "absent"


def test_bureau_dashboard_draws_its_charts(desk_page, live_server, today):
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    call_command("seed_history", "--until", "2026-11-27", stdout=StringIO())
    page = desk_page
    log_in(page, live_server.url, "bureau", settings.KEHOU_DEMO_PASSWORD)
    page.goto(f"{live_server.url}/bureau/")
    page.get_by_role("heading", name="全区参与情况").wait_for()
    page.locator("html[data-charts-ready='3']").wait_for()
    for name in ("schools", "grades", "weekly"):
        assert page.locator(f"[data-chart={name}] canvas").count() >= 1
    assert page.locator("#headline-rate").inner_text().endswith("%")
    path = screenshot(page, "bureau-dashboard")
    assert path.exists()  # README shows a copy in docs/screenshots/
    page.get_by_role("link", name="锦溪小学").first.click()
    page.locator("html[data-charts-ready='2']").wait_for()
    screenshot(page, "bureau-school")
