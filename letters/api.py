"""Letters to families in the API: the bureau's and a coordinator's letters with counts, writing one,
and a family's message log. Same services, selectors and scopes as the pages."""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from accounts.api_access import api_allow
from accounts.models import Role
from accounts.schemas import ErrorOut
from core.validation import Id, Int, Text
from courses.selectors import school_get_for_coordinator
from letters import selectors, services

router = Router(tags=["letters"])


class ChannelCountsOut(Schema):
    channel: str
    total: int
    queued: int
    sent: int
    delivered: int
    read: int
    failed: int


class LetterOut(Schema):
    id: int
    title: str
    body: str
    school_id: int | None
    grades: list[int]
    status: str
    recipients: int
    created_at: dt.datetime
    sent_at: dt.datetime | None
    counts: list[ChannelCountsOut]


class LetterIn(Schema):
    """A coordinator's letter names its school (`school_id`) and may choose classes; the bureau's names
    no school and may choose schools (stated below as anyOf). An id naming no school or class the
    author may write to is 404."""

    model_config = {
        "json_schema_extra": {
            "anyOf": [
                {
                    "required": ["school_id"],
                    "properties": {"school_id": {"type": "integer"}, "school_ids": {"maxItems": 0}},
                },
                {"properties": {"school_id": {"type": "null"}, "class_ids": {"maxItems": 0}}},
            ]
        },
    }

    title: Text(100, required=True)  # the columns' lengths (Letter.title, Letter.body)
    body: Text(2000, required=True)
    school_id: Id | None = Field(None, description="the coordinator's school; empty: the bureau's district")
    school_ids: list[Id] = Field(
        default_factory=list, max_length=500, description="the bureau's chosen schools (none: all)"
    )
    grades: list[Int(1, 9)] = Field(default_factory=list, max_length=9)
    class_ids: list[Id] = Field(
        default_factory=list, max_length=500, description="a school's chosen classes (none: all)"
    )


class FamilyMessageOut(Schema):
    id: int
    kind: str
    title: str
    to: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    channels: dict[str, str]


@router.get("/letters", response=list[LetterOut])
@api_allow(Role.BUREAU, Role.COORDINATOR)
def letters_list(request: HttpRequest):
    return selectors.letter_list(actor=request.actor)


@router.post("/letters", response={201: LetterOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut})
@api_allow(Role.BUREAU, Role.COORDINATOR)
def letters_write(request: HttpRequest, payload: LetterIn):
    school = (
        school_get_for_coordinator(actor=request.actor, school_id=payload.school_id)
        if payload.school_id is not None
        else None
    )
    letter = services.letter_write(
        actor=request.actor,
        by=request.auth,
        title=payload.title,
        body=payload.body,
        school=school,
        school_ids=payload.school_ids,
        grades=payload.grades,
        class_ids=payload.class_ids,
        request=request,
    )
    return Status(201, selectors.letter_get(actor=request.actor, letter_id=letter.pk))


@router.get("/letters/{letter_id}", response={200: LetterOut, 404: ErrorOut})
@api_allow(Role.BUREAU, Role.COORDINATOR)
def letters_get(request: HttpRequest, letter_id: Id):
    return selectors.letter_get(actor=request.actor, letter_id=letter_id)


@router.get("/family/messages", response=list[FamilyMessageOut])
@api_allow(Role.PARENT)
def family_messages(request: HttpRequest):
    return [
        {
            "id": row["message"].pk,
            "kind": row["message"].kind,
            "title": row["message"].title,
            "to": str(row["to"]),
            "created_at": row["message"].created_at,
            "read_at": row["message"].read_at,
            "channels": row["channels"],
        }
        for row in selectors.family_message_log(actor=request.actor)
    ]
