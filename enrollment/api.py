"""Family and bureau read API."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from accounts.api_access import api_allow
from accounts.models import Role
from accounts.schemas import ErrorOut
from enrollment import selectors
from enrollment.models import Student
from enrollment.schemas import ChildOut, DistrictSummaryOut

router = Router(tags=["families"])


def _child_out(child: Student, seats) -> dict:
    return {
        "id": child.pk,
        "name": child.name,
        "school": child.school.name,
        "grade": child.grade,
        "school_class": str(child.school_class),
        "seats": [{"section": s.section_id, "course": s.section.course.title, "status": s.status} for s in seats],
    }


@router.get("/children", response=list[ChildOut])
@api_allow(Role.PARENT)
def children_list(request: HttpRequest):
    """Your own children and their seats."""
    return [_child_out(c, c.active_seats) for c in selectors.student_list_for_parent(actor=request.actor)]


@router.get("/children/{student_id}", response={200: ChildOut, 404: ErrorOut})
@api_allow(Role.PARENT)
def child_get(request: HttpRequest, student_id: int):
    """One of your children; another family's child is 404."""
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    seats = child.enrollments.filter(status__in=["enrolled", "waitlisted"]).select_related("section__course")
    return _child_out(child, seats)


@router.get("/district/summary", response={200: DistrictSummaryOut, 403: ErrorOut})
@api_allow(Role.BUREAU)
def district_summary(request: HttpRequest):
    """Participation by school (aggregates; cells under 10 pupils are null)."""
    return selectors.district_summary_for_bureau(actor=request.actor)
