"""The inbox: every logged-in user's own messages (letters, notices), each marked read by a tap."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import authenticated
from core.errors import DomainError
from messaging import selectors, services


@authenticated
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    messages = selectors.inbox_for_user(user_id=request.user.pk, limit=100)
    context = {
        "inbox": messages,
        "unread": sum(1 for m in messages if m.read_at is None),
    }
    return render(request, "messaging/inbox.html", context)


@authenticated
@require_POST
def mark_read(request: HttpRequest, message_id: int) -> HttpResponse:
    message = selectors.message_get_for_user(user_id=request.user.pk, message_id=message_id)
    try:
        message = services.message_mark_read(user=request.user, message_id=message.pk, request=request)
    except DomainError:  # pragma: no cover - the selector already answered 404
        raise
    if request.htmx:
        return render(request, "messaging/inbox.html#message", {"m": message})
    return redirect("messaging:inbox")
