"""Seat allocation in the browser, in Chinese: a coordinator reveals the lottery seed, watches the run,
reads the statistics and publishes; a parent on a phone then reads their own child's seat and explanation.

The run is executed by the loop `manage.py db_worker` runs (django-tasks-db's `Worker`), in a thread
of the test process: it takes the task the start button queued in the database (the DatabaseBackend,
as in every environment) and runs it, so the page's htmx polling sees the run move from queued to done.
tests/enrollment/test_allocation_worker.py runs the same queue with a real `db_worker` process.
"""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect

from allocation.models import AllocationOutcome, AllocationRun
from enrollment.models import Enrollment
from tests.allocation.test_flow import SEED, alloc  # noqa: F401 - the allocation fixture, shared
from tests.browser.conftest import PHONE, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class TaskWorker:
    """django-tasks-db's worker loop (what `manage.py db_worker` runs) in a thread, started on demand."""

    def __init__(self) -> None:
        from django_tasks_db.management.commands.db_worker import Worker

        self.worker = Worker(
            queue_names=["default"],
            interval=0.2,
            batch=False,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="browser-test",
            excluded_queue_names=[],
        )
        self.thread = threading.Thread(target=self._loop, name="db-worker", daemon=True)

    def _loop(self) -> None:
        from django.db import connection

        try:
            self.worker.run()
        finally:
            connection.close()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.worker.running = False  # the loop ends after the task in hand (or its next short sleep)
        if self.thread.is_alive():
            self.thread.join(60)


@pytest.fixture
def task_worker(live_server):
    worker = TaskWorker()
    yield worker
    worker.stop()


def test_coordinator_allocates_and_publishes_then_a_parent_reads_their_childs_seat(
    browser,
    desk_page,
    phone_page,
    live_server,
    alloc,  # noqa: F811
    task_worker,
):
    from django_tasks_db.models import DBTaskResult

    page, base = desk_page, live_server.url
    school, window = alloc.window.school_id, alloc.window.pk
    log_in(page, base, "coord_a")
    page.goto(f"{base}/school/{school}/enrollment/windows/{window}/allocation/")
    expect(page.get_by_role("heading", name="名额分配", exact=True)).to_be_visible()
    expect(page.get_by_test_id("commitment")).to_have_text(alloc.window.lottery_seed_hash)

    # A wrong seed is refused with a clear message, and nothing is started or revealed.
    page.get_by_label("抽签种子（现在公开；必须与上面的承诺相符）").fill("not-the-seed")
    page.get_by_role("button", name="公开种子并分配").click()
    expect(page.locator("ul.messages")).to_contain_text("该抽签种子与填报开始前公布的承诺（哈希值）不符。")
    expect(page).to_have_url(re.compile(rf"/windows/{window}/allocation/$"))
    expect(page.get_by_text("该窗口还没有运行过名额分配。")).to_be_visible()
    screenshot(page, "allocation-wrong-seed")
    assert not AllocationRun.objects.exists() and not DBTaskResult.objects.exists()
    alloc.window.refresh_from_db()
    assert alloc.window.lottery_seed == ""

    # The right seed queues the run; the page polls its progress while no worker has taken it yet.
    page.get_by_label("抽签种子（现在公开；必须与上面的承诺相符）").fill(SEED)
    page.get_by_role("button", name="公开种子并分配").click()
    page.wait_for_url("**/allocation/runs/*/")
    expect(page.locator("ul.messages")).to_contain_text("种子与承诺相符，名额分配已开始。")
    progress = page.locator("#run-progress")
    expect(progress.get_by_test_id("run-status")).to_have_text("排队中")
    expect(page.locator("#run-progress[hx-trigger='every 1s']")).to_have_count(1)
    assert DBTaskResult.objects.get().task_path == "allocation.tasks.allocation_run"
    screenshot(page, "allocation-queued")

    # The worker takes the task from the queue; the page updates itself, then shows the review.
    task_worker.start()
    expect(progress.get_by_test_id("run-status")).to_have_text("待审核", timeout=60_000)
    expect(page.locator("#run-progress[hx-trigger]")).to_have_count(0)  # polling stopped
    expect(progress.locator("progress")).to_have_attribute("value", "100")
    expect(progress).to_contain_text("可以审核了。")
    expect(progress).to_contain_text("与承诺相符")
    run = AllocationRun.objects.get()
    job = DBTaskResult.objects.get()
    assert run.status == "succeeded" and job.status == "SUCCESSFUL" and job.worker_ids == ["browser-test"]

    # Statistics: first-choice rate of ours and of the three baselines, the rank distribution.
    comparison = page.get_by_test_id("comparison")  # appears once HX-Refresh reloads the page
    expect(comparison.locator("tbody tr")).to_have_count(4)
    rows = {
        "课后平台分配（最优）": run.stats["optimal"],
        "随机顺序（仅抽签）": run.stats["random_serial_dictatorship"],
        "加权贪心": run.stats["weighted_greedy"],
        "先到先得": run.stats["first_come"],
    }
    for label, stats in rows.items():
        row = comparison.locator("tbody tr", has_text=label)
        expect(row.locator("td").nth(1)).to_have_text(f"{stats['first_choice_pct']:.1f}%")
        expect(row.locator("td").nth(3)).to_have_text(str(stats["placed"]))
    expect(comparison.locator("tr.ours")).to_contain_text("课后平台分配（最优）")
    assert run.stats["optimal"]["placed"] == 5  # 1 + 2 + 2 seats for 6 pupils
    ranks = page.locator("ul.stats li")
    for rank, count in run.stats["optimal"]["rank_distribution"].items():
        label = "未获名额" if rank == "0" else f"第 {rank} 志愿"
        expect(ranks.filter(has_text=label).locator(".num")).to_have_text(str(count))
    expect(page.get_by_role("heading", name="各优先群体的第一志愿率")).to_be_visible()
    expect(page.get_by_role("heading", name="未获名额的学生")).to_be_visible()
    assert not Enrollment.objects.filter(source="allocation").exists()  # nothing written before publishing

    # Publishing asks first, with the numbers (issue 13 item 17); saying no publishes nothing.
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="发布分配结果").click()
    page.wait_for_timeout(500)
    assert asked == ["发布分配结果？5 名学生获得名额，1 名未获名额；家长会立即看到，发布后不能撤回。"]
    assert AllocationRun.objects.get().status == "succeeded"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布分配结果").click()
    expect(page.locator("ul.messages")).to_contain_text("分配结果已发布：家长现在可以看到名额和说明。")
    expect(progress.get_by_test_id("run-status")).to_have_text("已发布")
    expect(page.get_by_role("button", name="发布分配结果")).to_have_count(0)
    screenshot(page, "allocation-coordinator")
    run.refresh_from_db()
    assert run.status == "published" and run.published_by == alloc.coord
    assert Enrollment.objects.filter(source="allocation", status="enrolled").count() == 5

    # A parent of a pupil who got a seat, on a phone: their child's seat and explanation, nobody else's.
    outcomes = {o.student_id: o for o in AllocationOutcome.objects.filter(run=run).select_related("student")}
    assert len(outcomes) == 6 and len({o.text_zh for o in outcomes.values()}) == 6  # lottery numbers differ
    child = next(p for p in alloc.pupils if outcomes[p.pk].best_rank == 1)  # the one chess seat
    mine = outcomes[child.pk]
    seat = Enrollment.objects.select_related("section__course").get(student=child, source="allocation")
    assert list(mine.sections) == [seat.section_id] == [alloc.chess.pk]

    phone = phone_page
    log_in(phone, base, _parent_of(alloc, child))
    phone.wait_for_url(f"{base}/family/")
    expect(phone.locator("section.child")).to_have_count(1)
    card = phone.locator(f"#child-{child.pk}")
    expect(card.locator(".seat-list")).to_contain_text(seat.section.course.title)
    result = phone.locator(f"#allocation-{child.pk}")
    explanation = result.get_by_test_id("explanation")
    expect(explanation).to_have_text(mine.text_zh)
    expect(explanation).to_contain_text(f"获得第1志愿（{seat.section.course.title}（1））")
    expect(result).to_contain_text(alloc.window.lottery_seed_hash)
    expect(phone.get_by_test_id("explanation")).to_have_count(1)
    _shows_no_other_family(phone, outcomes, child)
    result.scroll_into_view_if_needed()
    screenshot(phone, "allocation-parent")

    # The child's own page says the same; another family's child is not theirs to see.
    phone.goto(f"{base}/family/child/{child.pk}/")
    expect(phone.locator("h1")).to_have_text(child.name)
    expect(phone.get_by_test_id("explanation")).to_have_text(mine.text_zh)
    expect(phone.locator(".seat-list")).to_contain_text(seat.section.course.title)
    _shows_no_other_family(phone, outcomes, child)
    screenshot(phone, "allocation-parent-child")
    other = next(p for p in alloc.pupils if p.pk != child.pk)
    assert phone.goto(f"{base}/family/child/{other.pk}/").status == 404

    # The parent of the pupil left without a seat reads why, and is offered the leftover seats first.
    unplaced = next(p for p in alloc.pupils if outcomes[p.pk].best_rank is None)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=2, has_touch=True)
    try:
        other_phone = context.new_page()
        log_in(other_phone, base, _parent_of(alloc, unplaced))
        other_phone.wait_for_url(f"{base}/family/")
        result = other_phone.locator(f"#allocation-{unplaced.pk}")
        expect(result.get_by_test_id("explanation")).to_have_text(outcomes[unplaced.pk].text_zh)
        expect(result.get_by_test_id("explanation")).to_contain_text("未获得名额")
        expect(result.get_by_role("link", name="现在报名剩余名额")).to_be_visible()
        expect(other_phone.locator(f"#child-{unplaced.pk}")).to_contain_text("尚未报名课后服务课程。")
        _shows_no_other_family(other_phone, outcomes, unplaced)
        result.scroll_into_view_if_needed()
        screenshot(other_phone, "allocation-parent-unplaced")
    finally:
        context.close()


def _parent_of(data, pupil) -> str:
    """The username of the pupil's parent: `parent1` for the world's child, `qparentN` for the others."""
    return "parent1" if pupil.pk == data.child.pk else f"qparent{data.others.index(pupil)}"


def _shows_no_other_family(page, outcomes, child) -> None:
    body = page.locator("body")
    for pid, outcome in outcomes.items():
        if pid != child.pk:
            expect(page.locator(f"#allocation-{pid}")).to_have_count(0)
            expect(body).not_to_contain_text(outcome.text_zh)
            expect(body).not_to_contain_text(outcome.student.name)
