"""Shared fixtures. No Django import at module top: tests/solver and tests/allocation run without it."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API under live_server

PASSWORD = "kehou-test-pass-1"


@pytest.fixture
def world(db):
    """Two schools in one district, two families, a coordinator per school, a teacher, a bureau user."""
    from tests.factories import build_world

    return build_world(password=PASSWORD)


@pytest.fixture
def login(client):
    """Log the test client in as a user of the world (force_login: no throttle bookkeeping)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
