"""API of the 转登 one-stop window: the bureau's cases, summary and deadline, each case's steps,
materials and visits; the institution's own case. Every input bounded; every refusal a stable code
(409 `invalid_transition` out of order, 409 `conversion_materials_missing` naming the missing ones,
404 for another district's case).

No `from __future__ import annotations` here: ninja reads the payload types through the role
decorator, which needs real classes rather than strings.
"""

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from accounts.api_access import api_allow
from accounts.models import Role
from accounts.schemas import ErrorOut
from core.errors import DomainError
from core.validation import NOT_BLANK, Day, Id, Int, Text
from supervision import selectors
from supervision import selectors_conversion as reads
from supervision.models import ConversionCase
from supervision.models.conversion import MATERIALS, Step, Target, material_label
from supervision.services import conversion as services

router = Router(tags=["supervision: conversion (转登)"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}

TargetCode = Literal["non_profit", "non_subject", "deregister"]
StepCode = Literal[
    "intake",
    "materials",
    "licence_reissued",
    "licence_cancelled",
    "civil_registered",
    "business_cancelled",
    "business_changed",
    "done",
]
MaterialCode = Literal[tuple(sorted({m.code for ms in MATERIALS.values() for m in ms}))]  # type: ignore[valid-type]
StateCode = Literal["", "done", "in_progress", "overdue"]
TargetFilter = Literal["", "non_profit", "non_subject", "deregister"]

assert set(StepCode.__args__) == set(Step.values) and set(TargetCode.__args__) == set(Target.values)


class SummaryOut(Schema):
    total: int
    done: int
    in_progress: int
    overdue: int
    visits: int
    mean_visits: float | None
    within_one_visit: int
    share_within_one_visit: float | None
    deadline: dt.date | None


class MaterialOut(Schema):
    code: str
    label: str
    step: str
    received: bool
    received_at: dt.datetime | None
    received_by: str


class VisitOut(Schema):
    visited_on: dt.date
    purpose: str


class CaseOut(Schema):
    id: int
    institution_id: int
    institution: str
    credit_code: str
    target: str
    step: str
    steps: list[str]
    next_step: str | None
    holder: str
    opened_at: dt.datetime
    done_at: dt.datetime | None
    deadline: dt.date | None
    extended: bool
    overdue: bool
    visits: int


class CaseDetailOut(CaseOut):
    missing: list[str]
    materials: list[MaterialOut]
    visit_list: list[VisitOut]


class CasePageOut(Schema):
    total: int
    results: list[CaseOut]


class OpenIn(Schema):
    institution_id: Id
    target: TargetCode = "non_profit"


class OpenAllIn(Schema):
    target: TargetCode = "non_profit"


class OpenAllOut(Schema):
    opened: int
    case_ids: list[int]


class DeadlineIn(Schema):
    deadline: Day | None = None
    title: Text(100) = ""


class AdvanceIn(Schema):
    to: StepCode


class MaterialIn(Schema):
    code: MaterialCode
    note: Text(200) = ""


class VisitIn(Schema):
    visited_on: Day
    purpose: Text(200, required=True)


class ExtensionIn(Schema):
    """A new deadline needs its reason (stated below); `extended_to: null` withdraws the extension."""

    model_config = {
        "json_schema_extra": {
            "anyOf": [
                {"properties": {"extended_to": {"type": "null"}}},
                {
                    "required": ["extended_to", "reason"],
                    "properties": {"reason": {"minLength": 1, "pattern": NOT_BLANK}},
                },
            ]
        },
    }

    extended_to: Day | None = None
    reason: Text(200) = ""


class TargetIn(Schema):
    target: TargetCode


def _case(c: ConversionCase, *, today: dt.date, district_deadline: dt.date | None, visits: int) -> dict[str, Any]:
    return {
        "id": c.pk,
        "institution_id": c.institution_id,
        "institution": c.institution.name,
        "credit_code": c.institution.credit_code,
        "target": c.target,
        "step": c.step,
        "steps": list(c.steps),
        "next_step": c.next_step,
        "holder": c.holder,
        "opened_at": c.opened_at,
        "done_at": c.done_at,
        "deadline": c.deadline_for(district_deadline),
        "extended": c.extended_to is not None,
        "overdue": c.is_overdue(today, district_deadline),
        "visits": visits,
    }


def _detail(c: ConversionCase) -> dict[str, Any]:
    today = timezone.localdate()
    detail = reads.case_detail(c, today=today)
    received = detail["received"]
    return {
        **_case(c, today=today, district_deadline=detail["district_deadline"], visits=len(detail["visits"])),
        "missing": [m["code"] for m in detail["missing"]],
        "materials": [
            {
                "code": m.code,
                "label": material_label(m.code),
                "step": m.step,
                "received": m.code in received,
                "received_at": received[m.code].received_at if m.code in received else None,
                "received_by": str(received[m.code].received_by or "") if m.code in received else "",
            }
            for m in MATERIALS[c.target]
        ],
        "visit_list": [{"visited_on": v.visited_on, "purpose": v.purpose} for v in detail["visits"]],
    }


def _summary(request: HttpRequest) -> dict[str, Any]:
    s = reads.summary(reads.cases_for_bureau(request.actor))
    district = selectors.bureau_district(request.actor)
    return {
        "total": s.total,
        "done": s.done,
        "in_progress": s.in_progress,
        "overdue": s.overdue,
        "visits": s.visits,
        "mean_visits": s.mean_visits,
        "within_one_visit": s.within_one,
        "share_within_one_visit": s.share_within_one,
        "deadline": reads.deadline_for(district.pk),
    }


@router.get("/supervision/conversion/summary", response={200: SummaryOut, **ERRORS})
@api_allow(Role.BUREAU)
def conversion_summary(request: HttpRequest):
    """Counted from the cases each time: total = done + in progress; overdue ⊆ in progress."""
    return _summary(request)


@router.get("/supervision/conversion/cases", response={200: CasePageOut, **ERRORS})
@api_allow(Role.BUREAU)
def conversion_cases(request: HttpRequest, state: StateCode = "", target: TargetFilter = "", limit: Int(1, 500) = 500):
    """The district's cases, filtered by state (done / in_progress / overdue) and target."""
    today = timezone.localdate()
    qs, _filters = reads.filter_cases(
        reads.cases_for_bureau(request.actor), {"state": state, "target": target}, today=today
    )
    rows = reads.case_rows(qs, limit=limit, today=today)
    return {
        "total": qs.count(),
        "results": [_case(c, today=today, district_deadline=c.district_deadline, visits=c.n_visits) for c in rows],
    }


@router.post("/supervision/conversion/cases", response={201: CaseDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def conversion_open(request: HttpRequest, payload: OpenIn):
    """Open the case of one for-profit subject-type institution (409 if not eligible or open)."""
    institution = selectors.institution_for_bureau(request.actor, payload.institution_id)
    case = services.case_open(institution=institution, target=payload.target, by=request.auth, request=request)
    return Status(201, _detail(case))


@router.post("/supervision/conversion/cases/open-all", response={200: OpenAllOut, **ERRORS})
@api_allow(Role.BUREAU)
def conversion_open_all(request: HttpRequest, payload: OpenAllIn):
    """Open a case for every eligible institution without one (a second call opens none)."""
    opened = services.cases_open_all(
        district=selectors.bureau_district(request.actor), target=payload.target, by=request.auth, request=request
    )
    return {"opened": len(opened), "case_ids": [c.pk for c in opened]}


@router.put("/supervision/conversion/deadline", response={200: SummaryOut, **ERRORS})
@api_allow(Role.BUREAU)
def conversion_deadline(request: HttpRequest, payload: DeadlineIn):
    """Set (or clear, with null) the district's deadline; answers the summary it gives."""
    services.setting_update(
        district=selectors.bureau_district(request.actor),
        deadline=payload.deadline,
        title=payload.title,
        by=request.auth,
        request=request,
    )
    return _summary(request)


@router.get("/supervision/conversion/cases/{case_id}", response={200: CaseDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def conversion_case(request: HttpRequest, case_id: Id):
    return _detail(reads.case_for_bureau(request.actor, case_id))


@router.post("/supervision/conversion/cases/{case_id}/advance", response={200: CaseDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def conversion_advance(request: HttpRequest, case_id: Id, payload: AdvanceIn):
    """Take the next step, named in `to` (409 invalid_transition otherwise; 409
    conversion_materials_missing, naming them, while a material of that step is missing)."""
    case = reads.case_for_bureau(request.actor, case_id)
    return _detail(services.case_advance(case=case, to=payload.to, by=request.auth, request=request))


@router.post("/supervision/conversion/cases/{case_id}/materials", response={200: CaseDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def conversion_material(request: HttpRequest, case_id: Id, payload: MaterialIn):
    case = reads.case_for_bureau(request.actor, case_id)
    services.material_receive(case=case, code=payload.code, note=payload.note, by=request.auth, request=request)
    return _detail(case)


@router.post("/supervision/conversion/cases/{case_id}/visits", response={200: CaseDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def conversion_visit(request: HttpRequest, case_id: Id, payload: VisitIn):
    case = reads.case_for_bureau(request.actor, case_id)
    services.visit_record(
        case=case, visited_on=payload.visited_on, purpose=payload.purpose, by=request.auth, request=request
    )
    return _detail(case)


@router.put("/supervision/conversion/cases/{case_id}/target", response={200: CaseDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def conversion_target(request: HttpRequest, case_id: Id, payload: TargetIn):
    case = reads.case_for_bureau(request.actor, case_id)
    return _detail(services.case_set_target(case=case, target=payload.target, by=request.auth, request=request))


@router.put("/supervision/conversion/cases/{case_id}/extension", response={200: CaseDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def conversion_extension(request: HttpRequest, case_id: Id, payload: ExtensionIn):
    """Grant the case its own deadline (with a reason), or withdraw it with `extended_to: null`."""
    case = reads.case_for_bureau(request.actor, case_id)
    found = services.case_extend(
        case=case, extended_to=payload.extended_to, reason=payload.reason, by=request.auth, request=request
    )
    return _detail(found)


@router.get("/supervision/my/conversion", response={200: CaseDetailOut, **ERRORS})
@api_allow(Role.INSTITUTION)
def my_conversion(request: HttpRequest):
    """The institution's own case (404 if it has none)."""
    case = reads.case_for_institution(request.actor)
    if case is None:
        raise DomainError("not_found")
    return _detail(case)
