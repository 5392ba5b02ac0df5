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
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from accounts.access import ACCESS_ATTR, AUTHENTICATED, PUBLIC, actor_for, actor_from_grants
from accounts.models import ApiToken, Role
from core.errors import DomainError
from core.hot import hot_cursor

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


# The role-grant columns of `accounts.access.GRANT_COLUMNS`, seen from the token.
_GRANT_COLUMNS_FROM_TOKEN = (
    "user__role_grants__role",
    "user__role_grants__school",
    "user__role_grants__provider",
    "user__role_grants__district",
    "user__guardian__family",
    "user__teacher__id",
)
_SENTINEL = "\x00kehou-token-hash\x00"
_token_sql: dict[str, tuple] = {}  # vendor → (sql, params, hash index, user attnames, compiler, converters)


def _token_statement() -> tuple:
    """The SQL of ONE read: the active token, its active user, the user's role grants (LEFT JOIN: a
    user without grants is one row with role None), guardian and teacher rows.

    Built by the ORM once per process (the query is the same for every token: only the hash
    changes), so a request pays neither the ORM's compilation nor a second and third statement.
    On PostgreSQL the `last_used_at` touch (at most once a minute per token) rides in the same
    statement as a data-modifying CTE."""
    cached = _token_sql.get(connection.vendor)
    if cached is not None:
        return cached
    attnames = [f.attname for f in get_user_model()._meta.concrete_fields]
    query = (
        ApiToken.objects.active()
        .filter(key_hash=_SENTINEL, user__is_active=True)
        .values_list(*[f"user__{a}" for a in attnames], "pk", "last_used_at", *_GRANT_COLUMNS_FROM_TOKEN)
    )
    compiler = query.query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    # the ORM's own converters for these columns (SQLite: text → aware datetimes, 0/1 → booleans)
    converters = compiler.get_converters([col for col, _alias, _ in compiler.select[: compiler.col_count]])
    at = params.index(_SENTINEL)
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(ApiToken._meta.db_table)
        users = connection.ops.quote_name(get_user_model()._meta.db_table)
        touch = (
            f"WITH touched AS (UPDATE {table} SET last_used_at = %s WHERE key_hash = %s AND revoked_at IS NULL "
            f"AND (last_used_at IS NULL OR last_used_at < %s) AND user_id IN (SELECT id FROM {users} WHERE is_active)) "
        )
        sql, params, at = touch + sql, ("now", "hash", "stale", *params), at + 3
    _token_sql[connection.vendor] = built = (sql, tuple(params), at, attnames, compiler, converters)
    return built


def _token_user(key_hash: str) -> Any:
    """The active user of the active token with this SHA-256, its actor built from the same rows; None if unknown."""
    sql, params, at, attnames, compiler, converters = _token_statement()
    now = timezone.now()
    values = list(params)
    values[at] = key_hash
    if connection.vendor == "postgresql":
        values[0:3] = [now, key_hash, now - LAST_USED_PRECISION]
    with hot_cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    if converters:
        rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
    if not rows:
        return None
    n = len(attnames)
    first = rows[0]
    user = get_user_model().from_db(connection.alias, attnames, first[:n])
    token_id, last_used_at = first[n], first[n + 1]
    if connection.vendor != "postgresql" and (last_used_at is None or now - last_used_at > LAST_USED_PRECISION):
        # At most one write a minute per token: a committed UPDATE on every API call cost the rush.
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    user._kehou_actor = actor_from_grants(user.pk, (row[n + 2 :] for row in rows))
    return user


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer kh_…` with a revocable token from POST /api/v1/auth/token.

    A cold token costs one statement (token, user, role grants, family; on SQLite a second one when
    `last_used_at` is due); a token seen in the last KEHOU_API_TOKEN_CACHE_SECONDS costs none."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        ttl = float(getattr(settings, "KEHOU_API_TOKEN_CACHE_SECONDS", 0) or 0)
        key = hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()
        if ttl > 0:
            hit = _tokens.get(key)
            if hit is not None and hit[0] > time.monotonic():
                request.user = hit[1]
                return hit[1]
        user = _token_user(key)
        if user is None:
            return None
        if ttl > 0:
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
