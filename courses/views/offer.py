"""Set-up pages: courses and their sections (a section's edit page is enrollment's: it changes seats)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.validation import add_domain_error
from courses import selectors, services
from courses.forms import (
    CourseForm,
    SectionForm,
)
from courses.models import School
from courses.views.helpers import (
    coordinator_school,
    create_flow,
    delete_flow,
    render_page,
    setup_url,
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
    school = coordinator_school(request, school_id)
    return create_flow(
        request,
        CourseForm(request.POST or None, school=school),
        create=lambda data: services.course_create(school=school, **data, by=request.user),
        done=lambda course: (
            setup_url("setup_course", school.pk, course.pk),
            _("Course “%(title)s” added.") % {"title": course.title},
        ),
        page=lambda form, notice: render_page(
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
        "homework_in_home_room": course.homework_in_home_room,
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
    school = coordinator_school(request, school_id)
    course = selectors.course_get_for_school(school=school, course_id=course_id)
    form = CourseForm(request.POST or None, school=school, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(course=course, **form.cleaned_data, by=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Course “%(title)s” saved.") % {"title": course.title})
            return redirect(setup_url("setup_course", school.pk, course.pk))
    context = _course_context(school, course, form=form if request.method == "POST" else None)
    return render(request, "courses/setup_course.html", context)


@allow(Role.COORDINATOR)
@require_POST
def setup_course_delete(request: HttpRequest, school_id: int, course_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    course = selectors.course_get_for_school(school=school, course_id=course_id)
    return delete_flow(
        request,
        delete=lambda: services.course_delete(course=course, by=request.user),
        url=setup_url("setup_courses", school.pk),
        notice=_("Course “%(title)s” deleted.") % {"title": course.title},
        page=lambda **kw: render_page(
            request, "courses/setup_courses.html", "course-section", _courses_context(school, **kw)
        ),
    )


@allow(Role.COORDINATOR)
@require_POST
def setup_section_add(request: HttpRequest, school_id: int, course_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    course = selectors.course_get_for_school(school=school, course_id=course_id)
    return create_flow(
        request,
        SectionForm(request.POST, school=school, course=course),
        create=lambda data: services.section_create(course=course, **data, by=request.user),
        done=lambda section: (
            setup_url("setup_course", school.pk, course.pk),
            _("Section %(code)s added.") % {"code": section.code},
        ),
        page=lambda form, notice: render_page(
            request,
            "courses/setup_course.html",
            "section-section",
            _course_context(school, course, section_form=form, notice=notice),
        ),
    )


@allow(Role.COORDINATOR)
@require_POST
def setup_section_delete(request: HttpRequest, school_id: int, section_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    section = selectors.section_get_for_school(school=school, section_id=section_id)
    course = section.course
    return delete_flow(
        request,
        delete=lambda: services.section_delete(section=section, by=request.user),
        url=setup_url("setup_course", school.pk, course.pk),
        notice=_("Section %(code)s deleted.") % {"code": section.code},
        page=lambda **kw: render_page(
            request, "courses/setup_course.html", "section-section", _course_context(school, course, **kw)
        ),
    )
