"""Issue 13, the domain items as a user meets them in Chromium (phones for parents and teachers):
own-class homework help only (2), no leave on a day without school (3), the dismissal choice that
names the course (4), a paid course asks first (5), the partner's unscheduled sections (6), the
bureau's hidden complements and the attendance rate's basis (7, 8), the window form (10) and
grades in number order (12)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courses.models import CalendarException, Course, SchoolClass, Section, Slot
from enrollment import selectors
from enrollment.models import DismissalChoice, Enrollment, EnrollmentWindow
from enrollment.selectors import Meeting
from participation import stats
from participation.models import LeaveReport
from tests.browser.conftest import log_in, screenshot
from tests.enrollment import factories as f
from tests.enrollment.conftest import shop  # noqa: F401 - the enrollment fixture, shared
from tests.participation.test_small_cells import _fake_stats
from tests.partners.conftest import pw  # noqa: F401 - the partners fixture, shared
from tests.partners.test_itinerary import _host, _timetable

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _parent(page, base: str) -> None:
    log_in(page, base, "parent1")
    page.wait_for_url(f"{base}/family/")


def test_parent_is_offered_own_class_homework_only_and_confirms_a_paid_course(phone_page, live_server, shop, world):  # noqa: F811
    school = world.school_a
    homework = Course.objects.create(
        school=school, kind="homework", title="三年级作业辅导", grades=[3], seats_per_section=50
    )
    own = Section.objects.create(course=homework, term=shop.term, code="1班", school_class=world.class_a, capacity=50)
    other_class = SchoolClass.objects.create(school=school, grade=3, number=4)
    other = Section.objects.create(course=homework, term=shop.term, code="4班", school_class=other_class, capacity=50)
    pottery = f.section(school, "陶艺", fee="3.50")
    quote = selectors.fee_quote(section=pottery, today=timezone.localdate())
    page = phone_page
    _parent(page, live_server.url)
    page.goto(f"{live_server.url}/family/child/{shop.child.pk}/courses/")
    expect(page.locator(f"#section-{own.pk}")).to_be_visible()
    expect(page.locator(f"#section-{other.pk}")).to_have_count(0)  # 4班's homework help is not offered
    card = page.locator(f"#section-{pottery.pk}")
    expect(card).to_contain_text("每课时 3.50 元")
    expect(card).to_contain_text(f"合计 {quote.total} 元")
    card.get_by_role("button", name="立即报名").click()
    confirm = page.locator("#fee-confirm")
    expect(confirm).to_contain_text("每课时 3.50 元")
    expect(confirm).to_contain_text(f"{quote.total} 元")
    expect(confirm).to_contain_text(str(quote.meetings))
    assert not Enrollment.objects.filter(section=pottery).exists()  # nothing booked before confirming
    screenshot(page, "parent-fee-confirm")
    confirm.get_by_role("button", name=f"确认报名（本学期 {quote.total} 元）").click()
    expect(page.locator("ul.messages")).to_contain_text("已获得“陶艺”的名额")
    assert Enrollment.objects.get(section=pottery, student=shop.child).status == "enrolled"


def test_leave_on_a_holiday_is_refused_with_the_reason(phone_page, live_server, shop, world):  # noqa: F811
    holiday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())  # next Monday
    CalendarException.objects.create(term=shop.term, date=holiday, kind="holiday", note="元旦")
    page = phone_page
    _parent(page, live_server.url)
    page.goto(f"{live_server.url}/family/child/{shop.child.pk}/leave/")
    page.get_by_label("日期").fill(holiday.isoformat())
    page.get_by_role("button", name="请假报备").click()
    expect(page.locator("ul.messages")).to_contain_text("不是学期中的上学日")
    assert not LeaveReport.objects.exists()


def test_the_dismissal_choice_names_the_course_the_child_would_miss(phone_page, live_server, shop, world, monkeypatch):  # noqa: F811
    times = {shop.robot.pk: [Meeting(0, dt.time(16, 40), dt.time(17, 40), 2, "科技楼201")]}
    fake = lambda ids: {i: times[i] for i in ids if i in times}  # noqa: E731
    monkeypatch.setattr(selectors, "section_times", fake)
    page = phone_page
    _parent(page, live_server.url)
    page.goto(f"{live_server.url}/family/child/{shop.child.pk}/")
    page.locator(f"#dismissal-{shop.child.pk}-0").select_option(value="session_1")
    alert = page.locator(".dismissal-pending")
    expect(alert).to_contain_text("机器人社团")
    assert not DismissalChoice.objects.exists()
    screenshot(page, "parent-dismissal-warning")
    alert.get_by_role("button", name="仍按这个时间离校").click()
    expect(page.locator(f"#dismissal-{shop.child.pk} .dismissal-conflicts")).to_contain_text("机器人社团")
    assert DismissalChoice.objects.get(student=shop.child, weekday=0).choice == "session_1"


def test_the_partner_sees_how_many_sections_are_not_timetabled_and_where(phone_page, live_server, pw):  # noqa: F811
    a, b = pw.world.school_a, pw.world.school_b
    sa, _sb = _host(pw, a, pw.term_a), _host(pw, b, pw.term_b)
    _timetable(sa, Slot.objects.get(school=a, weekday=1, session=1))
    page = phone_page
    log_in(page, live_server.url, "partner")
    page.goto(f"{live_server.url}/partner/itinerary/")
    expect(page.locator("#itinerary-unscheduled")).to_contain_text("1 个教学班尚未排课（城南小学）")
    expect(page.get_by_test_id("itinerary-meetings")).to_have_text("1")


def test_the_bureau_sees_no_recoverable_cell_and_what_the_rate_rests_on(desk_page, live_server, world, monkeypatch):
    def fake(school_ids):
        data = _fake_stats(world)
        data["total"].update(expected=200, present=170, attendance_rate=85.0, registers=1, attendance_pupils=20)
        return data

    monkeypatch.setattr(stats, "school_stats", fake)
    page = desk_page
    log_in(page, live_server.url, "bureau")
    page.goto(f"{live_server.url}/bureau/school/{world.school_a.pk}/")
    expect(page.locator("#headline-attendance")).to_have_text("85.0%")
    expect(page.locator("#attendance-basis")).to_have_text("基于 1 次点名、20 名学生")
    row = page.locator("tr", has_text="三年级1班").first
    expect(row).to_contain_text("46")
    expect(row).not_to_contain_text("45")
    expect(row).not_to_contain_text("97.8")
    screenshot(page, "bureau-small-cells")


def test_the_window_form_starts_empty_and_refuses_an_overlap(desk_page, live_server, world):
    school = world.school_a
    f.window(school, "preference", open_=False)
    existing = EnrollmentWindow.objects.get()
    page = desk_page
    log_in(page, live_server.url, "coord_a")
    page.goto(f"{live_server.url}/school/{school.pk}/enrollment/windows/new/")
    expect(page.locator("input[name=priority_order]")).to_have_value("")
    page.locator("select[name=term]").select_option(value=str(existing.term_id))
    page.locator("select[name=mode]").select_option(value="first_come")
    page.locator("input[name=opens_at]").fill(f"{timezone.localtime(existing.opens_at):%Y-%m-%dT%H:%M}")
    page.locator("input[name=closes_at]").fill(f"{timezone.localtime(existing.closes_at):%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="保存").click()
    expect(page.locator(".form-errors")).to_contain_text("同一学期已有另一个报名窗口")
    assert EnrollmentWindow.objects.count() == 1


def test_the_coordinator_sees_grades_in_number_order(desk_page, live_server, world):
    school = world.school_a
    for title, grade in (("三年级作业辅导", 3), ("一年级作业辅导", 1), ("五年级作业辅导", 5), ("二年级作业辅导", 2)):
        Course.objects.create(school=school, kind="homework", title=title, grades=[grade], seats_per_section=50)
    page = desk_page
    log_in(page, live_server.url, "coord_a")
    page.goto(f"{live_server.url}/school/{school.pk}/setup/courses/")
    rows = page.locator("tr", has_text="作业辅导").all_inner_texts()
    order = [t.split("\t")[0].strip() for t in rows]
    assert [o for o in order if "作业辅导" in o][:4] == [
        "一年级作业辅导",
        "二年级作业辅导",
        "三年级作业辅导",
        "五年级作业辅导",
    ]
