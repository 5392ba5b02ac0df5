"""The inbox: a user sees only their own messages and marks them read (a read receipt, audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.models import AuditEvent
from messaging import services
from messaging.models import Channel, Delivery, Message

pytestmark = pytest.mark.django_db


def _to(user, title: str) -> Message:
    services.send([services.Outgoing(recipient_id=user.pk, kind="letter", title=title, body="正文")])
    return Message.objects.get(recipient=user, title=title)


def test_own_messages_only_and_read_marks_read(world, client):
    mine = _to(world.users.parent_1, "给王家的信")
    theirs = _to(world.users.parent_2, "给李家的信")
    client.force_login(world.users.parent_1)
    page = client.get(reverse("messaging:inbox")).content.decode()
    assert "给王家的信" in page and "给李家的信" not in page
    assert client.post(reverse("messaging:read", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("messaging:read", args=[mine.pk])).status_code == 405  # reading never writes on GET
    response = client.post(reverse("messaging:read", args=[mine.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode()
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Delivery.objects.get(message=mine, channel=Channel.IN_SITE).status == "read"
    assert AuditEvent.objects.filter(action="messaging.message.read", object_id=str(mine.pk)).count() == 1
    client.post(reverse("messaging:read", args=[mine.pk]))  # twice: one receipt
    assert AuditEvent.objects.filter(action="messaging.message.read").count() == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_api_inbox_and_read(world, client):
    mine = _to(world.users.parent_1, "通知")
    client.force_login(world.users.parent_1)
    assert [m["title"] for m in client.get("/api/v1/messages?unread=true").json()] == ["通知"]
    assert client.post(f"/api/v1/messages/{mine.pk}/read").json()["read_at"]
    assert client.get("/api/v1/messages?unread=true").json() == []
    assert client.post("/api/v1/messages/999999/read").status_code == 404
    client.logout()
    assert client.get("/api/v1/messages").status_code == 401
