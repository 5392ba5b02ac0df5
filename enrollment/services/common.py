"""What every enrollment write shares: the audit helper, recording what passing on did, the clash and eligibility checks."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from core.audit import audit_record
from core.errors import DomainError, later_text
from courses.models import Section
from enrollment import capacity, notify, selectors
from enrollment.models import (
    Enrollment,
    Student,
)

log = logging.getLogger(__name__)


@dataclass
class EnrollmentResult:
    enrollment: Enrollment
    created: bool
    replayed: bool = False
    #: a new waitlisted row's place in the queue, counted under the section lock (None otherwise)
    waitlist_position: int | None = None

    @property
    def enrolled(self) -> bool:
        return self.enrollment.status == Enrollment.Status.ENROLLED


def audit(action: str, *, by: Any, row: Any, school_id: int | None, request: HttpRequest | None, **data: Any) -> None:
    audit_record(action=action, actor=by, obj=row, school_id=school_id, request=request, data=data)


def enrollment_data(row: Enrollment) -> dict[str, Any]:
    return {"student": row.student_id, "section": row.section_id, "status": row.status}


def seat_changes_record(changes: capacity.SectionChanges, *, school_id: int, request: HttpRequest | None) -> None:
    """Audit what passing on did and queue the expiry job for the new offers (system actions).

    Every writer through `enrollment.capacity` calls this with its claim's changes (first-come,
    withdrawals, capacity changes, allocation publishing, leftover claims), so every offer is
    audited and expires on time whoever caused it."""
    for row in changes.expired:
        audit("enrollment.offer.expired", by=None, row=row, school_id=school_id, request=None, **enrollment_data(row))
    for row in changes.offered:
        audit(
            "enrollment.offer.made",
            by=None,
            row=row,
            school_id=school_id,
            request=None,
            expires_at=row.offer_expires_at.isoformat(),
            **enrollment_data(row),
        )
    if changes.offered:
        notify.waitlist_offers_made(changes.offered)
        run_after = min(row.offer_expires_at for row in changes.offered)
        transaction.on_commit(lambda: schedule_expiry(run_after))


def schedule_expiry(run_after: datetime) -> None:
    """Queue the worker to pass on offers that are still unanswered when they expire."""
    from enrollment.tasks import offers_expire

    try:
        offers_expire.using(run_after=run_after).enqueue()
    except Exception:  # the lazy path still passes offers on; never fail a family's request for this
        log.exception("could not queue enrollment.tasks.offers_expire")


def clash_check(*, student: Student, section: Section, exclude_id: int | None = None) -> None:
    """Refuse a seat that meets at the same time as another seat (or pending offer) of the child
    (the rule: `selectors.seat_clashes`, which pages call to warn before the family chooses)."""
    hits = selectors.seat_clashes(student=student, sections=[section], now=timezone.now(), exclude_id=exclude_id)
    for other_id, title in hits.get(section.pk, [])[:1]:
        raise DomainError(
            "time_clash",
            detail=later_text(
                lambda title=title: gettext("It meets at the same time as “%(course)s”.") % {"course": title}
            ),
            fields={"clashes_with": other_id},
        )


def dismissal_misses_check(*, student: Student, term_id: int, weekday: int, choice: str, accepted: bool) -> None:
    """Refuse a dismissal choice that leaves before a course the child holds that weekday, naming the
    course(s), unless the family has seen that and accepted it (`accepted`). The rule itself is
    `selectors.dismissal_misses` (through `dismissal_conflicts`), the one copy."""
    if accepted:
        return
    hits = selectors.dismissal_conflicts(term_id=term_id, choices={(student.pk, weekday): choice}).get(
        (student.pk, weekday), []
    )
    if hits:
        courses = list(dict.fromkeys(c.course for c in hits))
        raise DomainError(
            "dismissal_misses_course",
            detail=later_text(
                lambda: (
                    gettext("On %(day)s “%(courses)s” still meets after that time.")
                    % {"day": hits[0].meeting.weekday_label, "courses": "”、“".join(courses)}
                )
            ),
            fields={"courses": tuple(courses), "weekday": weekday},  # a tuple: data, not a message per course
        )


def fee_confirmed_check(*, section: Section, confirmed_total: Any, today) -> None:
    """A paid course is booked only when the family confirmed its term total (the fee, the number
    of meetings and the total are in the refusal, so a page or an API client can ask)."""
    quote = selectors.fee_quote(section=section, today=today)
    if not quote.paid:
        return
    try:
        confirmed = Decimal(str(confirmed_total)).quantize(Decimal("0.01")) if confirmed_total is not None else None
    except (InvalidOperation, ValueError):
        confirmed = None
    if confirmed != quote.total:
        raise DomainError(
            "fee_not_confirmed",
            detail=later_text(
                lambda: (
                    gettext("%(fee)s yuan per class hour × %(n)s meetings = %(total)s yuan this term.")
                    % {"fee": f"{quote.fee:.2f}", "n": quote.meetings, "total": f"{quote.total:.2f}"}
                )
            ),
            fields={
                "fee_per_class_hour": f"{quote.fee:.2f}",
                "meetings": quote.meetings,
                "term_total": f"{quote.total:.2f}",
                "estimated": quote.estimated,
            },
        )


def eligibility_check(*, student: Student, section: Section) -> None:
    if not selectors.section_is_open_to(student=student, section=section):
        raise DomainError("not_eligible")
