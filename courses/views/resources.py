"""Set-up pages: rooms and teachers (with availability)."""

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
    RoomForm,
    TeacherForm,
)
from courses.models import School
from courses.views.helpers import (
    coordinator_school,
    create_flow,
    delete_flow,
    render_page,
    setup_url,
)

# --- Rooms -----------------------------------------------------------------------------------------


def _rooms_context(school: School, form: RoomForm | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "school": school,
        "active": "rooms",
        "rooms": selectors.room_list(school=school),
        "form": form or RoomForm(school=school),
        **extra,
    }


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def setup_rooms(request: HttpRequest, school_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    return create_flow(
        request,
        RoomForm(request.POST or None, school=school),
        create=lambda data: services.room_create(school=school, **data, by=request.user),
        done=lambda room: (setup_url("setup_rooms", school.pk), _("Room “%(name)s” added.") % {"name": room.name}),
        page=lambda form, notice: render_page(
            request, "courses/setup_rooms.html", "room-section", _rooms_context(school, form, notice=notice)
        ),
    )


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def setup_room(request: HttpRequest, school_id: int, room_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    room = selectors.room_get(school=school, room_id=room_id)
    initial = {
        "name": room.name,
        "capacity": room.capacity,
        "features": room.features,
        "home_classes": list(room.home_classes.values_list("pk", flat=True)),
    }
    form = RoomForm(request.POST or None, initial=initial, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            services.room_update(room=room, **form.cleaned_data, by=request.user)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Room “%(name)s” saved.") % {"name": room.name})
            return redirect(setup_url("setup_rooms", school.pk))
    return render(
        request,
        "courses/setup_edit.html",
        {
            "school": school,
            "active": "rooms",
            "form": form,
            "title": _("Edit room %(name)s") % {"name": room.name},
            "back_url": setup_url("setup_rooms", school.pk),
            "delete_url": setup_url("setup_room_delete", school.pk, room.pk),
        },
    )


@allow(Role.COORDINATOR)
@require_POST
def setup_room_delete(request: HttpRequest, school_id: int, room_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    room = selectors.room_get(school=school, room_id=room_id)
    return delete_flow(
        request,
        delete=lambda: services.room_delete(room=room, by=request.user),
        url=setup_url("setup_rooms", school.pk),
        notice=_("Room “%(name)s” deleted.") % {"name": room.name},
        page=lambda **kw: render_page(
            request, "courses/setup_rooms.html", "room-section", _rooms_context(school, **kw)
        ),
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
    school = coordinator_school(request, school_id)
    return create_flow(
        request,
        TeacherForm(request.POST or None),
        create=lambda data: services.teacher_create(school=school, **data, by=request.user),
        done=lambda teacher: (
            setup_url("setup_teacher", school.pk, teacher.pk),
            _("Teacher %(name)s added.") % {"name": teacher.name},
        ),
        page=lambda form, notice: render_page(
            request, "courses/setup_teachers.html", "teacher-section", _teachers_context(school, form, notice=notice)
        ),
    )


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def setup_teacher(request: HttpRequest, school_id: int, teacher_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
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
            return redirect(setup_url("setup_teacher", school.pk, teacher.pk))
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
    school = coordinator_school(request, school_id)
    teacher = selectors.teacher_get_for_school(school=school, teacher_id=teacher_id)
    slot = selectors.slot_get(school=school, slot_id=request.POST.get("slot"))
    unavailable = services.teacher_availability_toggle(teacher=teacher, slot=slot, by=request.user)
    if not request.htmx:
        return redirect(setup_url("setup_teacher", school.pk, teacher.pk))
    cell = {"session": slot.session, "slot": slot, "unavailable": unavailable}
    return render(
        request,
        "courses/setup_teacher.html#availability-cell",
        {"school": school, "teacher": teacher, "cell": cell, "row": {"label": slot.get_weekday_display()}},
    )


@allow(Role.COORDINATOR)
@require_POST
def setup_teacher_delete(request: HttpRequest, school_id: int, teacher_id: int) -> HttpResponse:
    school = coordinator_school(request, school_id)
    teacher = selectors.teacher_get_for_school(school=school, teacher_id=teacher_id)
    return delete_flow(
        request,
        delete=lambda: services.teacher_delete(teacher=teacher, by=request.user),
        url=setup_url("setup_teachers", school.pk),
        notice=_("Teacher %(name)s deleted.") % {"name": teacher.name},
        page=lambda **kw: render_page(
            request, "courses/setup_teachers.html", "teacher-section", _teachers_context(school, **kw)
        ),
    )
