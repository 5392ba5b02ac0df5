"""Seat allocation pages: coordinators start, watch, review and publish; families read and verify.

Thin views: `allocation_services` writes and reads the runs; every coordinator view first scopes the
school to the acting coordinator (another school's window or run is 404), every family view the child
to the acting parent.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import allow, authenticated, public
from accounts.models import Role
from allocation import engine, services
from allocation import selectors as alloc_selectors
from allocation.models import AllocationRun
from core.errors import DomainError
from core.ids import id_or_404
from courses.selectors import school_get_for_coordinator
from enrollment import selectors
from enrollment.models import EnrollmentWindow

METHOD_LABELS = {
    "optimal": _("Kehou allocation (optimal)"),
    "random_serial_dictatorship": _("Random order (lottery only)"),
    "weighted_greedy": _("Weighted greedy"),
    "first_come": _("First come, first served"),
}


def _scope(request: HttpRequest, school_id: int, window_id: int):
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    window = selectors.window_get_for_school(school=school, window_id=window_id)
    return school, window


def _comparison(run: AllocationRun) -> list[dict]:
    from django.utils.translation import gettext

    rows = []
    for key in ("optimal", "random_serial_dictatorship", "weighted_greedy", "first_come"):
        s = run.stats.get(key)
        if s:
            rows.append({"key": key, "label": gettext(str(METHOD_LABELS[key])), **s})
    return rows


def _group_rows(run: AllocationRun) -> list[dict]:
    from django.utils.translation import get_language

    titles = engine.domain.GROUP_TITLES_EN if (get_language() or "").startswith("en") else engine.domain.GROUP_TITLES_ZH
    groups = [*engine.POLICY_GROUPS, ""]
    rows = []
    for g in groups:
        cells = [run.stats.get(k, {}).get("first_choice_pct_by_group", {}).get(g) for k in METHOD_LABELS]
        if any(c is not None for c in cells):
            rows.append({"group": titles.get(g, g), "cells": cells})
    return rows


def _flagged(run: AllocationRun, school_id: int) -> list[dict]:
    """Sections whose waitlist passed the threshold, with a link to add a section of the course."""
    from courses.models import Section

    loads = {s["section_id"]: s for s in run.stats.get("optimal", {}).get("sections", [])}
    ids = [sid for sid in run.stats.get("optimal", {}).get("sections_to_open", []) if sid > 0]
    out = []
    for section in Section.objects.filter(pk__in=ids, course__school_id=school_id).select_related("course"):
        load = loads.get(section.pk, {})
        out.append({"section": section, "waitlist": load.get("waitlist", 0), "capacity": section.capacity})
    return sorted(out, key=lambda r: -r["waitlist"])


def _run_context(school, window, run: AllocationRun) -> dict:
    optimal = run.stats.get("optimal", {})
    dist = optimal.get("rank_distribution", {})
    return {
        "school": school,
        "window": window,
        "run": run,
        "comparison": _comparison(run),
        "groups": _group_rows(run),
        "group_methods": [METHOD_LABELS[k] for k in METHOD_LABELS],
        "rank_rows": [(int(k), v) for k, v in sorted(dist.items(), key=lambda kv: (kv[0] == "0", int(kv[0])))],
        "flagged": _flagged(run, school.pk) if run.status in ("succeeded", "published") else [],
        "unplaced": run.outcomes.filter(best_rank__isnull=True, detail__outcome="unplaced")
        .select_related("student__school_class")
        .order_by("student__grade", "student__name")[:200]
        if run.status in ("succeeded", "published")
        else [],
        "can_publish": run.status == AllocationRun.Status.SUCCEEDED
        and not AllocationRun.objects.filter(window=window, status=AllocationRun.Status.PUBLISHED).exists(),
        "head_start_until": alloc_selectors.head_start_until(run),
        "publish_question": _publish_question(run),
    }


def _publish_question(run: AllocationRun) -> str:
    """Asked before publishing, in the dialog (JavaScript) and on the confirmation page (without)."""
    optimal = run.stats.get("optimal", {})
    return _(
        "Publish the allocation? %(p)s pupils get seats and %(u)s stay without one; "
        "families see it at once and it cannot be undone."
    ) % {"p": optimal.get("placed", 0), "u": optimal.get("unplaced", 0)}


# --- Coordinators ------------------------------------------------------------------------------------


@allow(Role.COORDINATOR)
@require_GET
def allocation_home(request: HttpRequest, school_id: int, window_id: int) -> HttpResponse:
    """The window's allocation: commitment, the seed form, the runs so far."""
    school, window = _scope(request, school_id, window_id)
    runs = alloc_selectors.allocation_runs_for_window(window)
    context = {
        "school": school,
        "window": window,
        "runs": runs,
        "ready": services.window_ready(window),
        "published": next((r for r in runs if r.status == AllocationRun.Status.PUBLISHED), None),
        "active": next((r for r in runs if r.is_active), None),
        "demo_seed": services.seed_hint_for(window) if not window.lottery_seed else "",
        "now": timezone.now(),
    }
    return render(request, "allocation/home.html", context)


@allow(Role.COORDINATOR)
@require_POST
def allocation_start(request: HttpRequest, school_id: int, window_id: int) -> HttpResponse:
    school, window = _scope(request, school_id, window_id)
    try:
        run = services.allocation_run_request(
            window=window, seed=request.POST.get("seed", "")[:200], by=request.user, request=request
        )
    except DomainError as error:
        messages.error(request, error.message())
        return redirect("allocation:home", school.pk, window.pk)
    messages.success(request, _("The seed matches the commitment. The allocation has started."))
    return redirect("allocation:run", school.pk, window.pk, run.pk)


@allow(Role.COORDINATOR)
@require_GET
def allocation_run(request: HttpRequest, school_id: int, window_id: int, run_id: int) -> HttpResponse:
    """Live progress (the htmx fragment polls itself while the run is active), then the review."""
    school, window = _scope(request, school_id, window_id)
    run = alloc_selectors.allocation_run_get_for_school(school_id=school.pk, window=window, run_id=run_id)
    context = _run_context(school, window, run)
    if request.htmx and not request.htmx.boosted:  # a boosted form (publish) wants the whole page
        response = render(request, "allocation/run.html#run-progress", context)
        if not run.is_active and request.headers.get("HX-Target") == "run-progress":
            response["HX-Refresh"] = "true"  # the review below the progress appears with the full page
        return response
    return render(request, "allocation/run.html", context)


@allow(Role.COORDINATOR)
@require_POST
def allocation_publish(request: HttpRequest, school_id: int, window_id: int, run_id: int) -> HttpResponse:
    school, window = _scope(request, school_id, window_id)
    run = alloc_selectors.allocation_run_get_for_school(school_id=school.pk, window=window, run_id=run_id)
    run_url = reverse("allocation:run", args=[school.pk, window.pk, run.pk])
    if request.POST.get("confirmed") != "yes":  # asked first, also without JavaScript (issue 13 item 17)
        context = {
            "title": _("Publish the allocation"),
            "question": _publish_question(run),
            "action": request.path,
            "fields": [],
            "confirm_label": _("Publish the allocation"),
            "cancel_url": run_url,
        }
        return render(request, "components/confirm_action.html", context)
    try:
        services.allocation_publish(run=run, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(
            request,
            _("The allocation is published: families see their seats and explanations now."),
        )
    return redirect(run_url)


# --- Everyone: verify, help ----------------------------------------------------------------------------


@authenticated
@require_GET
def allocation_verify(request: HttpRequest, window_id: int) -> HttpResponse:
    """The commitment, the revealed seed and how anyone can check the result (no pupil data)."""
    window = get_object_or_404(
        EnrollmentWindow.objects.select_related("school", "term"),
        pk=id_or_404(window_id),
        mode=EnrollmentWindow.Mode.PREFERENCE,
    )
    run = alloc_selectors.published_run(window)
    return render(
        request,
        "allocation/verify.html",
        {"window": window, "run": run, "seed": window.lottery_seed if run else ""},
    )


@public
@require_GET
def allocation_help(request: HttpRequest) -> HttpResponse:
    from django.utils.translation import get_language

    text = engine.HELP_TEXT_EN if (get_language() or "").startswith("en") else engine.HELP_TEXT_ZH
    title, *lines = text.splitlines()
    return render(request, "allocation/help.html", {"title": title, "lines": lines})


# --- Families: head start on leftover seats -----------------------------------------------------------


@allow(Role.PARENT)
@require_http_methods(["GET", "POST"])
def leftover(request: HttpRequest, student_id: int) -> HttpResponse:
    """A child the allocation could not place takes a leftover seat before first-come opens."""
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    now = timezone.now()
    run = alloc_selectors.head_start_for(student=child, now=now)
    if request.method == "POST":
        section = selectors.section_get_for_student(student=child, section_id=request.POST.get("section", ""))
        try:
            row = services.leftover_claim(student=child, section=section, by=request.user, request=request)
        except DomainError as error:
            messages.error(request, error.message())
            return redirect("allocation:leftover", child.pk)
        messages.success(
            request,
            _("%(child)s has a seat in “%(course)s”.") % {"child": child.name, "course": row.section.course.title},
        )
        return redirect("enrollment:child_detail", child.pk)
    items = []
    if run is not None:
        term = run.window.term
        items = [
            i for i in selectors.catalogue_for_student(student=child, term=term, now=now) if i.seats_left and not i.mine
        ]
    context = {
        "child": child,
        "run": run,
        "items": items,
        "until": alloc_selectors.head_start_until(run) if run else None,
    }
    return render(request, "allocation/leftover.html", context)
