"""Set-up pages: Excel import of teachers and rooms, with templates."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.exports import xlsx_response
from core.sheets import build_template
from courses import imports
from courses.forms import (
    ImportForm,
)
from courses.views.helpers import (
    coordinator_school,
    not_found,
    setup_url,
)

# --- Excel import of teachers and rooms ------------------------------------------------------------

IMPORTS = {
    "teachers": {
        "columns": imports.TEACHER_COLUMNS,
        "run": imports.teachers_import,
        "sheet": "教师",
        "filename": "教师导入模板.xlsx",
    },
    "rooms": {
        "columns": imports.ROOM_COLUMNS,
        "run": imports.rooms_import,
        "sheet": "场地",
        "filename": "场地导入模板.xlsx",
    },
}


def import_titles() -> dict[str, str]:
    return {"teachers": _("Import teachers"), "rooms": _("Import rooms")}


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def setup_import(request: HttpRequest, school_id: int, kind: str) -> HttpResponse:
    school = coordinator_school(request, school_id)
    spec = IMPORTS.get(kind) or not_found()
    form = ImportForm(request.POST or None, request.FILES or None)
    result, problem = None, ""
    if request.method == "POST":
        try:
            result = spec["run"](school=school, upload=request.FILES.get("file"), by=request.user)
        except DomainError as error:
            problem = error.message()
    context = {
        "school": school,
        "active": kind,
        "kind": kind,
        "title": import_titles()[kind],
        "columns": spec["columns"],
        "form": form,
        "result": result,
        "problem": problem,
        "action_url": setup_url(f"setup_import_{kind}", school.pk),
        "template_url": setup_url(f"setup_import_{kind}_template", school.pk),
        "list_url": setup_url(f"setup_{kind}", school.pk),
    }
    return render(request, "courses/setup_import.html", context)


@allow(Role.COORDINATOR)
@require_GET
def setup_import_template(request: HttpRequest, school_id: int, kind: str) -> HttpResponse:
    coordinator_school(request, school_id)
    spec = IMPORTS.get(kind) or not_found()
    return xlsx_response(build_template(title=spec["sheet"], columns=spec["columns"]), spec["filename"])
