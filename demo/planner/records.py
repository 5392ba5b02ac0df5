"""The plan: plain records of everything a seed run writes, indexed by list position.

The whole district (≈44,000 pupils) fits in memory cheaply as these slotted dataclasses; the
planner fills them and the writer turns them into rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from demo.data import Size


@dataclass(slots=True)
class RoomPlan:
    name: str
    capacity: int
    features: list[str]
    budget: int = 5  # weekly meetings that may still use this room (feature rooms only; session 2)


@dataclass(slots=True)
class SchoolPlan:
    name: str
    code: str
    kind: str
    address: str
    x: float
    y: float
    classes: list[int] = field(default_factory=list)
    rooms: list[RoomPlan] = field(default_factory=list)
    teachers: list[int] = field(default_factory=list)
    courses: list[int] = field(default_factory=list)
    feeder: int | None = None  # nearby junior school of a primary school
    n_pupils: int = 0

    @property
    def grades(self) -> range:
        return {"primary": range(1, 7), "junior": range(7, 10), "nine_year": range(1, 10)}.get(self.kind, range(0))

    @property
    def has_pupils(self) -> bool:
        return self.kind != "vocational"


@dataclass(slots=True)
class ClassPlan:
    school: int
    grade: int
    number: int
    size: int
    head: int = -1
    pupils: list[int] = field(default_factory=list)


@dataclass(slots=True)
class PupilPlan:
    school: int
    klass: int
    grade: int
    sex: str
    family: int = -1
    name: str = ""
    student_no: str = ""
    groups: list[str] = field(default_factory=list)
    prefs: list[tuple[int, int]] = field(default_factory=list)  # (course, section index), rank order
    homework: bool = False


@dataclass(slots=True)
class GuardianPlan:
    name: str
    phone: str
    relation: str
    username: str


@dataclass(slots=True)
class FamilyPlan:
    children: list[int]
    guardians: list[GuardianPlan] = field(default_factory=list)
    submits: bool | None = None  # forced preference submission (demo families)


@dataclass(slots=True)
class TeacherPlan:
    school: int | None
    provider: str | None  # "vocational" | "institution" | None
    name: str
    staff_no: str
    phone: str
    subjects: list[str]
    max_periods: int
    unavailable: list[int]  # slot index = weekday * 2 + session - 1
    username: str
    load: int = 0
    sections: int = 0
    club_load: int = 0  # meetings of tutoring, clubs and partner courses: all in session 2

    @property
    def session2_free(self) -> int:
        """Session-2 slots (odd slot indexes) still free: clubs run after homework help."""
        return 5 - sum(1 for u in self.unavailable if u % 2 == 1) - self.club_load


@dataclass(slots=True)
class SectionPlan:
    code: str
    capacity: int
    teacher: int = -1
    klass: int | None = None


@dataclass(slots=True)
class CoursePlan:
    school: int
    kind: str
    title: str
    grades: list[int]
    seats: int
    meetings: int
    features: list[str]
    fee: Decimal
    subject: str
    weight: float = 1.0
    limited: bool = False
    partner: int | None = None  # index into plan.partner_courses
    description: str = ""
    sections: list[SectionPlan] = field(default_factory=list)


@dataclass
class DemoPlan:
    """Everything a seed run will write, as plain objects indexed by list position."""

    size: Size
    seed: int
    schools: list[SchoolPlan] = field(default_factory=list)
    classes: list[ClassPlan] = field(default_factory=list)
    pupils: list[PupilPlan] = field(default_factory=list)
    families: list[FamilyPlan] = field(default_factory=list)
    teachers: list[TeacherPlan] = field(default_factory=list)
    courses: list[CoursePlan] = field(default_factory=list)
    partner_courses: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)  # (provider key, row)
    hosts: list[int] = field(default_factory=list)
    vocational: int = -1
    parent_family: int = -1
    parent2_family: int = -1
    demo_teacher: int = -1
    partner_teacher: int = -1
    institution_host: int = -1
    overloaded: int = 0


def distance(a: SchoolPlan, b: SchoolPlan) -> float:
    """Kilometres between two schools of the synthetic layout."""
    return math.hypot(a.x - b.x, a.y - b.y)


def travel_minutes(a: SchoolPlan, b: SchoolPlan) -> int:
    """Travel minutes from the synthetic layout: 5 minutes plus ~2.2 minutes a km, at most 45."""
    return max(5, min(45, round(5 + 2.2 * distance(a, b))))
