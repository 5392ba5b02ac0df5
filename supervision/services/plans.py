"""Check-item list versions and 双随机 plans: draft, commit (population frozen, seed hash), draw.

The draw itself is `supervision.draw.draw` (pure); this module freezes its inputs at commit and
writes its result. Refusals: editing or committing a plan that is not a draft → 409
`plan_not_draft`; drawing before commit → 409 `plan_not_committed`; drawing twice → 409
`plan_already_drawn`; a seed that does not match → 409 `plan_seed_mismatch`; more targets than the
population frozen at commit (or none) → 409 `plan_too_many_targets` (a state of the register, not of
the request); too few eligible inspectors → 409
`plan_too_few_inspectors` naming the target.
"""

from __future__ import annotations

import math
import re
import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import DomainError
from core.validation import FieldErrors, clean_text
from courses.models import District
from supervision import draw as drawing
from supervision.models import (
    CheckItem,
    CheckList,
    Conflict,
    Department,
    Inspection,
    Inspector,
    Institution,
    Plan,
    PlanAssignment,
    PlanTarget,
)

HEX64 = re.compile(r"^[0-9a-f]{64}$")


@transaction.atomic
def checklist_new_version(*, department: str, title: str, items: list[str], by: Any = None) -> CheckList:
    """A new version of a department's list (older versions stay as they were for their plans)."""
    errors = FieldErrors()
    if department not in Department.values:
        errors.add("department", _("Choose one of the listed values."))
    title = clean_text(title, max_length=100)
    if not title:
        errors.add("title", _("This field is required."))
    lines = [clean_text(i, max_length=200) for i in items if clean_text(i, max_length=200)]
    if not lines:
        errors.add("items", _("List at least one check item, one a line."))
    errors.raise_if_any()
    last = CheckList.objects.select_for_update().filter(department=department).order_by("-version").first()
    version = (last.version + 1) if last else 1
    checklist = CheckList.objects.create(department=department, version=version, title=title)
    prefix = department[:3].upper()
    CheckItem.objects.bulk_create(
        CheckItem(checklist=checklist, code=f"{prefix}-{n:02d}", text=text, order=n)
        for n, text in enumerate(lines, start=1)
    )
    audit_record(action="supervision.checklist.created", actor=by, obj=checklist, data={"version": version})
    return checklist


def _clean_plan(data: dict[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    title = clean_text(data.get("title"), max_length=100)
    if not title:
        errors.add("title", _("This field is required."))
    departments = sorted({d for d in data.get("departments") or [] if d in Department.values})
    if len(departments) < 2:
        errors.add("departments", _("A joint inspection needs at least two departments."))
    per_target = int(data.get("per_target") or 2)
    if per_target < 2:
        errors.add("per_target", _("At least two inspectors per target."))
    n_targets = data.get("n_targets")
    percent = data.get("percent")
    if not n_targets and not percent:
        errors.add("n_targets", _("Give the number of targets or a percentage."))
    if n_targets is not None and int(n_targets) < 1:
        errors.add("n_targets", _("At least one target."))
    checklists = list(data.get("checklists") or [])
    if not checklists:
        errors.add("checklists", _("Choose at least one check-item list."))
    errors.raise_if_any()
    ids = {getattr(c, "pk", c) for c in checklists}  # pages pass rows, the API ids
    if CheckList.objects.filter(pk__in=ids).count() != len(ids):
        raise DomainError("checklist_unknown")  # an id the client made up: state, not shape (409)
    population = {
        "kinds": [k for k in data.get("kinds") or [] if k in Institution.Kind.values],
        "statuses": [s for s in data.get("statuses") or [] if s in Institution.Status.values],
        "townships": [t for t in (clean_text(x, max_length=50) for x in data.get("townships") or []) if t],
        "grades": [g for g in data.get("grades") or [] if g in ("green", "yellow", "red")],
    }
    return {
        "title": title,
        "departments": departments,
        "per_target": per_target,
        "n_targets": int(n_targets) if n_targets else None,
        "percent": Decimal(str(percent)) if percent and not n_targets else None,
        "population_filter": population,
        "checklists": checklists,
    }


@transaction.atomic
def plan_create(
    *, district: District, data: dict[str, Any], by: Any = None, request: HttpRequest | None = None
) -> Plan:
    fields = _clean_plan(data)
    checklists = fields.pop("checklists")
    plan = Plan.objects.create(district=district, created_by=by if getattr(by, "pk", None) else None, **fields)
    plan.checklists.set(checklists)
    audit_record(action="supervision.plan.created", actor=by, obj=plan, request=request)
    return plan


@transaction.atomic
def plan_update(*, plan: Plan, data: dict[str, Any], by: Any = None, request: HttpRequest | None = None) -> Plan:
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.DRAFT:
        raise DomainError("plan_not_draft")
    fields = _clean_plan(data)
    checklists = fields.pop("checklists")
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.save()
    plan.checklists.set(checklists)
    audit_record(action="supervision.plan.updated", actor=by, obj=plan, request=request)
    return plan


def population_queryset(plan: Plan):
    f = plan.population_filter or {}
    qs = Institution.objects.filter(district_id=plan.district_id)
    if f.get("kinds"):
        qs = qs.filter(kind__in=f["kinds"])
    if f.get("statuses"):
        qs = qs.filter(status__in=f["statuses"])
    if f.get("townships"):
        qs = qs.filter(township__in=f["townships"])
    if f.get("grades"):
        qs = qs.filter(grade__in=f["grades"])
    return qs


@transaction.atomic
def plan_commit(
    *, plan: Plan, commitment: str = "", by: Any = None, request: HttpRequest | None = None
) -> tuple[Plan, str]:
    """Freeze the population and the inspector pool and publish the seed's SHA-256. Returns the plan
    and the seed when the site made it (shown once, never stored until the draw), else ""."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != Plan.Status.DRAFT:
        raise DomainError("plan_not_draft")
    seed = ""
    commitment = (commitment or "").strip().lower()
    if not commitment:
        seed = secrets.token_hex(16)
        commitment = drawing.commitment_of(seed)
    elif not HEX64.match(commitment):
        raise DomainError("validation_error", fields={"commitment": [_("64 hexadecimal characters (a SHA-256).")]})
    population = sorted(population_queryset(plan).values_list("id", flat=True))
    n = plan.n_targets or math.ceil(len(population) * float(plan.percent or 0) / 100)
    if n < 1 or n > len(population):
        raise DomainError("plan_too_many_targets", detail=f"({n} > {len(population)})" if n > len(population) else "")
    pool = list(
        Inspector.objects.filter(district_id=plan.district_id, active=True, department__in=plan.departments)
        .order_by("id")
        .values_list("id", "code", "department")
    )
    pool_ids = [p[0] for p in pool]
    conflicts = sorted(
        Conflict.objects.filter(inspector_id__in=pool_ids, institution__in=population_queryset(plan)).values_list(
            "inspector_id", "institution_id"
        )
    )
    plan.frozen = {
        "rule": drawing.RULE,
        "n": n,
        "per_target": plan.per_target,
        "population": population,
        "inspectors": [list(p) for p in pool],
        "conflicts": [list(c) for c in conflicts],
        "checklists": sorted(plan.checklists.values_list("id", flat=True)),
    }
    plan.population_size = len(population)
    plan.commitment = commitment
    plan.status = Plan.Status.COMMITTED
    plan.committed_at = timezone.now()
    plan.save()
    audit_record(
        action="supervision.plan.committed",
        actor=by,
        obj=plan,
        request=request,
        data={"commitment": commitment, "population": len(population), "n": n},
    )
    return plan, seed


def run_draw(frozen: dict[str, Any], seed: str) -> drawing.Drawn:
    """The pure draw over a plan's frozen inputs (the site and supervision_verify both call this)."""
    return drawing.draw(
        seed=seed,
        population=frozen["population"],
        n=frozen["n"],
        inspectors=[(i, d) for i, _code, d in frozen["inspectors"]],
        per_target=frozen["per_target"],
        conflicts=[tuple(c) for c in frozen["conflicts"]],
    )


@transaction.atomic
def plan_draw(*, plan: Plan, seed: str, by: Any = None, request: HttpRequest | None = None) -> Plan:
    """Reveal the seed, check it against the commitment, draw and publish targets and inspectors."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == Plan.Status.DRAFT:
        raise DomainError("plan_not_committed")
    if plan.status == Plan.Status.PUBLISHED:
        raise DomainError("plan_already_drawn")
    seed = (seed or "").strip()
    if not seed or len(seed) > 128 or not drawing.verify_commitment(seed, plan.commitment):
        raise DomainError("plan_seed_mismatch")
    try:
        drawn = run_draw(plan.frozen, seed)
    except drawing.DrawError as error:
        if error.code == "too_few_inspectors":
            name = Institution.objects.filter(pk=error.target).values_list("name", flat=True).first() or error.target
            raise DomainError("plan_too_few_inspectors", detail=f"{name}") from error
        raise DomainError("plan_too_many_targets") from error
    for rank, pick in enumerate(drawn.targets, start=1):
        target = PlanTarget.objects.create(plan=plan, institution_id=pick.id, rank=rank, score=pick.score)
        PlanAssignment.objects.bulk_create(
            PlanAssignment(target=target, inspector_id=p.id, rank=n, score=p.score)
            for n, p in enumerate(drawn.inspectors[pick.id], start=1)
        )
        Inspection.objects.create(target=target)
    plan.seed = seed
    plan.status = Plan.Status.PUBLISHED
    plan.drawn_at = timezone.now()
    plan.save()
    audit_record(
        action="supervision.plan.drawn",
        actor=by,
        obj=plan,
        request=request,
        data={"seed": seed, "targets": [p.id for p in drawn.targets]},
    )
    return plan


def plan_items(plan: Plan) -> list[CheckItem]:
    """The check items of a plan (its frozen list versions)."""
    ids = (plan.frozen or {}).get("checklists") or list(plan.checklists.values_list("id", flat=True))
    return list(
        CheckItem.objects.filter(checklist_id__in=ids)
        .select_related("checklist")
        .order_by("checklist__department", "order")
    )
