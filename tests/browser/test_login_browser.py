"""Each user's first step in a real browser: the Chinese login page and their own home page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_parent_logs_in_by_phone_on_a_phone_and_sees_own_child(phone_page, live_server, world):
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("heading", name="登录课后服务平台").is_visible()
    screenshot(page, "login-phone")
    log_in(page, live_server.url, "13800000001")
    page.wait_for_url(f"{live_server.url}/family/")
    assert page.get_by_role("heading", name="我的孩子").is_visible()
    assert page.get_by_text("王小明").is_visible()
    assert page.get_by_text("李小红").count() == 0
    screenshot(page, "parent-home-phone")


def test_wrong_password_shows_a_clear_message(phone_page, live_server, world):
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名或手机号").fill("parent1")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text().strip() == "用户名、手机号或密码错误。"


@pytest.mark.parametrize(
    ("username", "heading"),
    [("coord_a", "锦溪小学"), ("bureau", "全区参与情况"), ("partner", "工贸旅游学校"), ("teacher_a", "张老师")],
)
def test_each_role_lands_on_its_page(desk_page, live_server, world, username, heading):
    log_in(desk_page, live_server.url, username)
    desk_page.wait_for_load_state()
    assert heading in desk_page.locator("h1").inner_text()


def test_language_switch_to_english_and_keyboard_use(desk_page, live_server, world):
    page = desk_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.select_option("#lang-select", "en")
    page.get_by_role("button", name="切换").click()
    expect(page.get_by_role("heading", name="Log in to the after-school service")).to_be_visible()
    # the username field has focus on arrival and Tab reaches the password next
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"


def test_api_docs_render_from_our_own_files(desk_page, live_server, world):
    page = desk_page
    outside: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(live_server.url) else outside.append(r.url))
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Kehou" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.get_by_text("/api/v1/auth/token").first.is_visible()
    assert outside == []
    assert not [e for e in console_errors if "Content Security Policy" in e]
