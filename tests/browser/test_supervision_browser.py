"""An inspector on a phone: a drawn task, each check item (one problem), sign-off; the bureau issues a
rectification notice on its page; the deadline passes (red, with the reason); the institution
responds on its page; the inspector records a passed 回头看 on the phone; the institution is green."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD
from tests.supervision.conftest import build_sup

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


def test_inspector_on_a_phone_from_problem_to_green(browser, live_server, sup):
    from supervision.draw import commitment_of
    from supervision.models import CheckList, Institution, Notice
    from supervision.services import plans, risk

    me = sup.inspectors[0]
    plan = plans.plan_create(
        district=sup.district,
        by=sup.bureau,
        data={
            "title": "手机抽查",
            "kinds": ["subject"],
            "statuses": ["operating"],
            "n_targets": 20,
            "per_target": 2,
            "departments": ["education", "market", "civil", "fire"],
            "checklists": list(CheckList.objects.filter(version=1, department__in=["market", "fire"])),
        },
    )
    plans.plan_commit(plan=plan, commitment=commitment_of("phone"), by=sup.bureau)
    plans.plan_draw(plan=plan, seed="phone", by=sup.bureau)
    target = plan.targets.filter(assignments__inspector=me).first()
    inspection, institution = target.inspection, target.institution
    items = plans.plan_items(plan)

    phone = _page(browser, live_server.url, "sv_inspector", phone=True)
    assert "/inspector/" in phone.url
    phone.locator(f"a[href='/inspector/tasks/{inspection.pk}/']").click()
    phone.wait_for_load_state()
    for n, item in enumerate(items):
        card = phone.locator(f"#item-{item.pk}")
        card.locator(f"input[name='result'][value='{'problem' if n == 0 else 'ok'}']").check()
        if n == 0:
            card.locator("textarea[name='note']").fill("价格未公示")
        card.locator("button[type='submit']").click()
        phone.wait_for_load_state()
    screenshot(phone, "supervision-inspector-task")
    phone.locator("form[action$='/sign-off/'] button").click()
    phone.wait_for_load_state()
    inspection.refresh_from_db()
    assert inspection.status == "submitted"
    assert phone.locator("input[name='reason']").count() == len(items)  # locked: only corrections now

    desk = _page(browser, live_server.url, "sv_bureau")
    desk.goto(f"{live_server.url}/bureau/supervision/inspections/{inspection.pk}/notice/")
    deadline = timezone.localdate() + dt.timedelta(days=3)
    desk.locator("input[name='deadline']").fill(deadline.isoformat())
    desk.locator("form button[type='submit']").last.click()
    desk.wait_for_load_state()
    notice = Notice.objects.get(inspection=inspection)
    assert "价格未公示" in desk.content()
    assert Institution.objects.get(pk=institution.pk).grade == "yellow"

    # Four days pass: the deadline is behind us; the worker's hourly job re-grades.
    Notice.objects.filter(pk=notice.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    risk.grades_refresh_due()
    desk.goto(f"{live_server.url}/bureau/supervision/institutions/{institution.pk}/")
    assert "overdue_notice" in desk.content()
    assert Institution.objects.get(pk=institution.pk).grade == "red"

    from supervision.models import InstitutionAccount

    InstitutionAccount.objects.filter(user=sup.inst_user).update(institution=institution)
    owner = _page(browser, live_server.url, "sv_institution", phone=True)
    owner.goto(f"{live_server.url}/institution/notices/{notice.pk}/")
    owner.locator("textarea[name='response']").fill("已在前台公示收费标准")
    owner.locator("form button[type='submit']").last.click()
    owner.wait_for_load_state()
    assert Notice.objects.get(pk=notice.pk).status == "responded"

    phone.goto(f"{live_server.url}/inspector/")
    phone.locator(f"a[href='/inspector/notices/{notice.pk}/']").click()
    phone.wait_for_load_state()
    phone.locator("select[name='kind']").select_option("look_back")
    phone.locator("input[name='passed'][value='1']").check()
    phone.locator("form[action$='/verify/'] button").click()
    phone.wait_for_load_state()
    screenshot(phone, "supervision-inspector-verified")
    assert Notice.objects.get(pk=notice.pk).status == "closed"
    institution.refresh_from_db()
    assert institution.grade == "green" and institution.grade_reasons == []
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width  # no sideways scrolling on the phone
