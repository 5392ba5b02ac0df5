"""The pupil register's Excel import (the coordinator's set-up): the page and the template."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.exports import xlsx_response
from courses.forms import ImportForm
from courses.selectors import school_get_for_coordinator
from pupils import imports


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def pupils_import(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    form = ImportForm(request.POST or None, request.FILES or None)
    create_classes = request.POST.get("create_classes") == "on"
    result, problem = None, ""
    if request.method == "POST":
        try:
            result = imports.pupils_import(
                school=school, upload=request.FILES.get("file"), create_classes=create_classes, by=request.user
            )
        except DomainError as error:
            problem = error.message()
    context = {
        "school": school,
        "active": "pupils",
        "kind": "pupils",
        "title": _("Import pupils"),
        "columns": imports.PUPIL_COLUMNS,
        "form": form,
        "result": result,
        "problem": problem,
        "create_classes": create_classes,
        "action_url": reverse("pupils:pupils_import", args=[school.pk]),
        "template_url": reverse("pupils:pupils_template", args=[school.pk]),
        "list_url": reverse("enrollment:school_pupils", args=[school.pk]),
    }
    return render(request, "pupils/import_pupils.html", context)


@allow(Role.COORDINATOR)
@require_GET
def pupils_template(request: HttpRequest, school_id: int) -> HttpResponse:
    school_get_for_coordinator(actor=request.actor, school_id=school_id)
    return xlsx_response(imports.pupil_template(), "学生导入模板.xlsx")
