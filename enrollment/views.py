"""Parent, coordinator-roster and bureau pages (thin: selectors read, services write)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import allow
from accounts.models import Role
from courses.selectors import school_get_for_coordinator
from enrollment import selectors


@allow(Role.PARENT)
def parent_home(request: HttpRequest) -> HttpResponse:
    children = selectors.student_list_for_parent(actor=request.actor)
    return render(request, "enrollment/parent_home.html", {"children": children})


@allow(Role.PARENT)
def child_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    seats = child.enrollments.filter(status__in=["enrolled", "waitlisted"]).select_related("section__course")
    return render(request, "enrollment/child_detail.html", {"child": child, "seats": seats})


@allow(Role.COORDINATOR)
def school_pupils(request: HttpRequest, school_id: int) -> HttpResponse:
    """The roster; the class filter is a form value, checked against the coordinator's school."""
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    school_class = None
    raw_class = request.GET.get("class", "").strip()
    if raw_class:
        if not raw_class.isdigit():
            from django.http import Http404

            raise Http404
        school_class = selectors.school_class_get(school=school, class_id=int(raw_class))
    query = request.GET.get("q", "").strip()[:30]
    pupils = selectors.student_list_for_school(school=school, school_class=school_class, query=query)
    context = {
        "school": school,
        "classes": school.classes.all(),
        "school_class": school_class,
        "query": query,
        "pupils": pupils[:500],
        "total": pupils.count(),
    }
    template = "enrollment/school_pupils.html#pupil-table" if request.htmx else "enrollment/school_pupils.html"
    return render(request, template, context)


@allow(Role.BUREAU)
def bureau_home(request: HttpRequest) -> HttpResponse:
    summary = selectors.district_summary_for_bureau(actor=request.actor)
    return render(request, "enrollment/bureau_home.html", {"summary": summary, "small_cell": selectors.SMALL_CELL})
