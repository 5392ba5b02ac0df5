"""The bureau's register pages (search, filters, an entry with its history, edit, import) and the
institution's own page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.exports import xlsx_response
from core.sheets import build_template
from core.validation import add_domain_error
from courses.forms import ImportForm
from partners.models import Provider
from supervision import imports, selectors
from supervision.forms import ConflictForm, InstitutionForm, TeacherForm
from supervision.models import Inspector, Institution
from supervision.selectors_conversion import conversion_card
from supervision.services import register


def _fragment(request: HttpRequest, template: str, fragment: str) -> str:
    return f"{template}#{fragment}" if request.htmx else template


def _providers(district):
    return Provider.objects.filter(district=district).order_by("name")


@allow(Role.BUREAU)
@require_GET
def register_list(request: HttpRequest) -> HttpResponse:
    district = selectors.bureau_district(request.actor)
    page = selectors.register_search(
        Institution.objects.visible_to_bureau(request.actor), request.GET, page=request.GET.get("page")
    )
    context = {
        "page": page,
        "townships": selectors.townships(district),
        "kinds": Institution.Kind.choices,
        "statuses": Institution.Status.choices,
        "grades": Institution._meta.get_field("grade").choices,
        "querystring": "&".join(f"{k}={v}" for k, v in page.filters.items()),
    }
    return render(request, _fragment(request, "supervision/register.html", "results"), context)


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def institution_new(request: HttpRequest) -> HttpResponse:
    district = selectors.bureau_district(request.actor)
    form = InstitutionForm(
        request.POST or None, providers=_providers(district), initial={"status": "operating", "prepaid": "none"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            institution = register.institution_create(
                district=district, data=form.cleaned_data, by=request.user, request=request
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Institution added to the register."))
            return redirect("supervision:institution", institution.pk)
    return render(request, "supervision/institution_form.html", {"form": form, "institution": None})


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def institution_edit(request: HttpRequest, institution_id: int) -> HttpResponse:
    institution = selectors.institution_for_bureau(request.actor, institution_id)
    form = InstitutionForm(
        request.POST or None,
        providers=_providers(institution.district),
        initial=InstitutionForm.initial_for(institution),
    )
    if request.method == "POST" and form.is_valid():
        try:
            register.institution_update(
                institution=institution, data=form.cleaned_data, by=request.user, request=request
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("supervision:institution", institution.pk)
    return render(request, "supervision/institution_form.html", {"form": form, "institution": institution})


def _institution_context(institution: Institution) -> dict:
    return {
        "institution": institution,
        "teachers": list(institution.teachers.all()),
        "changes": list(institution.changes.select_related("by")[:50]),
        "grades": list(institution.grade_history.all()[:20]),
        "notices": list(institution.notices.all()),
        "targets": list(institution.plan_targets.select_related("plan", "inspection")),
        "conflicts": list(institution.conflicts.select_related("inspector")),
    }


@allow(Role.BUREAU)
@require_GET
def institution_detail(request: HttpRequest, institution_id: int) -> HttpResponse:
    institution = selectors.institution_for_bureau(request.actor, institution_id)
    context = _institution_context(institution)
    context["teacher_form"] = TeacherForm()
    context["conflict_form"] = ConflictForm(
        inspectors=Inspector.objects.visible_to_bureau(request.actor).filter(active=True)
    )
    return render(request, "supervision/institution.html", context)


@allow(Role.BUREAU)
@require_POST
def teacher_add(request: HttpRequest, institution_id: int) -> HttpResponse:
    institution = selectors.institution_for_bureau(request.actor, institution_id)
    form = TeacherForm(request.POST)
    if form.is_valid():
        try:
            register.teacher_add(institution=institution, by=request.user, request=request, **form.cleaned_data)
        except DomainError as error:
            messages.error(request, error.message())
        else:
            messages.success(request, _("Teacher added."))
    else:
        messages.error(request, _("Some fields are not valid."))
    return redirect("supervision:institution", institution.pk)


@allow(Role.BUREAU)
@require_POST
def conflict_add(request: HttpRequest, institution_id: int) -> HttpResponse:
    institution = selectors.institution_for_bureau(request.actor, institution_id)
    form = ConflictForm(request.POST, inspectors=Inspector.objects.visible_to_bureau(request.actor))
    if form.is_valid():
        register.conflict_add(
            inspector=form.cleaned_data["inspector"],
            institution=institution,
            reason=form.cleaned_data["reason"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("Conflict of interest recorded: this inspector will not be drawn for it."))
    else:
        messages.error(request, _("Some fields are not valid."))
    return redirect("supervision:institution", institution.pk)


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def register_import(request: HttpRequest) -> HttpResponse:
    district = selectors.bureau_district(request.actor)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST":
        result = imports.institutions_import(district=district, upload=request.FILES.get("file"), by=request.user)
    return render(
        request, "supervision/import.html", {"form": form, "result": result, "columns": imports.COLUMNS, "problem": ""}
    )


@allow(Role.BUREAU)
@require_GET
def register_import_template(request: HttpRequest) -> HttpResponse:
    selectors.bureau_district(request.actor)
    return xlsx_response(build_template(title="机构", columns=imports.COLUMNS), "校外培训机构导入模板.xlsx")


@allow(Role.INSTITUTION)
@require_GET
def institution_home(request: HttpRequest) -> HttpResponse:
    institution = selectors.institution_for_account(request.actor)
    context = _institution_context(institution)
    context["changes"] = []
    context["conflicts"] = []
    context.update(conversion_card(request.actor))
    return render(request, "supervision/institution_home.html", context)
