"""Authentication and role declarations for API operations (the API twin of `access.py`)."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from accounts.access import ACCESS_ATTR, AUTHENTICATED, PUBLIC, actor_for
from accounts.models import ApiToken, Role
from core.errors import DomainError

LAST_USED_PRECISION = timedelta(minutes=1)
TOKEN_CACHE_MAX = 20_000

# Token → (expires, user) in this process (issue 15: no database round trip per request for a token
# seen in the last KEHOU_API_TOKEN_CACHE_SECONDS; the user carries its actor, so the role grants are
# not read again either). A revocation here clears it at once; another process notices within the
# TTL (a few seconds), as does a role change or a deactivated user.
_tokens: dict[str, tuple[float, Any]] = {}
_tokens_lock = threading.Lock()


def token_cache_clear() -> None:
    with _tokens_lock:
        _tokens.clear()


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer kh_…` with a revocable token from POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        ttl = float(getattr(settings, "KEHOU_API_TOKEN_CACHE_SECONDS", 0) or 0)
        key = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
        if ttl > 0:
            hit = _tokens.get(key)
            if hit is not None and hit[0] > time.monotonic():
                request.user = hit[1]
                return hit[1]
        api_token = ApiToken.lookup(token)
        if api_token is None or not api_token.user.is_active:
            return None
        now = timezone.now()
        # At most one write a minute per token: a committed UPDATE on every API call cost the rush.
        if api_token.last_used_at is None or now - api_token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        user = api_token.user
        if ttl > 0:
            actor_for(user)  # cached on the user: the role grants travel with it
            with _tokens_lock:
                if len(_tokens) >= TOKEN_CACHE_MAX:
                    _tokens.clear()
                _tokens[key] = (time.monotonic() + ttl, user)
        request.user = user
        return user


# Session auth keeps Django's CSRF check on unsafe methods (ninja does it in SessionAuth).
API_AUTH = [BearerTokenAuth(), SessionAuth(csrf=True)]


def api_public(func: Callable) -> Callable:
    setattr(func, ACCESS_ATTR, PUBLIC)
    return func


def api_authenticated(func: Callable) -> Callable:
    @wraps(func)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        request.actor = actor_for(request.auth)
        return func(request, *args, **kwargs)

    setattr(wrapped, ACCESS_ATTR, AUTHENTICATED)
    return wrapped


def api_allow(*roles: str) -> Callable[[Callable], Callable]:
    """Only users with one of `roles`; the operation must still scope by `request.actor`."""
    allowed = frozenset(str(r) for r in roles)
    if not allowed or allowed - set(Role.values):
        raise ValueError("api_allow() needs known roles")

    def decorator(func: Callable) -> Callable:
        @wraps(func)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            actor = actor_for(request.auth)
            if not actor.roles & allowed:
                raise DomainError("forbidden")
            request.actor = actor
            return func(request, *args, **kwargs)

        setattr(wrapped, ACCESS_ATTR, allowed)
        return wrapped

    return decorator
