"""Writes for enrollment: seats, waitlists, offers, preferences, dismissal, windows, notices.

Every service is keyword-only and atomic; whether a seat is free is decided only by
`enrollment.capacity` (lock → check → write). Refusals are `DomainError`s with stable codes, raised
before anything is written or rolling the whole transaction back: nothing is ever half-written.
Every change is written to the audit log (who, what, when, from where) in the same transaction;
jobs for the worker are queued on commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.services import audit_record
from config.errors import DomainError
from courses.models import School, Section, Term
from enrollment import capacity, selectors
from enrollment.models import Dismissal, DismissalChoice, Enrollment, EnrollmentWindow, Notice, Preference, Student

log = logging.getLogger(__name__)


def _later(make_text) -> Any:
    """A message built when shown, so the API's message_zh and message_en each get their language."""
    return lazy(make_text, str)()


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


def _audit(action: str, *, by: Any, row: Any, school_id: int | None, request: HttpRequest | None, **data: Any) -> None:
    audit_record(action=action, actor=by, obj=row, school_id=school_id, request=request, data=data)


def _enrollment_data(row: Enrollment) -> dict[str, Any]:
    return {"student": row.student_id, "section": row.section_id, "status": row.status}


def _record_changes(changes: capacity.SectionChanges, *, school_id: int, request: HttpRequest | None) -> None:
    """Audit what passing on did and queue the expiry job for each new offer (system actions)."""
    for row in changes.expired:
        _audit("enrollment.offer.expired", by=None, row=row, school_id=school_id, request=None, **_enrollment_data(row))
    for row in changes.offered:
        _audit(
            "enrollment.offer.made",
            by=None,
            row=row,
            school_id=school_id,
            request=None,
            expires_at=row.offer_expires_at.isoformat(),
            **_enrollment_data(row),
        )
    if changes.offered:
        run_after = min(row.offer_expires_at for row in changes.offered)
        transaction.on_commit(lambda: _schedule_expiry(run_after))


def _schedule_expiry(run_after: datetime) -> None:
    """Queue the worker to pass on offers that are still unanswered when they expire."""
    from enrollment.tasks import offers_expire

    try:
        offers_expire.using(run_after=run_after).enqueue()
    except Exception:  # the lazy path still passes offers on; never fail a family's request for this
        log.exception("could not queue enrollment.tasks.offers_expire")


def _check_clash(*, student: Student, section: Section, exclude_id: int | None = None) -> None:
    """Refuse a seat that meets at the same time as another seat (or pending offer) of the child.

    The child's other held sections are read first: a child holding nothing else this term (the
    common case in a rush) costs one indexed read and no timetable read at all.
    """
    others = (
        Enrollment.objects.filter(student_id=student.pk, section__term_id=section.term_id)
        .filter(capacity.held_q(timezone.now()))
        .exclude(section_id=section.pk)
    )
    if exclude_id is not None:
        others = others.exclude(pk=exclude_id)
    titles = dict(others.values_list("section_id", "section__course__title"))
    if not titles:
        return
    times = selectors.section_times([section.pk, *titles])
    mine = times.get(section.pk)
    if not mine:
        return  # no published times: nothing can clash
    for other_id, title in titles.items():
        if selectors.meetings_clash(mine, times.get(other_id, [])):
            raise DomainError(
                "time_clash",
                detail=_later(
                    lambda title=title: gettext("It meets at the same time as “%(course)s”.") % {"course": title}
                ),
                fields={"clashes_with": other_id},
            )


def _check_eligible(*, student: Student, section: Section) -> None:
    if not selectors.section_is_open_to(student=student, section=section):
        raise DomainError("not_eligible")


# --- Families --------------------------------------------------------------------------------------


def enrollment_request(
    *,
    student: Student,
    section: Section,
    by: Any,
    request: HttpRequest | None = None,
    waitlist: bool = True,
    request_key: str = "",
    now: datetime | None = None,
) -> EnrollmentResult:
    """First-come: take a free seat, else join the waitlist (or refuse `section_full` if not `waitlist`).

    Refusals: `not_eligible`, `window_closed`, `already_enrolled` (an active row exists and this
    is not a retry), `time_clash`, `section_full`. A retry with the same `request_key` returns the
    first result without writing anything (a double tap, a re-sent form, a client retry).
    """
    now = now or timezone.now()
    key = (request_key or "").strip()[:64]
    with transaction.atomic():
        if key:
            prior = _replay(student=student, section=section, key=key)
            if prior is not None:
                return prior
        _check_eligible(student=student, section=section)
        window = selectors.window_open(
            school_id=student.school_id, term_id=section.term_id, mode=EnrollmentWindow.Mode.FIRST_COME, now=now
        )
        if window is None:
            raise DomainError("window_closed")
        capacity.student_lock(student.pk)
        if key:  # a concurrent double tap waited on the lock: its twin has written by now
            prior = _replay(student=student, section=section, key=key)
            if prior is not None:
                return prior
        _check_clash(student=student, section=section)
        claim = capacity.claim(
            student=student,
            section_id=section.pk,
            now=now,
            offer_hours=window.offer_hours,
            waitlist=waitlist,
            request_key=key,
        )
        row = claim.enrollment
        if not claim.created:  # an active row exists and this is not a retry of the request that made it
            raise DomainError("already_enrolled", fields={"enrollment": row.pk, "status": row.status})
        school_id = section.course.school_id
        action = "enrollment.seat.granted" if row.status == Enrollment.Status.ENROLLED else "enrollment.waitlist.joined"
        _audit(action, by=by, row=row, school_id=school_id, request=request, source=row.source, **_enrollment_data(row))
        _record_changes(claim.changes, school_id=school_id, request=request)
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
        _audit(
            action,
            by=by,
            row=enrollment,
            school_id=section.course.school_id,
            request=request,
            reason=reason,
            note=note,
            **_enrollment_data(enrollment),
        )
        _record_changes(changes, school_id=section.course.school_id, request=request)
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
            _check_clash(student=enrollment.student, section=section, exclude_id=enrollment.pk)
        taken, changes = capacity.offer_take(
            enrollment=enrollment,
            now=now,
            offer_hours=selectors.offer_hours_for(school_id=section.course.school_id, term_id=section.term_id),
        )
        if taken:
            _audit(
                "enrollment.offer.accepted",
                by=by,
                row=enrollment,
                school_id=section.course.school_id,
                request=request,
                **_enrollment_data(enrollment),
            )
        _record_changes(changes, school_id=section.course.school_id, request=request)
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
            detail=_later(lambda n=window.max_choices: gettext("Choose at most %(n)s courses.") % {"n": n}),
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
            pk__in=[i for i in section_ids if 0 < i <= selectors.MAX_ID]
        )
    }
    for section_id in section_ids:
        section = sections.get(section_id)
        if section is None or section.term_id != window.term_id:
            raise DomainError("not_eligible")
        _check_eligible(student=student, section=section)
    with transaction.atomic():
        capacity.student_lock(student.pk)
        Preference.objects.filter(window=window, student=student).delete()
        rows = Preference.objects.bulk_create(
            Preference(window=window, student=student, section_id=section_id, rank=rank)
            for rank, section_id in enumerate(section_ids, start=1)
        )
        _audit(
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
    *, student: Student, term: Term, weekday: int, choice: str, by: Any, request: HttpRequest | None = None
) -> DismissalChoice:
    """Flexible dismissal: when the child goes home on one weekday of the term."""
    if weekday not in range(5) or choice not in Dismissal.values or term.school_id != student.school_id:
        raise DomainError("validation_error", fields={"dismissal": "invalid"})
    row, _created = DismissalChoice.objects.update_or_create(
        student=student, term=term, weekday=weekday, defaults={"choice": choice}
    )
    _audit(
        "enrollment.dismissal.changed",
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
            _record_changes(changes, school_id=section.course.school_id, request=None)
            expired += len(changes.expired)
    return expired


# --- Coordinators ----------------------------------------------------------------------------------


def roster_add(
    *,
    school: School,
    section: Section,
    student: Student,
    by: Any,
    reason: str,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> Enrollment:
    """The school gives a pupil a seat by hand (any time, with a reason); never beyond capacity."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("validation_error", detail=_("Give a reason."), fields={"reason": "required"})
    if section.course.school_id != school.pk or student.school_id != school.pk:
        raise DomainError("not_found")
    _check_eligible(student=student, section=section)
    with transaction.atomic():
        capacity.student_lock(student.pk)
        if Enrollment.objects.filter(student=student, section=section, status__in=capacity.ACTIVE).exists():
            raise DomainError("already_enrolled")
        _check_clash(student=student, section=section)
        claim = capacity.claim(
            student=student,
            section_id=section.pk,
            now=now,
            offer_hours=selectors.offer_hours_for(school_id=school.pk, term_id=section.term_id),
            waitlist=False,
            source=Enrollment.Source.SCHOOL,
            note=reason[:200],
        )
        _audit(
            "enrollment.seat.granted",
            by=by,
            row=claim.enrollment,
            school_id=school.pk,
            request=request,
            source="school",
            reason=reason,
            **_enrollment_data(claim.enrollment),
        )
        _record_changes(claim.changes, school_id=school.pk, request=request)
        return claim.enrollment


def roster_remove(*, enrollment: Enrollment, by: Any, reason: str, request: HttpRequest | None = None) -> Enrollment:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("validation_error", detail=_("Give a reason."), fields={"reason": "required"})
    return enrollment_withdraw(
        enrollment=enrollment, by=by, request=request, reason=Enrollment.EndReason.SCHOOL, note=reason[:200]
    )


@transaction.atomic
def window_save(
    *,
    school: School,
    by: Any,
    data: dict[str, Any],
    window: EnrollmentWindow | None = None,
    request: HttpRequest | None = None,
) -> EnrollmentWindow:
    """Create or change an enrollment window of the school (data already validated by the form)."""
    if data["term"].school_id != school.pk or (window is not None and window.school_id != school.pk):
        raise DomainError("not_found")
    created = window is None
    rules = ("max_seats", "priority_order", "missed_first_choice_bonus", "head_start_hours")
    stored = None if created else EnrollmentWindow.objects.select_for_update().get(pk=window.pk)
    if stored is not None and stored.opens_at <= timezone.now():  # (a ModelForm already changed `window`)
        changed = [name for name in rules if name in data and data[name] != getattr(stored, name)]
        if changed:
            # Families rank knowing the rules; like the lottery seed, they are fixed once the window opens.
            raise DomainError("conflict", _("The allocation rules are fixed once the window opens."))
    window = window or EnrollmentWindow(school=school)
    for name in ("term", "mode", "opens_at", "closes_at", "max_choices", "offer_hours", *rules):
        if name in data:
            setattr(window, name, data[name])
    window.save()
    _audit(
        "enrollment.window.created" if created else "enrollment.window.changed",
        by=by,
        row=window,
        school_id=school.pk,
        request=request,
        mode=window.mode,
        opens_at=window.opens_at.isoformat(),
        closes_at=window.closes_at.isoformat(),
        max_choices=window.max_choices,
        offer_hours=window.offer_hours,
    )
    return window


@transaction.atomic
def notice_publish(
    *,
    school: School,
    by: Any,
    title: str,
    body: str,
    grade: int | None = None,
    section: Section | None = None,
    request: HttpRequest | None = None,
) -> Notice:
    """A notice to the families of the whole school, of one grade, or of one section."""
    if section is not None and section.course.school_id != school.pk:
        raise DomainError("not_found")
    if grade is not None and section is not None:
        raise DomainError("validation_error", fields={"audience": "one_only"})
    notice = Notice.objects.create(
        school=school, grade=grade, section=section, title=title.strip()[:100], body=body.strip()[:2000], created_by=by
    )
    _audit(
        "enrollment.notice.published",
        by=by,
        row=notice,
        school_id=school.pk,
        request=request,
        grade=grade,
        section=section.pk if section else None,
    )
    return notice
