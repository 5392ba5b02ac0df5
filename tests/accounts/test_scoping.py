"""A parent never reaches another family's child; a coordinator never reaches another school.

Both by URL tampering (ids in the path) and by form values (ids in query or body).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_parent_sees_own_child_not_another_familys(client, world):
    client.force_login(world.users.parent_1)
    own = world.children_a[0]
    other = world.children_b[0]
    assert client.get(reverse("enrollment:child_detail", args=[own.pk])).status_code == 200
    response = client.get(reverse("enrollment:child_detail", args=[other.pk]))
    assert response.status_code == 404
    assert other.name not in response.content.decode()
    home = client.get(reverse("enrollment:parent_home")).content.decode()
    assert own.name in home and other.name not in home


def test_parent_api_is_scoped_the_same_way(client, world):
    client.force_login(world.users.parent_1)
    listing = client.get("/api/v1/children").json()
    assert [c["id"] for c in listing] == [world.children_a[0].pk]
    response = client.get(f"/api/v1/children/{world.children_b[0].pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/api/v1/children/999999999").status_code == 404


def test_coordinator_cannot_open_another_school(client, world):
    client.force_login(world.users.coordinator_a)
    assert client.get(reverse("courses:school_home", args=[world.school_a.pk])).status_code == 200
    assert client.get(reverse("courses:school_home", args=[world.school_b.pk])).status_code == 404
    assert client.get(reverse("enrollment:school_pupils", args=[world.school_b.pk])).status_code == 404
    response = client.get(f"/api/v1/schools/{world.school_b.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(f"/api/v1/schools/{world.school_a.pk}").json()["name"] == "锦溪小学"


def test_coordinator_cannot_reach_another_school_through_a_form_value(client, world):
    client.force_login(world.users.coordinator_a)
    url = reverse("enrollment:school_pupils", args=[world.school_a.pk])
    own = client.get(url, {"class": world.class_a.pk})
    assert own.status_code == 200 and world.children_a[0].name in own.content.decode()
    tampered = client.get(url, {"class": world.class_b.pk})
    assert tampered.status_code == 404
    assert world.children_b[0].name not in tampered.content.decode()
    assert client.get(url, {"class": "1 OR 1=1"}).status_code == 404


def test_roles_cannot_use_other_roles_pages(client, world):
    client.force_login(world.users.parent_1)
    assert client.get(reverse("courses:school_home", args=[world.school_a.pk])).status_code == 403
    assert client.get(reverse("participation:bureau_home")).status_code == 403
    assert client.get("/api/v1/district/summary").status_code == 403
    client.force_login(world.users.coordinator_a)
    assert client.get(reverse("enrollment:parent_home")).status_code == 403
    assert client.get("/api/v1/children").json()["code"] == "forbidden"


def test_bureau_sees_aggregates_without_names_and_small_cells_suppressed(client, world):
    client.force_login(world.users.bureau)
    body = client.get(reverse("participation:bureau_home")).content.decode()
    assert "锦溪小学" in body
    for child in world.children_a + world.children_b:
        assert child.name not in body and child.student_no not in body
    data = client.get("/api/v1/district/summary").json()
    # each school has one pupil: under the small-cell threshold, so the counts are withheld
    assert data["on_roll"] == 2
    assert all(row["on_roll"] is None and row["rate"] is None for row in data["schools"])


def test_htmx_request_gets_only_the_fragment(client, world):
    client.force_login(world.users.coordinator_a)
    url = reverse("enrollment:school_pupils", args=[world.school_a.pk])
    full = client.get(url).content.decode()
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" in full and 'id="pupil-table"' in full
    assert "<html" not in fragment and fragment.strip().startswith('<div id="pupil-table"')
