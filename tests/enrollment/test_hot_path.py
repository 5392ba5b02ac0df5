"""Issue 15 §1: the first-come request's statements, counted exactly, so that any regression fails
(the guarantees are tested elsewhere: lock → check → write in test_concurrency.py, the two claim
paths in test_claim_paths.py, idempotency and refusals in test_api.py).

Before issue 15 §1 (SQLite, this test's cases): 15 statements with a cold token and 14 with a warm
one and an Idempotency-Key. The counts below include the transaction's own SAVEPOINT/RELEASE (BEGIN
and COMMIT outside a test); the connection's health check is not counted.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db

# statements per request, by database:
#  the rush (a new parent, a pupil holding nothing): token+user+roles (+ SQLite: last_used_at), section,
#    SQLite: BEGIN, pupil locked + window, the pupil's seats this term (clash), section lock, count,
#      insert, audit insert, COMMIT;
#    PostgreSQL: pupil + window (no lock), then one call outside any transaction (`claim_alone`: pupil
#      lock, the pupil's seats this term, section lock, count, insert, audit insert) — no BEGIN/COMMIT
#  a pupil already holding a seat adds the timetable read of the clash check (PostgreSQL: and the
#    call is made twice: the first answers with the seats held, the time check runs, the second claims
#    if those are still the seats held)
#  a warm token skips authentication; an Idempotency-Key adds the replay read (PostgreSQL: inside the call)
EXPECTED = {
    "sqlite": {"rush_cold": 11, "cold_with_seat": 12, "warm_with_seat_and_key": 11},
    "postgresql": {"rush_cold": 4, "cold_with_seat": 6, "warm_with_seat_and_key": 5},
}


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


def test_the_rush_request_costs_the_fewest_statements(shop, settings):
    """A parent seen for the first time asks a seat for a pupil holding nothing (bench/rush.sh's case)."""
    from accounts.api_access import token_cache_clear

    token_cache_clear()
    settings.KEHOU_API_TOKEN_CACHE_SECONDS = 5
    pupil = shop.others[0]
    _token, raw = ApiToken.issue(user=User.objects.get(username="xparent0"))
    status, sql = _statements(Client(), raw, pupil, shop.art)
    assert status == 201
    assert len(sql) == EXPECTED[connection.vendor]["rush_cold"], "\n".join(sql)
    # the pupil is read within the parent's family; step 1 of enrollment.capacity (the pupil's lock) is
    # that read inside a transaction, or (PostgreSQL) the first step of the one call, which is alone
    [pupil_read] = [s for s in sql if 'FROM "enrollment_student"' in s]
    assert '"enrollment_student"."family_id" =' in pupil_read
    if connection.vendor == "postgresql":
        assert "FOR NO KEY UPDATE" not in pupil_read
        [call] = [i for i, s in enumerate(sql) if "kehou_enrollment_claim(" in s]
        assert sql.index(pupil_read) < call
        assert not any(s.startswith(("BEGIN", "SAVEPOINT", "COMMIT")) for s in sql)  # the call is alone
        # every statement binds on the server (`core.hot.hot_cursor`), so psycopg can prepare it
        assert all("$1" in s for s in sql), sql
    else:
        opened = sql[sql.index(pupil_read) - 1]
        assert opened.startswith(("BEGIN", "SAVEPOINT")), opened
    token_cache_clear()


def test_a_token_seen_moments_ago_costs_no_statement(shop, world, settings):
    from accounts.api_access import token_cache_clear

    token_cache_clear()
    _token, raw = ApiToken.issue(user=world.users.parent_1)
    client = Client()
    settings.KEHOU_API_TOKEN_CACHE_SECONDS = 0
    status, cold = _statements(client, raw, shop.child, shop.art)
    assert status == 201
    assert len(cold) == EXPECTED[connection.vendor]["cold_with_seat"], "\n".join(cold)
    assert sum('"accounts_apitoken"' in s for s in cold) == (1 if connection.vendor == "postgresql" else 2)
    assert not any('FROM "accounts_rolegrant"' in s for s in cold)  # joined into the token's read
    settings.KEHOU_API_TOKEN_CACHE_SECONDS = 5
    _statements(client, raw, shop.child, shop.pastry)  # fills the cache
    status, warm = _statements(client, raw, shop.child, shop.chess, key="k-1")
    assert status == 201
    assert not any('"accounts_apitoken"' in s or '"accounts_rolegrant"' in s for s in warm)
    assert len(warm) == EXPECTED[connection.vendor]["warm_with_seat_and_key"], "\n".join(warm)
    # revoking in this process takes effect at once
    assert (
        client.delete(f"/api/v1/auth/token/{_token.pk}", headers={"Authorization": f"Bearer {raw}"}).status_code == 204
    )
    status, _sql = _statements(client, raw, shop.child, shop.robot)
    assert status == 401
    token_cache_clear()
