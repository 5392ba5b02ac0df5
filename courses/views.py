"""Coordinator and teacher pages for a school (thin: selectors read, services write).

The set-up pages follow one pattern: a page template holds its fragment inline
(`{% partialdef room-section inline %}`); a GET renders the page, an htmx request gets just the
fragment, and a plain form POST (no JavaScript) redirects back to the page. Every view first
resolves the school through `school_get_for_coordinator` (404 for another school) and every id
that arrives in the URL or in the form goes through a school-scoped selector (404 again).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import allow
from accounts.models import Role
from config.errors import DomainError
from courses import imports, selectors, services
from courses.forms import (
    CalendarExceptionForm,
    CourseForm,
    GridTemplateForm,
    ImportForm,
    RoomForm,
    SectionForm,
    TeacherForm,
    TermForm,
    WeekdayForm,
    add_domain_error,
)
from courses.models import WEEKDAY_CHOICES, School


@allow(Role.COORDINATOR)
def school_home(request: HttpRequest, school_id: int) -> HttpResponse:
    school = selectors.school_get_for_coordinator(actor=request.actor, school_id=school_id)
    overview = selectors.school_overview(school=school)
    steps = selectors.setup_progress(school=school)
    return render(request, "courses/school_home.html", {"school": school, "setup_steps": steps, **overview})


@allow(Role.TEACHER, Role.PARTNER_TEACHER)
def teacher_home(request: HttpRequest) -> HttpResponse:
    teacher = selectors.teacher_get_for_user(actor=request.actor)
    sections = selectors.section_list_for_teacher(actor=request.actor)
    load = selectors.teacher_weekly_load(sections=sections)
    return render(request, "courses/teacher_home.html", {"teacher": teacher, "sections": sections, "load": load})


# --- helpers -------------------------------------------------------------------------------------


def _school(request: HttpRequest, school_id: int) -> School:
    return selectors.school_get_for_coordinator(actor=request.actor, school_id=school_id)


def _render(request: HttpRequest, template: str, fragment: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or only its fragment for htmx."""
    return render(request, f"{template}#{fragment}" if request.htmx else template, context)


def _done(request: HttpRequest, url: str, notice: str) -> HttpResponse | None:
    """After a successful plain POST: message and redirect (PRG). For htmx: None, render inline."""
    if request.htmx:
        return None
    messages.success(request, notice)
    return redirect(url)


def _refused(request: HttpRequest, url: str, error: DomainError) -> HttpResponse | None:
    if request.htmx:
        return None
    messages.error(request, error.message())
    return redirect(url)


def _create(
    request: HttpRequest,
    form: Any,
    *,
    create: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], tuple[str, str]],
    page: Callable[[Any, str], HttpResponse],
) -> HttpResponse:
    """Run a set-up create service on a valid POSTed form. `done(obj)` gives (url, notice): a plain
    POST redirects there with the notice; htmx re-renders `page(form, notice)` with a fresh form.
    A refusal stays on the form, attached to its field."""
    notice = ""
    if request.method == "POST" and form.is_valid():
        try:
            obj = create(form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            url, notice = done(obj)
            if response := _done(request, url, notice):
                return response
            form = None
    return page(form, notice)


def _delete(
    request: HttpRequest, *, delete: Callable[[], None], url: str, notice: str, page: Callable[..., HttpResponse]
) -> HttpResponse:
    """Run a set-up delete service: redirect with a message (plain POST) or re-render the list
    fragment with the notice or the refusal (htmx). `page(notice=..., problem=...)` renders it."""
    try:
        delete()
    except DomainError as error:
        return _refused(request, url, error) or page(notice="", problem=error.message())
    return _done(request, url, notice) or page(notice=notice, problem="")


def _url(name: str, *args: Any) -> str:
    return reverse(f"courses:{name}", args=args)


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
    school = _school(request, school_id)
    return _create(
        request,
        TermForm(request.POST or None),
        create=lambda data: services.term_create(school=school, **data, by=request.user),
        done=lambda term: (_url("setup_term", school.pk, term.pk), _("Term “%(name)s” added.") % {"name": term.name}),
        page=lambda form, notice: _render(
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
    school = _school(request, school_id)
    term = selectors.term_get(school=school, term_id=term_id)
    form = TermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.term_update(term=term, **form.cleaned_data, by=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Term saved."))
            return redirect(_url("setup_term", school.pk, term.pk))
    return render(
        request, "courses/setup_term.html", _term_context(school, term, form=form if request.method == "POST" else None)
    )


@allow(Role.COORDINATOR)
@require_POST
def setup_exception_add(request: HttpRequest, school_id: int, term_id: int) -> HttpResponse:
    school = _school(request, school_id)
    term = selectors.term_get(school=school, term_id=term_id)
    return _create(
        request,
        CalendarExceptionForm(request.POST),
        create=lambda data: services.calendar_exception_add(term=term, **data, by=request.user),
        done=lambda exception: (
            _url("setup_term", school.pk, term.pk),
            _("%(date)s added.") % {"date": f"{exception.date:%Y-%m-%d}"},
        ),
        page=lambda form, notice: _render(
            request,
            "courses/setup_term.html",
            "exception-section",
            _term_context(school, term, exception_form=form, notice=notice),
        ),
    )


@allow(Role.COORDINATOR)
@require_POST
def setup_exception_delete(request: HttpRequest, school_id: int, exception_id: int) -> HttpResponse:
    school = _school(request, school_id)
    exception = selectors.calendar_exception_get(school=school, exception_id=exception_id)
    term = exception.term
    services.calendar_exception_delete(exception=exception, by=request.user)
    notice = _("Calendar exception removed.")
    if response := _done(request, _url("setup_term", school.pk, term.pk), notice):
        return response
    return _render(request, "courses/setup_term.html", "exception-section", _term_context(school, term, notice=notice))


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
    school = _school(request, school_id)
    return _render(request, "courses/setup_grid.html", "grid-section", _grid_context(school))


@allow(Role.COORDINATOR)
@require_POST
def setup_grid_template(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id)
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
                if response := _refused(request, _url("setup_grid", school.pk), error):
                    return response
            else:
                add_domain_error(form, error)
        else:
            notice = _("The 5+2 template has been applied: Monday to Friday have the sessions above.")
            if response := _done(request, _url("setup_grid", school.pk), notice):
                return response
            form = None
    context = _grid_context(school, template_form=form, notice=notice, problem=problem)
    return _render(request, "courses/setup_grid.html", "grid-section", context)


@allow(Role.COORDINATOR)
@require_POST
def setup_grid_weekday(request: HttpRequest, school_id: int, weekday: int) -> HttpResponse:
    school = _school(request, school_id)
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
                if response := _refused(request, _url("setup_grid", school.pk), error):
                    return response
            else:
                add_domain_error(form, error)
        else:
            notice = _("%(day)s saved.") % {"day": dict(WEEKDAY_CHOICES)[weekday]}
            if response := _done(request, _url("setup_grid", school.pk), notice):
                return response
            form = None
    context = _grid_context(school, weekday_form=form, notice=notice, problem=problem)
    return _render(request, "courses/setup_grid.html", "grid-section", context)


# --- Rooms -----------------------------------------------------------------------------------------


def _rooms_context(school: School, form: RoomForm | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "school": school,
        "active": "rooms",
        "rooms": selectors.room_list(school=school),
        "form": form or RoomForm(),
        **extra,
    }


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def setup_rooms(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id)
    return _create(
        request,
        RoomForm(request.POST or None),
        create=lambda data: services.room_create(school=school, **data, by=request.user),
        done=lambda room: (_url("setup_rooms", school.pk), _("Room “%(name)s” added.") % {"name": room.name}),
        page=lambda form, notice: _render(
            request, "courses/setup_rooms.html", "room-section", _rooms_context(school, form, notice=notice)
        ),
    )


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def setup_room(request: HttpRequest, school_id: int, room_id: int) -> HttpResponse:
    school = _school(request, school_id)
    room = selectors.room_get(school=school, room_id=room_id)
    initial = {"name": room.name, "capacity": room.capacity, "features": room.features}
    form = RoomForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_update(room=room, **form.cleaned_data, by=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Room “%(name)s” saved.") % {"name": room.name})
            return redirect(_url("setup_rooms", school.pk))
    return render(
        request,
        "courses/setup_edit.html",
        {
            "school": school,
            "active": "rooms",
            "form": form,
            "title": _("Edit room %(name)s") % {"name": room.name},
            "back_url": _url("setup_rooms", school.pk),
            "delete_url": _url("setup_room_delete", school.pk, room.pk),
        },
    )


@allow(Role.COORDINATOR)
@require_POST
def setup_room_delete(request: HttpRequest, school_id: int, room_id: int) -> HttpResponse:
    school = _school(request, school_id)
    room = selectors.room_get(school=school, room_id=room_id)
    return _delete(
        request,
        delete=lambda: services.room_delete(room=room, by=request.user),
        url=_url("setup_rooms", school.pk),
        notice=_("Room “%(name)s” deleted.") % {"name": room.name},
        page=lambda **kw: _render(request, "courses/setup_rooms.html", "room-section", _rooms_context(school, **kw)),
    )


# --- Teachers --------------------------------------------------------------------------------------


def _teachers_context(school: School, form: TeacherForm | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "school": school,
        "active": "teachers",
        "teachers": selectors.teacher_list_for_school(school=school),
        "form": form or TeacherForm(),
        **extra,
    }


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def setup_teachers(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id)
    return _create(
        request,
        TeacherForm(request.POST or None),
        create=lambda data: services.teacher_create(school=school, **data, by=request.user),
        done=lambda teacher: (
            _url("setup_teacher", school.pk, teacher.pk),
            _("Teacher %(name)s added.") % {"name": teacher.name},
        ),
        page=lambda form, notice: _render(
            request, "courses/setup_teachers.html", "teacher-section", _teachers_context(school, form, notice=notice)
        ),
    )


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def setup_teacher(request: HttpRequest, school_id: int, teacher_id: int) -> HttpResponse:
    school = _school(request, school_id)
    teacher = selectors.teacher_get_for_school(school=school, teacher_id=teacher_id)
    initial = {
        "name": teacher.name,
        "staff_no": teacher.staff_no,
        "phone": teacher.phone,
        "subjects": "，".join(teacher.subjects or []),
        "max_periods_week": teacher.max_periods_week,
    }
    form = TeacherForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.teacher_update(teacher=teacher, **form.cleaned_data, by=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Teacher %(name)s saved.") % {"name": teacher.name})
            return redirect(_url("setup_teacher", school.pk, teacher.pk))
    context = {
        "school": school,
        "active": "teachers",
        "teacher": teacher,
        "form": form,
        "grid": selectors.teacher_availability_grid(teacher=teacher),
    }
    return render(request, "courses/setup_teacher.html", context)


@allow(Role.COORDINATOR)
@require_POST
def setup_teacher_availability(request: HttpRequest, school_id: int, teacher_id: int) -> HttpResponse:
    """One tap on the availability grid: the posted slot id must be a slot of this school."""
    school = _school(request, school_id)
    teacher = selectors.teacher_get_for_school(school=school, teacher_id=teacher_id)
    slot = selectors.slot_get(school=school, slot_id=request.POST.get("slot"))
    unavailable = services.teacher_availability_toggle(teacher=teacher, slot=slot, by=request.user)
    if not request.htmx:
        return redirect(_url("setup_teacher", school.pk, teacher.pk))
    cell = {"session": slot.session, "slot": slot, "unavailable": unavailable}
    return render(
        request,
        "courses/setup_teacher.html#availability-cell",
        {"school": school, "teacher": teacher, "cell": cell, "row": {"label": slot.get_weekday_display()}},
    )


@allow(Role.COORDINATOR)
@require_POST
def setup_teacher_delete(request: HttpRequest, school_id: int, teacher_id: int) -> HttpResponse:
    school = _school(request, school_id)
    teacher = selectors.teacher_get_for_school(school=school, teacher_id=teacher_id)
    return _delete(
        request,
        delete=lambda: services.teacher_delete(teacher=teacher, by=request.user),
        url=_url("setup_teachers", school.pk),
        notice=_("Teacher %(name)s deleted.") % {"name": teacher.name},
        page=lambda **kw: _render(
            request, "courses/setup_teachers.html", "teacher-section", _teachers_context(school, **kw)
        ),
    )


# --- Courses and sections --------------------------------------------------------------------------


def _courses_context(school: School, form: CourseForm | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "school": school,
        "active": "courses",
        "courses": selectors.course_list_for_school(school=school),
        "form": form or CourseForm(school=school),
        "fee_cap": services.fee_cap(),
        **extra,
    }


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def setup_courses(request: HttpRequest, school_id: int) -> HttpResponse:
    school = _school(request, school_id)
    return _create(
        request,
        CourseForm(request.POST or None, school=school),
        create=lambda data: services.course_create(school=school, **data, by=request.user),
        done=lambda course: (
            _url("setup_course", school.pk, course.pk),
            _("Course “%(title)s” added.") % {"title": course.title},
        ),
        page=lambda form, notice: _render(
            request, "courses/setup_courses.html", "course-section", _courses_context(school, form, notice=notice)
        ),
    )


def _course_context(school: School, course, **extra: Any) -> dict[str, Any]:
    initial = {
        "kind": course.kind,
        "title": course.title,
        "grades": course.grades,
        "seats_per_section": course.seats_per_section,
        "meetings_per_week": course.meetings_per_week,
        "room_features": course.room_features,
        "fee_per_class_hour": course.fee_per_class_hour,
        "description": course.description,
    }
    term = selectors.term_current(school=school)
    return {
        "school": school,
        "active": "courses",
        "course": course,
        "form": extra.pop("form", None) or CourseForm(school=school, course=course, initial=initial),
        "sections": selectors.section_list_for_course(course=course),
        "section_form": extra.pop("section_form", None)
        or SectionForm(school=school, course=course, initial={"term": term.pk if term else None}),
        "has_terms": term is not None,
        **extra,
    }


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def setup_course(request: HttpRequest, school_id: int, course_id: int) -> HttpResponse:
    school = _school(request, school_id)
    course = selectors.course_get_for_school(school=school, course_id=course_id)
    form = CourseForm(request.POST or None, school=school, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(course=course, **form.cleaned_data, by=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Course “%(title)s” saved.") % {"title": course.title})
            return redirect(_url("setup_course", school.pk, course.pk))
    context = _course_context(school, course, form=form if request.method == "POST" else None)
    return render(request, "courses/setup_course.html", context)


@allow(Role.COORDINATOR)
@require_POST
def setup_course_delete(request: HttpRequest, school_id: int, course_id: int) -> HttpResponse:
    school = _school(request, school_id)
    course = selectors.course_get_for_school(school=school, course_id=course_id)
    return _delete(
        request,
        delete=lambda: services.course_delete(course=course, by=request.user),
        url=_url("setup_courses", school.pk),
        notice=_("Course “%(title)s” deleted.") % {"title": course.title},
        page=lambda **kw: _render(
            request, "courses/setup_courses.html", "course-section", _courses_context(school, **kw)
        ),
    )


@allow(Role.COORDINATOR)
@require_POST
def setup_section_add(request: HttpRequest, school_id: int, course_id: int) -> HttpResponse:
    school = _school(request, school_id)
    course = selectors.course_get_for_school(school=school, course_id=course_id)
    return _create(
        request,
        SectionForm(request.POST, school=school, course=course),
        create=lambda data: services.section_create(course=course, **data, by=request.user),
        done=lambda section: (
            _url("setup_course", school.pk, course.pk),
            _("Section %(code)s added.") % {"code": section.code},
        ),
        page=lambda form, notice: _render(
            request,
            "courses/setup_course.html",
            "section-section",
            _course_context(school, course, section_form=form, notice=notice),
        ),
    )


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def setup_section(request: HttpRequest, school_id: int, section_id: int) -> HttpResponse:
    school = _school(request, school_id)
    section = selectors.section_get_for_school(school=school, section_id=section_id)
    initial = {
        "term": section.term_id,
        "code": section.code,
        "capacity": section.capacity,
        "teacher": section.teacher_id or "",
        "school_class": section.school_class_id or "",
    }
    form = SectionForm(request.POST or None, school=school, course=section.course, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get("capacity") is None:
            data["capacity"] = section.capacity
        try:
            services.section_update(section=section, **data, by=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Section %(code)s saved.") % {"code": section.code})
            return redirect(_url("setup_course", school.pk, section.course_id))
    return render(
        request,
        "courses/setup_edit.html",
        {
            "school": school,
            "active": "courses",
            "form": form,
            "title": _("Edit section %(section)s") % {"section": section},
            "back_url": _url("setup_course", school.pk, section.course_id),
            "delete_url": _url("setup_section_delete", school.pk, section.pk),
        },
    )


@allow(Role.COORDINATOR)
@require_POST
def setup_section_delete(request: HttpRequest, school_id: int, section_id: int) -> HttpResponse:
    school = _school(request, school_id)
    section = selectors.section_get_for_school(school=school, section_id=section_id)
    course = section.course
    return _delete(
        request,
        delete=lambda: services.section_delete(section=section, by=request.user),
        url=_url("setup_course", school.pk, course.pk),
        notice=_("Section %(code)s deleted.") % {"code": section.code},
        page=lambda **kw: _render(
            request, "courses/setup_course.html", "section-section", _course_context(school, course, **kw)
        ),
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
    school = _school(request, school_id)
    spec = IMPORTS.get(kind) or _not_found()
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
        "action_url": _url(f"setup_import_{kind}", school.pk),
        "template_url": _url(f"setup_import_{kind}_template", school.pk),
        "list_url": _url(f"setup_{kind}", school.pk),
    }
    return render(request, "courses/setup_import.html", context)


@allow(Role.COORDINATOR)
@require_GET
def setup_import_template(request: HttpRequest, school_id: int, kind: str) -> HttpResponse:
    _school(request, school_id)
    spec = IMPORTS.get(kind) or _not_found()
    return xlsx_response(imports.build_template(title=spec["sheet"], columns=spec["columns"]), spec["filename"])


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=imports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response


def _not_found() -> Any:
    raise Http404
