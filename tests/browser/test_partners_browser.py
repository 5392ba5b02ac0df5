"""A partner course from posting to a pupil's seat, in Chinese, in Debian's Chromium.

The partner teacher posts a course and says when and where they can teach; the bureau approves it
and records the travel time; two host schools request it and the provider accepts; the schools'
timetables are built and published (through the scheduling services: the coordinator's timetable
page has its own browser test); the partner teacher's itinerary shows both schools on one day with
the travel time respected; a parent at a host school sees the course and takes a seat.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser, base: str, username: str, *, phone: bool = False):
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或手机号").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return page


def _build_and_publish(school, term, by) -> None:
    """Solve and publish a school's timetable with the scheduling services (no worker thread)."""
    from scheduling import services as scheduling
    from scheduling.models import SolveRun
    from scheduling.tasks import solve_timetable

    run = scheduling.solve_run_request(by=by, school=school, term=term, time_limit=10)
    solve_timetable.call(run.pk)
    run = SolveRun.objects.get(pk=run.pk)
    assert run.status == "succeeded", (run.status, run.message, run.explanation)
    scheduling.timetable_publish(timetable=run.result_timetable, by=by)


@pytest.fixture
def hosts(world):
    """School B gets a teacher for its own club; the school A teacher is busy on Tuesdays, so the
    school's own club never clashes with the partner course the parent takes later."""
    from courses.models import Slot, Teacher

    go_teacher = Teacher.objects.create(school=world.school_b, name="周老师", staff_no="B1", subjects=["数学"])
    world.section_b.teacher = go_teacher
    world.section_b.save()
    world.section_a.teacher.unavailable_slots.add(*Slot.objects.filter(school=world.school_a, weekday=1))
    return world


def test_partner_course_from_posting_to_itinerary_and_a_pupils_seat(browser, live_server, hosts):
    from courses.models import Course, Section, Term
    from enrollment.models import Enrollment
    from partners.models import HostRequest, PartnerCourse, TravelTime
    from scheduling.models import Placement
    from tests.enrollment.factories import window

    world, base = hosts, live_server.url
    a, b = world.school_a, world.school_b

    # 1. the partner teacher posts a course, adds their teaching times and host schools, submits it
    partner = _page(browser, base, "partner")
    assert "工贸旅游学校" in partner.locator("h1").inner_text()
    partner.get_by_role("link", name="发布新课程").click()
    partner.get_by_label("课程名称").fill("果蔬雕刻")
    partner.get_by_label("英文名称").fill("Fruit and vegetable carving")
    partner.get_by_label("简介").fill("用安全刻刀把胡萝卜、南瓜雕成花鸟，练耐心和手眼协调。")
    partner.get_by_label("类别").select_option("labour")
    for grade in ("三年级", "四年级"):
        partner.get_by_label(grade, exact=True).check()
    partner.get_by_label("每班人数").fill("16")
    partner.get_by_label("材料").fill("安全刻刀、时令果蔬")
    partner.get_by_label("每课时收费（元）").fill("3.00")
    screenshot(partner, "partner-course-new")
    partner.get_by_role("button", name="保存").click()
    partner.get_by_text("课程已存为草稿").wait_for()
    partner.get_by_role("button", name="提交审核").click()
    partner.get_by_text("已提交教育局审核。").wait_for()
    course = PartnerCourse.objects.get(title="果蔬雕刻")
    assert course.status == "submitted"

    partner.goto(f"{base}/partner/availability/")
    for weekday in ("周二",):
        for session in ("第1节", "第2节"):
            partner.get_by_label(f"{weekday} {session}", exact=True).check()
    partner.get_by_label("锦溪小学").check()
    partner.get_by_label("城南小学").check()
    partner.get_by_role("button", name="保存").click()
    partner.get_by_text("可上课时段和可到达的学校已保存。").wait_for()

    # 2. the bureau's committee approves it and records the travel time between the two schools
    bureau = _page(browser, base, "bureau")
    bureau.goto(f"{base}/bureau/partners/")
    bureau.locator(".review-queue").get_by_role("link", name="果蔬雕刻").click()
    bureau.get_by_label("审核意见").fill("劳动技能课程，内容适合小学生。")
    bureau.get_by_role("button", name="通过", exact=True).click()
    bureau.get_by_text("已通过：各校现在可以申请“果蔬雕刻”。").wait_for()
    bureau.goto(f"{base}/bureau/travel/")
    bureau.get_by_label("出发学校").select_option(label="锦溪小学")
    bureau.get_by_label("到达学校").select_option(label="城南小学")
    bureau.get_by_label("分钟").fill("8")
    bureau.get_by_role("button", name="双向保存").click()
    bureau.get_by_text("已双向保存：锦溪小学 ↔ 城南小学。").wait_for()  # htmx fragment
    screenshot(bureau, "partner-travel-matrix")
    assert {t.minutes for t in TravelTime.objects.filter(from_school__in=[a, b], to_school__in=[a, b])} == {8}

    # 3. both host schools request it; the partner teacher accepts both
    for username, school in (("coord_a", a), ("coord_b", b)):
        coord = _page(browser, base, username)
        coord.goto(f"{base}/school/{school.pk}/partner-courses/")
        offer = coord.locator(".offer", has_text="果蔬雕刻")
        offer.get_by_role("link", name="申请开设此课程").click()
        coord.get_by_label("教学班数量").fill("1")
        coord.get_by_label("周二").check()
        coord.get_by_role("button", name="发送申请").click()
        coord.get_by_text("申请已发送给 工贸旅游学校。").wait_for()
        coord.context.close()
    assert HostRequest.objects.filter(status="open").count() == 2

    partner.goto(f"{base}/partner/")
    for name in ("锦溪小学", "城南小学"):
        card = partner.locator(".request-card", has_text=name)
        card.get_by_role("button", name="接受").click()
        partner.get_by_text(f"已接受：{name} 的 果蔬雕刻").wait_for()
    screenshot(partner, "partner-home-accepted")
    for school in (a, b):
        host = Course.objects.get(school=school, partner_course=course)
        assert host.kind == "partner" and Section.objects.filter(course=host).count() == 1

    # 4. the host schools' timetables are built and published (school A first, then B around it)
    _build_and_publish(a, Term.objects.get(school=a), world.users.coordinator_a)
    _build_and_publish(b, Term.objects.get(school=b), world.users.coordinator_b)
    placements = list(Placement.objects.filter(section__course__partner_course=course).select_related("slot"))
    assert {p.slot.weekday for p in placements} == {1} and {p.slot.session for p in placements} == {1, 2}

    # 5. the partner teacher's one itinerary: both schools on Tuesday, 10 minutes free, 8 to travel
    partner.goto(f"{base}/partner/itinerary/")
    assert partner.get_by_test_id("itinerary-schools").inner_text() == "2"
    assert partner.get_by_test_id("itinerary-problems").inner_text() == "0"
    tuesday = partner.locator(".itinerary-day[data-weekday='1']")
    assert tuesday.locator(".itinerary-stop").count() == 2
    assert tuesday.get_by_text("锦溪小学").count() == 1 and tuesday.get_by_text("城南小学").count() == 1
    assert tuesday.get_by_text("间隔 10 分钟 · 路程 8 分钟").is_visible()
    assert partner.locator(".leg-bad").count() == 0
    screenshot(partner, "partner-itinerary")

    # 6. a parent at school A sees the course and takes a seat (first-come window open)
    window(a, "first_come")
    child = world.children_a[0]
    parent = _page(browser, base, "parent1", phone=True)
    parent.goto(f"{base}/family/child/{child.pk}/courses/")
    card = parent.locator("article.course", has_text="果蔬雕刻")
    assert card.get_by_text("合作课程").first.is_visible()
    card.get_by_role("button", name="立即报名").click()
    # a paid course: the fee, the meetings and the term total are shown and confirmed first
    parent.get_by_role("button", name=re.compile(r"^确认报名（本学期 [0-9.]+ 元）$")).click()
    parent.wait_for_load_state()
    section = Section.objects.get(course__school=a, course__partner_course=course)
    assert Enrollment.objects.filter(student=child, section=section, status="enrolled").exists()
    screenshot(parent, "partner-course-parent-enrolled")

    # the partner teacher sees the pupil in their own section's roster
    partner.goto(f"{base}/partner/sections/{section.pk}/roster/")
    assert partner.get_by_text("王小明").is_visible()
    for page in (partner, bureau, parent):
        page.context.close()
