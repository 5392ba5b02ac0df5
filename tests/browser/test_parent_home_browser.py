"""Issue 13 item 15: the parent's home on a phone — 请假报备 on the child's card, the school's notice
above anything to fill in, and the draw's commitment behind one sentence and a link."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from allocation.engine.lottery import commitment
from enrollment.models import Notice
from tests.browser.conftest import log_in, screenshot
from tests.enrollment import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_parent_home_card_order_leave_and_the_draw(phone_page, live_server, world):
    child = world.children_a[0]
    window = f.window(world.school_a, "preference", max_choices=3, lottery_seed_hash=commitment("seed-for-the-test"))
    Notice.objects.create(school=world.school_a, title="周五停课通知", body="本周五下午全校大扫除，课后服务暂停一次。")
    page, base = phone_page, live_server.url
    log_in(page, base, "parent1")
    page.wait_for_url(f"{base}/family/")
    card = page.locator(f"#child-{child.pk}")

    def top(locator) -> float:
        return locator.first.evaluate("e => e.getBoundingClientRect().top + window.scrollY")

    notice = card.get_by_text("周五停课通知")
    expect(notice).to_be_visible()
    assert top(notice) < top(card.locator(".window-box")) < top(card.locator(".dismissal"))

    result = page.locator(f"#allocation-{child.pk}")
    expect(result).not_to_contain_text(window.lottery_seed_hash)
    expect(result).not_to_contain_text("allocation_replay")
    expect(result.get_by_test_id("draw-check")).to_have_text("抽签公开，任何人都可以核对。 如何核对抽签")
    screenshot(page, "parent-home-phone")

    result.get_by_role("link", name="如何核对抽签").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("如何核对抽签")
    expect(page.get_by_test_id("commitment")).to_have_text(window.lottery_seed_hash)
    expect(page.locator("main")).to_contain_text("allocation_replay")

    page.goto(f"{base}/family/")
    card.get_by_role("link", name="请假报备").click()
    page.wait_for_url(f"{base}/family/child/{child.pk}/leave/")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
