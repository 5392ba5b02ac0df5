"""API shapes of the supervision app."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import field_validator

from core.validation import Day, Id, Int, Text


class InstitutionIn(Schema):
    """Bounded to the register's columns (core.validation: no NUL, no lone surrogate)."""

    name: Text(100)
    credit_code: Text(30)  # checked by the service (18 characters, check digits)
    kind: Text(20)
    legal_form: Text(20)
    licence_no: Text(40) = ""
    licence_expires: Day | None = None
    status: Text(20) = "operating"
    address: Text(200) = ""
    township: Text(50)
    grid: Text(50) = ""
    contact_name: Text(50) = ""
    contact_phone: Text(20) = ""
    prepaid: Text(20) = "none"
    provider_id: Id | None = None


class InstitutionPatch(Schema):
    name: Text(100) | None = None
    credit_code: Text(30) | None = None
    kind: Text(20) | None = None
    legal_form: Text(20) | None = None
    licence_no: Text(40) | None = None
    licence_expires: Day | None = None
    status: Text(20) | None = None
    address: Text(200) | None = None
    township: Text(50) | None = None
    grid: Text(50) | None = None
    contact_name: Text(50) | None = None
    contact_phone: Text(20) | None = None
    prepaid: Text(20) | None = None
    provider_id: Id | None = None


class InstitutionOut(Schema):
    id: int
    name: str
    credit_code: str
    kind: str
    legal_form: str
    status: str
    township: str
    grid: str
    grade: str
    prepaid: str


class ReasonOut(Schema):
    id: str
    colour: str
    sentence: str


class InstitutionDetailOut(InstitutionOut):
    licence_no: str
    licence_expires: date | None
    address: str
    contact_name: str
    contact_phone: str
    provider_id: int | None
    grade_reasons: list[ReasonOut]


class InstitutionPageOut(Schema):
    total: int
    page: int
    pages: int
    results: list[InstitutionOut]


class PlanIn(Schema):
    """What the service accepts, stated: two departments at least, one list at least, and a number of
    targets or a percentage (anyOf below)."""

    model_config = {
        "json_schema_extra": {
            "anyOf": [
                {"required": ["n_targets"], "properties": {"n_targets": {"type": "integer"}}},
                {"required": ["percent"], "properties": {"percent": {"type": "number"}}},
            ]
        },
    }

    title: Text(100, required=True)
    kinds: list[Text(20)] = Field([], max_length=10)
    statuses: list[Text(20)] = Field(["operating"], max_length=10)
    townships: list[Text(50)] = Field([], max_length=200)
    grades: list[Text(10)] = Field([], max_length=3)
    n_targets: Int(1, 100_000) | None = None
    percent: float | None = Field(None, gt=0, le=100)
    per_target: Int(2, 10) = 2
    departments: list[Literal["education", "market", "civil", "fire"]] = Field(
        ..., min_length=2, max_length=4, json_schema_extra={"uniqueItems": True}
    )
    checklists: list[Id] = Field(..., min_length=1, max_length=50)

    @field_validator("departments")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each department once")
        return value


class CommitIn(Schema):
    commitment: Text(64) = ""


class DrawIn(Schema):
    seed: Text(128)


class PlanOut(Schema):
    id: int
    title: str
    status: str
    commitment: str
    seed: str
    population_size: int
    committed_at: datetime | None
    drawn_at: datetime | None


class CommitOut(PlanOut):
    generated_seed: str


class TaskOut(Schema):
    inspection_id: int
    plan: str
    institution: str
    address: str
    status: str


class NoticeOut(Schema):
    id: int
    number: str
    institution: str
    deadline: date
    status: str
    overdue: bool
    items: list[str]
    response: str


class PublicPlanOut(Schema):
    id: int
    title: str
    district: str
    status: str
    rule: str
    commitment: str
    committed_at: datetime | None
    seed: str
    drawn_at: datetime | None
    population_size: int
    targets_wanted: int | None
    per_target: int
    departments: list[str]


class PublicInspectorOut(Schema):
    id: int
    department: str
    score: str


class PublicTargetOut(Schema):
    institution_id: int
    institution: str
    rank: int
    score: str
    inspectors: list[PublicInspectorOut]
    signed_off: bool
    ok: int
    problems: int
    fixed_on_site: int


class PublicInputsOut(Schema):
    rule: str
    n: int | None
    per_target: int | None
    population: list[int]
    inspectors: list[list]
    conflicts: list[list[int]]


class PublicPlanDetailOut(PublicPlanOut):
    inputs: PublicInputsOut
    targets: list[PublicTargetOut]


class PublicNoticeOut(Schema):
    number: str
    institution: str
    items: int
    issued_at: datetime
    closed_at: datetime | None
