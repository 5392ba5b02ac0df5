"""Issue 15 §1: passwords are hashed with Argon2; older hashes are rewritten at the next login."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

PRODUCTION_ORDER = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]


def test_the_settings_put_argon2_first_outside_the_tests():
    from config import settings as project

    source = open(project.__file__, encoding="utf-8").read()
    assert '"django.contrib.auth.hashers.Argon2PasswordHasher",' in source
    assert project.PASSWORD_HASHERS[-len(PRODUCTION_ORDER) :] == PRODUCTION_ORDER


def test_new_passwords_are_argon2_and_older_hashes_are_upgraded_at_login(client, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_ORDER
    assert make_password("kehou-2026-pass").startswith("argon2$argon2id$")
    # A user from before: PBKDF2, as Django's default hasher wrote it.
    old = make_password("kehou-2026-pass", hasher="pbkdf2_sha256")
    user = User.objects.create(username="old_parent", password=old)
    assert user.password.startswith("pbkdf2_sha256$")
    response = client.post(reverse("accounts:login"), {"username": "old_parent", "password": "kehou-2026-pass"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$") and user.check_password("kehou-2026-pass")
    # The API login upgrades too (a PBKDF2-SHA1 hash, an older Django default).
    other = User.objects.create(username="old_api", password=make_password("kehou-2026-pass", hasher="pbkdf2_sha1"))
    response = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": "old_api", "password": "kehou-2026-pass"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.password.startswith("argon2$")
