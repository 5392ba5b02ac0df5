"""A section's weekly meetings as the family sees them, and when two of them clash."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from courses.models import WEEKDAY_CHOICES
from scheduling.selectors import published_meetings


@dataclass(frozen=True)
class Meeting:
    """One weekly meeting of a section: weekday 0=Mon … 4=Fri, times, session and room when known."""

    weekday: int
    start: dt.time | None = None
    end: dt.time | None = None
    session: int | None = None
    room: str = ""

    @property
    def weekday_label(self) -> str:
        return str(dict(WEEKDAY_CHOICES).get(self.weekday, self.weekday))

    def overlaps(self, other: Meeting) -> bool:
        if self.weekday != other.weekday:
            return False
        if None not in (self.start, self.end, other.start, other.end):
            return self.start < other.end and other.start < self.end
        return self.session is not None and self.session == other.session


def section_times(section_ids: Iterable[int]) -> dict[int, list[Meeting]]:
    """The weekly meetings of each section from the *published* timetable; unknown sections are absent.

    This is the one place the enrollment side learns when a section meets (clash checks, the
    catalogue's days and times, `child_week`). Sections of a school without a published timetable have no
    known times, so nothing clashes with them. Filled from the published
    `scheduling.Placement` rows: one Meeting(weekday, slot.start, slot.end, slot.session, room.name)
    per placement of a published timetable.
    """
    return {
        section_id: [Meeting(m.weekday, m.start, m.end, m.session, m.room) for m in meetings]
        for section_id, meetings in published_meetings(section_ids).items()
    }


def meetings_clash(a: Iterable[Meeting], b: Iterable[Meeting]) -> bool:
    b = list(b)
    return any(m.overlaps(n) for m in a for n in b)
