"""Expert course review in a browser: the institution submits a course with its materials (a
disguised file is refused and nothing is kept), the bureau commits and draws three experts, the
experts give their opinions on a phone (390 px, no sideways scrolling), the bureau decides by the
majority (two 学科类, one 非学科类 → 学科类) and the institution becomes subject-type."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in, screenshot
from tests.supervision.conftest import build_sup
from tests.supervision.test_reviews import COURSE, PDF, PNG, make_rv

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def _context(browser, *, phone: bool = False):
    viewport = PHONE if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=viewport, locale="zh-CN", has_touch=phone)
    context.set_default_timeout(15_000)
    return context


def _fill_course(page) -> None:
    for name in ("name", "schedule", "teacher", "teacher_certificate"):
        page.fill(f"[name={name}]", str(COURSE[name]))
    for name in ("hours", "lesson_minutes", "class_size", "fee"):
        page.fill(f"[name={name}]", str(COURSE[name]))
    for name in ("objectives", "outline", "materials_list"):
        page.fill(f"textarea[name={name}]", COURSE[name])
    page.select_option("[name=subject_area]", COURSE["subject_area"])
    page.select_option("[name=grade_from]", str(COURSE["grade_from"]))
    page.select_option("[name=grade_to]", str(COURSE["grade_to"]))


def test_from_submission_to_a_subject_type_institution(browser, live_server, settings, tmp_path):
    from supervision.models import CourseReview, Institution, ReviewMaterial

    sup = build_sup()
    rv = make_rv(sup, settings, tmp_path)
    institution = sup.institutions[0]
    Institution.objects.filter(pk=institution.pk).update(kind="non_subject")
    base = live_server.url

    # the institution: a disguised file is refused, then the course goes in with a PDF and a scan
    desk = _context(browser)
    page = desk.new_page()
    log_in(page, base, "sv_institution")
    page.goto(f"{base}/institution/courses/new/")
    _fill_course(page)
    page.set_input_files(
        "#materials-input",
        files=[
            {"name": "讲义.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"<html>not a pdf</html>"},
        ],
    )
    page.locator("#course-submit button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".field-error, .form-errors").count() >= 1
    assert CourseReview.objects.count() == 0 and ReviewMaterial.objects.count() == 0
    _fill_course(page)  # the form kept the fields; files must be chosen again
    page.set_input_files(
        "#materials-input",
        files=[
            {"name": "讲义.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {"name": "scan.png", "mimeType": "image/png", "buffer": PNG},
        ],
    )
    page.locator("#course-submit button[type=submit]").click()
    page.wait_for_load_state()
    review = CourseReview.objects.get()
    assert f"/institution/courses/{review.course_id}/" in page.url
    assert page.locator("#materials li").count() == 2
    desk.close()

    # the bureau commits (its own seed's hash) and draws
    from supervision.draw import commitment_of

    desk = _context(browser)
    page = desk.new_page()
    log_in(page, base, "sv_bureau")
    page.goto(f"{base}/bureau/supervision/reviews/?status=submitted")
    page.locator(f"tr[data-review='{review.pk}'] a").first.click()
    page.wait_for_load_state()
    page.fill("[name=commitment]", commitment_of("browser seed"))
    page.locator("form[action$='/commit/'] button").click()
    page.wait_for_load_state()
    page.fill("[name=seed]", "browser seed")
    page.locator("form[action$='/draw/'] button").click()
    page.wait_for_load_state()
    review.refresh_from_db()
    assert review.status == "in_review"
    panel = [a.expert for a in review.assignments.select_related("expert").order_by("rank")]
    assert page.locator("#opinions li").count() == 3
    screenshot(page, "reviews-bureau-drawn")

    # each drawn expert on a phone: two 学科类, one 非学科类
    users = {e.pk: u for e, u in zip(rv.experts, rv.users, strict=True)}
    for expert, kind in zip(panel, ("subject", "subject", "non_subject"), strict=True):
        phone = _context(browser, phone=True)
        mobile = phone.new_page()
        log_in(mobile, base, users[expert.pk].username)
        mobile.goto(f"{base}/expert/")
        mobile.locator(f"#todo a[href='/expert/reviews/{review.pk}/']").click()
        mobile.wait_for_load_state()
        assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert mobile.locator("#materials a").count() == 2
        mobile.locator(f"#opinion-form input[name=opinion][value={kind}]").check()
        mobile.fill("#opinion-reason", "对照义务教育数学课程标准")
        mobile.locator("#opinion-form button[type=submit]").click()
        mobile.wait_for_load_state()
        assert mobile.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        if kind == "non_subject":
            screenshot(mobile, "reviews-expert-phone")
        phone.close()
    assert review.assignments.exclude(opinion="").count() == 3

    # an expert not drawn does not see it
    outsider = next(e for e in rv.experts if e not in panel)
    phone = _context(browser, phone=True)
    mobile = phone.new_page()
    log_in(mobile, base, users[outsider.pk].username)
    response = mobile.goto(f"{base}/expert/reviews/{review.pk}/")
    assert response.status == 404
    phone.close()

    # the bureau decides: 学科类
    page.reload()
    page.locator("#decide").click()
    page.wait_for_load_state()
    assert page.locator("#verdict").count() == 1
    assert page.locator("#tally-subject").inner_text() == "2"
    review.refresh_from_db()
    institution.refresh_from_db()
    assert review.verdict == "subject" and institution.kind == "subject"
    screenshot(page, "reviews-bureau-decided")
    desk.close()
