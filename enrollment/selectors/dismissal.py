"""Flexible dismissal (弹性离校): the one conflict rule, a day's effective choice, the gate rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from courses.models import Term
from enrollment.models import (
    Dismissal,
    DismissalChange,
    DismissalChoice,
    DismissalRules,
    Enrollment,
    Student,
)
from enrollment.selectors.meetings import Meeting

# --- Flexible dismissal (弹性离校): THE conflict rule, a day's effective choice, the gate rules -----

#: The last session a pupil stays for with each dismissal choice (extended care: every session).
LAST_SESSION = {Dismissal.AFTER_SESSION_1.value: 1, Dismissal.AFTER_SESSION_2.value: 2, Dismissal.EXTENDED.value: None}


def dismissal_misses(choice: str, meetings: Iterable[Meeting]) -> list[Meeting]:
    """THE conflict rule of flexible dismissal: the meetings a pupil would miss by going home at
    `choice` — those in a later session than the last one the choice stays for (a pupil who leaves
    after session 1 misses a session-2 club). Every page, warning and gate list asks this function."""
    last = LAST_SESSION.get(choice, 2)
    if last is None:
        return []
    return [m for m in meetings if m.session is not None and m.session > last]


@dataclass(frozen=True)
class DismissalConflict:
    """A pupil's dismissal choice on a weekday leaves before a course of theirs that day."""

    student_id: int
    weekday: int
    choice: str
    course: str
    meeting: Meeting

    @property
    def choice_label(self) -> str:
        return str(Dismissal(self.choice).label)


def dismissal_conflicts(
    *, term_id: int, choices: dict[tuple[int, int], str]
) -> dict[tuple[int, int], list[DismissalConflict]]:
    """{(pupil, weekday): the courses that pupil would miss} for the (pupil, weekday) → choice pairs
    given (a family's weekly choices, one day's effective choices on the gate list, or a choice
    about to be saved). Seats held in `term_id`'s published timetable; pairs without a conflict
    are absent. Two queries, whatever the number of pupils."""
    if not choices:
        return {}
    pupils = {sid for sid, _wd in choices}
    seats = list(
        Enrollment.objects.filter(student_id__in=pupils, status="enrolled", section__term_id=term_id).values_list(
            "student_id", "section_id", "section__course__title"
        )
    )
    from enrollment import selectors  # the package's name: one patch or replacement reaches every caller

    times = selectors.section_times({section_id for _sid, section_id, _t in seats})
    by_pupil: dict[int, list[tuple[str, Meeting]]] = {}
    for sid, section_id, title in seats:
        for meeting in times.get(section_id, []):
            by_pupil.setdefault(sid, []).append((title, meeting))
    out: dict[tuple[int, int], list[DismissalConflict]] = {}
    for (sid, weekday), choice in choices.items():
        day = [(t, m) for t, m in by_pupil.get(sid, []) if m.weekday == weekday]
        missed = {id(m) for m in dismissal_misses(choice, [m for _t, m in day])}
        hits = [DismissalConflict(sid, weekday, choice, t, m) for t, m in day if id(m) in missed]
        if hits:
            out[sid, weekday] = sorted(hits, key=lambda c: (c.meeting.session or 0, c.course))
    return out


def dismissal_rules_for(school_id: int) -> DismissalRules:
    """The school's gate rules, or the defaults (cut-off 12:00, no extended care) if it set none."""
    return DismissalRules.objects.filter(school_id=school_id).first() or DismissalRules(school_id=school_id)


def dismissal_on(*, student_ids: Iterable[int], term: Term, day: dt.date, weekday: int) -> dict[int, tuple[str, bool]]:
    """{pupil: (choice, changed for this day)} — a change for `day` beats the weekly choice, which
    beats the default (after session 2)."""
    ids = list(student_ids)
    out = dict.fromkeys(ids, (Dismissal.AFTER_SESSION_2.value, False))
    for sid, choice in DismissalChoice.objects.filter(student_id__in=ids, term=term, weekday=weekday).values_list(
        "student_id", "choice"
    ):
        out[sid] = (choice, False)
    for sid, choice in DismissalChange.objects.filter(student_id__in=ids, date=day).values_list("student_id", "choice"):
        out[sid] = (choice, True)
    return out


def dismissal_changes_ahead(*, student: Student, today: dt.date) -> list[DismissalChange]:
    return list(DismissalChange.objects.filter(student=student, date__gte=today).order_by("date"))
