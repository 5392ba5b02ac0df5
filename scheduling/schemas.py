"""API shapes of timetabling (not the solver's dataclasses)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from core.validation import INT32_MAX, Id, Int


class SolveRunIn(Schema):
    time_limit: float = Field(20.0, ge=1, le=600)
    seed: Int(0, INT32_MAX) = 0
    base_timetable_id: Id | None = None
    term_id: Id | None = None


class SolveRunOut(Schema):
    id: int
    school_id: int
    term_id: int
    status: str
    requested_at: datetime = Field(..., validation_alias="created_at")
    started_at: datetime | None
    finished_at: datetime | None
    time_limit: float
    seed: int
    best_cost: float | None
    bound: float | None
    elapsed: float
    first_feasible_at: float | None
    progress: int = Field(..., description="percent done (by time while running; 100 when finished)")
    cancel_requested: bool
    message: str
    explanation: list[dict]
    base_timetable_id: int | None
    result_timetable_id: int | None


class PlacementOut(Schema):
    id: int
    section_id: int
    meeting: int
    slot_id: int
    weekday: int
    session: int
    start: str
    end: str
    room_id: int
    teacher_id: int
    pinned: bool


class TimetableOut(Schema):
    id: int
    school_id: int
    term_id: int
    version: int
    status: str
    created_at: datetime
    published_at: datetime | None
    cost: int | None
    hard_violations: int
    cost_by_rule: dict[str, int]
    hard_by_rule: dict[str, int]
    placements: list[PlacementOut]
