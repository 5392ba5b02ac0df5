"""Issue 13 item 18: the labels a school reads — the notice form, the roster, adding a pupil by name,
room needs, course titles without English suffixes, and an approved course's review history."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from enrollment.models import RosterProposal
from partners.models import PartnerCourse
from tests.browser.conftest import log_in, screenshot
from tests.enrollment import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_notice_form_and_roster_labels_and_adding_by_name(desk_page, live_server, world):
    page, base = desk_page, live_server.url
    school = world.school_a.pk
    pupils = f.pupils(3, world.school_a, world.class_a, prefix="N")
    log_in(page, base, "coord_a")
    page.goto(f"{base}/school/{school}/enrollment/")
    expect(page.get_by_label("通知标题")).to_be_visible()
    expect(page.locator("main form label", has_text="课程名称")).to_have_count(0)

    page.goto(f"{base}/school/{school}/sections/{world.section_a.pk}/roster/")
    expect(page.locator("main table").first.locator("th").first).to_have_text("姓名")
    # add by name: search, then propose the seat from the result
    page.get_by_label("按姓名或学籍号查找学生").fill(pupils[1].name)
    page.get_by_role("button", name="查找").click()
    found = page.locator("#roster-found li")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(pupils[1].student_no)
    found.get_by_placeholder("原因").fill("家长当面申请")
    found.get_by_role("button", name="发送建议").click()
    expect(page.locator("ul.messages")).to_contain_text(pupils[1].name)
    assert RosterProposal.objects.filter(student=pupils[1], section=world.section_a).exists()
    page.get_by_label("按姓名或学籍号查找学生").fill("没有这个人")
    page.get_by_role("button", name="查找").click()
    expect(page.locator("#roster-found")).to_contain_text("没有匹配的在籍学生。")


def test_partner_offer_shows_translated_room_needs_and_one_title(desk_page, live_server, world):
    pastry = PartnerCourse.objects.get(title="中点")
    pastry.room_features = ["kitchen", "water"]
    pastry.title_en = "Chinese pastry"
    pastry.save(update_fields=["room_features", "title_en"])
    page, base = desk_page, live_server.url
    log_in(page, base, "coord_a")
    page.goto(f"{base}/school/{world.school_a.pk}/partner-courses/")
    offer = page.locator("main")
    expect(offer).to_contain_text("厨房")
    expect(offer).to_contain_text("水池")
    for raw in ("kitchen", "water", "Chinese pastry"):
        expect(offer).not_to_contain_text(raw)
    screenshot(page, "partner-offers-school")


def test_an_approved_course_does_not_say_not_submitted(desk_page, live_server, world):
    pastry = PartnerCourse.objects.get(title="中点")
    assert pastry.status == PartnerCourse.Status.APPROVED and not pastry.reviews.exists()
    page, base = desk_page, live_server.url
    log_in(page, base, "bureau")
    page.goto(f"{base}/bureau/partners/courses/{pastry.pk}/")
    history = page.locator(".review-history")
    expect(history).not_to_contain_text("尚未提交审核")
    expect(history).to_contain_text("已通过")
