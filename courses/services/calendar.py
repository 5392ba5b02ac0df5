"""Writes for a school's calendar: terms, holidays and swapped days (调休), the 5+2 time grid."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import DomainError
from core.validation import FieldErrors, clean_text, save_or_conflict
from courses.models import (
    CalendarException,
    School,
    Slot,
    Teacher,
    Term,
)
from courses.services.common import (
    MAX_SESSIONS,
    TEMPLATE_SESSIONS,
    in_use,
)

# --- Term and calendar ---------------------------------------------------------------------------


def _term_validate(*, school: School, name: str, start: Any, end: Any, term: Term | None = None) -> None:
    errors = FieldErrors()
    if not name:
        errors.add("name", _("Give the term a name."))
    elif school.terms.filter(name=name).exclude(pk=getattr(term, "pk", None)).exists():
        errors.add("name", _("This school already has a term with this name."))
    if not isinstance(start, dt.date):
        errors.add("start", _("Enter a valid date."))
    if not isinstance(end, dt.date):
        errors.add("end", _("Enter a valid date."))
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        if end <= start:
            errors.add("end", _("The term must end after it starts."))
        elif (end - start).days > 366:
            errors.add("end", _("A term cannot be longer than a year."))
        elif term is not None and term.exceptions.exclude(date__range=(start, end)).exists():
            errors.add("end", _("Some calendar exceptions would fall outside the term; remove them first."))
    errors.raise_if_any()


@transaction.atomic
def term_create(*, school: School, name: str, start: dt.date, end: dt.date, by: Any = None) -> Term:
    name = clean_text(name, max_length=50)
    _term_validate(school=school, name=name, start=start, end=end)
    term = save_or_conflict(Term(school=school, name=name, start=start, end=end))
    audit_record(action="courses.term.created", actor=by, obj=term, school_id=school.pk)
    return term


@transaction.atomic
def term_update(*, term: Term, name: str, start: dt.date, end: dt.date, by: Any = None) -> Term:
    name = clean_text(name, max_length=50)
    _term_validate(school=term.school, name=name, start=start, end=end, term=term)
    term.name, term.start, term.end = name, start, end
    save_or_conflict(term)
    audit_record(action="courses.term.updated", actor=by, obj=term, school_id=term.school_id)
    return term


@transaction.atomic
def calendar_exception_add(
    *,
    term: Term,
    date: dt.date,
    kind: str,
    follows_weekday: int | None = None,
    note: str = "",
    by: Any = None,
) -> CalendarException:
    """A holiday on a school day, or a swapped working day (调休) on a weekend that follows a weekday."""
    errors = FieldErrors()
    if not isinstance(date, dt.date):
        errors.add("date", _("Enter a valid date."))
    elif not term.start <= date <= term.end:
        errors.add("date", _("The date is outside the term."))
    elif term.exceptions.filter(date=date).exists():
        errors.add("date", _("This date already has an exception."))
    if kind == CalendarException.Kind.HOLIDAY:
        follows_weekday = None
        if isinstance(date, dt.date) and date.weekday() >= 5:
            errors.add("date", _("This date is a weekend: there is no after-school service anyway."))
    elif kind == CalendarException.Kind.WORKDAY:
        if follows_weekday is None or not 0 <= int(follows_weekday) <= 4:
            errors.add("follows_weekday", _("Choose which weekday's timetable the swapped working day follows."))
        if isinstance(date, dt.date) and date.weekday() < 5:
            errors.add("date", _("A swapped working day falls on a weekend; this date is already a school day."))
    else:
        errors.add("kind", _("Choose holiday or swapped working day."))
    errors.raise_if_any()
    exception = save_or_conflict(
        CalendarException(
            term=term,
            date=date,
            kind=kind,
            follows_weekday=follows_weekday,
            note=clean_text(note, max_length=100),
        )
    )
    audit_record(
        action="courses.calendar_exception.created",
        actor=by,
        obj=exception,
        school_id=term.school_id,
        data={"date": date.isoformat(), "kind": kind},
    )
    return exception


@transaction.atomic
def calendar_exception_delete(*, exception: CalendarException, by: Any = None) -> None:
    school_id = exception.term.school_id
    data = {"date": exception.date.isoformat(), "kind": exception.kind}
    exception.delete()
    audit_record(action="courses.calendar_exception.deleted", actor=by, school_id=school_id, data=data)


# --- Time grid -------------------------------------------------------------------------------------


def _sessions_validate(
    sessions: Sequence[tuple[Any, Any] | None], *, prefix: str
) -> list[tuple[int, dt.time, dt.time]]:
    """[(session, start, end)] for the filled sessions; errors name the field `<prefix><n>`."""
    errors = FieldErrors()
    filled: list[tuple[int, dt.time, dt.time]] = []
    if len(sessions) > MAX_SESSIONS:
        errors.add(f"{prefix}1", _("At most %(n)s sessions a day.") % {"n": MAX_SESSIONS})
    for number, pair in enumerate(sessions[:MAX_SESSIONS], start=1):
        if pair is None or (pair[0] is None and pair[1] is None):
            continue
        start, end = pair
        if not isinstance(start, dt.time) or not isinstance(end, dt.time):
            errors.add(f"{prefix}{number}", _("Give both a start and an end time."))
            continue
        if end <= start:
            errors.add(f"{prefix}{number}", _("A session must end after it starts."))
            continue
        if filled and start < filled[-1][2]:
            errors.add(f"{prefix}{number}", _("A session must start after the previous one ends."))
            continue
        filled.append((number, start, end))
    if not filled and not errors.fields:
        errors.add(f"{prefix}1", _("Keep at least one session: after-school service runs on every school day."))
    errors.raise_if_any()
    return filled


def _weekday_apply(*, school: School, weekday: int, filled: list[tuple[int, dt.time, dt.time]]) -> list[Slot]:
    existing = {s.session: s for s in Slot.objects.select_for_update().filter(school=school, weekday=weekday)}
    wanted = {number for number, _start, _end in filled}
    for number, slot in existing.items():
        if number not in wanted:
            if in_use(slot, ignore=[(Teacher, "unavailable_slots")]):
                raise DomainError(
                    "conflict",
                    _("%(slot)s is used by a timetable and cannot be removed.") % {"slot": slot},
                )
            slot.delete()
    result = []
    for number, start, end in filled:
        slot = existing.get(number) or Slot(school=school, weekday=weekday, session=number)
        if slot.pk is None or (slot.start, slot.end) != (start, end):
            slot.start, slot.end = start, end
            save_or_conflict(slot)
        result.append(slot)
    return result


@transaction.atomic
def slot_weekday_save(
    *, school: School, weekday: int, sessions: Sequence[tuple[Any, Any] | None], by: Any = None
) -> list[Slot]:
    """Set one weekday's sessions (index 0 is session 1; None removes that session)."""
    if weekday not in range(5):
        raise DomainError("validation_error", fields={"weekday": [_("Choose a weekday from Monday to Friday.")]})
    filled = _sessions_validate(sessions, prefix="session_")
    slots = _weekday_apply(school=school, weekday=weekday, filled=filled)
    audit_record(
        action="courses.grid.updated",
        actor=by,
        school_id=school.pk,
        data={"weekday": weekday, "sessions": [[f"{s:%H:%M}", f"{e:%H:%M}"] for _n, s, e in filled]},
    )
    return slots


@transaction.atomic
def slot_grid_apply_template(
    *,
    school: School,
    sessions: Sequence[tuple[Any, Any] | None] = TEMPLATE_SESSIONS,
    friday_sessions: Sequence[tuple[Any, Any] | None] | None = None,
    by: Any = None,
) -> list[Slot]:
    """The 5+2 grid: the same sessions Monday to Friday, Friday optionally different."""
    filled = _sessions_validate(sessions, prefix="session_")
    friday = _sessions_validate(friday_sessions, prefix="friday_") if friday_sessions else filled
    slots: list[Slot] = []
    for weekday in range(5):
        slots += _weekday_apply(school=school, weekday=weekday, filled=friday if weekday == 4 else filled)
    audit_record(action="courses.grid.applied", actor=by, school_id=school.pk, data={"slots": len(slots)})
    return slots
