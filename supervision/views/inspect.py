"""The inspector's phone pages: tasks, one inspection (each check item, photos, sign-off, corrections),
and verification visits of rectification notices."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.ids import get_or_404, id_or_404
from supervision import selectors
from supervision.forms import CorrectionForm, PhotoForm, ResultForm, VerificationForm
from supervision.models import InspectionPhoto, Notice
from supervision.services import inspections as work
from supervision.services import notices as notice_services
from supervision.services.plans import plan_items


def _error_text(error: DomainError) -> str:
    if error.fields:
        return " ".join(str(m) for ms in error.fields.values() for m in ms)
    return error.message()


@allow(Role.INSPECTOR)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    inspector = selectors.inspector_for(request.actor)
    notices = selectors.notices_for_inspector(inspector).filter(status__in=notice_services.OPEN)
    return render(
        request,
        "supervision/inspector_home.html",
        {"inspector": inspector, "tasks": selectors.inspector_tasks(inspector), "notices": notices},
    )


@allow(Role.INSPECTOR)
@require_GET
def task(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspector = selectors.inspector_for(request.actor)
    inspection = selectors.task_for_inspector(inspector, inspection_id)
    current = work.current_results(inspection)
    rows = [{"item": item, "result": current.get(item.pk)} for item in plan_items(inspection.target.plan)]
    return render(
        request,
        "supervision/task.html",
        {
            "inspection": inspection,
            "rows": rows,
            "photos": inspection.photos.all(),
            "photo_form": PhotoForm(),
            "result_form": ResultForm(),
            "correction_form": CorrectionForm(),
            "done": len(current),
            "total": len(rows),
            "history": inspection.results.filter(current=False).select_related("item"),
        },
    )


@allow(Role.INSPECTOR)
@require_POST
def record(request: HttpRequest, inspection_id: int, item_id: int) -> HttpResponse:
    inspector = selectors.inspector_for(request.actor)
    inspection = selectors.task_for_inspector(inspector, inspection_id)
    try:
        if request.POST.get("reason") is not None:
            work.result_correct(
                inspection=inspection,
                inspector=inspector,
                item_id=item_id,
                result=request.POST.get("result", ""),
                note=request.POST.get("note", ""),
                reason=request.POST.get("reason", ""),
                request=request,
            )
            messages.success(request, _("Correction recorded; the earlier result is kept in the history."))
        else:
            work.result_record(
                inspection=inspection,
                inspector=inspector,
                item_id=item_id,
                result=request.POST.get("result", ""),
                note=request.POST.get("note", ""),
                request=request,
            )
    except DomainError as error:
        messages.error(request, _error_text(error))
    return redirect(reverse("supervision:task", args=[inspection.pk]) + f"#item-{id_or_404(item_id)}")


@allow(Role.INSPECTOR)
@require_POST
def photo_add(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspector = selectors.inspector_for(request.actor)
    inspection = selectors.task_for_inspector(inspector, inspection_id)
    try:
        work.photo_add(
            inspection=inspection,
            inspector=inspector,
            upload=request.FILES.get("photo"),
            item_id=request.POST.get("item") or None,
            request=request,
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Photo added."))
    return redirect("supervision:task", inspection.pk)


@allow(Role.INSPECTOR, Role.BUREAU)
@require_GET
def photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    """A photo for an inspector of that inspection, or the bureau of its district; 404 otherwise."""
    photo = get_or_404(InspectionPhoto.objects.select_related("inspection__target__plan"), pk=id_or_404(photo_id))
    if (
        request.actor.has(Role.BUREAU)
        and selectors.plans_for_bureau(request.actor).filter(pk=photo.inspection.target.plan_id).exists()
    ):
        pass
    else:
        selectors.task_for_inspector(selectors.inspector_for(request.actor), photo.inspection_id)
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@allow(Role.INSPECTOR)
@require_POST
def sign_off(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspector = selectors.inspector_for(request.actor)
    inspection = selectors.task_for_inspector(inspector, inspection_id)
    try:
        work.inspection_sign_off(
            inspection=inspection, inspector=inspector, summary=request.POST.get("summary", ""), request=request
        )
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Signed off. The results are locked; later changes are corrections."))
    return redirect("supervision:task", inspection.pk)


@allow(Role.INSPECTOR)
@require_GET
def notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    inspector = selectors.inspector_for(request.actor)
    item = selectors.notice_for_inspector(inspector, notice_id)
    return render(
        request,
        "supervision/inspector_notice.html",
        {"notice": item, "form": VerificationForm(), "open": item.status in notice_services.OPEN},
    )


@allow(Role.INSPECTOR)
@require_POST
def verify(request: HttpRequest, notice_id: int) -> HttpResponse:
    inspector = selectors.inspector_for(request.actor)
    item: Notice = selectors.notice_for_inspector(inspector, notice_id)
    form = VerificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Some fields are not valid."))
        return redirect("supervision:inspector_notice", item.pk)
    try:
        notice_services.notice_verify(notice=item, inspector=inspector, request=request, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Verification recorded."))
    return redirect("supervision:inspector_notice", item.pk)
