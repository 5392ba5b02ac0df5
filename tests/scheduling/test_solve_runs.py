"""Solve runs as background tasks: the DB backend path, progress, cancel, infeasible, and dying workers.

These tests use real transactions (the solve monitor writes from its own thread and connection).
"""

from __future__ import annotations

import importlib
import threading
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from core.runs import runs_reap_stale
from scheduling import selectors, services
from scheduling.models import Pin, Placement, SolveRun, Timetable
from scheduling.solver.domain import Solution
from scheduling.tasks import solve_timetable
from tests.scheduling.factories import add_timetable_data, published_for_a

pytestmark = pytest.mark.django_db(transaction=True)


def _request(world, tt, **kw):
    return services.solve_run_request(by=world.users.coordinator_a, school=world.school_a, term=tt.term, **kw)


def test_db_backend_enqueues_then_the_task_writes_a_draft_and_leaves_published_alone(world):
    from django_tasks_db.models import DBTaskResult

    tt = add_timetable_data(world)
    published = published_for_a(world, tt)
    run = _request(world, tt, time_limit=3)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "scheduling.tasks.solve_timetable" and queued.args_kwargs["args"] == [run.pk]
    assert SolveRun.objects.get(pk=run.pk).status == "queued"
    assert solve_timetable.call(run.pk) == "succeeded"  # what `db_worker` runs
    run.refresh_from_db()
    assert run.status == "succeeded" and run.result_timetable.status == "draft"
    assert run.heartbeat_at and run.finished_at and run.elapsed > 0
    assert run.best_cost is not None and run.bound is not None
    # the trace ends with the checker's verdict on the draft: one cost on the page and in the bench
    assert run.trace[-1][1] == run.best_cost == run.result_timetable.cost and run.trace[-1][2] == run.bound
    numbers = selectors.solve_numbers(run.trace)
    assert numbers["cost"] == run.best_cost and numbers["first_feasible_at"] == run.first_feasible_at
    assert run.result_timetable.base_id == published.pk  # minimal change against the published one
    published.refresh_from_db()
    assert published.status == "published"
    assert Timetable.objects.published().get() == published
    # a second request while none is active is fine; while one is active it is refused
    run2 = _request(world, tt, time_limit=3)
    from core.errors import DomainError

    with pytest.raises(DomainError) as exc:
        _request(world, tt, time_limit=3)
    assert exc.value.code == "solve_in_progress"
    services.solve_run_cancel(run=run2, by=None)
    assert SolveRun.objects.get(pk=run2.pk).status == "cancelled"


def test_progress_is_written_and_cancel_reaches_the_solver(world, monkeypatch):
    tt = add_timetable_data(world)
    run = SolveRun.objects.create(school=world.school_a, term=tt.term, time_limit=30)
    seen = {}

    def fake_solve(problem, *, time_limit, workers, seed, hint, progress, cancel):
        progress(40.0, 2.0, 0.1)
        progress(12.0, 3.0, 0.2)
        t0 = time.monotonic()
        while not cancel() and time.monotonic() - t0 < 10:
            time.sleep(0.05)
        seen["cancelled"] = cancel()
        return Solution((), "cancelled", None, (), None, time.monotonic() - t0)

    monkeypatch.setattr(importlib.import_module("scheduling.solver.solve"), "solve", fake_solve)
    worker = threading.Thread(target=services.solve_run_execute, kwargs={"run_id": run.pk})
    worker.start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        row = SolveRun.objects.get(pk=run.pk)
        if row.best_cost == 12.0:
            break
        time.sleep(0.1)
    assert row.status == "running" and row.best_cost == 12.0 and row.bound == 3.0
    assert row.first_feasible_at == 0.1 and len(row.trace) == 2
    services.solve_run_cancel(run=row, by=world.users.coordinator_a)
    worker.join(10)
    assert seen["cancelled"] is True
    row.refresh_from_db()
    assert row.status == "cancelled" and row.result_timetable is None


def test_infeasible_run_stores_the_clashing_requirements_with_edit_links(world):
    tt = add_timetable_data(world)
    _zhang, _li, _wang = tt.teachers
    # 王老师 teaches homework 3-2 and calligraphy: pin both to Monday session 1 -> impossible
    Pin.objects.create(section=tt.homework[1], meeting=0, slot=tt.slots[0, 1])
    Pin.objects.create(section=tt.clubs[1], meeting=0, slot=tt.slots[0, 1])
    run = _request(world, tt, time_limit=5)
    assert solve_timetable.call(run.pk) == "infeasible"
    run.refresh_from_db()
    assert run.status == "infeasible" and run.result_timetable is None
    assert run.explanation, "the coordinator is told which requirements clash"
    rules = {item["rule_id"] for item in run.explanation}
    assert rules & {"pinned", "teacher_double_booked", "group_clash"}
    links = [s["url"] for item in run.explanation for s in item["subjects"] if s["url"]]
    assert any(url.startswith(f"/school/{world.school_a.pk}/setup/") for url in links)
    assert not Timetable.objects.exists()


def test_a_worker_that_died_leaves_the_run_failed_and_nothing_half_written(world, client):
    tt = add_timetable_data(world)
    published = published_for_a(world, tt)
    before = list(published.placements.values_list("id", "slot_id", "room_id", "teacher_id"))
    stale = timezone.now() - timedelta(minutes=5)
    run = SolveRun.objects.create(
        school=world.school_a, term=tt.term, status="running", started_at=stale, heartbeat_at=stale
    )
    client.force_login(world.users.coordinator_a)
    page = client.get(reverse("scheduling:run", args=[world.school_a.pk, run.pk]))
    assert page.status_code == 200
    run.refresh_from_db()
    assert run.status == "running", "a page read never writes"
    assert "没有响应" in page.content.decode(), "the page says the worker went silent"
    assert runs_reap_stale() == 1  # the worker's periodic job
    run.refresh_from_db()
    assert run.status == "failed" and "30" in run.message
    assert AuditEvent.objects.filter(action="scheduling.solve_run.reaped", object_id=str(run.pk)).exists()
    page = client.get(reverse("scheduling:run", args=[world.school_a.pk, run.pk]))
    assert "失败" in page.content.decode()
    api = client.get(f"/api/v1/schools/{world.school_a.pk}/solve-runs/{run.pk}").json()
    assert api["status"] == "failed"
    assert Timetable.objects.count() == 1
    published.refresh_from_db()
    assert published.status == "published"
    assert list(published.placements.values_list("id", "slot_id", "room_id", "teacher_id")) == before
    # a new build may start at once
    assert services.solve_run_request(by=None, school=world.school_a, term=tt.term, time_limit=2).status == "queued"


def test_an_error_while_writing_leaves_no_draft(world, monkeypatch):
    tt = add_timetable_data(world)
    published = published_for_a(world, tt)
    run = _request(world, tt, time_limit=3)
    real = Placement.objects.bulk_create

    def explode(objs, *args, **kwargs):
        real(list(objs)[:2], *args, **kwargs)  # half of the rows are in…
        raise RuntimeError("disk full")  # …and then the write fails

    monkeypatch.setattr(Placement.objects, "bulk_create", explode)
    assert solve_timetable.call(run.pk) == "failed"
    run.refresh_from_db()
    assert run.status == "failed" and "disk full" in run.message
    assert list(Timetable.objects.all()) == [published]
    assert Placement.objects.exclude(timetable=published).count() == 0
    published.refresh_from_db()
    assert published.status == "published"


def test_a_late_worker_after_its_run_was_reaped_writes_nothing(world, monkeypatch):
    tt = add_timetable_data(world)
    run = _request(world, tt, time_limit=3)
    solve_module = importlib.import_module("scheduling.solver.solve")  # the module, not the re-exported function

    real = solve_module.solve

    def slow_then_reaped(problem, **kwargs):
        solution = real(problem, **kwargs)
        SolveRun.objects.filter(pk=run.pk).update(status="failed", message="reaped")
        return solution

    monkeypatch.setattr(solve_module, "solve", slow_then_reaped)
    assert solve_timetable.call(run.pk) == "abandoned"
    assert not Timetable.objects.exists()
    assert SolveRun.objects.get(pk=run.pk).message == "reaped"


def test_solve_numbers_are_read_from_the_trace():
    trace = [[0.4, 90.0, 0.0], [3.0, 50.0, 10.0], [12.0, 30.0, 20.0], [18.5, 25.0, 25.0]]
    n = selectors.solve_numbers(trace)
    assert n["first_feasible_at"] == 0.4 and n["cost"] == 25.0 and n["bound"] == 25.0
    assert n["cost_at"] == [(10.0, 50.0), (20.0, 25.0)] and n["proven_optimal_at"] == 18.5
    open_run = selectors.solve_numbers(trace[:3])
    assert open_run["proven_optimal_at"] is None and open_run["cost_at"][1] == (20.0, 30.0)
    assert selectors.solve_numbers([]) == {
        "first_feasible_at": None,
        "cost": None,
        "bound": None,
        "cost_at": [(10.0, None), (20.0, None)],
        "proven_optimal_at": None,
    }


def test_the_run_page_shows_the_numbers_the_benchmark_records(world, client):
    tt = add_timetable_data(world)
    run = SolveRun.objects.create(
        school=world.school_a, term=tt.term, time_limit=20, status="succeeded", first_feasible_at=0.4,
        best_cost=25.0, bound=25.0, trace=[[0.4, 90.0, 0.0], [3.0, 50.0, 10.0], [18.5, 25.0, 25.0]],
    )  # fmt: skip
    client.force_login(world.users.coordinator_a)
    html = client.get(reverse("scheduling:run", args=[world.school_a.id, run.pk])).content.decode()
    assert 'data-testid="first">0.4 s' in html
    assert 'data-testid="best"' not in html  # finished: the solver's running numbers give way to the checker's cost
    assert 'data-testid="cost-at-10">50' in html and 'data-testid="cost-at-20"' not in html  # limit 20 s
    assert 'data-testid="proven">18.5 s' in html
