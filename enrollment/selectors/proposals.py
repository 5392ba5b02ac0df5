"""Voluntariness: the school's roster proposals and the family's answers."""

from __future__ import annotations

from typing import Any

from accounts.access import Actor
from core.ids import get_or_404, id_or_404
from courses.models import School, Section
from enrollment.models import (
    RosterProposal,
    Student,
)

# --- Voluntariness: the school's proposals, the family's answers ---------------------------------


def proposals_for_student(*, student: Student) -> list[RosterProposal]:
    return list(
        RosterProposal.objects.pending()
        .filter(student=student)
        .select_related("section__course", "section__teacher")
        .order_by("created_at", "id")
    )


def proposal_get_for_parent(*, actor: Actor, student: Student, proposal_id: Any) -> RosterProposal:
    return get_or_404(
        RosterProposal.objects.select_related("section__course", "section__term", "student").filter(
            student__in=Student.objects.visible_to_parent(actor)
        ),
        pk=id_or_404(proposal_id),
        student=student,
    )


def proposals_for_section(*, section: Section) -> list[RosterProposal]:
    return list(
        RosterProposal.objects.filter(section=section)
        .select_related("student__school_class")
        .order_by("-created_at", "-id")[:200]
    )


def proposal_get_for_school(*, school: School, section: Section, proposal_id: Any) -> RosterProposal:
    return get_or_404(
        RosterProposal.objects.select_related("student", "section__course"),
        pk=id_or_404(proposal_id),
        section=section,
        section__course__school=school,
    )
