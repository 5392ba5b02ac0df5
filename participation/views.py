"""Registers (teachers, partner teachers, coordinators), leave (families), participation (coordinators,
the bureau). Thin: `participation.services` writes, `participation.selectors` reads and scopes,
`participation.stats` computes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.exports import XLSX_CONTENT_TYPE as XLSX
from core.ids import id_or_404
from courses.models import School
from courses.selectors import school_get_for_coordinator, term_current
from enrollment import selectors
from participation import exports, stats
from participation import selectors as part_selectors
from participation import services as part_services
from participation.models import AttendanceStatus
from participation.voluntariness import voluntariness_for_bureau


def _day(value: str | None, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise Http404 from None


# --- teachers: the day's meetings and the register ------------------------------------------------


@allow(Role.TEACHER, Role.PARTNER_TEACHER)
@require_GET
def teacher_day(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    day = _day(request.GET.get("date"), today)
    sections = part_selectors.section_list_for_teacher(actor=request.actor)
    meetings = part_selectors.meetings_on(sections=sections, day=day)
    context = {
        "day": day,
        "today": today,
        "prev": day - dt.timedelta(days=1),
        "next": day + dt.timedelta(days=1),
        "meetings": meetings,
        "sections": sections,
    }
    return render(request, "participation/attendance_day.html", context)


def _register_context(section, day: dt.date, register=None, saved: bool = False) -> dict[str, Any]:
    marks = part_selectors.register_marks(section=section, day=day)
    if register is None:
        register = section.registers.filter(date=day).select_related("taken_by").first()
    counts = {s: sum(1 for m in marks if m.status == s) for s in part_services.STATUSES}
    return {
        "section": section,
        "day": day,
        "marks": marks,
        "register": register,
        "counts": counts,
        "statuses": AttendanceStatus.choices,
        "saved": saved,
        "refusal": (refusal := part_selectors.register_day_refusal(section, day, timezone.localdate())),
        "refusal_message": DomainError(refusal).message() if refusal else "",
        "open": refusal is None,
    }


@allow(Role.TEACHER, Role.PARTNER_TEACHER, Role.COORDINATOR)
@require_GET
def register(request: HttpRequest, section_id: int, day: str) -> HttpResponse:
    section = part_selectors.section_get_for_register(actor=request.actor, section_id=section_id)
    date = _day(day, timezone.localdate())
    context = _register_context(section, date)
    if request.actor.has(Role.TEACHER, Role.PARTNER_TEACHER):
        context["back"] = (reverse("participation:teacher_day"), _("My registers"))
    else:  # a coordinator came from the school's registers
        context["back"] = (reverse("participation:school_attendance", args=[section.course.school_id]), _("Attendance"))
    template = (
        "participation/attendance_register.html#register" if request.htmx else "participation/attendance_register.html"
    )
    return render(request, template, context)


def _register_write(
    request: HttpRequest, section_id: int, day: str, changes: dict[int, str], *, row: int | None = None
) -> HttpResponse:
    """Save, then answer htmx with the whole register, or (`row`, one tap) only that pupil's row
    with the counts out of band, so the phone's scroll position and the other rows stay put."""
    section = part_selectors.section_get_for_register(actor=request.actor, section_id=section_id)
    date = _day(day, timezone.localdate())
    saved = False
    reg = None
    error = ""
    try:
        reg = part_services.register_save(section=section, day=date, changes=changes, by=request.user, request=request)
        saved = True
    except DomainError as exc:
        error = exc.message()
        if not request.htmx:
            messages.error(request, error)
    if request.htmx:
        context = _register_context(section, date, reg, saved)
        context["error"] = error
        if row is None:
            return render(request, "participation/attendance_register.html#register", context)
        context["mark"] = next((m for m in context["marks"] if m.student.pk == row), None)
        if context["mark"] is None:
            raise Http404
        return render(request, "participation/_register_mark.html", context)
    if saved:
        messages.success(request, _("The register is saved."))
    return redirect("participation:register", section.pk, date.isoformat())


@allow(Role.TEACHER, Role.PARTNER_TEACHER, Role.COORDINATOR)
@require_POST
def register_mark(request: HttpRequest, section_id: int, day: str) -> HttpResponse:
    """One tap: this pupil's mark, saved at once (the rest of a new register counts as present)."""
    status = request.POST.get("status", "")
    student = request.POST.get("student", "")
    if status not in part_services.STATUSES or not student.isdigit():
        raise Http404
    return _register_write(request, section_id, day, {int(student): status}, row=int(student))


@allow(Role.TEACHER, Role.PARTNER_TEACHER, Role.COORDINATOR)
@require_POST
def register_save(request: HttpRequest, section_id: int, day: str) -> HttpResponse:
    """Take the register as shown: everyone not marked otherwise is present."""
    return _register_write(request, section_id, day, {})


# --- coordinators: registers not taken, absences, participation with names -----------------------


@allow(Role.COORDINATOR)
@require_GET
def school_attendance(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    term = term_current(school=school)
    day = _day(request.GET.get("date"), part_selectors.last_school_day(term, timezone.localdate()))
    context = {
        "school": school,
        "day": day,
        "missing": part_selectors.registers_missing(school=school, until=day),
        "absences": part_selectors.absences_on(school=school, day=day),
    }
    return render(request, "participation/attendance_school.html", context)


def _school_page(request: HttpRequest, school: School, *, named: bool) -> HttpResponse:
    data = stats.school_stats(school_ids=[school.pk])
    shown = data if named else stats.for_bureau(data)
    context = {
        "school": school,
        "stats": shown,
        "named": named,
        "lists": stats.school_named_lists(school=school) if named else None,
        "teachers": stats.teacher_periods(school_ids=[school.pk]) if named else None,
        "charts": stats.chart_data(shown, schools=False),
        "small_cell": stats.SMALL_CELL,
        "show_classes": True,
    }
    return render(request, "participation/bureau_school.html", context)


@allow(Role.COORDINATOR)
@require_GET
def school_stats(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    return _school_page(request, school, named=True)


@allow(Role.COORDINATOR)
@require_GET
def school_export(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    data = stats.school_stats(school_ids=[school.pk])
    book = exports.workbook(
        data, title=school.name, named=stats.school_named_lists(school=school, limit=100_000), schools=False
    )
    return _xlsx(book, f"participation-{school.code}.xlsx")


# --- the bureau: drill-down and export (aggregates only) -----------------------------------------


def _bureau_school_ids(request: HttpRequest) -> list[int]:
    return part_selectors.bureau_school_ids(request.actor)


@allow(Role.BUREAU)
@require_GET
def bureau_school(request: HttpRequest, school_id: int) -> HttpResponse:
    ids = _bureau_school_ids(request)
    school_id = id_or_404(school_id)
    if school_id not in ids:
        raise Http404
    return _school_page(request, School.objects.get(pk=school_id), named=False)


@allow(Role.BUREAU)
@require_GET
def bureau_export(request: HttpRequest) -> HttpResponse:
    ids = _bureau_school_ids(request)
    raw = request.GET.get("school", "")
    title = _("District participation")
    name = "district-participation.xlsx"
    if raw:
        school_id = id_or_404(raw)
        if school_id not in ids:
            raise Http404
        ids = [school_id]
        school = School.objects.get(pk=school_id)
        title, name = school.name, f"participation-{school.code}.xlsx"
    data = stats.for_bureau(stats.school_stats(school_ids=ids))
    return _xlsx(exports.workbook(data, title=title, schools=not raw), name)


def _xlsx(book, filename: str) -> HttpResponse:
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    book.save(response)
    return response


# --- families: leave reported ahead of time -----------------------------------------------------------


@allow(Role.PARENT)
@require_http_methods(["GET", "POST"])
def leave(request: HttpRequest, student_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    today = timezone.localdate()
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("date", "")[:10])
        except ValueError:
            messages.error(request, DomainError("validation_error").message())
        else:
            try:
                part_services.leave_report(
                    student=child, day=day, reason=request.POST.get("reason", "").strip(), by=request.user
                )
            except DomainError as error:
                messages.error(request, error.message())
            else:
                messages.success(
                    request, _("Leave for %(child)s on %(date)s is reported.") % {"child": child.name, "date": day}
                )
        return redirect("participation:leave", child.pk)
    context = {"child": child, "reports": part_selectors.leave_list(student=child), "today": today}
    return render(request, "participation/attendance_leave.html", context)


@allow(Role.PARENT)
@require_POST
def leave_cancel(request: HttpRequest, student_id: int, report_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    part_services.leave_cancel(student=child, report_id=report_id, by=request.user, request=request)
    messages.success(request, _("The leave report is withdrawn."))
    return redirect("participation:leave", child.pk)


@allow(Role.BUREAU)
@require_GET
def bureau_home(request: HttpRequest) -> HttpResponse:
    """District participation and participation: aggregates only, cells under SMALL_CELL suppressed."""
    from participation import stats

    ids = _bureau_school_ids(request)
    data = stats.for_bureau(stats.school_stats(school_ids=ids))
    flags = voluntariness_for_bureau(actor=request.actor)
    context = {
        "stats": data,
        "school_count": len(ids),
        "charts": stats.chart_data(data),
        "small_cell": stats.SMALL_CELL,
        "voluntariness": {**flags, "schools": flags["flagged"]},  # only the flagged schools here
    }
    return render(request, "participation/bureau_home.html", context)
