"""Issue 15 §1: the first-come request's statements, counted (the guarantees are tested elsewhere:
lock → check → write in tests/enrollment/test_concurrency.py, idempotency and refusals in test_api)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _enroll(client, raw, child, section, key=""):
    headers = {"Authorization": f"Bearer {raw}"}
    if key:
        headers["Idempotency-Key"] = key
    body = json.dumps({"student": child.pk, "section": section.pk})
    return client.post("/api/v1/enrollments", body, content_type="application/json", headers=headers)


def _statements(client, raw, child, section, key="") -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = _enroll(client, raw, child, section, key=key)
    return response.status_code, [q["sql"] for q in queries]


def test_a_token_seen_moments_ago_costs_no_statement(shop, world, settings):
    from accounts.api_access import token_cache_clear

    token_cache_clear()
    _token, raw = ApiToken.issue(user=world.users.parent_1)
    client = Client()
    settings.KEHOU_API_TOKEN_CACHE_SECONDS = 0
    status, cold = _statements(client, raw, shop.child, shop.art)
    assert status == 201
    settings.KEHOU_API_TOKEN_CACHE_SECONDS = 5
    _statements(client, raw, shop.child, shop.pastry)  # fills the cache
    status, warm = _statements(client, raw, shop.child, shop.chess, key="k-1")
    assert status == 201
    assert not any('"accounts_apitoken"' in s or '"accounts_rolegrant"' in s for s in warm)
    # the request's own work: begin, replay check, window, pupil lock, replay check, clash (3),
    # section lock, count, enrollment row, audit row, commit; plus the child and section reads
    assert len(warm) <= len(cold) - 1 + 1, "\n".join(warm)  # (+1: the Idempotency-Key replay read)
    # revoking in this process takes effect at once
    assert (
        client.delete(f"/api/v1/auth/token/{_token.pk}", headers={"Authorization": f"Bearer {raw}"}).status_code == 204
    )
    status, _sql = _statements(client, raw, shop.child, shop.robot)
    assert status == 401
    token_cache_clear()
