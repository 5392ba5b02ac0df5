"""API twin of the partner teacher's itinerary page."""

from django.http import HttpRequest
from ninja import Router, Schema

from accounts.api_access import api_allow
from accounts.models import Role
from accounts.schemas import ErrorOut
from partners.schemas import SchoolRefOut
from scheduling.itinerary import itinerary_as_dict, itinerary_for_partner

router = Router(tags=["partner courses"])


class StopOut(Schema):
    placement_id: int
    school_id: int
    school: str
    start: str
    end: str
    course: str
    section: str
    room: str
    gap_minutes: int | None
    travel_minutes: int | None
    problem: str | None


class DayOut(Schema):
    weekday: int
    label: str
    stops: list[StopOut]


class UnscheduledOut(Schema):
    school_id: int
    school: str
    sections: int


class ItineraryOut(Schema):
    teacher_id: int
    teacher: str
    schools: list[SchoolRefOut]
    problems: int
    unscheduled_sections: int
    unscheduled: list[UnscheduledOut]
    days: list[DayOut]


@router.get("/partner/itinerary", response={200: ItineraryOut, 403: ErrorOut, 404: ErrorOut})
@api_allow(Role.PARTNER_TEACHER)
def partner_itinerary(request: HttpRequest):
    """The acting partner teacher's week across host schools, from published timetables, with the
    travel minutes between schools and a `problem` where a gap is shorter than the travel time."""
    return itinerary_as_dict(itinerary_for_partner(actor=request.actor))
