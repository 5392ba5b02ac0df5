"""Set-up pages: terms, holidays and swapped days, the 5+2 time grid."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.validation import add_domain_error
from courses import selectors, services
from courses.forms import (
    CalendarExceptionForm,
    GridTemplateForm,
    TermForm,
    WeekdayForm,
)
from courses.models import WEEKDAY_CHOICES, School
from courses.views.helpers import (
    coordinator_school,
    create_flow,
    done_or_none,
    refused_or_none,
    render_page,
    setup_url,
)

# --- Term and calendar ---------------------------------------------------------------------------


def _terms_context(school: School, form: TermForm | None = None, notice: str = "") -> dict[str, Any]:
    return {
        "school": school,
        "active": "terms",
        "terms": selectors.term_list(school=school),
        "form": form or TermForm(),
        "notice": notice,
    }


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def setup_terms(request: HttpRequest, school_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    return create_flow(
        request,
        TermForm(request.POST or None),
        create=lambda data: services.term_create(school=school, **data, by=request.user),
        done=lambda term: (
            setup_url("setup_term", school.pk, term.pk),
            _("Term “%(name)s” added.") % {"name": term.name},
        ),
        page=lambda form, notice: render_page(
            request, "courses/setup_terms.html", "term-section", _terms_context(school, form, notice)
        ),
    )


def _term_context(school: School, term, **extra: Any) -> dict[str, Any]:
    exceptions = list(term.exceptions.all())
    weekdays = dict(WEEKDAY_CHOICES)
    for ex in exceptions:
        ex.follows_label = weekdays.get(ex.follows_weekday, "")
    return {
        "school": school,
        "active": "terms",
        "term": term,
        "exceptions": exceptions,
        "exception_form": extra.pop("exception_form", None) or CalendarExceptionForm(),
        "form": extra.pop("form", None) or TermForm(initial={"name": term.name, "start": term.start, "end": term.end}),
        **extra,
    }


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def setup_term(request: HttpRequest, school_id: int, term_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    term = selectors.term_get(school=school, term_id=term_id)
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.term_update(term=term, **form.cleaned_data, by=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Term saved."))
            return redirect(setup_url("setup_term", school.pk, term.pk))
    return render(
        request, "courses/setup_term.html", _term_context(school, term, form=form if request.method == "POST" else None)
    )


@allow(Role.COORDINATOR)
@require_POST
def setup_exception_add(request: HttpRequest, school_id: int, term_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    term = selectors.term_get(school=school, term_id=term_id)
    return create_flow(
        request,
        CalendarExceptionForm(request.POST),
        create=lambda data: services.calendar_exception_add(term=term, **data, by=request.user),
        done=lambda exception: (
            setup_url("setup_term", school.pk, term.pk),
            _("%(date)s added.") % {"date": f"{exception.date:%Y-%m-%d}"},
        ),
        page=lambda form, notice: render_page(
            request,
            "courses/setup_term.html",
            "exception-section",
            _term_context(school, term, exception_form=form, notice=notice),
        ),
    )


@allow(Role.COORDINATOR)
@require_POST
def setup_exception_delete(request: HttpRequest, school_id: int, exception_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    exception = selectors.calendar_exception_get(school=school, exception_id=exception_id)
    term = exception.term
    services.calendar_exception_delete(exception=exception, by=request.user)
    notice = _("Calendar exception removed.")
    if response := done_or_none(request, setup_url("setup_term", school.pk, term.pk), notice):
        return response
    return render_page(
        request, "courses/setup_term.html", "exception-section", _term_context(school, term, notice=notice)
    )


# --- Time grid -------------------------------------------------------------------------------------


def _grid_context(school: School, **extra: Any) -> dict[str, Any]:
    slots = selectors.slot_list(school=school)
    grid = selectors.slot_grid(school=school, slots=slots)
    columns = min(services.MAX_SESSIONS, max((s.session for s in slots), default=1) + 1)
    bound: WeekdayForm | None = extra.pop("weekday_form", None)
    days = []
    for row in grid["rows"]:
        weekday = row["weekday"]
        by_session = {cell["session"]: cell["slot"] for cell in row["cells"] if cell["slot"]}
        if bound is not None and bound.weekday == weekday:
            form = bound
        else:
            initial = {}
            for n, slot in by_session.items():
                initial[f"session_{n}_start"], initial[f"session_{n}_end"] = slot.start, slot.end
            form = WeekdayForm(weekday=weekday, sessions=columns, initial=initial)
        minutes = sum(
            (s.end.hour * 60 + s.end.minute) - (s.start.hour * 60 + s.start.minute) for s in by_session.values()
        )
        pairs = [(form[f"session_{n}_start"], form[f"session_{n}_end"], n) for n in range(1, form.count + 1)]
        days.append({"weekday": weekday, "label": row["label"], "form": form, "pairs": pairs, "minutes": minutes})
    return {
        "school": school,
        "active": "grid",
        "grid": grid,
        "days": days,
        "slot_count": len(slots),
        "template_form": extra.pop("template_form", None) or GridTemplateForm(),
        **extra,
    }


@allow(Role.COORDINATOR)
@require_GET
def setup_grid(request: HttpRequest, school_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    return render_page(request, "courses/setup_grid.html", "grid-section", _grid_context(school))


@allow(Role.COORDINATOR)
@require_POST
def setup_grid_template(request: HttpRequest, school_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    form = GridTemplateForm(request.POST)
    notice, problem = "", ""
    if form.is_valid():
        try:
            services.slot_grid_apply_template(
                school=school, sessions=form.sessions(), friday_sessions=form.friday_sessions(), by=request.user
            )
        except DomainError as error:
            if error.code == "conflict":
                problem = error.message()
                if response := refused_or_none(request, setup_url("setup_grid", school.pk), error):
                    return response
            else:
                add_domain_error(form, error)
        else:
            notice = _("The 5+2 template has been applied: Monday to Friday have the sessions above.")
            if response := done_or_none(request, setup_url("setup_grid", school.pk), notice):
                return response
            form = None
    context = _grid_context(school, template_form=form, notice=notice, problem=problem)
    return render_page(request, "courses/setup_grid.html", "grid-section", context)


@allow(Role.COORDINATOR)
@require_POST
def setup_grid_weekday(request: HttpRequest, school_id: int, weekday: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    if weekday not in range(5):
        raise Http404
    form = WeekdayForm(request.POST, weekday=weekday)
    notice, problem = "", ""
    if form.is_valid():
        try:
            services.slot_weekday_save(school=school, weekday=weekday, sessions=form.sessions(), by=request.user)
        except DomainError as error:
            if error.code == "conflict":
                problem = error.message()
                if response := refused_or_none(request, setup_url("setup_grid", school.pk), error):
                    return response
            else:
                add_domain_error(form, error)
        else:
            notice = _("%(day)s saved.") % {"day": dict(WEEKDAY_CHOICES)[weekday]}
            if response := done_or_none(request, setup_url("setup_grid", school.pk), notice):
                return response
            form = None
    context = _grid_context(school, weekday_form=form, notice=notice, problem=problem)
    return render_page(request, "courses/setup_grid.html", "grid-section", context)
