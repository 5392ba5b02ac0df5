"""API shapes of partner courses, host requests, providers and travel times."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from core.validation import Id, Int, Money, Text
from courses.models import ROOM_FEATURE_KEYS
from partners.models import PartnerCourse

CourseKind = Literal[tuple(PartnerCourse.Kind.values)]
RoomNeed = Literal[tuple(sorted(ROOM_FEATURE_KEYS))]


class PartnerCourseIn(Schema):
    title: Text(100, required=True)
    title_en: Text(100) = ""
    description: Text(5000, required=True)
    kind: CourseKind
    grades: list[Int(1, 9)] = Field(..., min_length=1, max_length=9)
    group_size: int = Field(..., ge=1, le=60)
    meetings_per_week: int = Field(1, ge=1, le=5)
    materials: Text(2000) = ""
    room_features: list[RoomNeed] = Field([], max_length=len(ROOM_FEATURE_KEYS))
    fee_per_class_hour: Money() = Decimal("0")


class ReviewIn(Schema):
    comment: Text(2000) = ""


class ReturnIn(Schema):
    comment: Text(2000, required=True, description="what needs to change")


class OfferOut(Schema):
    """A partner course as a host school sees it in the offer list."""

    id: int
    provider_id: int
    provider: str
    title: str
    title_en: str
    description: str
    kind: str
    grades: list[int]
    group_size: int
    meetings_per_week: int
    materials: str
    room_features: list[str]
    fee_per_class_hour: Decimal


class PartnerCourseOut(OfferOut):
    """The provider's own view: the offer plus its review state."""

    status: str
    offered: bool
    approved_at: datetime | None


class ReviewStepOut(Schema):
    action: str
    by: str | None
    at: datetime
    comment: str


class PartnerCourseDetailOut(PartnerCourseOut):
    reviews: list[ReviewStepOut]


class HostRequestIn(Schema):
    partner_course_id: Id
    term_id: Id | None = None
    sections: int = Field(1, ge=1, le=10)
    preferred_weekdays: list[Int(0, 6)] = Field([], max_length=7)
    note: Text(300) = ""


class AcceptIn(Schema):
    teacher_id: Id | None = None
    note: Text(300) = ""


class DeclineIn(Schema):
    note: Text(300) = ""


class HostRequestOut(Schema):
    id: int
    partner_course_id: int
    partner_course: str
    provider_id: int
    school_id: int
    school: str
    term_id: int
    sections: int
    preferred_weekdays: list[int]
    note: str
    status: str
    requested_at: datetime
    decided_at: datetime | None
    decision_note: str
    teacher_id: int | None
    course_id: int | None


class SchoolRefOut(Schema):
    id: int
    name: str


class ProviderOut(Schema):
    id: int
    name: str
    kind: str
    qualification_status: str
    qualification_expires: date | None
    qualified: bool
    served_schools: list[SchoolRefOut] = []
    reachable_schools: list[SchoolRefOut] | None = None


class TravelTimeIn(Schema):
    from_school_id: Id
    to_school_id: Id
    minutes: int | None = Field(None, ge=0, le=600)


class TravelTimeOut(Schema):
    from_school_id: int
    to_school_id: int
    minutes: int
