"""5+2 compliance pages: a school's (coordinator) and the district's table (bureau, aggregates only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import allow
from accounts.models import Role
from courses.selectors import school_get_for_coordinator
from enrollment.selectors import dismissal_rules_for
from participation.compliance import selectors
from participation.voluntariness import voluntariness_for_bureau


@allow(Role.COORDINATOR)
@require_GET
def school_compliance(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    context = {
        "school": school,
        **selectors.compliance_for_school(school=school),
        "gate_rules": dismissal_rules_for(school.pk),
    }
    return render(request, "participation/compliance_school.html", context)


@allow(Role.BUREAU)
@require_GET
def bureau_compliance(request: HttpRequest) -> HttpResponse:
    context = {
        "table": selectors.compliance_table_for_bureau(actor=request.actor),
        "voluntariness": voluntariness_for_bureau(actor=request.actor),
    }
    return render(request, "participation/compliance_bureau.html", context)
