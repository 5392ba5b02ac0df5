"""Bearer tokens, session auth with CSRF, /me, and the error shape."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from accounts.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _token(client, username="parent1", password=PASSWORD):
    return client.post(
        "/api/v1/auth/token", json.dumps({"username": username, "password": password}), content_type="application/json"
    )


def test_token_login_me_and_revoke(client, world):
    response = _token(client)
    assert response.status_code == 200
    raw = response.json()["token"]
    assert raw.startswith("kh_")
    assert not ApiToken.objects.filter(key_hash=raw).exists()  # only the hash is stored
    auth = {"Authorization": f"Bearer {raw}"}
    me = client.get("/api/v1/me", headers=auth).json()
    assert me["username"] == "parent1" and me["roles"] == ["parent"]
    token_id = ApiToken.objects.get().pk
    assert client.delete(f"/api/v1/auth/token/{token_id}", headers=auth).status_code == 204
    response = client.get("/api/v1/me", headers=auth)
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_bad_credentials_and_throttle_have_stable_codes(client, world, settings):
    settings.LOGIN_THROTTLE_MAX_FAILURES = 2
    body = _token(client, password="nope").json()
    assert body["code"] == "bad_credentials"
    assert body["message_zh"] == "用户名、手机号或密码错误。"
    assert body["message_en"] == "Wrong username, phone number or password."
    _token(client, password="nope")
    response = _token(client)
    assert response.status_code == 429 and response.json()["code"] == "throttled"


def test_session_auth_enforces_csrf_on_unsafe_methods(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users.parent_1)
    token, _raw = ApiToken.issue(user=world.users.parent_1)
    response = client.delete(f"/api/v1/auth/token/{token.pk}")
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    token.refresh_from_db()
    assert token.revoked_at is None
    client.get("/accounts/password/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    assert client.delete(f"/api/v1/auth/token/{token.pk}", headers={"X-CSRFToken": csrf}).status_code == 204


def test_me_reports_scope(client, world):
    client.force_login(world.users.coordinator_a)
    me = client.get("/api/v1/me").json()
    assert me["roles"] == ["coordinator"]
    assert me["scope"]["coordinator_schools"] == [world.school_a.pk]


def test_validation_errors_use_the_error_shape(client, world):
    response = client.post("/api/v1/auth/token", "{}", content_type="application/json")
    body = response.json()
    assert response.status_code == 422 and body["code"] == "validation_error"
    assert "fields" in body


def test_openapi_and_docs_render(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/auth/token" in schema.json()["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_token_use_is_recorded_at_most_once_a_minute(client, world):
    raw = _token(client).json()["token"]
    auth = {"Authorization": f"Bearer {raw}"}
    client.get("/api/v1/me", headers=auth)
    first = ApiToken.objects.get().last_used_at
    assert first is not None
    client.get("/api/v1/me", headers=auth)
    assert ApiToken.objects.get().last_used_at == first  # no second write within the minute
    ApiToken.objects.update(last_used_at=first - timedelta(minutes=5))
    client.get("/api/v1/me", headers=auth)
    assert ApiToken.objects.get().last_used_at > first - timedelta(minutes=5)
