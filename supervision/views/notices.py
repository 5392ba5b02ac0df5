"""Rectification notices: the bureau issues (from an inspection's problems), follows up and refers;
the institution reads its notices and responds."""

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
from core.exports import xlsx_response
from core.ids import get_or_404, id_or_404
from core.validation import add_domain_error
from supervision import exports, selectors
from supervision.forms import NoticeForm, ReferralForm, ResponseForm
from supervision.models import Inspection, Notice
from supervision.services import notices as services


@allow(Role.BUREAU)
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = list(selectors.notices_for_bureau(request.actor).order_by("status", "deadline"))
    return render(
        request,
        "supervision/notices.html",
        {
            "overdue": [n for n in rows if n.is_overdue(today)],
            "open": [n for n in rows if n.status in services.OPEN and not n.is_overdue(today)],
            "done": [n for n in rows if n.status not in services.OPEN],
            "to_issue": Inspection.objects.filter(
                target__plan__in=selectors.plans_for_bureau(request.actor),
                status=Inspection.Status.SUBMITTED,
                results__current=True,
                results__result="problem",
            )
            .exclude(notices__isnull=False)
            .select_related("target__institution")
            .distinct(),
        },
    )


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = get_or_404(
        Inspection.objects.filter(target__plan__in=selectors.plans_for_bureau(request.actor)).select_related(
            "target__institution"
        ),
        pk=id_or_404(inspection_id),
    )
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            notice = services.notice_issue(
                institution=inspection.target.institution,
                inspection=inspection,
                deadline=form.cleaned_data["deadline"],
                extra=form.cleaned_data["extra"].splitlines(),
                by=request.user,
                request=request,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Notice %(label)s issued.") % {"label": notice.label})
            return redirect("supervision:notice", notice.pk)
    problems = inspection.results.filter(current=True, result="problem").select_related("item")
    return render(
        request, "supervision/notice_new.html", {"form": form, "inspection": inspection, "problems": problems}
    )


@allow(Role.BUREAU)
@require_GET
def notice_detail(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = selectors.notice_for_bureau(request.actor, notice_id)
    return render(
        request,
        "supervision/notice.html",
        {"notice": notice, "referral_form": ReferralForm(), "open": notice.status in services.OPEN},
    )


@allow(Role.BUREAU)
@require_POST
def notice_refer(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice = selectors.notice_for_bureau(request.actor, notice_id)
    try:
        services.notice_refer(notice=notice, note=request.POST.get("note", ""), by=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, _("Referred to comprehensive law enforcement with the case file."))
    return redirect("supervision:notice", notice.pk)


@allow(Role.BUREAU)
@require_GET
def notice_file(request: HttpRequest, notice_id: int) -> HttpResponse:
    """The case file (Excel) that goes with a referral to 综合行政执法."""
    notice = selectors.notice_for_bureau(request.actor, notice_id)
    return xlsx_response(exports.notice_file_workbook(notice), f"{notice.label}.xlsx")


@allow(Role.INSTITUTION)
@require_http_methods(["GET", "POST"])
def my_notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    notice: Notice = selectors.notice_for_institution(request.actor, notice_id)
    form = ResponseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_respond(
                notice=notice, response=form.cleaned_data["response"], by=request.user, request=request
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Response sent to the bureau."))
            return redirect("supervision:my_notice", notice.pk)
    return render(
        request, "supervision/my_notice.html", {"notice": notice, "form": form, "open": notice.status in services.OPEN}
    )
