"""The live worker path: the allocation task goes through the real database task backend and a
separate `manage.py worker` process (Django Tasks' database worker plus our periodic jobs) takes it
from the queue, runs it and writes the result; the same process reaps a run whose worker died and
passes a lapsed waitlist offer on.

The worker process is pointed at this test process's own test database (one per process: see
`DATABASES[...]["TEST"]` in config/settings.py), so the test's data must be committed
(`transaction=True`). A SQLite test database in memory cannot be opened by another process: that
configuration alone is skipped. On PostgreSQL, and on the suite's SQLite file, it always runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection

from allocation import services
from allocation.models import AllocationOutcome, AllocationRun
from enrollment.models import Enrollment
from tests.allocation.test_flow import SEED, alloc  # noqa: F401 - the allocation fixture, shared

pytestmark = pytest.mark.django_db(transaction=True)

WORKER_ARGS = ["--interval", "0.1", "--no-reload", "--no-startup-delay", "-v", "2"]
DEADLINE = 90.0  # seconds for the worker to start, take the task and finish it (≈3 s idle; minutes on a loaded machine)


def _worker_env() -> dict[str, str]:
    """The environment of a `db_worker` that uses this process's test database (or skip)."""
    env = {**os.environ, "DJANGO_ENV": "test", "PYTHONUNBUFFERED": "1"}
    env.update(KEHOU_REAP_EVERY_SECONDS="0.5", KEHOU_OFFER_EXPIRY_EVERY_SECONDS="0.5")
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py's own default
    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        url = urlsplit(os.environ.get("DATABASE_URL", ""))
        if url.scheme not in ("postgres", "postgresql", "pgsql"):
            pytest.fail("PostgreSQL test database without a postgresql:// DATABASE_URL to derive the worker's from")
        env["DATABASE_URL"] = url._replace(path=f"/{name}").geturl()
    elif connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            pytest.skip("the SQLite test database is in memory: another process cannot open it")
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(name)
    else:
        pytest.skip(f"no worker set-up for the {connection.vendor} database")
    return env


@pytest.fixture
def db_worker(alloc, tmp_path):  # noqa: F811 - after the database, so it is killed before the flush
    """A `manage.py db_worker` process on the test database; always killed (its whole process group)."""
    worker_id = f"pytest-{os.getpid()}"
    log_path = tmp_path / "db_worker.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "worker", *WORKER_ARGS, "--worker-id", worker_id],
            cwd=settings.BASE_DIR,
            env=_worker_env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killing it reaches every child
        )
    process.worker_id = worker_id
    process.log = log_path
    try:
        yield process
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # db_worker exits at once when idle
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    finally:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=5)


def _log(process) -> str:
    return Path(process.log).read_text(errors="replace")[-4000:]


def test_db_worker_process_takes_the_queued_allocation_and_writes_the_result(alloc, db_worker):  # noqa: F811
    from django_tasks_db.models import DBTaskResult

    # The coordinator's start: the seed is checked and the task is queued in the database on commit.
    run = services.allocation_run_request(window=alloc.window, seed=SEED, by=alloc.coord)
    job = DBTaskResult.objects.get()
    assert job.task_path == "allocation.tasks.allocation_run" and job.args_kwargs["args"] == [run.pk]
    run.refresh_from_db()
    assert run.task_id == str(job.id)

    # The worker process, started before the task was queued, finds it, runs it and reports back.
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        run.refresh_from_db()
        job.refresh_from_db()
        if not run.is_active and job.status in ("SUCCESSFUL", "FAILED"):
            break
        assert db_worker.poll() is None, f"db_worker exited with {db_worker.returncode}:\n{_log(db_worker)}"
        time.sleep(0.1)
    assert run.status == AllocationRun.Status.SUCCEEDED, (run.status, run.message, _log(db_worker))
    assert job.status == "SUCCESSFUL" and job.return_value == "succeeded", _log(db_worker)
    assert job.worker_ids == [db_worker.worker_id]  # taken by that process, not by this one
    assert run.progress == 100 and run.started_at and run.heartbeat_at and run.finished_at
    assert run.fingerprint and run.problem_digest
    assert sum(len(seats) for seats in run.seats.values()) == 5  # 1 + 2 + 2 seats for 6 pupils
    assert AllocationOutcome.objects.filter(run=run).count() == 6
    assert {"optimal", "first_come", "random_serial_dictatorship", "weighted_greedy"} <= set(run.stats)

    # What the worker computed is what this process reads: publishing re-builds the input here and
    # refuses if its fingerprint differs, then writes the worker's seats.
    services.allocation_publish(run=run, by=alloc.coord)
    seated = Enrollment.objects.filter(source="allocation", status="enrolled")
    assert {(e.student_id, e.section_id) for e in seated} == {
        (int(pid), sid) for pid, seats in run.seats.items() for sid in seats
    }
    assert services.allocation_replay(AllocationRun.objects.get(pk=run.pk)).ok


def test_the_worker_reaps_a_dead_run_and_passes_a_lapsed_offer_on(alloc, db_worker):  # noqa: F811
    """No page writes while it is read: the worker's periodic jobs do what reads used to do lazily."""
    from datetime import timedelta

    from django.utils import timezone

    from core.models import AuditEvent

    long_ago = timezone.now() - timedelta(minutes=10)
    dead = AllocationRun.objects.create(
        window=alloc.window, seed=SEED, status="running", started_at=long_ago, heartbeat_at=long_ago
    )
    first, second = alloc.others[:2]
    lapsed = Enrollment.objects.create(
        student=first, section=alloc.chess, status="waitlisted", offer_expires_at=timezone.now() - timedelta(minutes=1)
    )
    waiting = Enrollment.objects.create(student=second, section=alloc.chess, status="waitlisted")
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        dead.refresh_from_db()
        lapsed.refresh_from_db()
        if dead.status == "failed" and lapsed.status == "withdrawn":
            break
        assert db_worker.poll() is None, f"worker exited with {db_worker.returncode}:\n{_log(db_worker)}"
        time.sleep(0.2)
    assert dead.status == "failed" and dead.finished_at is not None, _log(db_worker)
    assert AuditEvent.objects.filter(action="allocation.run.reaped", object_id=str(dead.pk)).exists()
    assert lapsed.status == "withdrawn" and lapsed.end_reason == "offer_expired", _log(db_worker)
    waiting.refresh_from_db()
    assert waiting.offer_pending(), "the seat passes on to the next family in line"
    assert AuditEvent.objects.filter(action="enrollment.offer.made", object_id=str(waiting.pk)).exists()
