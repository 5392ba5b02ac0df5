"""Supervision API: the bureau's register and plans, the inspector's tasks, the institution's notices,
and the public 一公开 data (no login) that `manage.py supervision_verify` re-derives the draw from.

No `from __future__ import annotations` here: ninja reads the payload types through the role
decorator, which needs real classes rather than strings.
"""

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from accounts.api_access import api_allow, api_public
from accounts.models import Role
from accounts.schemas import ErrorOut
from core.errors import DomainError
from core.ids import id_or_404
from core.validation import Id, Int, Text
from supervision import public, selectors
from supervision.models import Institution, Notice, Plan
from supervision.schemas import (
    CommitIn,
    CommitOut,
    DrawIn,
    InstitutionDetailOut,
    InstitutionIn,
    InstitutionOut,
    InstitutionPageOut,
    InstitutionPatch,
    NoticeOut,
    PlanIn,
    PlanOut,
    PublicNoticeOut,
    PublicPlanDetailOut,
    PublicPlanOut,
    TaskOut,
)
from supervision.services import plans as plan_services
from supervision.services import register

router = Router(tags=["supervision"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _institution(i: Institution, schema: Any = InstitutionDetailOut) -> dict[str, Any]:
    """The fields of `schema` (a list row reads only the columns the register page loaded)."""
    return {name: getattr(i, name) for name in schema.model_fields if hasattr(i, name)} | {"id": i.pk}


def _plan(p: Plan) -> dict[str, Any]:
    return {
        "id": p.pk,
        "title": p.title,
        "status": p.status,
        "commitment": p.commitment,
        "seed": p.seed if p.status == Plan.Status.PUBLISHED else "",
        "population_size": p.population_size,
        "committed_at": p.committed_at,
        "drawn_at": p.drawn_at,
    }


@router.get("/supervision/institutions", response={200: InstitutionPageOut, **ERRORS})
@api_allow(Role.BUREAU)
def institution_list(
    request: HttpRequest,
    q: Text(100) = "",
    kind: Text(20) = "",
    status: Text(20) = "",
    township: Text(50) = "",
    grid: Text(50) = "",
    grade: Text(10) = "",
    page: Int(1, 10_000) = 1,
):
    """The district's register: search (name or credit code prefix), filters, 50 a page."""
    params = {"q": q, "kind": kind, "status": status, "township": township, "grid": grid, "grade": grade}
    result = selectors.register_search(Institution.objects.visible_to_bureau(request.actor), params, page=page)
    return {
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "results": [_institution(i, InstitutionOut) for i in result.rows],
    }


@router.post("/supervision/institutions", response={201: InstitutionDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def institution_create(request: HttpRequest, payload: InstitutionIn):
    district = selectors.bureau_district(request.actor)
    institution = register.institution_create(
        district=district, data=payload.dict(), by=request.auth, request=request, source="api"
    )
    return Status(201, _institution(institution))


@router.get("/supervision/institutions/{institution_id}", response={200: InstitutionDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def institution_read(request: HttpRequest, institution_id: Id):
    return _institution(selectors.institution_for_bureau(request.actor, institution_id))


@router.patch("/supervision/institutions/{institution_id}", response={200: InstitutionDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def institution_patch(request: HttpRequest, institution_id: Id, payload: InstitutionPatch):
    institution = selectors.institution_for_bureau(request.actor, institution_id)
    data = payload.dict(exclude_unset=True)
    institution = register.institution_update(
        institution=institution, data=data, by=request.auth, request=request, source="api"
    )
    return _institution(institution)


@router.get("/supervision/plans", response={200: list[PlanOut], **ERRORS})
@api_allow(Role.BUREAU)
def plan_list(request: HttpRequest):
    return [_plan(p) for p in selectors.plans_for_bureau(request.actor)]


@router.post("/supervision/plans", response={201: PlanOut, **ERRORS})
@api_allow(Role.BUREAU)
def plan_create(request: HttpRequest, payload: PlanIn):
    data = payload.dict()  # checklist ids as given: one that names no list is 409 checklist_unknown
    plan = plan_services.plan_create(
        district=selectors.bureau_district(request.actor), data=data, by=request.auth, request=request
    )
    return Status(201, _plan(plan))


@router.put("/supervision/plans/{plan_id}", response={200: PlanOut, **ERRORS})
@api_allow(Role.BUREAU)
def plan_update(request: HttpRequest, plan_id: Id, payload: PlanIn):
    plan = selectors.plan_for_bureau(request.actor, plan_id)
    return _plan(plan_services.plan_update(plan=plan, data=payload.dict(), by=request.auth, request=request))


@router.post("/supervision/plans/{plan_id}/commit", response={200: CommitOut, **ERRORS})
@api_allow(Role.BUREAU)
def plan_commit(request: HttpRequest, plan_id: Id, payload: CommitIn):
    """Freeze the population and publish the seed's SHA-256. Without a commitment the site makes the
    seed and returns it once (`generated_seed`)."""
    plan = selectors.plan_for_bureau(request.actor, plan_id)
    plan, seed = plan_services.plan_commit(plan=plan, commitment=payload.commitment, by=request.auth, request=request)
    return {**_plan(plan), "generated_seed": seed}


@router.post("/supervision/plans/{plan_id}/draw", response={200: PlanOut, **ERRORS})
@api_allow(Role.BUREAU)
def plan_draw(request: HttpRequest, plan_id: Id, payload: DrawIn):
    plan = selectors.plan_for_bureau(request.actor, plan_id)
    return _plan(plan_services.plan_draw(plan=plan, seed=payload.seed, by=request.auth, request=request))


@router.get("/supervision/tasks", response={200: list[TaskOut], **ERRORS})
@api_allow(Role.INSPECTOR)
def task_list(request: HttpRequest):
    inspector = selectors.inspector_for(request.actor)
    return [
        {
            "inspection_id": t.pk,
            "plan": t.target.plan.title,
            "institution": t.target.institution.name,
            "address": t.target.institution.address,
            "status": t.status,
        }
        for t in selectors.inspector_tasks(inspector)
    ]


def _notice(n: Notice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "number": n.label,
        "institution": n.institution.name,
        "deadline": n.deadline,
        "status": n.status,
        "overdue": n.is_overdue(timezone.localdate()),
        "items": [i.text for i in n.items.all()],
        "response": n.response,
    }


@router.get("/supervision/my/notices", response={200: list[NoticeOut], **ERRORS})
@api_allow(Role.INSTITUTION)
def my_notices(request: HttpRequest):
    return [_notice(n) for n in selectors.notices_for_institution(request.actor).select_related("institution")]


@router.get("/public/supervision/plans", auth=None, response={200: list[PublicPlanOut], **ERRORS})
@api_public
def public_plans(request: HttpRequest):
    """Committed and published plans (一公开): the commitment before the draw, the seed after it."""
    return [public.plan_summary(p) for p in public.public_plans()]


@router.get("/public/supervision/plans/{plan_id}", auth=None, response={200: PublicPlanDetailOut, **ERRORS})
@api_public
def public_plan(request: HttpRequest, plan_id: Id):
    """A plan with the frozen inputs of its draw and the drawn targets with their results."""
    plan = public.public_plan(id_or_404(plan_id))
    if plan is None:
        raise DomainError("not_found")
    return {**public.plan_summary(plan), "inputs": public.plan_inputs(plan), "targets": public.plan_targets(plan)}


@router.get("/public/supervision/rectifications", auth=None, response={200: list[PublicNoticeOut], **ERRORS})
@api_public
def public_rectifications(request: HttpRequest):
    """Closed rectification notices: number, institution, how many items, issued and closed."""
    return public.closed_notices()
