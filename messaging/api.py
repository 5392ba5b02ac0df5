"""A user's own messages in the API: the inbox and the read receipt (same selectors as the page)."""

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from accounts.api_access import api_authenticated
from accounts.schemas import ErrorOut
from core.validation import Id
from messaging import selectors, services

router = Router(tags=["messages"])


class MessageOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None


@router.get("/messages", response=list[MessageOut])
@api_authenticated
def messages_list(request: HttpRequest, unread: bool = False):
    rows = selectors.inbox_for_user(user_id=request.auth.pk, limit=200)
    return [m for m in rows if m.read_at is None] if unread else rows


@router.post("/messages/{message_id}/read", response={200: MessageOut, 404: ErrorOut})
@api_authenticated
def messages_read(request: HttpRequest, message_id: Id):
    message = selectors.message_get_for_user(user_id=request.auth.pk, message_id=message_id)
    return services.message_mark_read(user=request.auth, message_id=message.pk, request=request)
