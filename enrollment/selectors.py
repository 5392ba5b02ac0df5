"""Reads for families, pupils and participation, always scoped to the acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404

from accounts.access import Actor
from courses.models import School, SchoolClass
from enrollment.models import Enrollment, Student

# Bureau views never show a cell describing fewer pupils than this (re-identification risk).
SMALL_CELL = 10


def student_list_for_parent(*, actor: Actor) -> list[Student]:
    """The acting parent's children with their seats, in a fixed number of queries."""
    if actor.family_id is None:
        return []
    seats = Enrollment.objects.filter(status__in=["enrolled", "waitlisted"]).select_related("section__course")
    return list(
        Student.objects.of_family(actor.family_id)
        .select_related("school", "school_class")
        .prefetch_related(Prefetch("enrollments", queryset=seats, to_attr="active_seats"))
        .order_by("grade", "name")
    )


def student_get_for_parent(*, actor: Actor, student_id: int) -> Student:
    """One of the parent's own children, or 404 — never another family's child."""
    if actor.family_id is None:
        raise Http404
    try:
        return Student.objects.select_related("school", "school_class").get(pk=student_id, family_id=actor.family_id)
    except Student.DoesNotExist:
        raise Http404 from None


def school_class_get(*, school: School, class_id: int) -> SchoolClass:
    """A class of this school; a class id from another school is simply not found."""
    try:
        return SchoolClass.objects.get(pk=class_id, school=school)
    except SchoolClass.DoesNotExist:
        raise Http404 from None


def student_list_for_school(*, school: School, school_class: SchoolClass | None = None, query: str = ""):
    students = Student.objects.filter(school=school, on_roll=True).select_related("school_class")
    if school_class is not None:
        students = students.filter(school_class=school_class)
    if query:
        students = students.filter(Q(name__contains=query) | Q(student_no__startswith=query))
    return students.annotate(seats=Count("enrollments", filter=Q(enrollments__status="enrolled"))).order_by(
        "grade", "school_class__number", "name"
    )


def _suppress(value: int) -> int | None:
    return value if value >= SMALL_CELL else None


def district_summary_for_bureau(*, actor: Actor) -> dict[str, Any]:
    """District participation by school: aggregates only, small cells suppressed (None)."""
    if not actor.district_ids:
        raise Http404
    active = Enrollment.objects.filter(student=OuterRef("pk"), status="enrolled")
    pupils = Student.objects.filter(school__district_id__in=actor.district_ids, on_roll=True).annotate(
        taking_part=Exists(active)
    )
    rows = (
        pupils.values("school_id", "school__name", "school__kind")
        .annotate(on_roll=Count("id"), taking_part=Count("id", filter=Q(taking_part=True)))
        .order_by("school__kind", "school__name")
    )
    kinds = dict(School.Kind.choices)
    schools = []
    total_roll = total_part = 0
    for row in rows:
        total_roll += row["on_roll"]
        total_part += row["taking_part"]
        on_roll = _suppress(row["on_roll"])
        part = _suppress(row["taking_part"])
        schools.append(
            {
                "school_id": row["school_id"],
                "school": row["school__name"],
                "kind": str(kinds.get(row["school__kind"], row["school__kind"])),
                "on_roll": on_roll,
                "taking_part": part,
                "rate": round(100 * row["taking_part"] / row["on_roll"], 1) if on_roll and part else None,
            }
        )
    return {
        "schools": schools,
        "on_roll": total_roll,
        "taking_part": total_part,
        "rate": round(100 * total_part / total_roll, 1) if total_roll else None,
        "school_count": School.objects.filter(district_id__in=actor.district_ids).count(),
    }
