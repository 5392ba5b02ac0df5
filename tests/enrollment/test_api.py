"""API contract: 201/202/404/409 with every error code, idempotent retries, preferences, timetables."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from accounts.models import ApiToken
from enrollment import selectors
from enrollment.models import Enrollment, Preference
from enrollment.selectors import Meeting
from tests.enrollment import factories as f

pytestmark = pytest.mark.django_db


def _bearer(user) -> dict:
    _token, raw = ApiToken.issue(user=user)
    return {"Authorization": f"Bearer {raw}"}


def _post(client, path, body, headers):
    return client.post(path, json.dumps(body), content_type="application/json", headers=headers)


@pytest.fixture
def parent(shop, world):
    return _bearer(world.users.parent_1)


def test_enroll_201_then_202_with_the_error_shape_for_full(client, shop, world, parent):
    others = [_bearer(g.user) for g in [s.family.guardians.get() for s in shop.others[:2]]]
    response = _post(client, "/api/v1/enrollments", {"student": shop.others[0].pk, "section": shop.art.pk}, others[0])
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "enrolled" and body["course"] == "儿童画" and body["waitlist_position"] is None
    response = _post(client, "/api/v1/enrollments", {"student": shop.child.pk, "section": shop.art.pk}, parent)
    assert response.status_code == 202 and response.json()["waitlist_position"] == 1
    response = _post(
        client,
        "/api/v1/enrollments",
        {"student": shop.others[1].pk, "section": shop.art.pk, "waitlist": False},
        others[1],
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "section_full"
    assert body["message_zh"] == "该教学班名额已满。" and body["message_en"] == "This section is full."


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("not_eligible_grade", 409, "not_eligible"),
        ("not_eligible_school", 409, "not_eligible"),
        ("window_closed", 409, "window_closed"),
        ("already_enrolled", 409, "already_enrolled"),
        ("time_clash", 409, "time_clash"),
        ("other_family", 404, "not_found"),
        ("no_such_section", 404, "not_found"),
        ("absurd_id", 422, "validation_error"),
        ("negative_id", 422, "validation_error"),
        ("missing_field", 422, "validation_error"),
    ],
)
def test_enroll_error_codes(client, shop, world, parent, monkeypatch, case, status, code):
    body = {"student": shop.child.pk, "section": shop.chess.pk}
    if case == "not_eligible_grade":
        body["section"] = shop.grade5.pk
    elif case == "not_eligible_school":
        body["section"] = shop.other_school.pk
    elif case == "window_closed":
        shop.window.delete()
    elif case == "already_enrolled":
        body["section"] = shop.robot.pk
    elif case == "time_clash":
        same = [Meeting(2, dt.time(16, 40), dt.time(17, 40), 2)]
        monkeypatch.setattr(selectors, "section_times", lambda ids: {i: same for i in ids})
    elif case == "other_family":
        body["student"] = world.children_b[0].pk
    elif case == "no_such_section":
        body["section"] = 987654321
    elif case == "absurd_id":
        body["section"] = 10**30
    elif case == "negative_id":
        body["student"] = -1
    elif case == "missing_field":
        del body["section"]
    before = Enrollment.objects.count()
    response = _post(client, "/api/v1/enrollments", body, parent)
    assert response.status_code == status, response.content
    payload = response.json()
    assert payload["code"] == code
    assert payload["message_zh"] and payload["message_en"]
    assert Enrollment.objects.count() == before


def test_idempotency_key_makes_retries_return_the_first_answer(client, shop, parent):
    headers = {**parent, "Idempotency-Key": "retry-123456"}
    body = {"student": shop.child.pk, "section": shop.chess.pk}
    first = _post(client, "/api/v1/enrollments", body, headers)
    second = _post(client, "/api/v1/enrollments", body, headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert Enrollment.objects.filter(student=shop.child, section=shop.chess).count() == 1
    third = _post(client, "/api/v1/enrollments", body, parent)  # no key: the seat is already there
    assert third.status_code == 409 and third.json()["code"] == "already_enrolled"
    assert third.json()["fields"]["enrollment"] == first.json()["id"]


def test_withdraw_and_accept_offer_through_the_api(client, shop, world, parent):
    other = _bearer(shop.others[0].family.guardians.get().user)
    seat = _post(client, "/api/v1/enrollments", {"student": shop.others[0].pk, "section": shop.art.pk}, other).json()
    wait = _post(client, "/api/v1/enrollments", {"student": shop.child.pk, "section": shop.art.pk}, parent).json()
    # another family cannot withdraw or accept my rows, nor read them
    assert client.post(f"/api/v1/enrollments/{wait['id']}/withdraw", headers=other).status_code == 404
    assert client.get(f"/api/v1/enrollments/{wait['id']}", headers=other).status_code == 404
    response = client.post(f"/api/v1/enrollments/{seat['id']}/withdraw", headers=other)
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    offered = client.get(f"/api/v1/enrollments/{wait['id']}", headers=parent).json()
    assert offered["status"] == "waitlisted" and offered["offer_expires_at"] is not None
    response = client.post(f"/api/v1/enrollments/{wait['id']}/accept", headers=parent)
    assert response.status_code == 200 and response.json()["status"] == "enrolled"
    # accepting or withdrawing again is harmless
    assert client.post(f"/api/v1/enrollments/{wait['id']}/accept", headers=parent).json()["status"] == "enrolled"
    assert client.post(f"/api/v1/enrollments/{seat['id']}/withdraw", headers=other).status_code == 200


def test_accepting_an_expired_offer_is_a_conflict(client, shop, parent):
    seat = Enrollment.objects.create(student=shop.others[0], section=shop.art, status="enrolled")
    wait = Enrollment.objects.create(student=shop.child, section=shop.art, status="waitlisted")
    from django.utils import timezone

    from enrollment import services

    services.enrollment_withdraw(enrollment=seat, by=None)
    Enrollment.objects.filter(pk=wait.pk).update(offer_expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.post(f"/api/v1/enrollments/{wait.pk}/accept", headers=parent)
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert "过期" in response.json()["message_zh"] and "expired" in response.json()["message_en"]
    wait.refresh_from_db()
    assert wait.status == "withdrawn" and wait.end_reason == "offer_expired"


def test_catalogue_api(client, shop, world, parent):
    rows = client.get(f"/api/v1/children/{shop.child.pk}/catalogue", headers=parent).json()
    titles = {r["course"] for r in rows}
    assert titles == {"机器人社团", "国际象棋", "儿童画", "中点(工贸)"}
    chess = next(r for r in rows if r["course"] == "国际象棋")
    assert chess["seats_left"] == 2 and chess["fee_per_class_hour"] == "0.00" and chess["meetings"] == []
    robot = next(r for r in rows if r["course"] == "机器人社团")
    assert robot["teacher"] == "张老师" and robot["my_status"] == "enrolled" and robot["seats_left"] == 29
    partner = client.get(f"/api/v1/children/{shop.child.pk}/catalogue?kind=partner", headers=parent).json()
    assert [r["course"] for r in partner] == ["中点(工贸)"]
    assert client.get(f"/api/v1/children/{world.children_b[0].pk}/catalogue", headers=parent).status_code == 404


def test_preferences_api_read_and_replace(client, shop, world, parent):
    shop.window.delete()
    f.window(world.school_a, "preference", max_choices=3)
    url = f"/api/v1/children/{shop.child.pk}/preferences"
    assert client.get(url, headers=parent).json()["sections"] == []
    ids = [shop.art.pk, shop.chess.pk, shop.pastry.pk]
    response = client.put(url, json.dumps({"sections": ids}), content_type="application/json", headers=parent)
    assert response.status_code == 200 and response.json()["sections"] == ids
    assert response.json()["window"]["max_choices"] == 3 and response.json()["window"]["phase"] == "open"
    response = client.put(
        url, json.dumps({"sections": [shop.grade5.pk]}), content_type="application/json", headers=parent
    )
    assert response.status_code == 409 and response.json()["code"] == "not_eligible"
    response = client.put(
        url, json.dumps({"sections": [*ids, shop.robot.pk]}), content_type="application/json", headers=parent
    )
    assert response.status_code == 422 and response.json()["code"] == "validation_error"
    assert (
        list(Preference.objects.filter(student=shop.child).order_by("rank").values_list("section_id", flat=True)) == ids
    )
    other = f"/api/v1/children/{world.children_b[0].pk}/preferences"
    assert client.get(other, headers=parent).status_code == 404
    assert (
        client.put(other, json.dumps({"sections": []}), content_type="application/json", headers=parent).status_code
        == 404
    )


def test_timetables_api_lists_every_child(client, shop, parent, monkeypatch):
    monkeypatch.setattr(
        selectors,
        "section_times",
        lambda ids: (
            {shop.robot.pk: [Meeting(1, dt.time(16, 40), dt.time(17, 40), 2, "科技楼201")]}
            if shop.robot.pk in ids
            else {}
        ),
    )
    weeks = client.get("/api/v1/timetables", headers=parent).json()
    assert {w["name"] for w in weeks} == {shop.child.name, shop.sibling.name}
    mine = next(w for w in weeks if w["student"] == shop.child.pk)
    tuesday = mine["days"][1]
    assert tuesday["items"][0]["course"] == "机器人社团" and tuesday["items"][0]["meeting"]["room"] == "科技楼201"
    assert tuesday["dismissal"] == "session_2"
    one = client.get(f"/api/v1/children/{shop.child.pk}/week", headers=parent).json()
    assert one["days"] == mine["days"]


def test_session_auth_needs_csrf_for_enrollments(shop, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users.parent_1)
    body = json.dumps({"student": shop.child.pk, "section": shop.chess.pk})
    response = client.post("/api/v1/enrollments", body, content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert not Enrollment.objects.filter(section=shop.chess).exists()
    client.get("/accounts/password/")
    csrf = client.cookies["csrftoken"].value
    response = client.post("/api/v1/enrollments", body, content_type="application/json", headers={"X-CSRFToken": csrf})
    assert response.status_code == 201


def test_other_roles_are_forbidden_and_anonymous_unauthenticated(client, shop, world):
    coordinator = _bearer(world.users.coordinator_a)
    body = {"student": shop.child.pk, "section": shop.chess.pk}
    assert _post(client, "/api/v1/enrollments", body, coordinator).json()["code"] == "forbidden"
    assert _post(client, "/api/v1/enrollments", body, {}).json()["code"] == "unauthenticated"


def test_openapi_documents_the_enrollment_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/enrollments",
        "/api/v1/enrollments/{enrollment_id}/withdraw",
        "/api/v1/enrollments/{enrollment_id}/accept",
        "/api/v1/children/{student_id}/catalogue",
        "/api/v1/children/{student_id}/preferences",
        "/api/v1/children/{student_id}/week",
        "/api/v1/timetables",
    ):
        assert path in paths
    responses = paths["/api/v1/enrollments"]["post"]["responses"]
    assert {"201", "202", "404", "409"} <= set(responses)
