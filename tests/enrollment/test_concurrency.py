"""Many parents tap "take a seat" at the same moment: the section is never oversold.

200 threads, each with its own database connection, start together at a barrier and ask for a
seat for 200 different pupils in one 30-seat section. Exactly 30 get a seat, 170 are waitlisted,
and nobody sees an error — on SQLite (IMMEDIATE transactions queue on the write lock) and on
PostgreSQL (row lock on the section).
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from enrollment import services
from enrollment.models import Enrollment
from tests.enrollment import factories as f

PUPILS = 200
SEATS = 30


def _connection_budget() -> int:
    """How many connections may be open at once: all 200 on SQLite; on PostgreSQL what the server
    allows (max_connections less those in use and a margin for other test runs on the machine)."""
    if connection.vendor != "postgresql":
        return PUPILS
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_connections')::int, (SELECT count(*) FROM pg_stat_activity)")
        limit, used = cursor.fetchone()
    return max(8, min(PUPILS, limit - used - 20))


@pytest.mark.django_db(transaction=True)
def test_200_parents_at_once_never_oversell_a_30_seat_section(world, claim_path):
    a = world.school_a
    f.window(a, "first_come")
    section = f.section(a, "抢手的课", capacity=SEATS)
    pupils = f.pupils(PUPILS, a, world.class_a, prefix="R")
    budget = threading.BoundedSemaphore(_connection_budget())
    barrier = threading.Barrier(PUPILS)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def parent(pupil):
        try:
            barrier.wait(timeout=30)
            with budget:
                try:
                    result = services.enrollment_request(student=pupil, section=section, by=None)
                    with lock:
                        results.append(result.enrollment.status)
                finally:
                    connections.close_all()  # this thread's own connection
        except BaseException as error:
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=parent, args=(p,)) for p in pupils]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.monotonic() - started

    assert errors == []
    assert len(results) == PUPILS
    assert results.count("enrolled") == SEATS
    assert results.count("waitlisted") == PUPILS - SEATS
    assert Enrollment.objects.filter(section=section, status="enrolled").count() == SEATS
    assert Enrollment.objects.filter(section=section, status="waitlisted").count() == PUPILS - SEATS
    assert Enrollment.objects.filter(section=section).count() == PUPILS
    # waitlist order is the order the rows were written: positions 1…170 without gaps
    waiting = list(
        Enrollment.objects.filter(section=section, status="waitlisted")
        .order_by("created_at", "id")
        .values_list("id", flat=True)
    )
    assert len(set(waiting)) == PUPILS - SEATS
    assert elapsed < 60


@pytest.mark.django_db
def test_the_section_row_is_locked_before_seats_are_counted(world, claim_path):
    """Lock → check → write: on PostgreSQL the section row is locked before the count is read."""
    from django.test.utils import CaptureQueriesContext

    a = world.school_a
    f.window(a, "first_come")
    section = f.section(a, "锁", capacity=1)
    pupil = f.pupils(1, a, world.class_a, prefix="L")[0]
    with CaptureQueriesContext(connection) as queries:
        services.enrollment_request(student=pupil, section=section, by=None)
    sql = [q["sql"] for q in queries]
    if claim_path == "one_statement":
        # one call, alone (p_alone), locks the pupil, then the section, counts and writes, in that order
        assert sum("kehou_enrollment_claim(" in s for s in sql) == 1
        assert not any("FOR NO KEY UPDATE" in s for s in sql)  # no lock outside the call
        assert not any('INSERT INTO "enrollment_enrollment"' in s for s in sql)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_functiondef('kehou_enrollment_claim'::regproc)")
            body = cursor.fetchone()[0]
        pupil_lock = body.index("FROM enrollment_student st WHERE st.id = p_student FOR NO KEY UPDATE")
        section_lock = body.index("FROM courses_section s WHERE s.id = p_section FOR NO KEY UPDATE")
        assert pupil_lock < section_lock < body.index("count(*)") < body.index("INSERT INTO enrollment_enrollment")
        return
    section_reads = [i for i, s in enumerate(sql) if s.startswith("SELECT") and 'FROM "courses_section"' in s]
    lock = section_reads[-1]  # the section row read inside the transaction: the lock
    count = next(i for i, s in enumerate(sql) if "COUNT(" in s and '"enrollment_enrollment"' in s)
    insert = next(i for i, s in enumerate(sql) if s.startswith('INSERT INTO "enrollment_enrollment"'))
    assert lock < count < insert
    if connection.vendor == "postgresql":
        assert "FOR NO KEY UPDATE" in sql[lock]
        assert any('FROM "enrollment_student"' in s and "FOR NO KEY UPDATE" in s for s in sql[:lock])


@pytest.mark.django_db(transaction=True)
def test_a_double_tap_through_the_api_writes_one_row(world, claim_path):
    """The API's path (the parent's pupil read and locked in one statement, then the replay check):
    eight copies of one request with one Idempotency-Key, sent at once, write one row and one audit
    event, and every copy gets the same answer."""
    import json

    from django.test import Client

    from accounts.models import ApiToken
    from core.models import AuditEvent

    a = world.school_a
    f.window(a, "first_come")
    section = f.section(a, "连点", capacity=5)
    pupil = world.children_a[0]
    _token, raw = ApiToken.issue(user=world.users.parent_1)
    copies = 8
    barrier = threading.Barrier(copies)
    answers: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def tap():
        try:
            client = Client()
            barrier.wait(timeout=30)
            try:
                response = client.post(
                    "/api/v1/enrollments",
                    json.dumps({"student": pupil.pk, "section": section.pk}),
                    content_type="application/json",
                    headers={"Authorization": f"Bearer {raw}", "Idempotency-Key": "tap-1"},
                )
                with lock:
                    answers.append((response.status_code, response.json().get("id")))
            finally:
                connections.close_all()
        except BaseException as error:
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=tap) for _ in range(copies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(answers) == copies
    assert {status for status, _id in answers} == {201}
    [row] = Enrollment.objects.filter(student=pupil, section=section)
    assert {row_id for _status, row_id in answers} == {row.pk}
    assert AuditEvent.objects.filter(object_type="enrollment.enrollment", object_id=str(row.pk)).count() == 1
