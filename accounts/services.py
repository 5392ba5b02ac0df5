"""Writes for accounts: API tokens and login throttling (the audit recorder is `core.audit`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import ApiToken, LoginFailure
from core.audit import audit_record


def login_is_throttled(*, username: str, ip: str | None) -> bool:
    """True when this username or this address has failed too often in the recent window."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    limit = settings.LOGIN_THROTTLE_MAX_FAILURES
    recent = LoginFailure.objects.filter(at__gte=since)
    if recent.filter(username=username.strip().lower()).count() >= limit:
        return True
    # An address gets more room (a school's NAT hides many parents) but is still bounded.
    return bool(ip) and recent.filter(ip=ip).count() >= limit * 4


def login_failure_record(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username.strip().lower()[:150], ip=ip)


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(Q(username=username.strip().lower())).delete()


@transaction.atomic
def api_token_issue(*, user: Any, name: str = "", request: HttpRequest | None = None) -> str:
    """Create a bearer token and return its raw value (shown once, stored only hashed)."""
    token, raw = ApiToken.issue(user=user, name=name)
    audit_record(action="accounts.token.issued", actor=user, obj=token, request=request)
    return raw


@transaction.atomic
def api_token_revoke(*, user: Any, token_id: int, request: HttpRequest | None = None) -> bool:
    updated = ApiToken.objects.active().filter(user=user, pk=token_id).update(revoked_at=timezone.now())
    if updated:
        from accounts.api_access import token_cache_clear

        token_cache_clear()  # this process at once; the others within the cache's few seconds
        audit_record(action="accounts.token.revoked", actor=user, data={"token_id": token_id}, request=request)
    return bool(updated)
