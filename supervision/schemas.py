"""API shapes of the supervision app."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class InstitutionIn(Schema):
    name: str = Field(..., max_length=100)
    credit_code: str = Field(..., max_length=30)
    kind: str
    legal_form: str
    licence_no: str = ""
    licence_expires: date | None = None
    status: str = "operating"
    address: str = ""
    township: str = Field(..., max_length=50)
    grid: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    prepaid: str = "none"
    provider_id: int | None = None


class InstitutionPatch(Schema):
    name: str | None = None
    credit_code: str | None = None
    kind: str | None = None
    legal_form: str | None = None
    licence_no: str | None = None
    licence_expires: date | None = None
    status: str | None = None
    address: str | None = None
    township: str | None = None
    grid: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    prepaid: str | None = None
    provider_id: int | None = None


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
    title: str = Field(..., max_length=100)
    kinds: list[str] = []
    statuses: list[str] = ["operating"]
    townships: list[str] = []
    grades: list[str] = []
    n_targets: int | None = None
    percent: float | None = None
    per_target: int = 2
    departments: list[str]
    checklists: list[int]


class CommitIn(Schema):
    commitment: str = ""


class DrawIn(Schema):
    seed: str


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
