"""Writes of families: first-come seats, waitlists and offers, ranked choices, dismissal; offers passed on by time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.access import Actor
from core.audit import client_ip, validate_action
from core.errors import DomainError
from core.ids import MAX_ID, id_or_404
from courses.models import Section, Term
from enrollment import capacity, selectors
from enrollment.models import (
    Dismissal,
    DismissalChoice,
    Enrollment,
    EnrollmentWindow,
    Preference,
    Student,
)
from enrollment.services.common import (
    EnrollmentResult,
    audit,
    clash_check,
    dismissal_misses_check,
    eligibility_check,
    enrollment_data,
    fee_confirmed_check,
    later_text,
    seat_changes_record,
)
from enrollment.services.gate import weekly_change_pin_today
from pupils.models import parent_family

# --- Families: first-come seats, waitlists, offers, ranked choices, dismissal ---------------------


def enrollment_request(
    *,
    student: Student,
    section: Section,
    by: Any,
    request: HttpRequest | None = None,
    waitlist: bool = True,
    request_key: str = "",
    now: datetime | None = None,
    confirmed_total: Decimal | str | None = None,
) -> EnrollmentResult:
    """First-come: take a free seat, else join the waitlist (or refuse `section_full` if not `waitlist`).

    Refusals: `not_eligible`, `window_closed`, `fee_not_confirmed` (a paid course is booked only
    with `confirmed_total` equal to the term total of `selectors.fee_quote`, which the family was
    shown), `already_enrolled` (an active row exists and this is not a retry), `time_clash`,
    `section_full`. A retry with the same `request_key` returns the first result without writing
    anything (a double tap, a re-sent form, a client retry).
    """
    now = now or timezone.now()
    window = selectors.window_open(
        school_id=student.school_id, term_id=section.term_id, mode=EnrollmentWindow.Mode.FIRST_COME, now=now
    )
    ask = _Ask(
        section=section,
        offer_hours=window.offer_hours if window else None,
        by=by,
        request=request,
        waitlist=waitlist,
        request_key=request_key,
        now=now,
        confirmed_total=confirmed_total,
    )
    done = _request_alone(student, ask)
    if done is not None:
        return done
    with transaction.atomic():
        capacity.student_lock(student.pk)
        return _request_locked(student, ask)


def enrollment_request_for_parent(
    *,
    actor: Actor,
    student_id: int,
    section: Section,
    by: Any,
    request: HttpRequest | None = None,
    waitlist: bool = True,
    request_key: str = "",
    now: datetime | None = None,
    confirmed_total: Decimal | str | None = None,
) -> EnrollmentResult:
    """`enrollment_request` for one of the acting parent's own children (404 for any other pupil).

    The API's hot path: the scoped pupil read with the open first-come window is one statement,
    then the checks, then (PostgreSQL) the pupil's lock, the seat and its audit event one more
    (`capacity.claim_alone`); otherwise — SQLite, or whenever that call hands over — the pupil is
    read and locked in one statement inside a transaction and the same checks and claim follow."""
    now = now or timezone.now()
    family_id = parent_family(actor)  # the scope of `visible_to_parent`, as a plain value
    if family_id is None:
        raise Http404
    pupil = {"family_id": family_id, "student_id": id_or_404(student_id), "term_id": section.term_id, "now": now}
    ask = _Ask(
        section=section,
        offer_hours=None,
        by=by,
        request=request,
        waitlist=waitlist,
        request_key=request_key,
        now=now,
        confirmed_total=confirmed_total,
    )
    if capacity.claims_alone():
        student = selectors.student_for_first_come_get(**pupil)
        if student is None:
            raise Http404
        done = _request_alone(student, replace(ask, offer_hours=student.first_come_offer_hours))
        if done is not None:
            return done
    with transaction.atomic():
        student = capacity.student_lock_from(selectors.student_for_first_come, **pupil)
        if student is None:
            raise Http404
        return _request_locked(student, replace(ask, offer_hours=student.first_come_offer_hours))


_SEAT_ACTIONS = ("enrollment.seat.granted", "enrollment.waitlist.joined")


@dataclass(frozen=True)
class _Ask:
    """One first-come request as the family made it (`offer_hours` None: no first-come window open)."""

    section: Section
    offer_hours: int | None
    by: Any
    request: HttpRequest | None
    waitlist: bool
    request_key: str
    now: datetime
    confirmed_total: Decimal | str | None

    def __post_init__(self) -> None:
        # the key as stored: a client's retry token, trimmed to the column (both entry points)
        object.__setattr__(self, "request_key", (self.request_key or "").strip()[:64])

    def claim_audit(self) -> capacity.ClaimAudit:
        for action in _SEAT_ACTIONS:
            validate_action(action)
        return capacity.ClaimAudit(
            actor_id=getattr(self.by, "pk", None),
            school_id=self.section.course.school_id,
            ip=client_ip(self.request),
            enrolled_action=_SEAT_ACTIONS[0],
            waitlisted_action=_SEAT_ACTIONS[1],
            data={"source": Enrollment.Source.FIRST_COME.value},
        )


def _checks(student: Student, ask: _Ask) -> None:
    """The refusals that come before any seat is looked at, in the order families meet them."""
    eligibility_check(student=student, section=ask.section)
    if ask.offer_hours is None:
        raise DomainError("window_closed")
    fee_confirmed_check(section=ask.section, confirmed_total=ask.confirmed_total, today=timezone.localdate(ask.now))


def _request_alone(student: Student, ask: _Ask) -> EnrollmentResult | None:
    """The whole request in one statement after the checks (`capacity.claim_alone`); None (nothing
    written) when the transactional path must answer — including every refusal of the checks, so that
    a retry is still answered with its first result before any refusal."""
    if not capacity.claims_alone():
        return None
    try:
        _checks(student, ask)
    except DomainError:
        return None
    claim = capacity.claim_alone(
        student=student,
        section=ask.section,
        now=ask.now,
        waitlist=ask.waitlist,
        request_key=ask.request_key,
        audit=ask.claim_audit(),
        clash_check=lambda held: clash_check(student=student, section=ask.section, held=held),
    )
    if claim is None:
        return None
    return EnrollmentResult(claim.enrollment, created=True, waitlist_position=claim.waitlist_position)


def _request_locked(student: Student, ask: _Ask) -> EnrollmentResult:
    """The checks and the claim, with the pupil locked.

    A retry is answered first: its twin may have written while this one waited on the lock."""
    section, key = ask.section, ask.request_key
    if key:
        prior = _replay(student=student, section=section, key=key)
        if prior is not None:
            return prior
    _checks(student, ask)
    school_id = section.course.school_id
    claim = capacity.claim(
        student=student,
        section_id=section.pk,
        now=ask.now,
        offer_hours=ask.offer_hours,
        waitlist=ask.waitlist,
        request_key=key,
        section=section,
        before_write=lambda held: clash_check(student=student, section=section, held=held),
        audit=ask.claim_audit(),
    )
    row = claim.enrollment
    if not claim.created:  # an active row exists and this is not a retry of the request that made it
        raise DomainError("already_enrolled", fields={"enrollment": row.pk, "status": row.status})
    if not claim.audited:
        action = _SEAT_ACTIONS[0] if row.status == Enrollment.Status.ENROLLED else _SEAT_ACTIONS[1]
        audit(
            action,
            by=ask.by,
            row=row,
            school_id=school_id,
            request=ask.request,
            source=row.source,
            **enrollment_data(row),
        )
    seat_changes_record(claim.changes, school_id=school_id, request=ask.request)
    return EnrollmentResult(row, created=claim.created, waitlist_position=claim.waitlist_position)


def _replay(*, student: Student, section: Section, key: str) -> EnrollmentResult | None:
    prior = Enrollment.objects.filter(student=student, request_key=key).first()
    if prior is None:
        return None
    if prior.section_id != section.pk:
        raise DomainError("bad_request", detail=_("This form was already used for another course."))
    return EnrollmentResult(prior, created=False, replayed=True)


def enrollment_withdraw(
    *,
    enrollment: Enrollment,
    by: Any,
    request: HttpRequest | None = None,
    reason: str = Enrollment.EndReason.FAMILY,
    note: str = "",
    now: datetime | None = None,
) -> Enrollment:
    """Give up a seat, an offer or a waitlist place; the freed seat is offered to the next in line.

    Withdrawing is always allowed (participation is voluntary). Withdrawing twice changes nothing.
    """
    now = now or timezone.now()
    with transaction.atomic():
        capacity.student_lock(enrollment.student_id)
        enrollment.refresh_from_db()
        if not enrollment.is_active:
            return enrollment
        section = Section.objects.select_related("course").get(pk=enrollment.section_id)
        was_enrolled = enrollment.status == Enrollment.Status.ENROLLED
        had_offer = enrollment.offer_pending(now)
        changes = capacity.release(
            enrollment=enrollment,
            now=now,
            offer_hours=selectors.offer_hours_for(school_id=section.course.school_id, term_id=section.term_id),
            reason=reason,
            note=note,
        )
        if reason == Enrollment.EndReason.SCHOOL:
            action = "enrollment.seat.removed"
        elif was_enrolled:
            action = "enrollment.seat.withdrawn"
        elif had_offer:
            action = "enrollment.offer.declined"
        else:
            action = "enrollment.waitlist.left"
        audit(
            action,
            by=by,
            row=enrollment,
            school_id=section.course.school_id,
            request=request,
            reason=reason,
            note=note,
            **enrollment_data(enrollment),
        )
        seat_changes_record(changes, school_id=section.course.school_id, request=request)
        return enrollment


def offer_accept(
    *, enrollment: Enrollment, by: Any, request: HttpRequest | None = None, now: datetime | None = None
) -> Enrollment:
    """Accept a seat offered from the waitlist before it expires; accepting twice changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        capacity.student_lock(enrollment.student_id)
        enrollment.refresh_from_db()
        if enrollment.status == Enrollment.Status.ENROLLED:
            return enrollment
        section = Section.objects.select_related("course").get(pk=enrollment.section_id)
        if enrollment.status == Enrollment.Status.WAITLISTED and enrollment.offer_pending(now):
            clash_check(student=enrollment.student, section=section, exclude_id=enrollment.pk)
        taken, changes = capacity.offer_take(
            enrollment=enrollment,
            now=now,
            offer_hours=selectors.offer_hours_for(school_id=section.course.school_id, term_id=section.term_id),
        )
        if taken:
            audit(
                "enrollment.offer.accepted",
                by=by,
                row=enrollment,
                school_id=section.course.school_id,
                request=request,
                **enrollment_data(enrollment),
            )
        seat_changes_record(changes, school_id=section.course.school_id, request=request)
    if not taken:  # raised after commit: the expiry that was found is kept
        raise DomainError("conflict", detail=_("This offer has expired and has passed to the next family."))
    return enrollment


def preferences_replace(
    *,
    student: Student,
    window: EnrollmentWindow,
    section_ids: list[int],
    by: Any,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> list[Preference]:
    """Replace the child's ranked choices (first = rank 1) while the preference window is open.

    The time of submission is kept for the record only: the allocation never favours early families.
    """
    now = now or timezone.now()
    if (
        window.mode != EnrollmentWindow.Mode.PREFERENCE
        or window.school_id != student.school_id
        or not window.is_open(now)
    ):
        raise DomainError("window_closed")
    if len(section_ids) > window.max_choices:
        raise DomainError(
            "validation_error",
            detail=later_text(lambda n=window.max_choices: gettext("Choose at most %(n)s courses.") % {"n": n}),
            fields={"sections": "too_many"},
        )
    if len(set(section_ids)) != len(section_ids):
        raise DomainError(
            "validation_error",
            detail=_("Each course can be chosen only once."),
            fields={"sections": "duplicate"},
        )
    sections = {
        s.pk: s
        for s in Section.objects.select_related("course", "term").filter(
            pk__in=[i for i in section_ids if 0 < i <= MAX_ID]
        )
    }
    for section_id in section_ids:
        section = sections.get(section_id)
        if section is None or section.term_id != window.term_id:
            raise DomainError("not_eligible")
        eligibility_check(student=student, section=section)
    with transaction.atomic():
        capacity.student_lock(student.pk)
        Preference.objects.filter(window=window, student=student).delete()
        rows = Preference.objects.bulk_create(
            Preference(window=window, student=student, section_id=section_id, rank=rank)
            for rank, section_id in enumerate(section_ids, start=1)
        )
        audit(
            "enrollment.preferences.replaced",
            by=by,
            row=student,
            school_id=student.school_id,
            request=request,
            window=window.pk,
            sections=list(section_ids),
        )
    return rows


@transaction.atomic
def dismissal_set(
    *,
    student: Student,
    term: Term,
    weekday: int,
    choice: str,
    by: Any,
    request: HttpRequest | None = None,
    accept_missing: bool = False,
) -> DismissalChoice:
    """Flexible dismissal: when the child goes home on one weekday of the term (from today's list
    on if today's cut-off has not passed, else from the next such weekday: `gate.weekly_change_pin_today`).

    A choice that leaves before a course the child holds that day is refused with
    `dismissal_misses_course` naming the course, until the family accepts it (`accept_missing`)."""
    if weekday not in range(5) or choice not in Dismissal.values or term.school_id != student.school_id:
        raise DomainError("validation_error", fields={"dismissal": "invalid"})
    dismissal_misses_check(student=student, term_id=term.pk, weekday=weekday, choice=choice, accepted=accept_missing)
    weekly_change_pin_today(student=student, term=term, weekday=weekday, by=by, now=timezone.now())
    row, _created = DismissalChoice.objects.update_or_create(
        student=student, term=term, weekday=weekday, defaults={"choice": choice}
    )
    audit(
        "enrollment.dismissal.updated",
        by=by,
        row=row,
        school_id=student.school_id,
        request=request,
        student=student.pk,
        weekday=weekday,
        choice=choice,
    )
    return row


# --- Offers passed on by time (lazily and by the worker) ------------------------------------------


def offers_expire_due(*, section_ids: list[int] | None = None, now: datetime | None = None) -> int:
    """Pass on every offer that has run out (in `section_ids`, or everywhere). Returns how many expired.

    Cheap when nothing is due (one indexed read); each section is handled in its own short
    transaction so a family's request never waits behind a sweep of the whole district.
    """
    now = now or timezone.now()
    due = Enrollment.objects.filter(status=Enrollment.Status.WAITLISTED, offer_expires_at__lte=now)
    if section_ids is not None:
        if not section_ids:
            return 0
        due = due.filter(section_id__in=section_ids)
    expired = 0
    for section_id in sorted(set(due.values_list("section_id", flat=True))):
        with transaction.atomic():
            section = capacity.section_lock(section_id)
            changes = capacity.pass_on(
                section,
                now=now,
                offer_hours=selectors.offer_hours_for(school_id=section.course.school_id, term_id=section.term_id),
            )
            seat_changes_record(changes, school_id=section.course.school_id, request=None)
            expired += len(changes.expired)
    return expired
