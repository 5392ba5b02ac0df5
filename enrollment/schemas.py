from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from ninja import Field, Schema

from core.validation import Bool, Id, Money


class SeatOut(Schema):
    section: int
    course: str
    status: str


class ChildOut(Schema):
    id: int
    name: str
    school: str
    grade: int
    school_class: str
    seats: list[SeatOut]


# --- Enrollment ------------------------------------------------------------------------------------


class EnrollmentIn(Schema):
    student: Id
    section: Id
    waitlist: Bool = Field(True, description="join the waitlist when the section is full (else 409 section_full)")
    confirmed_total: Money(digits=6) | None = Field(
        None,
        description="paid courses: the term total the family confirmed (else 409 fee_not_confirmed, whose fields "
        "give fee_per_class_hour, meetings and term_total)",
    )


class EnrollmentOut(Schema):
    id: int
    student: int
    section: int
    course: str
    status: str
    waitlist_position: int | None = None
    offer_expires_at: datetime | None = None


class MeetingOut(Schema):
    weekday: int
    start: time | None = None
    end: time | None = None
    session: int | None = None
    room: str = ""


class CatalogueItemOut(Schema):
    section: int
    code: str
    course: str
    kind: str
    description: str
    teacher: str | None
    rooms: list[str]
    meetings: list[MeetingOut]
    meetings_per_week: int
    capacity: int
    seats_left: int
    waiting: int
    fee_per_class_hour: Decimal
    my_status: str | None
    my_rank: int | None


class WindowOut(Schema):
    id: int
    mode: str
    opens_at: datetime
    closes_at: datetime
    max_choices: int
    phase: str


class PreferencesIn(Schema):
    sections: list[Id] = Field(max_length=5, description="section ids, first choice first")


class PreferencesOut(Schema):
    window: WindowOut | None
    sections: list[int]


class WeekItemOut(Schema):
    enrollment: int
    section: int
    course: str
    teacher: str | None
    meeting: MeetingOut | None


class WeekDayOut(Schema):
    weekday: int
    label: str
    dismissal: str
    items: list[WeekItemOut]


class ChildWeekOut(Schema):
    student: int
    name: str
    term: str | None
    days: list[WeekDayOut]
    unscheduled: list[WeekItemOut]
