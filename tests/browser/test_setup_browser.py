"""A coordinator on a tablet, in Chinese: applies the 5+2 template, taps a teacher's availability
cell, and imports a rooms file — with htmx under the strict CSP, in Debian's Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from tests.courses.xlsx import workbook_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 1024, "height": 768}


@pytest.fixture
def tablet_page(browser, live_server):
    context = browser.new_context(viewport=TABLET, locale="zh-CN", has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.problems = problems
    yield page
    context.close()


def test_coordinator_sets_up_grid_availability_and_imports_rooms(tablet_page, live_server, world, tmp_path):
    from courses.models import Room, Slot

    page = tablet_page
    school = world.school_a
    Slot.objects.filter(school=school, weekday=4, session=2).delete()  # Friday lost its second session

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或手机号").fill("coord_a")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/school/{school.pk}/")

    # 1. the time grid: apply the 5+2 template (htmx swaps the section in place)
    page.locator("#setup-steps").get_by_role("link", name="作息时段").click()
    expect(page.get_by_role("heading", name="5+2 模板")).to_be_visible()  # waits for the htmx swap
    page.get_by_role("button", name="应用 5+2 模板").click()
    page.get_by_role("status").filter(has_text="已应用 5+2 模板").wait_for()
    assert school.slots.count() == 10
    assert page.locator("#weekday-4 .tag.ok").inner_text() == "不少于 2 小时"
    screenshot(page, "setup-grid-tablet")

    # 2. a teacher's availability: one tap marks Wednesday's second session unavailable
    teacher = school.teachers.get()
    slot = school.slots.get(weekday=2, session=2)
    page.get_by_role("navigation", name="学校设置").get_by_role("link", name="教师").click()
    page.get_by_role("link", name="张老师").first.click()
    cell = page.locator(f'button[data-slot="{slot.pk}"]')
    assert cell.get_attribute("aria-pressed") == "false"
    cell.tap()
    page.locator(f'button[data-slot="{slot.pk}"][aria-pressed="true"]').wait_for()
    assert page.locator(f'button[data-slot="{slot.pk}"]').inner_text().endswith("不可用")
    assert list(teacher.unavailable_slots.all()) == [slot]
    screenshot(page, "setup-teacher-availability-tablet")

    # 3. rooms from Excel
    rooms_file = tmp_path / "场地.xlsx"
    rooms_file.write_bytes(
        workbook_bytes([["名称", "容纳人数", "设施"], ["科学实验室", 40, "实验室，水池"], ["烹饪教室", 30, "厨房"]])
    )
    page.get_by_role("navigation", name="学校设置").get_by_role("link", name="场地").click()
    page.get_by_role("link", name="从 Excel 导入场地").click()
    page.get_by_label("Excel 文件（.xlsx）").set_input_files(str(rooms_file))
    page.get_by_role("button", name="导入", exact=True).click()
    page.get_by_role("heading", name="导入完成").wait_for()
    assert "新增 2" in page.get_by_role("status").inner_text()
    assert set(Room.objects.filter(school=school).values_list("name", flat=True)) == {
        "三(1)班教室",
        "科学实验室",
        "烹饪教室",
    }
    screenshot(page, "setup-import-rooms-tablet")

    assert not [p for p in page.problems if "Content Security Policy" in p or "Refused" in p], page.problems
