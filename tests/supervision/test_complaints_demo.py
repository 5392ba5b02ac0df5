"""The demo's complaints: the `hotline` login, complaints in every state (one overdue, one naming
pupils of two schools whose coordinators were told), and the pages each demo role opens."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.access import actor_for
from accounts.homes import home_links
from accounts.models import Role, RoleGrant, User
from messaging.models import Message
from supervision.models import Complaint

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_hotline_login_and_complaints_in_every_state(client):
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    hotline = User.objects.get(username="hotline")
    assert RoleGrant.objects.filter(user=hotline, role=Role.HOTLINE).exists()
    assert [url for _label, url in home_links(actor_for(hotline))] == [reverse("supervision:hotline_home")]
    complaints = Complaint.objects.all()
    assert {"received", "assigned", "verifying", "rectifying", "closed", "referred"} <= set(
        complaints.values_list("status", flat=True)
    )
    assert sum(c.is_overdue() for c in complaints) >= 1
    named = complaints.filter(school_feedback__isnull=False, notice__isnull=False).distinct().get()
    assert set(named.school_feedback.values_list("school__name", flat=True)) == {"锦溪小学", "城南小学"}
    told = set(Message.objects.filter(kind="complaint_pupils").values_list("recipient__username", flat=True))
    assert told == {"coordinator", "coordinator2"}
    assert complaints.filter(satisfaction__in=["satisfied", "basically"], status="closed").count() >= 2
    client.force_login(hotline)
    desk = client.get(reverse("supervision:hotline_home"))
    assert desk.status_code == 200 and named.label in desk.content.decode()
    assert client.get(reverse("supervision:complaint", args=[named.pk])).status_code == 200
    client.force_login(User.objects.get(username="bureau"))
    assert client.get(reverse("supervision:complaints")).status_code == 200
    assert client.get(reverse("supervision:complaints_export")).status_code == 200
    client.force_login(User.objects.get(username="parent"))
    mine = client.get(reverse("supervision:my_complaints")).content.decode()
    assert Complaint.objects.get(channel="site").label in mine
