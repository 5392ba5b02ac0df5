"""Complaint pages: hotline staff (desktop: queue, call record, handling), the bureau (all of the
district: assign, oversee, statistics, Excel), parents (their own, on a phone) and the public
(a form and a follow-up page by check code, on a phone, no login).

The complainant's contact is put in the context only for the handler (`contact_visible`); lists are
built from the selector's list columns, which never load it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import allow, public
from accounts.models import Role
from core.audit import client_ip
from core.errors import DomainError
from core.exports import xlsx_response
from core.validation import add_domain_error
from courses.models import District
from pupils.models import Student
from supervision import exports_complaints
from supervision import selectors_complaints as sel
from supervision.forms_complaints import (
    AssignForm,
    CallbackForm,
    ComplaintForm,
    FindingForm,
    FollowForm,
    NoteForm,
    RectifyForm,
    ReplyForm,
)
from supervision.models import Complaint
from supervision.services import complaints as services

SESSION_CODE = "kehou_complaint_code"


def _form(request: HttpRequest, district: District, *, staff: bool, rows: int) -> ComplaintForm:
    return ComplaintForm(
        request.POST or None,
        institutions=sel.institutions_for_form(district),
        schools=sel.schools_for_form(district),
        pupil_rows=rows,
        staff=staff,
    )


def _submit(
    request: HttpRequest, form: ComplaintForm, district: District, channel: str
) -> tuple[Complaint, str] | None:
    if not form.is_valid():
        return None
    try:
        return services.complaint_submit(
            district=district,
            channel=channel,
            data=form.cleaned_data,
            pupils=form.pupils(),
            by=request.user if request.user.is_authenticated else None,
            ip=client_ip(request),
            request=request,
        )
    except DomainError as error:
        if error.code == "complaint_throttled":
            raise
        add_domain_error(form, error)
        return None


# --- hotline staff ------------------------------------------------------------------------------------


@allow(Role.HOTLINE)
@require_GET
def hotline_home(request: HttpRequest) -> HttpResponse:
    """The hotline's desk: unassigned, mine (by time limit), the district's overdue ones."""
    qs = sel.complaints_for_hotline(request.actor)
    today = timezone.localdate()
    return render(
        request,
        "supervision/complaints_hotline.html",
        {
            "unassigned": sel.complaint_rows(
                qs.filter(handler__isnull=True, status__in=sel.OPEN_STATUSES), today=today, limit=100
            ),
            "mine": sel.complaint_rows(
                qs.filter(handler_id=request.user.pk, status__in=sel.OPEN_STATUSES), today=today, limit=200
            ),
            "overdue": sel.complaint_rows(
                qs.filter(status__in=sel.OPEN_STATUSES, due__lt=today), today=today, limit=100
            ),
        },
    )


@allow(Role.HOTLINE)
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    """Record a call."""
    district = sel.staff_district(request.actor)
    form = _form(request, district, staff=True, rows=5)
    if request.method == "POST":
        done = _submit(request, form, district, Complaint.Channel.HOTLINE)
        if done is not None:
            complaint, code = done
            messages.success(
                request,
                _("%(label)s recorded. Read the check code to the caller: %(code)s (it is not shown again).")
                % {"label": complaint.label, "code": code},
            )
            return redirect("supervision:complaint", complaint.pk)
    return render(request, "supervision/complaints_form.html", {"form": form, "staff": True, "district": district})


# --- hotline staff and the bureau -------------------------------------------------------------------


@allow(Role.HOTLINE, Role.BUREAU)
@require_GET
def complaints(request: HttpRequest) -> HttpResponse:
    """Every complaint of the district, filtered; the statistics on top (no contact, no pupil)."""
    qs = sel.complaints_for_staff(request.actor)
    result = sel.complaint_search(qs, request.GET, actor=request.actor, page=request.GET.get("page"))
    return render(
        request,
        "supervision/complaints_list.html",
        {
            "page": result,
            "stats": sel.complaint_stats(qs),
            "statuses": Complaint.Status.choices,
            "categories": Complaint.Category.choices,
            "channels": Complaint.Channel.choices,
            "is_bureau": request.actor.has(Role.BUREAU),
        },
    )


@allow(Role.BUREAU)
@require_GET
def complaints_export(request: HttpRequest) -> HttpResponse:
    qs = sel.complaints_for_bureau(request.actor)
    return xlsx_response(exports_complaints.complaints_workbook(qs), f"投诉举报_{timezone.localdate():%Y%m%d}.xlsx")


def _detail_context(request: HttpRequest, complaint: Complaint) -> dict[str, Any]:
    actor = request.actor
    handler = sel.contact_visible(complaint, actor)
    is_bureau = actor.has(Role.BUREAU)
    context: dict[str, Any] = {
        "c": complaint,
        "handler_view": handler,
        "description": complaint.description if handler else sel.redacted(complaint.description),
        "events": sel.events_for(complaint),
        "overdue": complaint.is_overdue(),
        "is_bureau": is_bureau,
        "is_hotline": actor.has(Role.HOTLINE),
        "pupils_named": complaint.pupils.count(),
        "feedback": list(complaint.school_feedback.select_related("school")),
        "pupils": list(complaint.pupils.select_related("school")) if handler else [],
        "S": Complaint.Status,
    }
    if handler:
        s = complaint.status
        context["forms"] = {
            "verify": NoteForm() if s == Complaint.Status.ASSIGNED else None,
            "finding": FindingForm() if s == Complaint.Status.VERIFYING else None,
            "rectify": RectifyForm() if s == Complaint.Status.SUBSTANTIATED else None,
            "follow_up": NoteForm() if s == Complaint.Status.RECTIFYING else None,
            "reply": ReplyForm(initial={"reply": complaint.reply})
            if s not in services.BEFORE_OUTCOME and complaint.is_open
            else None,
            "callback": CallbackForm() if complaint.replied_at else None,
            "close": NoteForm() if s in (Complaint.Status.UNSUBSTANTIATED, Complaint.Status.FOLLOWED_UP) else None,
            "refer": NoteForm()
            if s in (Complaint.Status.SUBSTANTIATED, Complaint.Status.RECTIFYING, Complaint.Status.FOLLOWED_UP)
            else None,
        }
    if is_bureau and complaint.is_open:
        context["assign_form"] = AssignForm(
            initial={"handler": complaint.handler_id}, handlers=list(sel.handlers(complaint.district))
        )
    return context


@allow(Role.HOTLINE, Role.BUREAU)
@require_GET
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = sel.complaint_for_staff(request.actor, complaint_id)
    return render(request, "supervision/complaints_detail.html", _detail_context(request, complaint))


def _act(request: HttpRequest, complaint: Complaint, action: str) -> str:
    """Run one step from a posted form; returns the success message (DomainError on refusal)."""
    post, user = request.POST, request.user
    common = {"complaint": complaint, "by": user, "request": request}
    if action == "take":
        if not request.actor.has(Role.HOTLINE):
            raise PermissionDenied
        services.complaint_take(**common)
        return _("You handle this complaint now.")
    if action == "assign":
        if not request.actor.has(Role.BUREAU):
            raise PermissionDenied
        form = AssignForm(post, handlers=list(sel.handlers(complaint.district)))
        if not form.is_valid():
            raise DomainError("validation_error", fields={k: list(v) for k, v in form.errors.items()})
        handler = sel.handlers(complaint.district).filter(pk=form.cleaned_data["handler"]).first()
        services.complaint_assign(handler=handler, **common)
        return _("Assigned.")
    if action == "verify":
        services.complaint_start_verification(note=post.get("note", ""), **common)
        return _("Verification started.")
    if action == "finding":
        services.complaint_record_finding(outcome=post.get("outcome", ""), finding=post.get("finding", ""), **common)
        return _("Finding recorded.")
    if action == "rectify":
        form = RectifyForm(post)
        if not form.is_valid():
            raise DomainError("validation_error", fields={k: list(v) for k, v in form.errors.items()})
        services.complaint_order_rectification(
            rectification=form.cleaned_data["rectification"],
            rectify_by=form.cleaned_data["rectify_by"],
            issue_notice=form.cleaned_data["issue_notice"],
            **common,
        )
        return _("Rectification ordered.")
    if action == "follow_up":
        services.complaint_record_follow_up(note=post.get("note", ""), **common)
        return _("Follow-up recorded.")
    if action == "reply":
        services.complaint_reply(text=post.get("reply", ""), **common)
        return _("Reply saved; the complainant can read it now.")
    if action == "callback":
        services.complaint_callback(satisfaction=post.get("satisfaction", ""), note=post.get("note", ""), **common)
        return _("Call-back recorded.")
    if action == "close":
        services.complaint_close(note=post.get("note", ""), **common)
        return _("Complaint closed.")
    if action == "refer":
        services.complaint_refer(note=post.get("note", ""), **common)
        return _("Complaint referred.")
    raise Http404


@allow(Role.HOTLINE, Role.BUREAU)
@require_POST
def complaint_action(request: HttpRequest, complaint_id: int, action: str) -> HttpResponse:
    complaint = sel.complaint_for_staff(request.actor, complaint_id)
    try:
        text = _act(request, complaint, action)
    except DomainError as error:
        detail = "；".join(str(m) for ms in error.fields.values() for m in (ms if isinstance(ms, list) else [ms]))
        messages.error(request, f"{error.message()} {detail}".strip())
    else:
        messages.success(request, text)
    return redirect("supervision:complaint", complaint.pk)


# --- parents ---------------------------------------------------------------------------------------


def _parent_district(request: HttpRequest) -> District:
    child = Student.objects.visible_to_parent(request.actor).select_related("school__district").first()
    if child is None:
        raise Http404
    return child.school.district


@allow(Role.PARENT)
@require_GET
def my_complaints(request: HttpRequest) -> HttpResponse:
    rows = list(sel.my_complaints(request.actor).order_by("-received_at", "-id"))
    return render(request, "supervision/complaints_mine.html", {"rows": rows})


@allow(Role.PARENT)
@require_http_methods(["GET", "POST"])
def my_complaint_new(request: HttpRequest) -> HttpResponse:
    district = _parent_district(request)
    form = _form(request, district, staff=False, rows=3)
    if request.method == "POST":
        done = _submit(request, form, district, Complaint.Channel.SITE)
        if done is not None:
            messages.success(request, _("%(label)s received. You can follow it here.") % {"label": done[0].label})
            return redirect("supervision:my_complaint", done[0].pk)
    return render(request, "supervision/complaints_form.html", {"form": form, "parent": True, "district": district})


@allow(Role.PARENT)
@require_GET
def my_complaint(request: HttpRequest, complaint_id: int) -> HttpResponse:
    complaint = sel.my_complaint(request.actor, complaint_id)
    return render(request, "supervision/complaints_my_detail.html", {"c": complaint})


# --- the public ----------------------------------------------------------------------------------------


def _public_district(request: HttpRequest) -> District | None:
    districts = list(District.objects.order_by("pk")[:50])
    if len(districts) == 1:
        return districts[0]
    code = str(request.GET.get("d") or request.POST.get("d") or "")[:20]
    return next((d for d in districts if d.code == code), None)


def _throttled_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "supervision/complaints_public_refused.html", {"message": error.message()}, status=429)


@public
@require_http_methods(["GET", "POST"])
def public_new(request: HttpRequest) -> HttpResponse:
    district = _public_district(request)
    if district is None:
        return render(
            request, "supervision/complaints_public_form.html", {"districts": District.objects.order_by("name")[:50]}
        )
    form = _form(request, district, staff=False, rows=3)
    if request.method == "POST":
        try:
            done = _submit(request, form, district, Complaint.Channel.PUBLIC)
        except DomainError as error:
            return _throttled_page(request, error)
        if done is not None:
            request.session[SESSION_CODE] = {"label": done[0].label, "code": done[1]}
            return redirect("supervision:public_complaint_done")
    return render(request, "supervision/complaints_public_form.html", {"form": form, "district": district})


@public
@require_GET
def public_done(request: HttpRequest) -> HttpResponse:
    """The check code, shown once (taken out of the session)."""
    shown = request.session.pop(SESSION_CODE, None)
    if shown is None:
        return redirect("supervision:public_complaint_follow")
    response = render(request, "supervision/complaints_public_done.html", shown)
    response["Cache-Control"] = "no-store"
    return response


@public
@require_http_methods(["GET", "POST"])
def public_follow(request: HttpRequest) -> HttpResponse:
    """Status and reply by check code (POST, so the code stays out of addresses and logs)."""
    form = FollowForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        try:
            found = services.public_view(
                services.complaint_follow(code=form.cleaned_data["code"], ip=client_ip(request))
            )
            form = FollowForm()  # the code is not written back into the page
        except DomainError as error:
            if error.code == "complaint_throttled":
                return _throttled_page(request, error)
            form.add_error("code", error.message())
    response = render(request, "supervision/complaints_public_follow.html", {"form": form, "found": found})
    response["Cache-Control"] = "no-store"
    return response
