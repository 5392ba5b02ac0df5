"""The ONLY code that decides whether a seat is free.

Locking order, always the same so that two transactions never wait on each other in a circle:

1. the pupil's row (the caller, `enrollment.services`, locks it before checking time clashes),
2. the section's row (`section_lock` here),
3. then check (count seats held) and write, in the same transaction.

On PostgreSQL step 2 is `SELECT … FOR NO KEY UPDATE` on the section: every writer of one section
queues there, so the count it reads cannot change before it writes (NO KEY: rows that merely
reference the section, such as preferences, are not blocked by it). On SQLite the settings open every
transaction with `BEGIN IMMEDIATE`, which takes the database's write lock up front, so the
transaction is already alone (`select_for_update()` is a no-op there). The database constraint
`enrollment_one_active_per_section` backs the rule "one active row per pupil and section".

Seats held = enrolled rows + waitlisted rows holding an offer that has not expired yet (the rule is
`courses.models.seat_held_q`; this module's plain SQL is held equal to it by a test on both
databases). An expired offer is passed on here too, lazily, whenever a section is locked for a
write, and by the worker's periodic job.

Writers that lock several pupils or sections (publishing an allocation) take ALL the pupils'
locks first, in id order, then the sections', in id order — the same order as a single request
(pupil, then section) — so no two writers ever wait on each other in a circle.

Changing a section's capacity comes here too (`capacity_set`): lock the section, refuse a
capacity below the seats held, and offer the new seats to the waitlist.

One round trip on PostgreSQL (issue 15): `claim` calls the SQL function `kehou_enrollment_claim`
(migration enrollment 0009), which runs steps 2 and 3 — lock the section, count, insert the row and
its audit event — in one statement. Each statement inside a PL/pgSQL function takes a fresh
snapshot, so the count is read after the lock is granted, exactly as in the Python path (a single
plain SQL statement or CTE could not do that: its snapshot is taken before it waits for the lock).
The function takes only the common case — the pupil holds no row here, no offer is due, and no
pupil waits while a seat is free — and answers `python` otherwise; then the Python path below runs
under the lock the function already took. Asked to (`before_write`: the first-come time-clash check),
the same call first reads the pupil's seats this term — after the pupil's lock, before the
section's — and, if there are any, returns them instead: the caller checks times, then calls again.
`claim_alone` goes one step further for the first-come request: the same call, outside any
transaction, also takes step 1 (the pupil's lock) — one statement instead of BEGIN, lock, call,
COMMIT — and hands over (writing nothing) whenever the transactional path must decide.
SQLite (and `ONE_STATEMENT = False`) uses the Python path only. `tests/enrollment/test_claim_paths.py`
holds the two paths to the same outcomes (free, full, waitlist refused, offers pending, waitlist
positions, offers due, a free seat someone waits for, an existing row, a seat elsewhere this term).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext

from core.errors import DomainError
from core.hot import HotQuery, hot_cursor
from courses.models import SeatStatus, Section
from enrollment.models import Enrollment, Student

ACTIVE = (SeatStatus.ENROLLED, SeatStatus.WAITLISTED)

#: Use the one-statement claim on PostgreSQL (tests turn it off to run the Python path there too).
ONE_STATEMENT = True


@dataclass
class SectionChanges:
    """What passing on did in one section: offers that expired and offers made (for the audit log)."""

    expired: list[Enrollment] = field(default_factory=list)
    offered: list[Enrollment] = field(default_factory=list)


@dataclass
class Claim:
    enrollment: Enrollment
    created: bool
    changes: SectionChanges = field(default_factory=SectionChanges)
    #: 1-based place of a new waitlisted row among those waiting without an offer (None otherwise)
    waitlist_position: int | None = None
    #: the new row's audit event was written with it (the one-statement path); else the caller writes it
    audited: bool = False


@dataclass(frozen=True)
class ClaimAudit:
    """The audit event of a new row, written in the claim's own statement on PostgreSQL.

    `data` is the event's data without `student`, `section` and `status` (added from the row);
    the action is `enrolled_action` or `waitlisted_action` by the row's status. The caller has
    validated both names against the registry (`core.audit.validate_action`)."""

    actor_id: int | None
    school_id: int | None
    ip: str | None
    enrolled_action: str
    waitlisted_action: str
    data: dict[str, Any] = field(default_factory=dict)


class SectionState(NamedTuple):
    """Counts over one section's rows at `now`, read under the section lock."""

    mine: int  # the pupil's active rows in this section (0 or 1)
    held: int  # seats held: enrolled, or an offer that has not expired
    due: int  # offers that have expired and must be passed on
    waiting: int  # waitlisted without an offer
    ahead: int  # of those, created at or before `now`


# Plain SQL for the hottest statement of a rush: the ORM spent longer building this aggregate than
# the database spent running it. Statuses are parameters (SeatStatus values); a test compares these
# counts with `Enrollment.objects.held(now)` and `Section.objects.with_seat_counts(now)` on both databases.
_STATE_SQL = """
SELECT
  COUNT(*) FILTER (WHERE student_id = %(student)s AND status IN (%(enrolled)s, %(waitlisted)s)),
  COUNT(*) FILTER (WHERE status = %(enrolled)s OR (status = %(waitlisted)s AND offer_expires_at > %(now)s)),
  COUNT(*) FILTER (WHERE status = %(waitlisted)s AND offer_expires_at <= %(now)s),
  COUNT(*) FILTER (WHERE status = %(waitlisted)s AND offer_expires_at IS NULL),
  COUNT(*) FILTER (WHERE status = %(waitlisted)s AND offer_expires_at IS NULL AND created_at <= %(now)s)
FROM {table} WHERE section_id = %(section)s
"""


def _require_transaction() -> None:
    if not connection.in_atomic_block:
        raise RuntimeError("enrollment.capacity must run inside transaction.atomic()")


def student_lock(student_id: int) -> Student:
    """Step 1: lock the pupil's row (clash checks and idempotency keys are per pupil)."""
    _require_transaction()
    return Student.objects.select_for_update(no_key=True).get(pk=student_id)


_locked_reads: dict[Callable, HotQuery] = {}


def student_lock_from(students: Callable[..., QuerySet[Student]], **args: Any) -> Student | None:
    """Step 1 through a scoped read: `students(**args)` (a parent's own child, with annotations) is
    read and locked in one statement, compiled once per process (`core.hot`). None if not found."""
    _require_transaction()
    hot = _locked_reads.get(students)
    if hot is None:
        hot = _locked_reads.setdefault(
            students, HotQuery(lambda **a: students(**a).select_for_update(of=("self",), no_key=True)[:2])
        )
    rows = hot.objects(**args)
    return rows[0] if rows else None


def students_lock(student_ids: list[int]) -> dict[int, Student]:
    """Step 1 for many pupils at once (publishing an allocation): lock them all, in id order."""
    _require_transaction()
    rows = Student.objects.select_for_update(no_key=True).filter(pk__in=sorted(set(student_ids))).order_by("pk")
    return {row.pk: row for row in rows}


def sections_lock(section_ids: list[int]) -> None:
    """Step 2 for many sections at once: lock them all, in id order, after every pupil's lock."""
    _require_transaction()
    list(
        Section.objects.select_for_update(of=("self",), no_key=True)
        .filter(pk__in=sorted(set(section_ids)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def section_lock(section_id: int) -> Section:
    """Step 2: lock the section's row; every writer of this section waits here."""
    _require_transaction()
    return Section.objects.select_for_update(of=("self",), no_key=True).select_related("course").get(pk=section_id)


def _section_state(*, section_id: int, student_id: int, now: datetime) -> SectionState:
    """One read of the section's rows: is the pupil already in, seats held, offers due, pupils waiting.

    The caller holds the section lock, so nothing counted here can change before it writes.
    """
    at = connection.ops.adapt_datetimefield_value(now)  # as the ORM would send it (SQLite: UTC text)
    with connection.cursor() as cursor:
        cursor.execute(
            _STATE_SQL.format(table=connection.ops.quote_name(Enrollment._meta.db_table)),
            {
                "student": student_id,
                "section": section_id,
                "now": at,
                "enrolled": SeatStatus.ENROLLED.value,
                "waitlisted": SeatStatus.WAITLISTED.value,
            },
        )
        return SectionState(*cursor.fetchone())


def seats_held(section_id: int, *, now: datetime) -> int:
    return Enrollment.objects.held(now).filter(section_id=section_id).count()


def seats_free(section: Section, *, now: datetime) -> int:
    return max(0, section.capacity - seats_held(section.pk, now=now))


def pass_on(section: Section, *, now: datetime, offer_hours: int) -> SectionChanges:
    """Expire offers that ran out, then offer every free seat to the next pupils on the waitlist.

    The caller holds the section lock. A pupil whose offer expired leaves the waitlist (the family
    may join it again); the seat goes to the next pupil in (created_at, id) order.
    """
    return _pass_on(section, now=now, offer_hours=offer_hours)[0]


def _pass_on(section: Section, *, now: datetime, offer_hours: int) -> tuple[SectionChanges, int]:
    """`pass_on`, also returning the seats still free afterwards (so the caller need not count again)."""
    changes = SectionChanges()
    due = list(
        Enrollment.objects.filter(
            section_id=section.pk, status=Enrollment.Status.WAITLISTED, offer_expires_at__lte=now
        ).order_by("offer_expires_at", "id")
    )
    for row in due:
        row.status = Enrollment.Status.WITHDRAWN
        row.ended_at = now
        row.end_reason = Enrollment.EndReason.OFFER_EXPIRED
        row.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])
        changes.expired.append(row)
    free = seats_free(section, now=now)
    if free:
        waiting = list(
            Enrollment.objects.filter(
                section_id=section.pk, status=Enrollment.Status.WAITLISTED, offer_expires_at__isnull=True
            ).order_by("created_at", "id")[:free]
        )
        expires = now + timedelta(hours=offer_hours)
        for row in waiting:
            row.offered_at = now
            row.offer_expires_at = expires
            row.save(update_fields=["offered_at", "offer_expires_at", "updated_at"])
            changes.offered.append(row)
        free -= len(waiting)
    return changes, free


def claim(
    *,
    student: Student,
    section_id: int,
    now: datetime,
    offer_hours: int,
    waitlist: bool = True,
    source: str = Enrollment.Source.FIRST_COME,
    note: str = "",
    request_key: str = "",
    audit: ClaimAudit | None = None,
    section: Section | None = None,
    before_write: Callable[[list[tuple] | None], None] | None = None,
) -> Claim:
    """Take a free seat, or else a waitlist place (or refuse with `section_full` if `waitlist` is False).

    Returns the pupil's existing active row unchanged (created=False) if there is one. With `audit`,
    the new row's audit event is written in the same statement where the database allows it
    (`Claim.audited`). `section`, if the caller has read it (with its course), is set on the new row.

    `before_write(held)` is the caller's last check before a seat is taken (the time-clash check),
    run under the pupil's lock and before the section's: on PostgreSQL with the pupil's seats this
    term (section, term, course title) as the one-statement call found them — it is called only if
    there are any — and elsewhere with None (the check reads them itself).
    """
    if ONE_STATEMENT and connection.vendor == "postgresql":
        _require_transaction()
        args = {
            "student_id": student.pk,
            "section_id": section_id,
            "now": now,
            "waitlist": waitlist,
            "source": source,
            "note": note,
            "request_key": request_key,
            "audit": audit,
            "term_id": section.term_id if section is not None else None,
        }
        if before_write is not None and section is None:  # no term to look in: the check reads itself
            before_write(None)
        done = _claim_one_statement(**args, check_held=before_write is not None and section is not None)
        if isinstance(done, list):  # the pupil holds seats this term: check times, then take the seat
            before_write(done)
            done = _claim_one_statement(**args, check_held=False)
        if isinstance(done, list):  # cannot happen: nothing is compared without check_held
            raise RuntimeError("kehou_enrollment_claim answered held seats it was not asked for")
        if done is not None:
            if section is not None and section.pk == section_id:
                done.enrollment.section = section
            return done
    elif before_write is not None:
        before_write(None)
    return _claim_python(
        student=student,
        section_id=section_id,
        now=now,
        offer_hours=offer_hours,
        waitlist=waitlist,
        source=source,
        note=note,
        request_key=request_key,
    )


def claims_alone() -> bool:
    """Whether `claim_alone` can take a claim on this database (PostgreSQL with `ONE_STATEMENT`)."""
    return ONE_STATEMENT and connection.vendor == "postgresql"


#: times `claim_alone` re-checks clashes when the pupil's seats changed between its calls
ALONE_ATTEMPTS = 3


def claim_alone(
    *,
    student: Student,
    section: Section,
    now: datetime,
    waitlist: bool,
    request_key: str,
    audit: ClaimAudit,
    clash_check: Callable[[list[tuple]], None],
    source: str = Enrollment.Source.FIRST_COME,
    note: str = "",
) -> Claim | None:
    """Steps 1–3 as one statement outside any transaction (PostgreSQL): lock the pupil, then the
    section, count, write the row and its audit event — no BEGIN/COMMIT round trips (issue 15 §1).

    `clash_check(held)` is the caller's time-clash check against the pupil's seats this term
    (section, term, title); it runs between calls, without a lock, and its result counts only if,
    under the pupil's lock, those seats are still the pupil's seats (else it runs again on the new
    ones, at most ALONE_ATTEMPTS times). None — nothing written — when this database has no such call
    or the Python path must decide (a retry of an earlier request, an existing row, offers to pass
    on, a pupil waiting while a seat is free): the caller then runs `claim` in a transaction.
    """
    if not claims_alone():
        return None
    checked: tuple[int, ...] = ()
    for _attempt in range(ALONE_ATTEMPTS):
        done = _claim_one_statement(
            student_id=student.pk,
            section_id=section.pk,
            now=now,
            waitlist=waitlist,
            source=source,
            note=note,
            request_key=request_key,
            audit=audit,
            term_id=section.term_id,
            check_held=True,
            held=checked,
            alone=True,
        )
        if not isinstance(done, list):
            if done is not None:
                done.enrollment.section = section
            return done
        if done:
            clash_check(done)
        checked = tuple(sorted({row[0] for row in done}))
    return None


_CLAIM_SQL = "SELECT * FROM kehou_enrollment_claim({})".format(", ".join(["%s"] * 20))


def _claim_one_statement(
    *,
    student_id: int,
    section_id: int,
    now: datetime,
    waitlist: bool,
    source: str,
    note: str,
    request_key: str,
    audit: ClaimAudit | None,
    term_id: int | None,
    check_held: bool,
    held: tuple[int, ...] = (),
    alone: bool = False,
) -> Claim | list[tuple] | None:
    """Steps 2 and 3 in one round trip (PostgreSQL; with `alone`, step 1 too); None when the Python
    path must decide; with `check_held`, the pupil's seats in `term_id` (section, term, title) when
    they are not the sections `held` (then nothing is locked — except, `alone`, the pupil — or written)."""
    from django.utils import timezone

    audit_at = timezone.now()
    with hot_cursor() as cursor:
        cursor.execute(
            _CLAIM_SQL,
            [
                student_id,
                section_id,
                now,
                waitlist,
                source,
                note,
                request_key,
                audit is not None,
                audit.actor_id if audit else None,
                audit.ip if audit else None,
                audit.school_id if audit else None,
                audit_at,
                audit.enrolled_action if audit else "",
                audit.waitlisted_action if audit else "",
                Enrollment._meta.label_lower,
                json.dumps(audit.data if audit else {}),
                term_id,
                check_held,
                list(held),
                alone,
            ],
        )
        rows = cursor.fetchall()
    outcome, row_id, status, position = rows[0][:4]
    if outcome == "held":
        return [row[4:] for row in rows if row[4] is not None]
    if outcome == "full":
        raise DomainError("section_full")
    if outcome != "created":  # "python": an existing row, offers to pass on; "missing": as the ORM would say
        return None
    row = Enrollment(
        id=row_id,
        student_id=student_id,
        section_id=section_id,
        status=status,
        source=source,
        created_at=now,
        updated_at=now,
        note=note,
        request_key=request_key,
    )
    row._state.adding, row._state.db = False, connection.alias
    return Claim(row, created=True, waitlist_position=position, audited=audit is not None)


def _claim_python(
    *,
    student: Student,
    section_id: int,
    now: datetime,
    offer_hours: int,
    waitlist: bool,
    source: str,
    note: str,
    request_key: str,
) -> Claim:
    """The Python path of `claim` (SQLite; PostgreSQL when the function hands over): the same rule."""
    section = section_lock(section_id)
    state = _section_state(section_id=section.pk, student_id=student.pk, now=now)
    if state.mine:
        existing = Enrollment.objects.get(student_id=student.pk, section_id=section.pk, status__in=ACTIVE)
        existing.section = section
        return Claim(existing, created=False)
    free = max(0, section.capacity - state.held)
    if state.due or (state.waiting and free):
        changes, free = _pass_on(section, now=now, offer_hours=offer_hours)
    else:  # nothing expired and no seat for those waiting: passing on would change nothing
        changes = SectionChanges()
    # After passing on, a free seat means nobody is waiting for it without an offer: it is the taker's.
    if free > 0:
        status = Enrollment.Status.ENROLLED
    elif waitlist:
        status = Enrollment.Status.WAITLISTED
    else:
        raise DomainError("section_full")
    row = Enrollment.objects.create(
        student_id=student.pk,
        section_id=section.pk,
        status=status,
        source=source,
        created_at=now,
        note=note,
        request_key=request_key,
    )
    row.section = section
    # Waitlist order is (created_at, id): the rows waiting at `now` are ahead of this new row (their
    # ids are older), less those that passing on just gave an offer (the first in that order).
    position = max(0, state.ahead - len(changes.offered)) + 1 if status == Enrollment.Status.WAITLISTED else None
    return Claim(row, created=True, changes=changes, waitlist_position=position)


def offer_take(*, enrollment: Enrollment, now: datetime, offer_hours: int) -> tuple[bool, SectionChanges]:
    """Turn a pending offer into a seat. False if the offer had already expired (and was passed on)."""
    section = section_lock(enrollment.section_id)
    enrollment.refresh_from_db()
    if enrollment.offer_pending(now):
        enrollment.status = Enrollment.Status.ENROLLED
        enrollment.offer_expires_at = None
        enrollment.save(update_fields=["status", "offer_expires_at", "updated_at"])
        return True, SectionChanges()
    return False, pass_on(section, now=now, offer_hours=offer_hours)


def release(*, enrollment: Enrollment, now: datetime, offer_hours: int, reason: str, note: str = "") -> SectionChanges:
    """End an active row (seat, offer or waitlist place) and pass the freed seat on."""
    section = section_lock(enrollment.section_id)
    enrollment.refresh_from_db()
    if not enrollment.is_active:
        return SectionChanges()
    enrollment.status = Enrollment.Status.WITHDRAWN
    enrollment.ended_at = now
    enrollment.end_reason = reason
    enrollment.offer_expires_at = None  # a pending offer is given back; offered_at keeps the history
    if note:
        enrollment.note = note[:200]
    enrollment.save(update_fields=["status", "ended_at", "end_reason", "offer_expires_at", "note", "updated_at"])
    return pass_on(section, now=now, offer_hours=offer_hours)


def capacity_problem(section: Section, capacity: int, *, now: datetime) -> str:
    """Why `capacity` cannot be set on this (locked) section, or "" if it can: fewer seats than held."""
    held = seats_held(section.pk, now=now)
    if capacity < held:
        return gettext("%(n)s seats are held (pupils enrolled or holding an offer); keep at least that many.") % {
            "n": held
        }
    return ""


def capacity_set(*, section_id: int, capacity: int, now: datetime, offer_hours: int) -> tuple[Section, SectionChanges]:
    """Change a section's seats: lock it, refuse fewer seats than are held, offer new seats to the waitlist.

    Refusal: `validation_error` on `capacity`, naming the seats held (enrolled + live offers).
    """
    section = section_lock(section_id)
    problem = capacity_problem(section, capacity, now=now)
    if problem:
        raise DomainError("validation_error", fields={"capacity": [problem]})
    grew = capacity > section.capacity
    section.capacity = capacity
    section.save(update_fields=["capacity"])
    changes = pass_on(section, now=now, offer_hours=offer_hours) if grew else SectionChanges()
    return section, changes
