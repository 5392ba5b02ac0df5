"""School read API for coordinators."""

from django.http import HttpRequest
from ninja import Router

from accounts.api_access import api_allow
from accounts.models import Role
from accounts.schemas import ErrorOut
from core.validation import Id
from courses import selectors
from courses.schemas import SchoolOut

router = Router(tags=["schools"])


@router.get("/schools/{school_id}", response={200: SchoolOut, 403: ErrorOut, 404: ErrorOut})
@api_allow(Role.COORDINATOR)
def school_get(request: HttpRequest, school_id: Id):
    """The coordinator's own school with headline numbers; any other school is 404."""
    school = selectors.school_get_for_coordinator(actor=request.actor, school_id=school_id)
    overview = selectors.school_overview(school=school)
    return {
        "id": school.pk,
        "name": school.name,
        "code": school.code,
        "kind": school.kind,
        "district": school.district.name,
        "pupils": overview["pupils"],
        "classes": overview["classes"],
        "teachers": overview["teachers"],
        "rooms": overview["rooms"],
        "courses_by_kind": [
            {"kind": r["kind"], "courses": r["courses"], "sections": r["sections"]} for r in overview["courses_by_kind"]
        ],
    }
