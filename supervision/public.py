"""一公开: what anyone may see without logging in — plans (with the seed commitment before the draw and
the seed after), drawn targets with their results, closed rectifications. Institution names and
outcomes only: inspectors appear as opaque ids with their department (what re-running the draw
needs), never names, codes or accounts."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from supervision.draw import RULE
from supervision.models import Institution, ItemResult, Notice, Plan

PUBLIC_STATUSES = (Plan.Status.COMMITTED, Plan.Status.PUBLISHED)


def public_plans() -> list[Plan]:
    return list(Plan.objects.filter(status__in=PUBLIC_STATUSES).select_related("district").order_by("-committed_at"))


def public_plan(plan_id: int) -> Plan | None:
    return Plan.objects.filter(status__in=PUBLIC_STATUSES, pk=plan_id).select_related("district").first()


def plan_summary(plan: Plan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "title": plan.title,
        "district": plan.district.name,
        "status": plan.status,
        "rule": RULE,
        "commitment": plan.commitment,
        "committed_at": plan.committed_at,
        "seed": plan.seed if plan.status == Plan.Status.PUBLISHED else "",
        "drawn_at": plan.drawn_at,
        "population_size": plan.population_size,
        "targets_wanted": (plan.frozen or {}).get("n"),
        "per_target": plan.per_target,
        "departments": plan.departments,
    }


def plan_targets(plan: Plan) -> list[dict[str, Any]]:
    rows = []
    targets = plan.targets.select_related("institution", "inspection").prefetch_related("assignments__inspector")
    for target in targets:
        inspection = getattr(target, "inspection", None)
        counts: dict[str, int] = {}
        if inspection is not None and inspection.status == "submitted":
            for row in inspection.results.filter(current=True).values("result").annotate(n=Count("id")):
                counts[row["result"]] = row["n"]
        rows.append(
            {
                "institution_id": target.institution_id,
                "institution": target.institution.name,
                "rank": target.rank,
                "score": target.score,
                "inspectors": [
                    {
                        "id": a.inspector_id,
                        "department": a.inspector.department,
                        "department_label": str(a.inspector.get_department_display()),
                        "score": a.score,
                    }
                    for a in target.assignments.all()
                ],
                "signed_off": bool(inspection and inspection.status == "submitted"),
                "ok": counts.get(ItemResult.Result.OK, 0),
                "problems": counts.get(ItemResult.Result.PROBLEM, 0),
                "fixed_on_site": counts.get(ItemResult.Result.FIXED, 0),
            }
        )
    return rows


def plan_inputs(plan: Plan) -> dict[str, Any]:
    """The frozen inputs of the draw, as published (inspectors as id and department only)."""
    frozen = plan.frozen or {}
    return {
        "rule": frozen.get("rule", RULE),
        "n": frozen.get("n"),
        "per_target": frozen.get("per_target"),
        "population": frozen.get("population", []),
        "inspectors": [[i, d] for i, _code, d in frozen.get("inspectors", [])],
        "conflicts": frozen.get("conflicts", []),
    }


def closed_notices(limit: int = 200) -> list[dict[str, Any]]:
    notices = (
        Notice.objects.filter(status=Notice.Status.CLOSED)
        .select_related("institution")
        .annotate(n_items=Count("items"))
        .order_by("-closed_at")[:limit]
    )
    return [
        {
            "number": n.label,
            "institution": n.institution.name,
            "items": n.n_items,
            "issued_at": n.issued_at,
            "closed_at": n.closed_at,
        }
        for n in notices
    ]


def counts() -> dict[str, int]:
    return Institution.objects.aggregate(
        total=Count("id"), operating=Count("id", filter=Q(status=Institution.Status.OPERATING))
    )
