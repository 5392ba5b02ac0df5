"""Reads of the expert course review, each starting from a `visible_to_*` scope (404 outside it):
the bureau its district's pool and reviews, an expert the reviews assigned to them, an institution
its own courses."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from accounts.access import Actor
from accounts.models import Role
from core.ids import get_or_404, id_or_404
from supervision.models import (
    CourseReview,
    Expert,
    Institution,
    ReviewAssignment,
    ReviewedCourse,
    ReviewMaterial,
)


def experts_for_bureau(actor: Actor) -> QuerySet:
    return Expert.objects.visible_to_bureau(actor).annotate(n_conflicts=Count("conflicts")).order_by("code")


def expert_for_bureau(actor: Actor, expert_id: Any) -> Expert:
    return get_or_404(Expert.objects.visible_to_bureau(actor), pk=id_or_404(expert_id))


def expert_for(actor: Actor) -> Expert:
    """The acting expert's own (active) row, or 404."""
    return get_or_404(Expert.objects.visible_to_expert(actor).select_related("district"), active=True)


def institutions_for_bureau(actor: Actor) -> QuerySet:
    return Institution.objects.visible_to_bureau(actor).only("id", "name").order_by("name", "id")


def _review_rows(qs: QuerySet) -> QuerySet:
    return qs.select_related("course__institution").prefetch_related(
        Prefetch("assignments", queryset=ReviewAssignment.objects.select_related("expert").order_by("rank"))
    )


def reviews_for_bureau(actor: Actor, status: str = "") -> QuerySet:
    qs = CourseReview.objects.visible_to_bureau(actor)
    if status in CourseReview.Status.values:
        qs = qs.filter(status=status)
    return _review_rows(qs)


def review_counts(actor: Actor) -> dict[str, int]:
    """Reviews of the district by state (the bureau's tabs)."""
    rows = dict(CourseReview.objects.visible_to_bureau(actor).values_list("status").annotate(n=Count("id")).order_by())
    return {key: rows.get(key, 0) for key in CourseReview.Status.values}


def review_for_bureau(actor: Actor, review_id: Any) -> CourseReview:
    return get_or_404(_review_rows(CourseReview.objects.visible_to_bureau(actor)), pk=id_or_404(review_id))


def reviews_for_expert(expert: Expert) -> QuerySet:
    """The reviews the expert was drawn for (those they stepped aside from included), to do first."""
    return (
        CourseReview.objects.assigned_to(expert)
        .select_related("course__institution")
        .order_by("-status", "-drawn_at", "-id")
    )


def review_for_expert(expert: Expert, review_id: Any) -> CourseReview:
    return get_or_404(
        CourseReview.objects.assigned_to(expert).select_related("course__institution"), pk=id_or_404(review_id)
    )


def my_assignment(review: CourseReview, expert: Expert) -> ReviewAssignment | None:
    return review.assignments.filter(expert=expert).order_by("recused").first()


def courses_for_institution(actor: Actor) -> QuerySet:
    return ReviewedCourse.objects.visible_to_institution(actor).prefetch_related(
        Prefetch("reviews", queryset=CourseReview.objects.order_by("-submitted_at", "-id"))
    )


def course_for_institution(actor: Actor, course_id: Any) -> ReviewedCourse:
    return get_or_404(courses_for_institution(actor), pk=id_or_404(course_id))


def review_for_institution(actor: Actor, review_id: Any) -> CourseReview:
    return get_or_404(
        CourseReview.objects.visible_to_institution(actor).select_related("course"), pk=id_or_404(review_id)
    )


def material_for(actor: Actor, material_id: Any) -> ReviewMaterial:
    """A material for the institution that sent it, the bureau of its district, or an expert assigned
    to a review of its course; 404 for anyone else."""
    material = get_or_404(ReviewMaterial.objects.select_related("course"), pk=id_or_404(material_id))
    course_id = material.course_id
    if actor.has(Role.BUREAU) and ReviewedCourse.objects.visible_to_bureau(actor).filter(pk=course_id).exists():
        return material
    if (
        actor.has(Role.INSTITUTION)
        and ReviewedCourse.objects.visible_to_institution(actor).filter(pk=course_id).exists()
    ):
        return material
    if actor.has(Role.EXPERT):
        expert = Expert.objects.visible_to_expert(actor).filter(active=True).first()
        if expert and CourseReview.objects.judged_by(expert).filter(course_id=course_id).exists():
            return material
    raise Http404
