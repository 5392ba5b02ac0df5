"""Issue 13 item 13: the catalogue on a phone — grouped by kind and day, filtered by day, short
cards with a course page behind each (description, teacher, times, room, seats, fee, the partner
course's photos), and after an error the page comes back at the same card."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from courses.models import Course
from enrollment import selectors
from enrollment.selectors import Meeting
from partners.models import PartnerCoursePhoto
from tests.browser.conftest import log_in, screenshot
from tests.enrollment import factories as f
from tests.enrollment.conftest import shop  # noqa: F401 - the enrollment fixture, shared
from tests.partners.conftest import PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_catalogue_groups_filters_details_and_keeps_its_place(phone_page, live_server, shop, world, monkeypatch, settings, tmp_path):  # noqa: F811  # fmt: skip
    settings.MEDIA_ROOT = tmp_path / "media"
    extra = [f.section(world.school_a, f"合唱团 {n}", code="1", kind=Course.Kind.CLUB) for n in range(8)]
    times = {
        shop.robot.pk: [Meeting(0, dt.time(16, 40), dt.time(17, 40), 2, "科技楼201")],  # the child's seat
        shop.chess.pk: [Meeting(2, dt.time(16, 40), dt.time(17, 40), 2, "阅览室")],
        shop.art.pk: [Meeting(0, dt.time(16, 50), dt.time(17, 50), 2, "美术教室")],  # clashes with the robot club
        shop.pastry.pk: [Meeting(3, dt.time(15, 30), dt.time(16, 30), 1, "烹饪教室")],
        **{s.pk: [Meeting(1, dt.time(16, 40), dt.time(17, 40), 2, "音乐教室")] for s in extra},
    }
    monkeypatch.setattr(selectors, "section_times", lambda ids: {i: times[i] for i in ids if i in times})
    shop.chess.course.description = "认识棋子，学会基本杀法。"
    shop.chess.course.fee_per_class_hour = "3.00"
    shop.chess.course.save(update_fields=["description", "fee_per_class_hour"])
    pastry = shop.pastry.course.partner_course
    PartnerCoursePhoto.objects.create(
        course=pastry, file=ContentFile(PNG, name="p.png"), content_type="image/png", caption="学生作品"
    )
    page, base = phone_page, live_server.url
    log_in(page, base, "parent1")
    page.goto(f"{base}/family/child/{shop.child.pk}/courses/")

    # grouped: kinds, then days; the cards are short
    groups = page.locator(".catalogue-group > h2")
    expect(groups.first).to_be_visible()
    assert groups.count() >= 3
    clubs = page.locator("#kind-club")
    expect(clubs.locator(".catalogue-day")).to_have_text(["周一", "周二", "周三"])
    heights = page.locator("article.course").evaluate_all("cards => cards.map(c => c.getBoundingClientRect().height)")
    assert max(heights) < 190, heights
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    screenshot(page, "parent-catalogue-grouped")

    # filter by day: only Wednesday's chess
    page.get_by_label("星期").select_option(label="周三")
    expect(page.locator("article.course")).to_have_count(1)
    expect(page.locator("article.course")).to_contain_text("国际象棋")
    page.goto(f"{base}/family/child/{shop.child.pk}/courses/")

    # a course's own page
    page.locator(f"#section-{shop.chess.pk}").get_by_role("link", name="国际象棋 · 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("国际象棋")
    facts = page.locator("main")
    for text in ("认识棋子，学会基本杀法。", "周三 16:40–17:40", "阅览室", "2 / 2", "每课时 3.00 元"):
        expect(facts).to_contain_text(text)
    page.goto(f"{base}/family/child/{shop.child.pk}/courses/{shop.pastry.pk}/")
    photo = page.locator(".photo-list img")
    expect(photo).to_have_count(1)
    src = photo.get_attribute("src")
    assert page.request.get(base + src).status == 200  # the parent may load it
    page.wait_for_function("() => document.querySelector('.photo-list img').naturalWidth > 0")
    screenshot(page, "parent-course-detail")

    # an error brings the page back at the same card, not at the top
    page.goto(f"{base}/family/child/{shop.child.pk}/courses/")
    card = page.locator(f"#section-{shop.art.pk}")
    card.scroll_into_view_if_needed()
    card.get_by_role("button", name="立即报名").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(rf"#section-{shop.art.pk}$"))
    expect(page.locator("ul.messages")).to_be_visible()
    box = page.locator(f"#section-{shop.art.pk}").bounding_box()
    assert box is not None and 0 <= box["y"] < 844, box
    assert page.evaluate("window.scrollY") > 200
