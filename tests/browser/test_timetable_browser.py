"""The coordinator builds, watches, pins, re-solves and publishes; teacher and parent see the result.

A worker thread stands in for `manage.py db_worker`: it runs queued solve runs with the task
function, so the page's htmx polling shows the run moving from queued to running to done.
"""

from __future__ import annotations

import threading
import time

import pytest
from playwright.sync_api import expect

from scheduling.models import Pin, SolveRun, Timetable
from tests.browser.conftest import log_in, screenshot
from tests.scheduling.factories import add_timetable_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Worker:
    """Runs queued solve runs the way `db_worker` would (the task function, in another thread)."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def loop(self) -> None:
        from django.db import connection

        from scheduling.tasks import solve_timetable

        try:
            while not self.stop.wait(0.3):
                run = SolveRun.objects.filter(status="queued").order_by("pk").first()
                if run is not None:
                    time.sleep(1.2)  # long enough for the page to show the queued state
                    solve_timetable.call(run.pk)
        finally:
            connection.close()


@pytest.fixture
def worker(live_server):
    w = Worker()
    w.thread.start()
    yield w
    w.stop.set()
    w.thread.join(30)


def _wait_run_done(page) -> None:
    progress = page.locator("#run-progress")
    progress.locator(".tag.run-succeeded").wait_for(timeout=60_000)


def test_coordinator_builds_pins_resolves_publishes_and_others_see_it(browser, desk_page, phone_page, live_server,
                                                                      world, worker):  # fmt: skip
    tt = add_timetable_data(world)
    page, base = desk_page, live_server.url
    school = world.school_a.pk
    log_in(page, base, "coord_a")
    page.goto(f"{base}/school/{school}/timetable/")
    assert page.get_by_role("heading", name="课后服务课表").is_visible()
    page.get_by_label("时间上限（秒）").fill("3")
    page.get_by_role("button", name="开始排课").click()

    # the run page polls its progress fragment every second until the run is done
    page.wait_for_url("**/timetable/runs/*/")
    assert page.locator("#run-progress[hx-trigger='every 1s']").count() == 1
    screenshot(page, "timetable-run-progress")
    _wait_run_done(page)
    assert page.locator("#run-progress[hx-trigger]").count() == 0  # polling stopped
    assert page.get_by_text("课表第 1 版已生成草稿。").is_visible()
    page.get_by_role("link", name="查看第 1 版").click()

    # the week view
    page.wait_for_url("**/timetable/*/")
    assert page.get_by_role("heading", name="课表第 1 版").is_visible()
    grid = page.locator("#week-grid")
    assert grid.get_by_text("书法社团 1").count() == 2 and grid.get_by_text("三年级作业辅导 1班").count() == 2
    assert page.get_by_role("heading", name="评分分析").is_visible()
    screenshot(page, "timetable-week")

    # click the robot club: the move panel opens; a move into a busy cell says what it breaks
    page.locator("#week-grid a.placement", has_text="机器人社团").click()
    panel = page.locator("#move-panel")
    panel.get_by_role("button", name="固定在这里").wait_for()
    robot = Timetable.objects.get(version=1).placements.get(section=world.section_a)
    calligraphy = Timetable.objects.get(version=1).placements.filter(section=tt.clubs[1]).first()
    panel.get_by_label("时段").select_option(str(calligraphy.slot_id))
    panel.get_by_label("场地").select_option(str(calligraphy.room_id))
    panel.locator("#move-preview").get_by_text("这次调整会违反：").wait_for()
    screenshot(page, "timetable-move-preview")
    panel.get_by_label("时段").select_option(str(robot.slot_id))
    panel.get_by_label("场地").select_option(str(robot.room_id))
    panel.get_by_role("button", name="固定在这里").click()
    page.get_by_text("已固定：重新排课时这节课保持不变。").wait_for()
    assert Pin.objects.filter(section=world.section_a, slot_id=robot.slot_id).exists()
    assert page.locator("#week-grid a.placement.is-pinned").count() == 1

    # re-solve from this draft, keeping the pin
    page.get_by_role("button", name="重新排课（保留固定，尽量少改动）").click()
    page.wait_for_url("**/timetable/runs/*/")
    _wait_run_done(page)
    page.get_by_role("link", name="查看第 2 版").click()
    page.wait_for_url("**/timetable/*/")
    v2 = Timetable.objects.get(version=2)
    assert v2.placements.get(section=world.section_a).slot_id == robot.slot_id
    assert v2.base.version == 1
    page.get_by_role("button", name="发布").click()
    page.locator("#publish-warnings").wait_for()  # the confirmation, with the 5+2 warnings
    page.get_by_role("button", name="仍然发布").click()
    page.get_by_text("已发布。家长和老师现在看到的是这份课表。").wait_for()
    v2.refresh_from_db()
    assert v2.status == "published" and v2.published_by == world.users.coordinator_a
    screenshot(page, "timetable-published")
    screenshot(page, "timetable-week-published")  # README shows a copy in docs/screenshots/

    # the teacher of the robot club sees the published meeting
    teacher_page = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN").new_page()
    log_in(teacher_page, base, "teacher_a")
    teacher_page.goto(f"{base}/teacher/timetable/")
    assert teacher_page.get_by_role("heading", name="我的课后服务课表 · 张老师").is_visible()
    assert teacher_page.get_by_text("机器人社团 1").is_visible()
    assert teacher_page.get_by_test_id("weekly").inner_text() == "1"
    screenshot(teacher_page, "timetable-teacher")
    teacher_page.context.close()

    # a parent on a phone sees the child's week
    log_in(phone_page, base, "13800000001")
    phone_page.goto(f"{base}/family/child/{world.children_a[0].pk}/timetable/")
    assert phone_page.get_by_role("heading", name="王小明 · 课后服务周课表").is_visible()
    assert phone_page.get_by_text("机器人社团").is_visible()
    screenshot(phone_page, "timetable-child-phone")


def test_a_finished_run_says_finished_with_one_cost(desk_page, live_server, world, worker):
    """Issue 13 item 11: a done run still said 正在排课 with the bar at 15 %, and showed the solver's
    cost and bound next to a timetable the checker scored differently."""
    add_timetable_data(world)
    page, base = desk_page, live_server.url
    log_in(page, base, "coord_a")
    page.goto(f"{base}/school/{world.school_a.pk}/timetable/")
    page.get_by_label("时间上限（秒）").fill("3")
    page.get_by_role("button", name="开始排课").click()
    page.wait_for_url("**/timetable/runs/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text("正在排课")
    _wait_run_done(page)  # the polled fragment swapped in the finished state
    expect(page.get_by_role("heading", level=1)).to_have_text("排课已完成")
    assert page.locator("#run-bar").get_attribute("value") == "100"
    run = SolveRun.objects.get()
    assert run.result_timetable is not None
    stats = page.locator("#run-progress .stats")
    assert stats.locator("[data-testid=best], [data-testid=bound]").count() == 0
    expect(stats.get_by_test_id("cost")).to_have_text(str(run.result_timetable.cost))
    expect(stats).not_to_contain_text("下界")
    page.reload()  # the same when opened later
    expect(page.get_by_role("heading", level=1)).to_have_text("排课已完成")
    # elapsed, the checker's cost, hard; and the numbers the benchmark records: first timetable, proof
    assert page.locator("#run-progress [data-testid]").count() == 5
