"""Writes of coordinators: rosters, windows, notices, a section's seats; the pupil's private calendar feed."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.validation import clean_text
from courses import services as courses_services
from courses.models import School, Section, Term
from enrollment import capacity as seat_capacity
from enrollment import selectors
from enrollment.models import (
    Enrollment,
    EnrollmentWindow,
    Notice,
    PupilCalendarFeed,
    RosterProposal,
    Student,
)
from enrollment.services.common import audit, later_text, seat_changes_record
from enrollment.services.families import enrollment_withdraw
from enrollment.services.proposals import roster_propose

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")

# --- Coordinators ----------------------------------------------------------------------------------


def roster_add(
    *,
    school: School,
    section: Section,
    student: Student,
    by: Any,
    reason: str,
    request: HttpRequest | None = None,
) -> RosterProposal:
    """The school puts a pupil forward for a section (with a reason): a PROPOSAL the family accepts
    or declines (自愿参加), never a silent enrollment — it holds no seat until the family accepts
    (`enrollment.services.proposals`)."""
    return roster_propose(school=school, section=section, student=student, by=by, reason=reason, request=request)


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
    """Create or change an enrollment window of the school (data already validated by the form).

    `lottery_seed_hash` (optional) is the published commitment to the lottery seed, SHA-256 in hex;
    like the allocation rules it is fixed once the window opens."""
    if data["term"].school_id != school.pk or (window is not None and window.school_id != school.pk):
        raise DomainError("not_found")
    if "lottery_seed_hash" in data:
        data = {**data, "lottery_seed_hash": str(data["lottery_seed_hash"] or "").strip().lower()}
        if data["lottery_seed_hash"] and not _SHA256_HEX.fullmatch(data["lottery_seed_hash"]):
            raise DomainError(
                "validation_error",
                fields={
                    "lottery_seed_hash": [_("The commitment is the SHA-256 of the seed: 64 hexadecimal characters.")]
                },
            )
    _window_overlap_check(school=school, data=data, window=window)
    created = window is None
    rules = ("max_seats", "priority_order", "missed_first_choice_bonus", "head_start_hours", "lottery_seed_hash")
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
    audit(
        "enrollment.window.created" if created else "enrollment.window.updated",
        by=by,
        row=window,
        school_id=school.pk,
        request=request,
        mode=window.mode,
        opens_at=window.opens_at.isoformat(),
        closes_at=window.closes_at.isoformat(),
        max_choices=window.max_choices,
        offer_hours=window.offer_hours,
        commitment=window.lottery_seed_hash,
    )
    return window


def _window_overlap_check(*, school: School, data: dict[str, Any], window: EnrollmentWindow | None) -> None:
    """Two windows of one school and term open at the same time are refused, naming the other one:
    a family would not know which rules (ranked choices or first-come) apply."""
    opens, closes = data.get("opens_at"), data.get("closes_at")
    if opens is None or closes is None:
        return
    other = (
        EnrollmentWindow.objects.filter(school=school, term=data["term"], opens_at__lt=closes, closes_at__gt=opens)
        .exclude(pk=getattr(window, "pk", None))
        .order_by("opens_at")
        .first()
    )
    if other is not None:
        raise DomainError(
            "window_overlaps",
            detail=later_text(
                lambda: (
                    gettext("“%(mode)s” is open from %(opens)s to %(closes)s.")
                    % {
                        "mode": other.get_mode_display(),
                        "opens": f"{timezone.localtime(other.opens_at):%Y-%m-%d %H:%M}",
                        "closes": f"{timezone.localtime(other.closes_at):%Y-%m-%d %H:%M}",
                    }
                )
            ),
            fields={"opens_at": [gettext("Overlaps another window of this term.")], "window": other.pk},
        )


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
    audit(
        "enrollment.notice.published",
        by=by,
        row=notice,
        school_id=school.pk,
        request=request,
        grade=grade,
        section=section.pk if section else None,
    )
    return notice


# --- the pupil's private calendar feed ----------------------------------------------------------


@transaction.atomic
def calendar_feed_issue(*, student: Student, by: Any, request: HttpRequest | None = None) -> PupilCalendarFeed:
    """A new private feed URL for the child's week; earlier feeds stay valid until revoked."""
    feed = PupilCalendarFeed.objects.create(student=student, created_by=by)
    audit("enrollment.feed.issued", by=by, row=feed, school_id=student.school_id, request=request)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, feed: PupilCalendarFeed, by: Any, request: HttpRequest | None = None) -> None:
    PupilCalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit("enrollment.feed.revoked", by=by, row=feed, school_id=feed.student.school_id, request=request)


# --- a section's seats (set-up) -------------------------------------------------------------------


def section_update(
    *,
    section: Section,
    term: Term,
    code: str,
    capacity: Any,
    teacher: Any = None,
    school_class: Any = None,
    by: Any,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> Section:
    """The coordinator edits a section: its seats through `enrollment.capacity` (never below the seats
    held; new seats are offered to the waitlist, audited, with their expiry), the rest through
    `courses.services.section_update`. Every problem is reported at once; nothing is written unless
    all of it can be."""
    now = now or timezone.now()
    school_id = section.course.school_id
    with transaction.atomic():
        locked = seat_capacity.section_lock(section.pk)
        errors = courses_services.section_errors(
            course=locked.course,
            term=term,
            code=clean_text(code, max_length=30),
            capacity=capacity,
            teacher=teacher,
            school_class=school_class,
            section=locked,
        )
        if "capacity" not in errors.fields and capacity != locked.capacity:
            problem = seat_capacity.capacity_problem(locked, capacity, now=now)
            if problem:
                errors.add("capacity", problem)
        errors.raise_if_any()
        before = locked.capacity
        if capacity != before:
            offer_hours = selectors.offer_hours_for(school_id=school_id, term_id=locked.term_id)
            locked, changes = seat_capacity.capacity_set(
                section_id=locked.pk, capacity=capacity, now=now, offer_hours=offer_hours
            )
            audit(
                "enrollment.section.updated",
                by=by,
                row=locked,
                school_id=school_id,
                request=request,
                capacity_before=before,
                capacity=capacity,
                offers=len(changes.offered),
            )
            seat_changes_record(changes, school_id=school_id, request=request)
        return courses_services.section_update(
            section=locked, term=term, code=code, teacher=teacher, school_class=school_class, by=by
        )
