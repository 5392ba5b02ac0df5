"""Complaints in a real browser: a member of the public on a phone files a complaint naming two
pupils and gets a check code; hotline staff at a desk take it, verify, find it substantiated (the
two schools are told), order rectification with a notice, follow up, reply, record the call-back
and close it; the public follows it by code on the phone and reads the reply; a parent's pages fit
the phone. Every phone page is checked for horizontal scroll at 390 px.

Selectors are names and ids, not texts: the Chinese of these pages comes with the lead's catalogue.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from tests.browser.conftest import PHONE, log_in, screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url}: page {width[0]} px wide in a {width[1]} px viewport"


def _phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2, has_touch=True)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_public_complaint_on_a_phone_handled_at_the_hotline_desk(browser, live_server):
    from accounts.models import Role, RoleGrant, User
    from messaging.models import Message
    from supervision.models import Complaint
    from tests.factories import build_world
    from tests.supervision.conftest import make_institution

    world = build_world(password=PASSWORD)
    institution = make_institution(world.district, 1, name="启明学科培训学校")
    hotline = User.objects.create(username="hotline1", password=make_password(PASSWORD), display_name="热线周敏")
    RoleGrant.objects.create(user=hotline, role=Role.HOTLINE, district=world.district)
    base = live_server.url

    # the public, on a phone
    context, page = _phone(browser)
    page.goto(f"{base}/public/complaints/new/")
    _no_horizontal_scroll(page)
    page.select_option("select[name=category]", "weekend_subject")
    page.check("input[name=subject_kind][value=institution]")
    page.select_option("select[name=institution_id]", str(institution.pk))
    page.fill("textarea[name=description]", "周六上午机构给小学生上数学课。")
    page.fill("input[name=contact_phone]", "13912345678")
    page.fill("#pupil_name_1", "王小明")
    page.select_option("#pupil_school_1", str(world.school_a.pk))
    page.fill("#pupil_no_2", "G0002")
    _no_horizontal_scroll(page)
    screenshot(page, "complaints-public-form-phone")
    page.locator("form.complaint-form button[type=submit]").click()
    page.wait_for_load_state()
    code = page.locator("#check-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{4}(-[2-9A-Z]{4}){3}", code), code
    _no_horizontal_scroll(page)
    screenshot(page, "complaints-public-code-phone")
    complaint = Complaint.objects.get()

    # hotline staff at the desk
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk.set_default_timeout(15_000)
    staff = desk.new_page()
    log_in(staff, base, "hotline1")
    staff.goto(f"{base}/hotline/")
    staff.locator("#unassigned a", has_text=complaint.label).click()
    staff.wait_for_load_state()

    def step(action: str, fill=None) -> None:
        form = staff.locator(f"form[action$='/{action}/']")
        if fill:
            fill(form)
        form.locator("button[type=submit]").click()
        staff.wait_for_load_state()

    step("take")
    assert "13912345678" in staff.locator("#contact").inner_text()
    step("verify", lambda f: f.locator("textarea[name=note]").fill("周六上午现场检查"))
    step(
        "finding",
        lambda f: (
            f.locator("input[name=outcome][value=substantiated]").check(),
            f.locator("textarea[name=finding]").fill("现场有小学生上数学课，属实。"),
        ),
    )
    rectify_by = (timezone.localdate() + dt.timedelta(days=7)).isoformat()
    step(
        "rectify",
        lambda f: (
            f.locator("textarea[name=rectification]").fill("停止周末学科类培训，退费并公示。"),
            f.locator("input[name=rectify_by]").fill(rectify_by),
        ),
    )
    step("follow_up", lambda f: f.locator("textarea[name=note]").fill("回头看：周末已无培训。"))
    step("reply", lambda f: f.locator("textarea[name=reply]").fill("经核实属实，已责令机构整改。"))
    step("callback", lambda f: f.locator("input[name=satisfaction][value=satisfied]").check())
    step("close")
    screenshot(staff, "complaints-hotline-detail-desk")
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.satisfaction == "satisfied" and complaint.notice_id
    assert staff.locator("#history li").count() >= 10
    told = sorted(Message.objects.filter(kind="complaint_pupils").values_list("recipient__username", flat=True))
    assert told == ["coord_a", "coord_b"]
    desk.close()

    # the bureau oversees: statistics and the list, without the contact or a pupil's name
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    bureau = desk.new_page()
    log_in(bureau, base, "bureau")
    bureau.goto(f"{base}/supervision/complaints/")
    assert bureau.locator("#complaint-stats").is_visible()
    text = bureau.content()
    assert complaint.label in text and "13912345678" not in text and "王小明" not in text
    screenshot(bureau, "complaints-bureau-list-desk")
    desk.close()

    # the public follows it by code on the phone
    page.goto(f"{base}/public/complaints/follow/")
    page.fill("input[name=code]", code.lower())
    page.locator("form.follow-form button[type=submit]").click()
    page.wait_for_load_state()
    result = page.locator("#follow-result").inner_text()
    assert "经核实属实，已责令机构整改。" in result and "13912345678" not in result
    assert "周六上午机构给小学生上数学课" not in page.content()
    _no_horizontal_scroll(page)
    screenshot(page, "complaints-public-follow-phone")
    context.close()

    # a parent's own complaints, on a phone
    context, page = _phone(browser)
    log_in(page, base, "parent1")
    for path in ("/family/complaints/", "/family/complaints/new/"):
        page.goto(f"{base}{path}")
        _no_horizontal_scroll(page)
    page.select_option("select[name=category]", "forced_participation")
    page.check("input[name=subject_kind][value=school]")
    page.select_option("select[name=school_id]", str(world.school_a.pk))
    page.fill("textarea[name=description]", "老师要求必须参加课后服务。")
    page.locator("form.complaint-form button[type=submit]").click()
    page.wait_for_load_state()
    mine = Complaint.objects.get(channel="site")
    assert page.url.endswith(f"/family/complaints/{mine.pk}/")
    _no_horizontal_scroll(page)
    screenshot(page, "complaints-parent-detail-phone")
    context.close()
