"""The bureau's overview: institutions by grade and by township/grid (CSS bars), overdue work,
campaign counts, and the Excel export."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import allow
from accounts.models import Role
from core.exports import xlsx_response
from supervision import exports, selectors
from supervision.models import Campaign, Inspection, Institution, Notice, Plan


@allow(Role.BUREAU)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    district = selectors.bureau_district(request.actor)
    today = timezone.localdate()
    counts = selectors.grade_counts(district)
    open_notices = Notice.objects.filter(district=district, status__in=("issued", "responded"))
    kinds = dict(Institution.objects.filter(district=district).values_list("kind").annotate(n=Count("id")).order_by())
    inspections = Inspection.objects.filter(target__plan__district=district)
    campaigns = list(selectors.campaigns_for_bureau(request.actor).filter(district=district))
    totals = selectors.campaign_totals(Campaign.objects.filter(pk__in=[c.pk for c in campaigns]))
    return render(
        request,
        "supervision/bureau_home.html",
        {
            "district": district,
            "counts": counts,
            "kinds": {str(label): kinds.get(key, 0) for key, label in Institution.Kind.choices},
            "overdue": open_notices.filter(deadline__lt=today).select_related("institution").order_by("deadline"),
            "open_count": open_notices.count(),
            "open_tasks": inspections.filter(status=Inspection.Status.OPEN).select_related(
                "target__institution", "target__plan"
            )[:50],
            "plans": Plan.objects.filter(district=district).count(),
            "visits": inspections.filter(status=Inspection.Status.SUBMITTED).aggregate(n=Count("target__assignments"))[
                "n"
            ],
            "signed": inspections.filter(status=Inspection.Status.SUBMITTED).count(),
            "campaigns": [(c, totals[c.pk]) for c in campaigns],
        },
    )


@allow(Role.BUREAU)
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    district = selectors.bureau_district(request.actor)
    return xlsx_response(exports.register_workbook(district.pk), f"校外培训机构监管_{timezone.localdate():%Y%m%d}.xlsx")
