"""The teacher on duty opens today's gate list on a phone, sees the batches per class, and a family's
change made before the cut-off appears in it (the list refreshes itself)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from enrollment.models import DismissalChange, Enrollment
from tests.browser.conftest import PHONE, log_in, screenshot
from tests.enrollment import factories as f
from tests.scheduling.factories import add_timetable_data, published_for_a

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def monday_morning(monkeypatch):
    """10:00 on a Monday in Shanghai, for the site as for the test (the cut-off is 12:00)."""
    moment = dt.datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    from participation.gate import views as gate_views

    monkeypatch.setattr(gate_views, "POLL_SECONDS", 1)
    return moment


def test_teacher_on_duty_sees_batches_per_class_and_a_familys_change(
    browser, phone_page, live_server, world, monday_morning
):
    tt = add_timetable_data(world)
    published_for_a(world, tt)
    child = world.children_a[0]  # 王小明, parent1's child: homework help (session 1) and the robot club (session 2)
    class1 = f.pupils(4, world.school_a, world.class_a, prefix="M")
    class2 = f.pupils(3, world.school_a, tt.class_2, prefix="N")
    for p in [child, *class1]:
        Enrollment.objects.create(student=p, section=tt.homework[0], status="enrolled")
    for p in class2:
        Enrollment.objects.create(student=p, section=world.section_a, status="enrolled")

    page = phone_page
    log_in(page, live_server.url, "teacher_a")
    page.get_by_role("link", name="今日离校名单").click()
    page.get_by_role("heading", name="离校名单 · 锦溪小学").wait_for()
    page.get_by_text("家长可在 12:00 前更改").wait_for()
    batch2 = page.locator("#gate-list [data-batch=session_2]")
    batch2.get_by_role("heading", name="17:40 · 第二时段后").wait_for()
    assert batch2.locator(f"[data-class='{world.class_a.pk}'] li").count() == 5
    assert batch2.locator(f"[data-class='{tt.class_2.pk}'] li").count() == 3
    assert page.locator("#gate-list [data-batch=session_1]").count() == 0
    screenshot(page, "gate-list-phone")

    # the family changes today's dismissal on its own phone, before the cut-off
    family = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2, has_touch=True)
    parent = family.new_page()
    log_in(parent, live_server.url, "parent1")
    parent.goto(f"{live_server.url}/family/child/{child.pk}/going-home/")
    parent.get_by_label("离校时间").select_option("session_1")
    parent.get_by_label("即使孩子会错过当天的课程").check()  # the club is in session 2: the family accepts it
    parent.get_by_role("button", name="保存").click()
    parent.get_by_text("已保存。").wait_for()
    parent.get_by_text("将错过机器人社团").wait_for()  # flagged to the family: the club is in session 2
    screenshot(parent, "gate-family-change-phone")
    family.close()
    assert DismissalChange.objects.get(student=child, date=MONDAY).choice == "session_1"

    # the teacher's list shows it without reloading
    mine = page.locator(f"#gate-list [data-batch=session_1] #gate-pupil-{child.pk}")
    mine.wait_for(timeout=10_000)
    assert "今日有更改" in mine.inner_text() and "将错过机器人社团" in mine.inner_text()
    assert batch2.locator(f"[data-class='{world.class_a.pk}'] li").count() == 4
    page.locator("#gate-list [data-batch=session_1]").get_by_role("heading", name="16:30 · 第一时段后").wait_for()
    screenshot(page, "gate-list-after-change-phone")
