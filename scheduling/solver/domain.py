"""Plain, frozen data the timetabling engine reads and writes.

These classes are the solver's own vocabulary. They are not API schemas: the Django adapter
(``scheduling/adapters.py``) converts rows into them and back, so the engine can be tested,
benchmarked and reused without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# Groups whose key starts with this only forbid overlaps; compactness and spread rules skip them
# (used e.g. for "same teacher" when a teacher is modelled as a group).
CLASH_ONLY = "clash:"

SolveStatus = Literal["optimal", "feasible", "infeasible", "unknown", "cancelled", "invalid"]


@dataclass(frozen=True)
class Slot:
    """One (weekday, session) cell of a school's weekly after-school grid."""

    id: str
    weekday: int  # 0 = Monday … 4 = Friday
    session: int  # index of the session within the day, 0-based
    start_minute: int  # minutes after midnight
    end_minute: int
    school: str

    def gap_to(self, other: Slot) -> int | None:
        """Minutes between the two intervals on the same weekday (negative = overlap), else None."""
        if self.weekday != other.weekday:
            return None
        return max(other.start_minute - self.end_minute, self.start_minute - other.end_minute)


@dataclass(frozen=True)
class Room:
    """A room of a school; every meeting needs one with enough seats and the right equipment."""

    id: str
    school: str
    capacity: int
    features: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Teacher:
    """A school teacher or a partner (vocational) teacher who may serve several schools."""

    id: str
    name: str
    schools: frozenset[str]
    subjects: frozenset[str] = frozenset()
    unavailable: frozenset[str] = frozenset()  # slot ids
    max_periods_week: int = 10
    preferred: frozenset[str] = frozenset()  # slot ids; empty = no preference
    avoid: frozenset[str] = frozenset()  # slot ids


@dataclass(frozen=True)
class SectionDemand:
    """One teaching group to place: how often it meets, how big it is and who may teach it.

    ``groups`` are the keys of pupil sets that must never be in two places at once: a class for
    homework help, a grade's club band, or the pupils already enrolled in it.
    ``eligible_teachers`` empty means "anyone whose subjects contain ``course``".
    ``home_room`` is the room every meeting must use (homework help in the class's own room,
    rule ``homework_in_home_room``); None = no requirement, which is how a school switches the
    rule off for a course.
    """

    id: str
    course: str
    school: str
    meetings_per_week: int
    expected_size: int
    features: frozenset[str] = frozenset()
    eligible_teachers: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    kind: str = "club"  # "homework" | "club" | "partner" | … ; "club" feeds club_band_spread
    min_days: int = 0  # ITC-2007 MinWorkingDays; 0 = not used
    session: int | None = None  # the daily session (0-based) this section belongs in; None = any
    name: str = ""  # shown to coordinators; falls back to the id
    home_room: str | None = None  # room id every meeting must use; None = any suitable room


@dataclass(frozen=True)
class Pin:
    """A coordinator's fixed choice for one meeting: any subset of slot, room and teacher."""

    section: str
    meeting: int = 0
    slot: str | None = None
    room: str | None = None
    teacher: str | None = None


@dataclass(frozen=True)
class Placement:
    """Where and with whom one weekly meeting of a section happens."""

    section: str
    meeting: int
    slot: str
    room: str
    teacher: str


@dataclass(frozen=True)
class Solution:
    """A timetable plus how it was obtained; ``cost`` always comes from ``check.check``."""

    placements: tuple[Placement, ...]
    status: SolveStatus
    cost: int | None = None
    cost_by_rule: tuple[tuple[str, int], ...] = ()
    bound: float | None = None
    elapsed: float = 0.0
    hard_violations: int = 0


@dataclass(frozen=True)
class Problem:
    """Everything one solve needs. ``travel_minutes[(a, b)]`` is symmetric; missing = 0."""

    slots: tuple[Slot, ...]
    rooms: tuple[Room, ...]
    teachers: tuple[Teacher, ...]
    sections: tuple[SectionDemand, ...]
    pins: tuple[Pin, ...] = ()
    travel_minutes: dict[tuple[str, str], int] = field(default_factory=dict)
    previous: Solution | None = None
    weights: dict[str, int] = field(default_factory=dict)

    def travel(self, a: str, b: str) -> int:
        """Travel minutes between two schools (0 within a school)."""
        if a == b:
            return 0
        return self.travel_minutes.get((a, b), self.travel_minutes.get((b, a), 0))


@dataclass(frozen=True)
class Violation:
    """One broken rule, with the things it concerns and a sentence for the coordinator."""

    rule_id: str
    subjects: tuple[str, ...]
    message_zh: str
    message_en: str
    cost: int = 1  # weighted cost for soft rules; 1 per hard violation


def eligible_teacher_ids(section: SectionDemand, teachers: tuple[Teacher, ...]) -> frozenset[str]:
    """Who may teach a section: the explicit list, else teachers of that subject at that school."""
    if section.eligible_teachers:
        return section.eligible_teachers
    return frozenset(t.id for t in teachers if section.course in t.subjects and section.school in t.schools)
