"""The gate list (teacher on duty, coordinator; on a phone and printable) and the school's gate rules."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.ids import id_or_404
from courses.selectors import school_get_for_coordinator
from enrollment import services as enrollment_services
from enrollment.selectors import dismissal_rules_for
from participation.gate import selectors, services

POLL_SECONDS = 30


@allow(Role.COORDINATOR, Role.TEACHER)
@require_GET
def gate_list(request: HttpRequest, school_id: int) -> HttpResponse:
    """Today's (or a day's) batches per gate and class; the fragment refreshes itself until the cut-off."""
    school = selectors.school_get_for_gate(actor=request.actor, school_id=school_id)
    today = timezone.localdate()
    day = selectors.day_or_404(request.GET.get("date"), today)
    raw_gate = request.GET.get("gate", "")
    gate_id = id_or_404(raw_gate) if raw_gate else None
    context = {
        "school": school,
        "gate_day": selectors.gate_day(school=school, day=day, gate_id=gate_id),
        "gates": selectors.gates_for_school(school=school),
        "gate_id": gate_id,
        "today": today,
        "poll": POLL_SECONDS,
    }
    if request.GET.get("print"):
        return render(request, "participation/gate_print.html", context)
    template = "participation/gate_list.html#gate-list" if request.htmx else "participation/gate_list.html"
    return render(request, template, context)


@allow(Role.COORDINATOR)
@require_GET
def school_gates(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    gates = selectors.gates_for_school(school=school)
    context = {
        "school": school,
        "rules": dismissal_rules_for(school.pk),
        "gates": gates,
        "classes": selectors.classes_for_school(school=school),
    }
    return render(request, "participation/gate_settings.html", context)


def _done(request: HttpRequest, school_id: int, error: DomainError | None, ok: str) -> HttpResponse:
    if error is None:
        messages.success(request, ok)
    else:
        messages.error(request, error.message())
        for texts in error.fields.values():
            for text in texts if isinstance(texts, list) else [texts]:
                messages.error(request, str(text))
    return redirect("participation:school_gates", school_id)


@allow(Role.COORDINATOR)
@require_POST
def school_gate_rules(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    try:
        enrollment_services.dismissal_rules_save(
            school=school,
            change_cutoff=request.POST.get("change_cutoff", ""),
            extended_until=request.POST.get("extended_until", ""),
            by=request.user,
            request=request,
        )
    except DomainError as error:
        return _done(request, school.pk, error, "")
    return _done(request, school.pk, None, _("The gate rules are saved."))


@allow(Role.COORDINATOR)
@require_POST
def school_gate_new(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    try:
        services.gate_create(school=school, name=request.POST.get("name", ""), by=request.user, request=request)
    except DomainError as error:
        return _done(request, school.pk, error, "")
    return _done(request, school.pk, None, _("The gate is added."))


@allow(Role.COORDINATOR)
@require_http_methods(["POST"])
def school_gate_edit(request: HttpRequest, school_id: int, gate_id: int) -> HttpResponse:
    """Assign classes to a gate, or remove it (`delete`)."""
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    gate = selectors.gate_get_for_school(school=school, gate_id=gate_id)
    if request.POST.get("delete"):
        services.gate_delete(gate=gate, by=request.user, request=request)
        return _done(request, school.pk, None, _("The gate is removed."))
    ids = [id_or_404(v) for v in request.POST.getlist("classes")]
    try:
        services.gate_classes_set(gate=gate, class_ids=ids, by=request.user, request=request)
    except DomainError as error:
        return _done(request, school.pk, error, "")
    return _done(request, school.pk, None, _("The classes of the gate are saved."))
