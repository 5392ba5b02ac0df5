"""The partner teacher's itinerary page (see scheduling/itinerary.py)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.access import allow
from accounts.models import Role
from scheduling.itinerary import itinerary_for_partner


@allow(Role.PARTNER_TEACHER)
@require_GET
def partner_itinerary(request: HttpRequest) -> HttpResponse:
    return render(request, "scheduling/itinerary.html", {"itinerary": itinerary_for_partner(actor=request.actor)})
