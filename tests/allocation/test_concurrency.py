"""Publishing an allocation while parents enroll and withdraw in the same sections, on PostgreSQL.

The publish locks every pupil of its result (by id), then every section (by id), then re-reads its
input and writes — the one lock order of `enrollment.capacity`, which a family's request follows too
(its pupil, then the section). So however the two interleave, PostgreSQL never has to break a
deadlock, and no section ever holds more seats than it has.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection, connections
from django.utils import timezone

from allocation import engine, services
from core.errors import DomainError
from courses.models import Section
from enrollment import services as enrollment_services
from enrollment.models import Enrollment, Preference
from tests.enrollment import factories as f

SEED = "kehou-concurrency-seed"
PARENTS = 16


@pytest.mark.django_db(transaction=True)
def test_publishing_while_parents_enroll_and_withdraw_never_deadlocks_or_oversells(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and deadlock detection: PostgreSQL only (SQLite runs one writer at a time)")
    school = world.school_a
    window = f.window(school, "preference", open_=False, lottery_seed_hash=engine.commitment(SEED), max_seats=2)
    f.window(school, "first_come")  # the first-come window is open while the publish runs
    sections = [f.section(school, f"社团{i}", capacity=12, code=str(i)) for i in range(6)]
    ranked = f.pupils(48, school, world.class_a, prefix="A")
    others = f.pupils(PARENTS // 2, school, world.class_a, prefix="B")
    rng = random.Random(7)
    for pupil in ranked:
        for rank, section in enumerate(rng.sample(sections, 3), start=1):
            Preference.objects.create(window=window, student=pupil, section=section, rank=rank)
    # The parents' pupils (half of them in the allocation) already hold one seat each in these sections.
    actors = ranked[::6][: PARENTS // 2] + others
    held = {}
    for i, pupil in enumerate(actors):
        held[pupil.pk] = sections[i % len(sections)]
        assert enrollment_services.enrollment_request(student=pupil, section=held[pupil.pk], by=None).enrolled
    run = services.allocation_run_request(window=window, seed=SEED, by=world.users.coordinator_a)
    assert services.allocation_run_execute(run_id=run.pk) == "succeeded"
    run.refresh_from_db()
    assert any(str(p.pk) in run.seats for p in actors), "some parents' pupils get seats in the publish"

    stop = threading.Event()
    barrier = threading.Barrier(PARENTS + 1)
    errors: list[BaseException] = []
    outcome: list[str] = []
    lock = threading.Lock()

    def parent(pupil) -> None:
        """Taps "take a seat" again and again on the section the child already holds: every tap locks
        the pupil, then the section (as any request does), and is refused without writing — so the
        allocation's input stays the same and the publish can go ahead in the middle of the taps."""
        try:
            barrier.wait(timeout=30)
            while not stop.is_set():
                try:
                    enrollment_services.enrollment_request(student=pupil, section=held[pupil.pk], by=None)
                except DomainError as refusal:
                    assert refusal.code == "already_enrolled"
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    def publisher() -> None:
        try:
            barrier.wait(timeout=30)
            time.sleep(0.05)  # let the parents' transactions get going first
            services.allocation_publish(run=run, by=world.users.coordinator_a)
            outcome.append("published")
        except DomainError as error:
            outcome.append(error.code)  # allocation_stale: the input changed; refused whole
        except BaseException as error:
            with lock:
                errors.append(error)
        finally:
            stop.set()
            connections.close_all()

    threads = [threading.Thread(target=parent, args=(p,)) for p in actors]
    threads.append(threading.Thread(target=publisher))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == [], errors  # no deadlock detected, no other database error
    assert outcome == ["published"]
    now = timezone.now()
    for section in Section.objects.filter(pk__in=[s.pk for s in sections]).with_seat_counts(now):
        assert section.seats_held <= section.capacity, section
    assert Enrollment.objects.filter(source="allocation", status="enrolled").count() == sum(
        len(s) for s in run.seats.values()
    )
