"""Dismissal at the gate (弹性离校): a family's change for one day, pick-up persons, a school's gate rules.

A family may change a day's dismissal up to that day's cut-off time (the school's rule, 12:00 by
default); after it the gate list is final and the change is refused with the cut-off time. A change
of the WEEKLY choice after today's cut-off keeps today as it was (the old choice is pinned for
today) and applies from the next such weekday.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.validation import FieldErrors
from courses.models import School, Term
from enrollment import notify, selectors
from enrollment.models import (
    Dismissal,
    DismissalChange,
    DismissalChoice,
    DismissalRules,
    Student,
)
from enrollment.services.common import audit, dismissal_misses_check
from scheduling.selectors import term_days

PHONE_DIGITS = range(7, 21)


def term_of_day(*, school_id: int, day: dt.date) -> Term | None:
    return Term.objects.filter(school_id=school_id, start__lte=day, end__gte=day).order_by("-start").first()


def cutoff_check(*, school_id: int, day: dt.date, now: dt.datetime) -> None:
    """Refuse a change for `day` once that day's cut-off has passed (or the day is over), naming the time."""
    local = timezone.localtime(now)
    cutoff = selectors.dismissal_rules_for(school_id).change_cutoff
    if day < local.date() or (day == local.date() and local.time() >= cutoff):
        raise DomainError(
            "dismissal_cutoff",
            detail=lazy(
                lambda t=f"{cutoff:%H:%M}": gettext("Changes for a day close at %(time)s on that day.") % {"time": t},
                str,
            )(),
            fields={"cutoff": f"{cutoff:%H:%M}"},
        )


@transaction.atomic
def dismissal_day_set(
    *,
    student: Student,
    day: dt.date,
    choice: str,
    by: Any,
    request: HttpRequest | None = None,
    now: dt.datetime | None = None,
    accept_missing: bool = False,
) -> DismissalChange:
    """Change when the child goes home on ONE school day (today before the cut-off, or a later day);
    leaving before a course of that day is refused, naming it, until the family accepts it."""
    now = now or timezone.now()
    if choice not in Dismissal.values:
        raise DomainError("validation_error", fields={"choice": [gettext("Choose when the child goes home.")]})
    cutoff_check(school_id=student.school_id, day=day, now=now)
    term = term_of_day(school_id=student.school_id, day=day)
    if term is None or day not in dict(term_days(term)):
        raise DomainError(
            "validation_error", fields={"date": [gettext("There is no after-school service on that day.")]}
        )
    dismissal_misses_check(
        student=student, term_id=term.pk, weekday=dict(term_days(term))[day], choice=choice, accepted=accept_missing
    )
    row, _created = DismissalChange.objects.update_or_create(
        student=student, date=day, defaults={"choice": choice, "created_by": by, "updated_at": now}
    )
    audit(
        "enrollment.dismissal_day.updated",
        by=by,
        row=row,
        school_id=student.school_id,
        request=request,
        student=student.pk,
        date=day.isoformat(),
        choice=choice,
    )
    notify.dismissal_changed(student=student, day=day, choice=choice)
    return row


@transaction.atomic
def dismissal_day_clear(
    *, student: Student, day: dt.date, by: Any, request: HttpRequest | None = None, now: dt.datetime | None = None
) -> None:
    """Go back to the weekly choice for one day (the same cut-off applies)."""
    now = now or timezone.now()
    cutoff_check(school_id=student.school_id, day=day, now=now)
    deleted, _rows = DismissalChange.objects.filter(student=student, date=day).delete()
    if deleted:
        audit(
            "enrollment.dismissal_day.updated",
            by=by,
            row=student,
            school_id=student.school_id,
            request=request,
            student=student.pk,
            date=day.isoformat(),
            choice=None,
        )


def weekly_change_pin_today(*, student: Student, term: Term, weekday: int, by: Any, now: dt.datetime) -> None:
    """Before a weekly choice changes: if today follows `weekday` and its cut-off has passed, keep
    today's gate list as it is by pinning the current choice for today."""
    local = timezone.localtime(now)
    today = local.date()
    if not term.start <= today <= term.end:
        return
    if dict(term_days(term)).get(today) != weekday:
        return
    if local.time() < selectors.dismissal_rules_for(student.school_id).change_cutoff:
        return
    if DismissalChange.objects.filter(student=student, date=today).exists():
        return
    current = (
        DismissalChoice.objects.filter(student=student, term=term, weekday=weekday)
        .values_list("choice", flat=True)
        .first()
        or Dismissal.AFTER_SESSION_2.value
    )
    DismissalChange.objects.create(student=student, date=today, choice=current, created_by=by, updated_at=now)


# --- the school's gate rules -------------------------------------------------------------------


def _time(value: Any, field: str, errors: FieldErrors, *, required: bool) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    text = str(value or "").strip()
    if not text:
        if required:
            errors.add(field, _("Enter a time such as 12:00."))
        return None
    try:
        return dt.time.fromisoformat(text[:5])
    except ValueError:
        errors.add(field, _("Enter a time such as 12:00."))
        return None


@transaction.atomic
def dismissal_rules_save(
    *, school: School, change_cutoff: Any, extended_until: Any, by: Any, request: HttpRequest | None = None
) -> DismissalRules:
    """The cut-off for changes of today's dismissal, and until when extended care runs (empty: none)."""
    errors = FieldErrors()
    cutoff = _time(change_cutoff, "change_cutoff", errors, required=True)
    until = _time(extended_until, "extended_until", errors, required=False)
    errors.raise_if_any()
    rules, _created = DismissalRules.objects.update_or_create(
        school=school, defaults={"change_cutoff": cutoff, "extended_until": until}
    )
    audit(
        "enrollment.dismissal_rules.updated",
        by=by,
        row=rules,
        school_id=school.pk,
        request=request,
        change_cutoff=f"{cutoff:%H:%M}",
        extended_until=f"{until:%H:%M}" if until else None,
    )
    return rules
