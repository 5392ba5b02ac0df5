"""The bureau's check-item lists and 双随机 plans: draft, commit (seed hash), draw (seed revealed)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.validation import add_domain_error
from supervision import selectors
from supervision.forms import CommitForm, DrawForm, PlanForm
from supervision.models import CheckList, Department, Plan
from supervision.services import plans as plan_services


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def checklists(request: HttpRequest) -> HttpResponse:
    selectors.bureau_district(request.actor)
    if request.method == "POST":
        try:
            plan_services.checklist_new_version(
                department=request.POST.get("department", ""),
                title=request.POST.get("title", ""),
                items=request.POST.get("items", "").splitlines(),
                by=request.user,
            )
        except DomainError as error:
            messages.error(request, " ".join(str(m) for ms in error.fields.values() for m in ms) or error.message())
        else:
            messages.success(request, _("New version saved; plans keep the version they were made with."))
            return redirect("supervision:checklists")
    return render(
        request, "supervision/checklists.html", {"lists": selectors.checklists(), "departments": Department.choices}
    )


def _plan_data(form: PlanForm) -> dict:
    data = dict(form.cleaned_data)
    data["townships"] = [t for t in (data.get("townships") or "").replace("，", ",").split(",") if t.strip()]
    return data


@allow(Role.BUREAU)
@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    return render(request, "supervision/plans.html", {"plans": selectors.plans_for_bureau(request.actor)})


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest) -> HttpResponse:
    district = selectors.bureau_district(request.actor)
    form = PlanForm(request.POST or None, initial={"checklists": CheckList.objects.filter(version=1)})
    if request.method == "POST" and form.is_valid():
        try:
            plan = plan_services.plan_create(district=district, data=_plan_data(form), by=request.user, request=request)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("supervision:plan", plan.pk)
    return render(request, "supervision/plan_form.html", {"form": form, "plan": None})


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_for_bureau(request.actor, plan_id)
    f = plan.population_filter or {}
    initial = {
        "title": plan.title,
        "kinds": f.get("kinds"),
        "statuses": f.get("statuses"),
        "townships": ",".join(f.get("townships") or []),
        "grades": f.get("grades"),
        "n_targets": plan.n_targets,
        "percent": plan.percent,
        "per_target": plan.per_target,
        "departments": plan.departments,
        "checklists": plan.checklists.all(),
    }
    form = PlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            plan_services.plan_update(plan=plan, data=_plan_data(form), by=request.user, request=request)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("supervision:plan", plan.pk)
    return render(request, "supervision/plan_form.html", {"form": form, "plan": plan})


@allow(Role.BUREAU)
@require_GET
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_for_bureau(request.actor, plan_id)
    targets = plan.targets.select_related("institution", "inspection").prefetch_related("assignments__inspector")
    return render(
        request,
        "supervision/plan.html",
        {
            "plan": plan,
            "targets": targets,
            "commit_form": CommitForm(),
            "draw_form": DrawForm(),
            "items": plan_services.plan_items(plan),
            "departments": [str(label) for key, label in Department.choices if key in plan.departments],
            "population": plan_services.population_queryset(plan).count()
            if plan.status == Plan.Status.DRAFT
            else plan.population_size,
        },
    )


@allow(Role.BUREAU)
@require_POST
def plan_commit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_for_bureau(request.actor, plan_id)
    form = CommitForm(request.POST)
    form.is_valid()
    try:
        plan, seed = plan_services.plan_commit(
            plan=plan, commitment=form.cleaned_data.get("commitment", ""), by=request.user, request=request
        )
    except DomainError as error:
        messages.error(
            request,
            error.message() if not error.fields else " ".join(str(m) for ms in error.fields.values() for m in ms),
        )
    else:
        if seed:
            messages.warning(
                request, _("The secret seed, shown only now — keep it for the draw: %(seed)s") % {"seed": seed}
            )
        messages.success(request, _("Committed: the population is frozen and the seed's hash is public."))
    return redirect("supervision:plan", plan.pk)


@allow(Role.BUREAU)
@require_POST
def plan_draw(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_for_bureau(request.actor, plan_id)
    try:
        plan_services.plan_draw(plan=plan, seed=request.POST.get("seed", ""), by=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, _("Drawn and published. Inspectors see their tasks now."))
    return redirect("supervision:plan", plan.pk)
