"""The coordinator's school home and the teacher's home."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import allow
from accounts.models import Role
from courses import selectors


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
