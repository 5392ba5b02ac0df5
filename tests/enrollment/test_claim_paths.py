"""The two paths of `enrollment.capacity.claim` give the same outcome (issue 15 §1).

On PostgreSQL a first-come claim is one call of the SQL function `kehou_enrollment_claim` (lock the
section, count, insert the row and its audit event); on SQLite, and whenever the function hands
over, the Python path decides. Each case below runs through every path this database has, each in
a transaction rolled back afterwards, and must end the same: the same answer (status, waitlist
place, refusal), the same rows in the section and the same audit events.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEvent
from enrollment import capacity, services
from enrollment.models import Enrollment
from tests.enrollment import factories as f

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


class _Rollback(Exception):
    def __init__(self, outcome):
        self.outcome = outcome


def _paths() -> list[bool]:
    return [False, True] if connection.vendor == "postgresql" else [False]


def _section_rows(section) -> list[tuple]:
    return sorted(
        (e.student.name, e.status, e.offer_expires_at is not None, e.end_reason)
        for e in Enrollment.objects.filter(section=section).select_related("student")
    )


def _run(monkeypatch, one_statement: bool, world, case: str):
    monkeypatch.setattr(capacity, "ONE_STATEMENT", one_statement)
    a = world.school_a
    f.window(a, "first_come")
    section = f.section(a, f"双路{case}", capacity=2)
    others = f.pupils(5, a, world.class_a, prefix=f"O{case}")
    taker = f.pupils(1, a, world.class_a, prefix=f"T{case}")[0]
    now = timezone.now()
    waitlist = True

    def row(pupil, status, *, offer=None, ago=1):
        Enrollment.objects.create(
            student=pupil,
            section=section,
            status=status,
            created_at=now - ago * HOUR,
            offered_at=now - 2 * HOUR if offer is not None else None,
            offer_expires_at=offer,
        )

    if case == "full" or case == "refused":
        row(others[0], "enrolled")
        row(others[1], "enrolled")
        waitlist = case == "full"
    elif case == "offer_pending":
        row(others[0], "enrolled")
        row(others[1], "waitlisted", offer=now + HOUR)
    elif case == "positions":
        row(others[0], "enrolled")
        row(others[1], "enrolled")
        for i, pupil in enumerate(others[2:5]):
            row(pupil, "waitlisted", ago=3 - i)
    elif case == "offer_due":
        row(others[0], "enrolled")
        row(others[1], "waitlisted", offer=now - HOUR)
        row(others[2], "waitlisted", ago=2)
    elif case == "waiting_and_free":
        row(others[0], "enrolled")
        row(others[1], "waitlisted")
    elif case == "held_elsewhere":  # a seat in another section this term (no published times: no clash)
        other = f.section(a, f"另一{case}", capacity=5)
        Enrollment.objects.create(student=taker, section=other, status="enrolled", created_at=now - HOUR)
    elif case == "existing":
        row(others[0], "enrolled")
        row(taker, "waitlisted")
    user = world.users.parent_1
    before = AuditEvent.objects.count()
    try:
        result = services.enrollment_request(student=taker, section=section, by=user, waitlist=waitlist, now=now)
        answer = (result.created, result.enrollment.status, result.waitlist_position)
    except DomainError as error:
        answer = ("refused", error.code)
    # ids and times differ from run to run (each run seeds its own rows); the rest must be equal
    events = sorted(
        (e.action, e.actor_id, e.school_id, e.object_type, tuple(sorted(_without_ids(e.data).items())))
        for e in AuditEvent.objects.order_by("id")[before:]
    )
    return answer, _section_rows(section), events


def _without_ids(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("student", "section", "expires_at")}


def _outcome(monkeypatch, one_statement: bool, world, case: str):
    try:
        with transaction.atomic():
            raise _Rollback(_run(monkeypatch, one_statement, world, case))
    except _Rollback as done:
        return done.outcome


EXPECTED = {
    "free": (True, "enrolled", None),
    "full": (True, "waitlisted", 1),
    "refused": ("refused", "section_full"),
    "offer_pending": (True, "waitlisted", 1),
    "positions": (True, "waitlisted", 4),
    "offer_due": (True, "waitlisted", 1),  # the due offer expires, the next in line gets the seat offered
    "waiting_and_free": (True, "waitlisted", 1),  # the free seat is offered to the one waiting first
    "existing": ("refused", "already_enrolled"),
    "held_elsewhere": (True, "enrolled", None),
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_both_paths_give_the_same_outcome(world, monkeypatch, case):
    outcomes = [_outcome(monkeypatch, one, world, case) for one in _paths()]
    assert outcomes[0][0] == EXPECTED[case]
    for other in outcomes[1:]:
        assert other == outcomes[0]
    answer, _rows, events = outcomes[0]
    if answer[0] is True:  # the new row's own audit event, whichever path wrote it
        action = "enrollment.seat.granted" if answer[1] == "enrolled" else "enrollment.waitlist.joined"
        mine = [e for e in events if e[0] == action]
        assert len(mine) == 1
        assert mine[0][1] == world.users.parent_1.pk
        assert mine[0][3:] == ("enrollment.enrollment", (("source", "first_come"), ("status", str(answer[1]))))


def test_postgresql_writes_the_row_and_its_audit_event_in_one_call(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement claim exists on PostgreSQL only")
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setattr(capacity, "ONE_STATEMENT", True)
    a = world.school_a
    f.window(a, "first_come")
    section = f.section(a, "一次", capacity=1)
    taker = f.pupils(1, a, world.class_a, prefix="ONE")[0]
    with CaptureQueriesContext(connection) as queries:
        result = services.enrollment_request(student=taker, section=section, by=world.users.parent_1)
    sql = [q["sql"] for q in queries]
    assert result.enrollment.status == "enrolled"
    assert not any(s.startswith(('INSERT INTO "enrollment_enrollment"', 'INSERT INTO "core_auditevent"')) for s in sql)
    event = AuditEvent.objects.get(object_type="enrollment.enrollment", object_id=str(result.enrollment.pk))
    assert event.action == "enrollment.seat.granted"
    assert event.data == {"source": "first_come", "student": taker.pk, "section": section.pk, "status": "enrolled"}
    assert event.actor_id == world.users.parent_1.pk
    assert Enrollment.objects.get(pk=result.enrollment.pk).status == "enrolled"


@pytest.mark.parametrize("one_statement", [False, True])
def test_a_retry_is_answered_with_its_first_result_on_every_path(world, monkeypatch, one_statement):
    """The one call (`claim_alone`) hands a used Idempotency-Key to the Python path, which replays."""
    if one_statement and connection.vendor != "postgresql":
        pytest.skip("the one-statement claim exists on PostgreSQL only")
    monkeypatch.setattr(capacity, "ONE_STATEMENT", one_statement)
    a = world.school_a
    f.window(a, "first_come")
    section = f.section(a, "重试", capacity=1)
    taker = f.pupils(1, a, world.class_a, prefix="RT")[0]
    user = world.users.parent_1
    first = services.enrollment_request(student=taker, section=section, by=user, request_key="k-1")
    events = AuditEvent.objects.count()
    again = services.enrollment_request(student=taker, section=section, by=user, request_key="k-1")
    assert (first.created, again.created, again.replayed) == (True, False, True)
    assert again.enrollment.pk == first.enrollment.pk
    assert Enrollment.objects.filter(student=taker).count() == 1
    assert AuditEvent.objects.count() == events
    with pytest.raises(DomainError) as refused:  # without the key it is a second request: refused
        services.enrollment_request(student=taker, section=section, by=user)
    assert refused.value.code == "already_enrolled"


def test_the_one_call_rechecks_clashes_when_the_seats_changed_meanwhile(world, monkeypatch):
    """`claim_alone` checks times without a lock; if, under the pupil's lock, the seats it checked are
    no longer the pupil's seats, it writes nothing and has them checked again."""
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement claim exists on PostgreSQL only")
    monkeypatch.setattr(capacity, "ONE_STATEMENT", True)
    a = world.school_a
    f.window(a, "first_come")
    wanted = f.section(a, "想要", capacity=3)
    first, second = f.section(a, "已有", capacity=3), f.section(a, "同时", capacity=3)
    taker = f.pupils(1, a, world.class_a, prefix="RC")[0]
    Enrollment.objects.create(student=taker, section=first, status="enrolled", created_at=timezone.now())
    seen: list[set[int]] = []

    def clash_check(held):
        seen.append({row[0] for row in held})
        if len(seen) == 1:  # another request of the family takes a seat between the two calls
            Enrollment.objects.create(student=taker, section=second, status="enrolled", created_at=timezone.now())

    audit = capacity.ClaimAudit(
        actor_id=None,
        school_id=a.pk,
        ip=None,
        enrolled_action="enrollment.seat.granted",
        waitlisted_action="enrollment.waitlist.joined",
    )
    claim = capacity.claim_alone(
        student=taker,
        section=wanted,
        now=timezone.now(),
        waitlist=True,
        request_key="",
        audit=audit,
        clash_check=clash_check,
    )
    assert seen == [{first.pk}, {first.pk, second.pk}]  # checked again against the seat taken meanwhile
    assert claim is not None and claim.enrollment.status == "enrolled"
    assert Enrollment.objects.filter(student=taker, section=wanted).count() == 1

    def refuse(held):
        raise DomainError("time_clash")

    with pytest.raises(DomainError):
        capacity.claim_alone(
            student=taker,
            section=f.section(a, "冲突", capacity=3),
            now=timezone.now(),
            waitlist=True,
            request_key="",
            audit=audit,
            clash_check=refuse,
        )
    assert Enrollment.objects.filter(student=taker).count() == 3  # the refused one wrote nothing
