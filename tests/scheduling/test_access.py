"""A coordinator reaches only their own school's timetables (pages and API); others only published ones."""

from __future__ import annotations

import pytest
from django.urls import reverse

from scheduling.models import SolveRun, Timetable
from tests.scheduling.factories import add_timetable_data, make_timetable, published_for_a

pytestmark = pytest.mark.django_db


def test_coordinator_of_a_cannot_read_solve_or_publish_for_b(client, world):
    tt = add_timetable_data(world)
    b_room = world.school_b.rooms.get()
    b_slot = world.school_b.slots.first()
    b_draft = make_timetable(school=world.school_b, term=tt.term_b, rows=[(world.section_b, 0, b_slot, b_room,
                                                                          world.section_a.teacher)])  # fmt: skip
    b_run = SolveRun.objects.create(school=world.school_b, term=tt.term_b)
    b_id, t_id = world.school_b.pk, b_draft.pk
    client.force_login(world.users.coordinator_a)
    pages = [
        reverse("scheduling:home", args=[b_id]),
        reverse("scheduling:timetable", args=[b_id, t_id]),
        reverse("scheduling:run", args=[b_id, b_run.pk]),
        reverse("scheduling:export", args=[b_id, t_id]),
        reverse("scheduling:print", args=[b_id, t_id]),
        reverse("scheduling:compare", args=[b_id]) + f"?a={t_id}&b={t_id}",
        # B's timetable through A's school id is not found either
        reverse("scheduling:timetable", args=[world.school_a.pk, t_id]),
    ]
    for url in pages:
        assert client.get(url).status_code == 404, url
    posts = [
        reverse("scheduling:solve", args=[b_id]),
        reverse("scheduling:publish", args=[b_id, t_id]),
        reverse("scheduling:publish", args=[world.school_a.pk, t_id]),
        reverse("scheduling:copy", args=[b_id, t_id]),
        reverse("scheduling:run_cancel", args=[b_id, b_run.pk]),
    ]
    for url in posts:
        assert client.post(url).status_code == 404, url
    # a base timetable of school B cannot be smuggled into A's solve
    assert client.post(reverse("scheduling:solve", args=[world.school_a.pk]), {"base": t_id}).status_code == 404
    api = [
        ("post", f"/api/v1/schools/{b_id}/solve-runs", {}),
        ("get", f"/api/v1/schools/{b_id}/solve-runs/{b_run.pk}", None),
        ("post", f"/api/v1/schools/{b_id}/solve-runs/{b_run.pk}/cancel", None),
        ("get", f"/api/v1/schools/{b_id}/timetables/{t_id}", None),
        ("post", f"/api/v1/schools/{b_id}/timetables/{t_id}/publish", None),
        ("get", f"/api/v1/schools/{world.school_a.pk}/timetables/{t_id}", None),
        ("post", f"/api/v1/schools/{world.school_a.pk}/solve-runs", {"base_timetable_id": t_id}),
    ]
    for method, url, body in api:
        if method == "post":
            response = client.post(url, body, content_type="application/json") if body is not None else client.post(url)
        else:
            response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found", url
    b_draft.refresh_from_db()
    assert b_draft.status == "draft"
    assert SolveRun.objects.filter(school=world.school_b).count() == 1
    assert not SolveRun.objects.filter(school=world.school_a).exists()


def test_other_roles_cannot_use_coordinator_pages(client, world):
    add_timetable_data(world)
    url = reverse("scheduling:home", args=[world.school_a.pk])
    for user in (world.users.teacher_a, world.users.parent_1, world.users.bureau):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(world.users.teacher_a)
    assert client.post(f"/api/v1/schools/{world.school_a.pk}/solve-runs", {}, content_type="application/json"
                       ).status_code == 403  # fmt: skip


def test_teachers_and_parents_only_see_published(client, world):
    tt = add_timetable_data(world)
    published = published_for_a(world, tt)
    draft = make_timetable(
        school=world.school_a,
        term=tt.term,
        rows=[(world.section_a, 0, tt.slots[4, 2], tt.rooms[2], tt.teachers[0])],
    )
    assert draft.status == Timetable.Status.DRAFT
    client.force_login(world.users.teacher_a)
    page = client.get(reverse("scheduling:teacher")).content.decode()
    assert "机器人社团" in page and "劳技教室" not in page  # the draft's room never shows
    client.force_login(world.users.parent_1)
    child = world.children_a[0]
    page = client.get(reverse("enrollment:child_timetable", args=[child.pk])).content.decode()
    assert "机器人社团" in page and "劳技教室" not in page
    assert client.get(reverse("enrollment:child_timetable", args=[world.children_b[0].pk])).status_code == 404
    published.delete()
    page = client.get(reverse("enrollment:child_timetable", args=[child.pk])).content.decode()
    assert "机器人社团" not in page
