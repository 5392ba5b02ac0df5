"""转登 one-stop window in a browser: the bureau opens every pending case with one button, receives
the materials on the case page, records a step, is refused the next one (materials missing, named);
the institution sees its case on its phone home page without horizontal scrolling. Checks structure
(ids, form actions), not words, so it holds before and after the catalogue is compiled."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from tests.supervision.conftest import build_sup, make_institution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser, base: str, username: str, *, phone: bool = False):
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=viewport, locale="zh-CN", has_touch=phone)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


@pytest.fixture
def sup(db):
    return build_sup()


def test_bureau_window_and_institution_phone(browser, live_server, sup):
    from supervision.models import ConversionCase, Institution
    from supervision.models.conversion import Step, Target, materials_of

    Institution.objects.filter(pk=sup.institutions[0].pk).update(legal_form="for_profit")
    make_institution(sup.district, 500, name="营利机构甲", legal_form="for_profit")

    desk = _page(browser, live_server.url, "sv_bureau")
    desk.goto(f"{live_server.url}/bureau/supervision/conversion/")
    desk.locator("form[action$='/conversion/open-all/'] select[name='target']").select_option("non_profit")
    desk.locator("form[action$='/conversion/open-all/'] button[type='submit']").click()
    desk.wait_for_load_state()
    assert ConversionCase.objects.filter(district=sup.district).count() == 2
    assert desk.locator("#conversion-summary .num").first.inner_text() == "2"
    case = ConversionCase.objects.get(institution=sup.institutions[0])
    desk.locator(f"#conversion-results a[href$='/conversion/{case.pk}/']").click()
    desk.wait_for_load_state()
    for m in materials_of(Target.NON_PROFIT, Step.MATERIALS):
        desk.locator(f"form[action$='/materials/']:has(input[name='code'][value='{m.code}']) button").click()
        desk.wait_for_load_state()
    desk.locator("#next-step button[type='submit']").click()
    desk.wait_for_load_state()
    case.refresh_from_db()
    assert case.step == Step.MATERIALS
    # the next step needs the new licence: refused, and the page says which material is missing
    desk.locator("#next-step button[type='submit']").click()
    desk.wait_for_load_state()
    case.refresh_from_db()
    assert case.step == Step.MATERIALS
    assert desk.locator("#step-licence_reissued input[name='code'][value='new_licence']").count() == 1
    screenshot(desk, "conversion-case-bureau")

    phone = _page(browser, live_server.url, "sv_institution", phone=True)
    phone.goto(f"{live_server.url}/institution/")
    assert phone.locator("#conversion-card").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator("#conversion-card a[href$='/institution/conversion/']").click()
    phone.wait_for_load_state()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "conversion-institution-phone")
