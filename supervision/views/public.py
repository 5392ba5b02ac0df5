"""一公开 pages (no login): plans, drawn targets and results, closed rectifications."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import public
from core.ids import id_or_404
from supervision import public as data


@public
@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "supervision/public_plans.html",
        {
            "plans": [data.plan_summary(p) for p in data.public_plans()],
            "notices": data.closed_notices(50),
        },
    )


@public
@require_GET
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    found = data.public_plan(id_or_404(plan_id))
    if found is None:
        raise Http404
    return render(
        request, "supervision/public_plan.html", {"plan": data.plan_summary(found), "targets": data.plan_targets(found)}
    )
