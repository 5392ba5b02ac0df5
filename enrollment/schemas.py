from __future__ import annotations

from ninja import Schema


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


class SchoolParticipationOut(Schema):
    school_id: int
    school: str
    kind: str
    on_roll: int | None
    taking_part: int | None
    rate: float | None


class DistrictSummaryOut(Schema):
    school_count: int
    on_roll: int
    taking_part: int
    rate: float | None
    schools: list[SchoolParticipationOut]
