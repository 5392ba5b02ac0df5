"""API shapes of the supervision app."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import field_validator

from core.validation import Day, Id, Int, Text
from supervision import credit_code


def _no_default(schema: dict) -> None:
    """An optional field that may not be null: no `default: null` in the document either."""
    if schema.get("default", "") is None:
        schema.pop("default")


def _credit_code_schema(schema: dict) -> None:
    schema.update(format=CREDIT_CODE_FORMAT, examples=[credit_code.make("5", "2", "320506", "MJ000001")])
    _no_default(schema)  # optional in a patch, never null


#: 统一社会信用代码: its shape as a pattern (the 31-character alphabet, a known registration authority
#: and organisation type, six region digits); the two check characters (GB 11714, GB 32100) no
#: pattern can state, so the format names them (a generated client can validate with
#: `supervision.credit_code`, and the contract test generates codes with it).
CREDIT_CODE_PATTERN = r"^(?:[15][1239]|9[123]|Y1)[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
CREDIT_CODE_FORMAT = "credit-code"
CreditCode = Annotated[
    str,
    Field(
        max_length=18,
        pattern=CREDIT_CODE_PATTERN,
        description=(
            "unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters whose 17th and 18th "
            "are check characters (format `credit-code`; a wrong one is 422)"
        ),
        json_schema_extra=lambda schema: _credit_code_schema(schema),
    ),
]
#: A mobile number (11 digits) or a landline with its area code (what register.PHONE_RE accepts).
RegisterPhone = Annotated[str, Field(max_length=20, pattern=r"^(1[0-9]{10}|0[0-9]{2,3}-?[0-9]{7,8})?$")]
InstitutionKind = Literal["subject", "non_subject"]
LegalForm = Literal["for_profit", "non_profit"]
InstitutionStatus = Literal["operating", "suspended", "closed", "converting"]
Prepaid = Literal["escrow", "deposit", "none"]


class InstitutionIn(Schema):
    """Bounded to the register's columns (core.validation: no NUL, no lone surrogate). A provider
    that is not the district's is 404; one already linked to another institution, or a credit code
    another institution of the register has, is 409."""

    name: Text(100, required=True)
    credit_code: CreditCode
    kind: InstitutionKind
    legal_form: LegalForm
    licence_no: Text(40) = ""
    licence_expires: Day | None = None
    status: InstitutionStatus = "operating"
    address: Text(200) = ""
    township: Text(50, required=True)
    grid: Text(50) = ""
    contact_name: Text(50) = ""
    contact_phone: RegisterPhone = ""
    prepaid: Prepaid = "none"
    provider_id: Id | None = None


class InstitutionPatch(Schema):
    """The fields to change; null clears the licence's date and the provider, and is not a name,
    a code or a township (leave those out to keep them)."""

    name: Text(100, required=True) = Field(None, json_schema_extra=_no_default)
    credit_code: CreditCode = None
    kind: InstitutionKind | None = None
    legal_form: LegalForm | None = None
    licence_no: Text(40) | None = None
    licence_expires: Day | None = None
    status: InstitutionStatus | None = None
    address: Text(200) | None = None
    township: Text(50, required=True) = Field(None, json_schema_extra=_no_default)
    grid: Text(50) | None = None
    contact_name: Text(50) | None = None
    contact_phone: RegisterPhone | None = None
    prepaid: Prepaid | None = None
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
    commitment: Annotated[
        str,
        Field(
            max_length=64,
            pattern=r"^([0-9a-fA-F]{64})?$",
            description="the seed's SHA-256 in hex; empty: the site makes the seed and returns it once",
        ),
    ] = ""


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
