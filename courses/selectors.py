"""Reads for schools and courses, always scoped to the acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, Sum
from django.http import Http404

from accounts.access import Actor
from courses.models import Course, School, Section, Teacher, Term


def school_get_for_coordinator(*, actor: Actor, school_id: int) -> School:
    """The school if the actor coordinates it; otherwise 404 (we do not reveal that it exists)."""
    if school_id not in actor.coordinator_school_ids:
        raise Http404
    return School.objects.select_related("district").get(pk=school_id)


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
    return School.objects.filter(district_id__in=actor.district_ids)


def seats_total(*, school: School) -> int:
    return Section.objects.filter(course__school=school).aggregate(n=Sum("capacity"))["n"] or 0
