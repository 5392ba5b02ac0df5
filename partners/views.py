"""Partner teacher pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import allow
from accounts.models import Role
from partners import selectors


@allow(Role.PARTNER_TEACHER)
def home(request: HttpRequest) -> HttpResponse:
    providers = selectors.provider_list_for_partner(actor=request.actor)
    courses = selectors.partner_course_list_for_partner(actor=request.actor)
    return render(request, "partners/home.html", {"providers": providers, "courses": courses})
