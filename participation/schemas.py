"""API schemas of participation."""

from ninja import Schema


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
