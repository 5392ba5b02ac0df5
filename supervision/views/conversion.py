"""The 转登 one-stop window: the bureau's cases (summary, filters, deadline, open, export) and a case
page (steps, checklist, holder, visits, history); the institution's own case, on a phone.

Thin views: every write goes through `supervision.services.conversion`, which checks the rules again
(a refusal comes back as a message on the page, with the same text the API gives).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.exports import xlsx_response
from supervision import exports_conversion, selectors
from supervision import selectors_conversion as reads
from supervision.forms_conversion import DeadlineForm, ExtensionForm, OpenAllForm, OpenForm, TargetForm, VisitForm
from supervision.models.conversion import Step, Target
from supervision.services import conversion as services


def _template(request: HttpRequest, template: str, fragment: str) -> str:
    return f"{template}#{fragment}" if request.htmx else template


@allow(Role.BUREAU)
@require_GET
def cases(request: HttpRequest) -> HttpResponse:
    district = selectors.bureau_district(request.actor)
    today = timezone.localdate()
    scoped = reads.cases_for_bureau(request.actor)
    filtered, filters = reads.filter_cases(scoped, request.GET, today=today)
    setting = reads.setting_for(district.pk)
    pending = reads.eligible_without_case(request.actor)
    summary = reads.summary(scoped, today=today)
    context = {
        "district": district,
        "today": today,
        "summary": summary,
        "by_step": [(label, summary.by_step[code]) for code, label in Step.choices if summary.by_step.get(code)],
        "rows": reads.case_rows(filtered, today=today),
        "limit": reads.LIST_LIMIT,
        "filters": filters,
        "querystring": "&".join(f"{k}={v}" for k, v in filters.items()),
        "states": [("in_progress", _("in progress")), ("overdue", _("overdue")), ("done", _("done"))],
        "targets": Target.choices,
        "setting": setting,
        "deadline_form": DeadlineForm(
            initial={"deadline": setting.deadline if setting else None, "title": setting.title if setting else ""}
        ),
        "pending_count": pending.count(),
        "open_form": OpenForm(institutions=pending[:500]),
        "open_all_form": OpenAllForm(initial={"target": Target.NON_PROFIT}),
    }
    return render(request, _template(request, "supervision/conversion_cases.html", "conversion-results"), context)


@allow(Role.BUREAU)
@require_POST
def deadline(request: HttpRequest) -> HttpResponse:
    district = selectors.bureau_district(request.actor)
    form = DeadlineForm(request.POST)
    if form.is_valid():
        services.setting_update(
            district=district,
            deadline=form.cleaned_data["deadline"],
            title=form.cleaned_data["title"],
            by=request.user,
            request=request,
        )
        messages.success(request, _("Deadline saved."))
    else:
        messages.error(request, _("Enter a date as YYYY-MM-DD."))
    return redirect("supervision:conversion_cases")


@allow(Role.BUREAU)
@require_POST
def case_open(request: HttpRequest) -> HttpResponse:
    form = OpenForm(request.POST, institutions=reads.eligible_without_case(request.actor))
    if not form.is_valid():
        messages.error(request, _("Choose an institution without a case, and a target."))
        return redirect("supervision:conversion_cases")
    institution = selectors.institution_for_bureau(request.actor, form.cleaned_data["institution"])
    try:
        case = services.case_open(
            institution=institution, target=form.cleaned_data["target"], by=request.user, request=request
        )
    except DomainError as error:
        messages.error(request, error.message())
        return redirect("supervision:conversion_cases")
    return redirect("supervision:conversion_case", case.pk)


@allow(Role.BUREAU)
@require_POST
def open_all(request: HttpRequest) -> HttpResponse:
    form = OpenAllForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the target of the new cases."))
        return redirect("supervision:conversion_cases")
    opened = services.cases_open_all(
        district=selectors.bureau_district(request.actor),
        target=form.cleaned_data["target"],
        by=request.user,
        request=request,
    )
    messages.success(request, _("Cases opened: %(n)d.") % {"n": len(opened)})
    return redirect("supervision:conversion_cases")


@allow(Role.BUREAU)
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    scoped = reads.cases_for_bureau(request.actor)
    filtered, _filters = reads.filter_cases(scoped, request.GET, today=today)
    content = exports_conversion.cases_workbook(
        reads.case_rows(filtered, limit=100_000, today=today), reads.summary(scoped, today=today), today=today
    )
    return xlsx_response(content, f"转登_{today:%Y%m%d}.xlsx")


@allow(Role.BUREAU)
@require_GET
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    found = reads.case_for_bureau(request.actor, case_id)
    context = reads.case_detail(found)
    context.update(
        {
            "visit_form": VisitForm(initial={"visited_on": timezone.localdate()}),
            "target_form": TargetForm(initial={"target": found.target}),
            "extension_form": ExtensionForm(
                initial={"extended_to": found.extended_to, "reason": found.extension_reason}
            ),
        }
    )
    return render(request, "supervision/conversion_case.html", context)


def _back(request: HttpRequest, case_id: int, action, success: str, form=None) -> HttpResponse:
    """Run `action(case)` (with `form`: only if it is valid, else its errors are the message); a
    refusal becomes an error message; back to the case page either way."""
    found = reads.case_for_bureau(request.actor, case_id)
    if form is not None and not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("supervision:conversion_case", found.pk)
    try:
        action(found)
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, success)
    return redirect("supervision:conversion_case", found.pk)


@allow(Role.BUREAU)
@require_POST
def case_advance(request: HttpRequest, case_id: int) -> HttpResponse:
    to = request.POST.get("to", "")[:30]
    return _back(
        request,
        case_id,
        lambda c: services.case_advance(case=c, to=to, by=request.user, request=request),
        _("Step recorded."),
    )


@allow(Role.BUREAU)
@require_POST
def case_material(request: HttpRequest, case_id: int) -> HttpResponse:
    code = request.POST.get("code", "")[:30]
    note = request.POST.get("note", "")
    return _back(
        request,
        case_id,
        lambda c: services.material_receive(case=c, code=code, note=note, by=request.user, request=request),
        _("Material received."),
    )


@allow(Role.BUREAU)
@require_POST
def case_visit(request: HttpRequest, case_id: int) -> HttpResponse:
    form = VisitForm(request.POST)
    return _back(
        request,
        case_id,
        lambda c: services.visit_record(case=c, by=request.user, request=request, **form.cleaned_data),
        _("Visit recorded."),
        form=form,
    )


@allow(Role.BUREAU)
@require_POST
def case_target(request: HttpRequest, case_id: int) -> HttpResponse:
    target = request.POST.get("target", "")[:20]
    return _back(
        request,
        case_id,
        lambda c: services.case_set_target(case=c, target=target, by=request.user, request=request),
        _("Target changed."),
    )


@allow(Role.BUREAU)
@require_POST
def case_extension(request: HttpRequest, case_id: int) -> HttpResponse:
    form = ExtensionForm(request.POST)
    return _back(
        request,
        case_id,
        lambda c: services.case_extend(case=c, by=request.user, request=request, **form.cleaned_data),
        _("Deadline of the case saved."),
        form=form,
    )


@allow(Role.INSTITUTION)
@require_GET
def my_case(request: HttpRequest) -> HttpResponse:
    """The institution's own case on a phone: where it is, what is missing, the deadline."""
    return render(request, "supervision/conversion_mine.html", reads.conversion_card(request.actor))
