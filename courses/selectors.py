"""Reads for schools and courses, always scoped to the acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.access import Actor
from core.ids import get_or_404, id_or_404
from courses.models import (
    ROOM_FEATURES,
    WEEKDAY_CHOICES,
    CalendarException,
    Course,
    Room,
    School,
    SchoolClass,
    Section,
    Slot,
    Teacher,
    Term,
)


def school_get_for_coordinator(*, actor: Actor, school_id: int) -> School:
    """The school if the actor coordinates it; otherwise 404 (we do not reveal that it exists)."""
    return get_or_404(School.objects.visible_to_coordinator(actor).select_related("district"), pk=id_or_404(school_id))


def term_current(*, school: School) -> Term | None:
    return school.terms.order_by("-start").first()


def school_overview(*, school: School) -> dict[str, Any]:
    """Headline numbers for the coordinator's home page (a handful of aggregate queries)."""
    term = term_current(school=school)
    kinds = dict(Course.Kind.choices)
    by_kind = (
        Course.objects.filter(school=school)
        .values("kind")
        .annotate(courses=Count("id", distinct=True), sections=Count("sections", distinct=True))
        .order_by("kind")
    )
    pupils = school.students.filter(on_roll=True)
    return {
        "term": term,
        "classes": school.classes.count(),
        "pupils": pupils.count(),
        "teachers": school.teachers.count(),
        "rooms": school.rooms.count(),
        "slots": school.slots.count(),
        "courses_by_kind": [
            {"kind": row["kind"], "label": kinds.get(row["kind"], row["kind"]), **row} for row in by_kind
        ],
        "exceptions": list(term.exceptions.all()) if term else [],
        "grades": list(
            pupils.values("grade")
            .annotate(n=Count("id"), classes=Count("school_class", distinct=True))
            .order_by("grade")
        ),
    }


def teacher_get_for_user(*, actor: Actor) -> Teacher:
    if actor.teacher_id is None:
        raise Http404
    return Teacher.objects.select_related("school", "provider").get(pk=actor.teacher_id)


def section_list_for_teacher(*, actor: Actor) -> list[Section]:
    """The acting teacher's own sections, with what the page shows, in one query."""
    if actor.teacher_id is None:
        return []
    return list(
        Section.objects.filter(teacher_id=actor.teacher_id)
        .select_related("course", "course__school", "term", "school_class")
        .annotate(enrolled=Count("enrollments", filter=Q(enrollments__status="enrolled")))
        .order_by("course__school__name", "course__kind", "course__title", "code")
    )


def teacher_weekly_load(*, sections: list[Section]) -> int:
    """Meetings a week over the teacher's sections: the basis of the after-school subsidy."""
    return sum(s.course.meetings_per_week for s in sections)


def school_list_for_bureau(*, actor: Actor):
    return School.objects.visible_to_bureau(actor)


def seats_total(*, school: School) -> int:
    return Section.objects.filter(course__school=school).aggregate(n=Sum("capacity"))["n"] or 0


# --- Set-up pages: every read starts from a school the actor coordinates ------------------------


def term_list(*, school: School) -> list[Term]:
    return list(school.terms.annotate(n_exceptions=Count("exceptions")).order_by("-start"))


def term_get(*, school: School, term_id: Any) -> Term:
    return get_or_404(Term.objects.select_related("school"), pk=id_or_404(term_id), school=school)


def calendar_exception_get(*, school: School, exception_id: Any) -> CalendarException:
    return get_or_404(CalendarException.objects.select_related("term"), pk=id_or_404(exception_id), term__school=school)


def slot_list(*, school: School) -> list[Slot]:
    return list(school.slots.order_by("weekday", "session"))


def slot_get(*, school: School, slot_id: Any) -> Slot:
    """A slot of this school; a slot id of another school (in a URL or a form value) is 404."""
    return get_or_404(Slot.objects.all(), pk=id_or_404(slot_id), school=school)


def slot_grid(*, school: School, slots: list[Slot] | None = None) -> dict[str, Any]:
    """The weekly grid as rows (one per weekday) of cells (one per session in use)."""
    slots = slot_list(school=school) if slots is None else slots
    sessions = sorted({s.session for s in slots}) or [1, 2]
    by_cell = {(s.weekday, s.session): s for s in slots}
    rows = [
        {
            "weekday": weekday,
            "label": label,
            "cells": [{"session": n, "slot": by_cell.get((weekday, n))} for n in sessions],
        }
        for weekday, label in WEEKDAY_CHOICES
    ]
    return {"sessions": sessions, "rows": rows, "has_slots": bool(slots)}


def room_list(*, school: School) -> list[Room]:
    labels = dict(ROOM_FEATURES)
    rooms = list(school.rooms.order_by("name"))
    for room in rooms:
        room.feature_labels = [labels.get(f, f) for f in room.features or []]
    return rooms


def room_get(*, school: School, room_id: Any) -> Room:
    return get_or_404(Room.objects.all(), pk=id_or_404(room_id), school=school)


def teacher_list_for_school(*, school: School) -> list[Teacher]:
    return list(
        school.teachers.annotate(
            n_unavailable=Count("unavailable_slots", distinct=True), n_sections=Count("sections", distinct=True)
        ).order_by("name")
    )


def teacher_get_for_school(*, school: School, teacher_id: Any) -> Teacher:
    """The school's own teacher (partner teachers are kept by their provider)."""
    return get_or_404(Teacher.objects.select_related("school"), pk=id_or_404(teacher_id), school=school)


def teacher_availability_grid(*, teacher: Teacher, slots: list[Slot] | None = None) -> dict[str, Any]:
    """The school grid with each cell marked available or not for this teacher."""
    grid = slot_grid(school=teacher.school, slots=slots)
    unavailable = set(teacher.unavailable_slots.values_list("id", flat=True))
    for row in grid["rows"]:
        for cell in row["cells"]:
            cell["unavailable"] = bool(cell["slot"]) and cell["slot"].pk in unavailable
    return grid


def school_class_list(*, school: School) -> list[SchoolClass]:
    return list(school.classes.order_by("grade", "number"))


def school_class_get_for_school(*, school: School, class_id: Any) -> SchoolClass:
    return get_or_404(SchoolClass.objects.all(), pk=id_or_404(class_id), school=school)


def course_list_for_school(*, school: School) -> list[Course]:
    return list(
        Course.objects.for_school(school.pk)
        .annotate(n_sections=Count("sections", distinct=True), seats=Sum("sections__capacity"))
        .order_by("kind", "title")
    )


def course_get_for_school(*, school: School, course_id: Any) -> Course:
    return get_or_404(Course.objects.select_related("school"), pk=id_or_404(course_id), school=school)


def section_list_for_course(*, course: Course) -> list[Section]:
    return list(
        course.sections.select_related("term", "teacher", "school_class")
        .annotate(enrolled=Count("enrollments", filter=Q(enrollments__status="enrolled")))
        .order_by("term__start", "code")
    )


def section_get_for_school(*, school: School, section_id: Any) -> Section:
    return get_or_404(
        Section.objects.select_related("course", "term", "teacher", "school_class"),
        pk=id_or_404(section_id),
        course__school=school,
    )


def setup_progress(*, school: School) -> list[dict[str, Any]]:
    """The set-up steps with a done flag each, for the coordinator's home page."""
    from django.urls import reverse

    counts = {
        "terms": school.terms.count(),
        "slots": school.slots.count(),
        "rooms": school.rooms.count(),
        "teachers": school.teachers.count(),
        "courses": school.courses.count(),
        "pupils": school.students.filter(on_roll=True).count(),
    }
    steps = [
        ("terms", _("Term and calendar"), "courses:setup_terms"),
        ("slots", _("Time grid"), "courses:setup_grid"),
        ("rooms", _("Rooms"), "courses:setup_rooms"),
        ("teachers", _("Teachers"), "courses:setup_teachers"),
        ("courses", _("Courses and sections"), "courses:setup_courses"),
        ("pupils", _("Import pupils"), "pupils:pupils_import"),
    ]
    return [
        {
            "key": key,
            "label": label,
            "url": reverse(name, args=[school.pk]),
            "count": counts[key],
            "done": counts[key] > 0,
        }
        for key, label, name in steps
    ]
