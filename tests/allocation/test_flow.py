"""The allocation workflow on a real database: seed commitment, run, explanations, publish, replay.

Runs on SQLite and on PostgreSQL (DATABASE_URL=postgresql://…); the worker is called directly.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from allocation import engine, services
from allocation import selectors as alloc_selectors
from allocation.adapter import problem_build, problem_digest, problem_from_json, problem_to_json
from allocation.models import AllocationOutcome, AllocationRun
from core.errors import DomainError
from core.models import AuditEvent
from core.runs import runs_reap_stale
from enrollment.models import Enrollment, Preference
from tests.enrollment import factories as f

SEED = "kehou-test-seed-0001"


@pytest.fixture
def alloc(world):
    """School A: a closed preference window (commitment published), 3 sections, 6 pupils ranking them.

    `chess` (1 seat) is everyone's first choice; the world's child (parent_1) is one of the six.
    """
    a = world.school_a
    s = SimpleNamespace()
    s.window = f.window(a, "preference", open_=False, lottery_seed_hash=engine.commitment(SEED), max_seats=1)
    s.chess = f.section(a, "国际象棋", capacity=1)
    s.art = f.section(a, "儿童画", capacity=2)
    s.choir = f.section(a, "合唱", capacity=2)
    s.child = world.children_a[0]
    Enrollment.objects.filter(student=s.child).delete()  # the world's robot seat would use up the one seat
    s.others = f.pupils(5, a, world.class_a, prefix="Q", with_parent=True)
    s.pupils = [s.child, *s.others]
    ranks = [s.chess, s.art, s.choir]
    for i, p in enumerate(s.pupils):
        order = ranks if i % 2 == 0 else [s.chess, s.choir, s.art]
        for r, sec in enumerate(order, start=1):
            Preference.objects.create(window=s.window, student=p, section=sec, rank=r)
    s.coord = world.users.coordinator_a
    return s


def _run(alloc) -> AllocationRun:
    run = services.allocation_run_request(window=alloc.window, seed=SEED, by=alloc.coord)
    assert services.allocation_run_execute(run_id=run.pk) == "succeeded"
    run.refresh_from_db()
    return run


def _published(alloc) -> AllocationRun:
    run = _run(alloc)
    return services.allocation_publish(run=run, by=alloc.coord)


@pytest.mark.django_db
def test_wrong_seed_is_refused_and_nothing_written(alloc):
    with pytest.raises(DomainError) as err:
        services.allocation_run_request(window=alloc.window, seed="not-the-seed", by=alloc.coord)
    assert err.value.code == "allocation_seed_mismatch"
    assert not AllocationRun.objects.exists()
    alloc.window.refresh_from_db()
    assert alloc.window.lottery_seed == ""


@pytest.mark.django_db
def test_open_window_cannot_be_allocated(alloc):
    alloc.window.closes_at = timezone.now() + dt.timedelta(days=1)
    alloc.window.save()
    with pytest.raises(DomainError) as err:
        services.allocation_run_request(window=alloc.window, seed=SEED, by=alloc.coord)
    assert err.value.code == "allocation_not_ready"


@pytest.mark.django_db
def test_run_explains_truly_compares_baselines_and_publishes(alloc):
    run = _run(alloc)
    alloc.window.refresh_from_db()
    assert alloc.window.lottery_seed == SEED and run.commitment_ok
    assert set(run.stats) >= {"optimal", "first_come", "random_serial_dictatorship", "weighted_greedy"}
    assert run.stats["optimal"]["placed"] == 5  # 1 + 2 + 2 seats, 6 pupils: maximum cardinality
    assert run.stats["optimal"]["placed"] >= max(run.stats[k]["placed"] for k, _m in services.BASELINES)
    # Explanations are true on the problem built from the database.
    built = problem_build(alloc.window)
    seats = {p.id: tuple(run.seats.get(str(p.id), ())) for p in built.problem.pupils}
    result = engine.Allocation(
        "optimal", SEED, engine.commitment(SEED), seats, engine.lottery_numbers(SEED, built.problem.pupils)
    )
    assert engine.verify_explanations(built.problem, result) == []
    assert AllocationOutcome.objects.filter(run=run).count() == 6
    assert not Enrollment.objects.filter(source="allocation").exists()  # nothing written before publishing

    services.allocation_publish(run=run, by=alloc.coord)
    run.refresh_from_db()
    assert run.status == "published"
    rows = Enrollment.objects.filter(source="allocation", status="enrolled")
    assert rows.count() == 5
    for section in (alloc.chess, alloc.art, alloc.choir):
        assert rows.filter(section=section).count() <= section.capacity
    # Leftover seats: a first-come window opens after the head start of the unplaced pupil.
    first_come = alloc.window.school.windows.get(mode="first_come")
    assert first_come.opens_at >= run.published_at + dt.timedelta(hours=alloc.window.head_start_hours)
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(action="allocation.run.published").count() == 1
    with pytest.raises(DomainError) as err:
        services.allocation_publish(run=run, by=alloc.coord)
    assert err.value.code == "allocation_published"


@pytest.mark.django_db
def test_replay_reproduces_and_wrong_seed_does_not(alloc, capsys):
    run = _published(alloc)
    assert services.allocation_replay(run).ok
    assert not services.allocation_replay(run, seed="wrong").ok
    call_command("allocation_replay", window=alloc.window.pk)
    assert "REPRODUCED" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("allocation_replay", window=alloc.window.pk, seed="wrong")


@pytest.mark.django_db
def test_determinism_same_seed_same_result(alloc):
    built = problem_build(alloc.window)
    one = services.allocation_compute(built, SEED)
    two = services.allocation_compute(problem_build(alloc.window), SEED)
    assert one.allocation.fingerprint() == two.allocation.fingerprint()
    assert {k: {**v, "seconds": 0} for k, v in one.stats.items()} == {
        k: {**v, "seconds": 0} for k, v in two.stats.items()
    }
    again = problem_from_json(problem_to_json(built.problem))
    assert problem_digest(again) == built.digest
    assert engine.allocate(again, SEED).fingerprint() == one.allocation.fingerprint()
    assert {p: e.text_zh for p, e in one.explanations.items()} == {p: e.text_zh for p, e in two.explanations.items()}


@pytest.mark.django_db
def test_publish_is_atomic_and_refuses_a_changed_input(alloc, world):
    run = _run(alloc)
    # Meanwhile the school gives the only chess seat to someone by hand.
    intruder = f.pupils(1, world.school_a, world.class_a, prefix="Z")[0]
    from enrollment.services import proposal_accept, roster_add

    proposal = roster_add(school=world.school_a, section=alloc.chess, student=intruder, by=alloc.coord, reason="调整")
    proposal_accept(proposal=proposal, by=None)  # the family accepts the school's proposal
    with pytest.raises(DomainError) as err:
        services.allocation_publish(run=run, by=alloc.coord)
    assert err.value.code == "allocation_stale"
    assert not Enrollment.objects.filter(source="allocation").exists()
    assert Enrollment.objects.filter(section=alloc.chess, status="enrolled").count() == 1
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert not alloc.window.school.windows.filter(mode="first_come").exists()


@pytest.mark.django_db
def test_dead_worker_leaves_the_run_failed_and_a_late_worker_writes_nothing(alloc):
    run = services.allocation_run_request(window=alloc.window, seed=SEED, by=alloc.coord)
    old = timezone.now() - dt.timedelta(minutes=10)
    AllocationRun.objects.filter(pk=run.pk).update(status="running", started_at=old, heartbeat_at=old)
    page_run = alloc_selectors.allocation_run_get_for_school(
        school_id=alloc.window.school_id, window=alloc.window, run_id=run.pk
    )
    assert page_run.status == "running" and page_run.is_stale(), "reads never write; they show the run as stale"
    assert runs_reap_stale() == 1  # the worker's periodic job
    run.refresh_from_db()
    assert run.status == "failed"
    assert AuditEvent.objects.filter(
        action="allocation.run.reaped", object_id=str(run.pk), school_id=alloc.window.school_id
    ).exists()
    assert services.allocation_run_execute(run_id=run.pk) == "skipped"
    assert not AllocationOutcome.objects.exists()
    # A new run may start once the dead one is failed.
    assert services.allocation_run_request(window=alloc.window, seed=SEED, by=alloc.coord).status == "queued"


@pytest.mark.django_db
def test_one_active_run_per_window(alloc):
    services.allocation_run_request(window=alloc.window, seed=SEED, by=alloc.coord)
    with pytest.raises(DomainError) as err:
        services.allocation_run_request(window=alloc.window, seed=SEED, by=alloc.coord)
    assert err.value.code == "allocation_in_progress"
