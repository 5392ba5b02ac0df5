"""Reads of the 转登 window, each starting from a `visible_to_*` scope (another district's case: 404).

The summary is counted from the case rows every time (never stored), so it always equals the cases;
"overdue" compares each case with its own district's deadline (a bureau of several districts too).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from accounts.access import Actor
from core.ids import get_or_404, id_or_404
from courses.models import District
from supervision.models import ConversionCase, ConversionSetting, Department, Institution
from supervision.models.conversion import (
    ELIGIBLE,
    MATERIALS,
    Step,
    Target,
    holder_of,
    material_label,
    materials_of,
    next_step,
)

STATES = ("done", "in_progress", "overdue")
LIST_LIMIT = 500


def cases_for_bureau(actor: Actor) -> QuerySet:
    return ConversionCase.objects.filter(district__in=District.objects.visible_to_bureau(actor))


def case_for_bureau(actor: Actor, case_id: Any) -> ConversionCase:
    return get_or_404(
        cases_for_bureau(actor).select_related("institution", "district"),
        pk=id_or_404(case_id),
    )


def case_for_institution(actor: Actor) -> ConversionCase | None:
    """The case of the institution whose account the actor holds (None: no case)."""
    return (
        ConversionCase.objects.filter(institution__in=Institution.objects.visible_to_institution(actor))
        .select_related("institution", "district")
        .first()
    )


def conversion_card(actor: Actor) -> dict[str, Any]:
    """`{"conversion": case_detail(...)}` for the institution's own case, or `{"conversion": None}`."""
    found = case_for_institution(actor)
    return {"conversion": case_detail(found) if found else None}


def setting_for(district_id: int) -> ConversionSetting | None:
    return ConversionSetting.objects.filter(district_id=district_id).first()


def deadline_for(district_id: int) -> dt.date | None:
    setting = setting_for(district_id)
    return setting.deadline if setting else None


def overdue_q(today: dt.date) -> Q:
    """Not done, and past its extension if it has one, else past its district's deadline."""
    late = Q(extended_to__lt=today) | Q(extended_to__isnull=True, district__conversion_setting__deadline__lt=today)
    return ~Q(step=Step.DONE) & late


def filter_cases(qs: QuerySet, params: Any, *, today: dt.date | None = None) -> tuple[QuerySet, dict[str, str]]:
    """Filter by state (done / in progress / overdue) and target; unknown values are ignored."""
    today = today or timezone.localdate()
    filters: dict[str, str] = {}
    state = str(params.get("state") or "")
    if state == "done":
        qs = qs.filter(step=Step.DONE)
    elif state == "in_progress":
        qs = qs.exclude(step=Step.DONE)
    elif state == "overdue":
        qs = qs.filter(overdue_q(today))
    if state in STATES:
        filters["state"] = state
    target = str(params.get("target") or "")
    if target in Target.values:
        qs = qs.filter(target=target)
        filters["target"] = target
    return qs, filters


def case_rows(qs: QuerySet, *, limit: int = LIST_LIMIT, today: dt.date | None = None) -> list[ConversionCase]:
    """Rows for the list and the export: institution, visits counted, the district's deadline
    (`district_deadline`; `case.deadline_for(...)` and `is_overdue(...)` take it)."""
    today = today or timezone.localdate()
    rows = list(
        qs.select_related("institution")
        .annotate(n_visits=Count("visits"), district_deadline=F("district__conversion_setting__deadline"))
        .order_by("institution__name", "id")[:limit]
    )
    for row in rows:
        row.effective_deadline = row.deadline_for(row.district_deadline)
        row.overdue = row.is_overdue(today, row.district_deadline)
    return rows


@dataclass
class Summary:
    total: int = 0
    done: int = 0
    in_progress: int = 0
    overdue: int = 0
    visits: int = 0
    within_one: int = 0
    by_step: dict[str, int] = field(default_factory=dict)

    @property
    def mean_visits(self) -> float | None:
        """Visits per case (None without cases)."""
        return round(self.visits / self.total, 2) if self.total else None

    @property
    def share_within_one(self) -> float | None:
        """Share of cases with at most one visit (最多跑一次), in percent."""
        return round(100 * self.within_one / self.total, 1) if self.total else None


def summary(qs: QuerySet, *, today: dt.date | None = None) -> Summary:
    """The window's figures over `qs` (already scoped): three queries, any number of cases."""
    today = today or timezone.localdate()
    counts = qs.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(step=Step.DONE)),
        overdue=Count("id", filter=overdue_q(today)),
    )
    per_case = qs.order_by().annotate(n=Count("visits")).values_list("step", "n")
    visits = within = 0
    by_step: dict[str, int] = {}
    for step, n in per_case:
        visits += n
        within += n <= 1
        by_step[step] = by_step.get(step, 0) + 1
    return Summary(
        total=counts["total"],
        done=counts["done"],
        in_progress=counts["total"] - counts["done"],
        overdue=counts["overdue"],
        visits=visits,
        within_one=within,
        by_step=by_step,
    )


def eligible_without_case(actor: Actor) -> QuerySet:
    """The bureau's for-profit subject-type institutions that have no case yet."""
    return (
        Institution.objects.visible_to_bureau(actor)
        .filter(ELIGIBLE, conversion_case__isnull=True)
        .order_by("name", "id")
    )


@dataclass
class StepView:
    code: str
    label: str
    desk: str
    state: str  # done | current | next | todo
    materials: list[dict[str, Any]]


def case_detail(case: ConversionCase, *, today: dt.date | None = None) -> dict[str, Any]:
    """Everything a case page shows: steps with their checklist, what is missing, holder, visits,
    history, deadline and whether it is overdue (two queries beyond the case)."""
    today = today or timezone.localdate()
    received = {m.code: m for m in case.materials.select_related("received_by")}
    following = next_step(case.target, case.step)
    departments = dict(Department.choices)
    path = case.steps
    at = path.index(case.step)
    steps: list[StepView] = []
    for n, code in enumerate(path):
        state = "done" if n < at else "current" if n == at else "next" if code == following else "todo"
        desk = holder_of(case.target, path[n - 1]) if n else ""
        steps.append(
            StepView(
                code=code,
                label=str(Step(code).label),
                desk=str(departments.get(desk, "")),
                state=state,
                materials=[
                    {"code": m.code, "label": str(m.label), "received": received.get(m.code)}
                    for m in materials_of(case.target, code)
                ],
            )
        )
    missing = [m.code for m in materials_of(case.target, following)] if following else []
    missing = [c for c in missing if c not in received]
    district_deadline = deadline_for(case.district_id)
    deadline = case.deadline_for(district_deadline)
    return {
        "case": case,
        "steps": steps,
        "next_step": following,
        "next_label": str(Step(following).label) if following else "",
        "missing": [{"code": c, "label": material_label(c)} for c in missing],
        "missing_all": [m for m in MATERIALS[case.target] if m.code not in received],
        "received": received,
        "visits": list(case.visits.select_related("recorded_by")),
        "events": [event_text(e) for e in case.events.select_related("by").order_by("-at", "-id")],
        "deadline": deadline,
        "district_deadline": district_deadline,
        "overdue": case.is_overdue(today, district_deadline),
        "days_left": (deadline - today).days if deadline and not case.is_done else None,
    }


def event_text(event: Any) -> dict[str, Any]:
    """One history line: when, who, what (labels translated at render time)."""
    from django.utils.translation import gettext as _

    data = event.data or {}
    targets = dict(Target.choices)
    if event.kind == "opened":
        text = _("Case opened: %(target)s") % {"target": targets.get(data.get("target"), "")}
    elif event.kind == "target":
        text = _("Target changed: %(before)s → %(after)s") % {
            "before": targets.get(data.get("before"), ""),
            "after": targets.get(data.get("after"), ""),
        }
    elif event.kind == "material":
        text = _("Received: %(material)s") % {"material": material_label(data.get("code", ""))}
    elif event.kind == "extended":
        text = _("Deadline extended to %(day)s: %(reason)s") % {
            "day": data.get("to") or "—",
            "reason": data.get("reason", ""),
        }
    elif event.kind == "visit":
        text = _("Visit on %(day)s: %(purpose)s") % {"day": data.get("on", ""), "purpose": data.get("purpose", "")}
    else:
        labels = dict(Step.choices)
        text = _("Step reached: %(step)s") % {"step": labels.get(data.get("after"), "")}
    return {"at": event.at, "by": event.by, "kind": event.kind, "text": text}
