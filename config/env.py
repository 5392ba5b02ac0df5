"""Reading settings from the environment, with one-line errors instead of tracebacks."""

from __future__ import annotations

import os
import sys
from typing import Any


class EnvError(SystemExit):
    """A bad environment variable: stop with one line naming it (no traceback)."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"Kehou: environment variable {name} {problem} / 环境变量 {name} 有误")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise EnvError(name, f"must be true or false, not {raw!r}")


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if not raw:
        return list(default or [])
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_url(name: str, default: str = "") -> str:
    """An http(s) URL of an outside service (SMS gateway, webhook), or empty when the service is off."""
    raw = os.environ.get(name, default).strip()
    if raw and not raw.startswith(("http://", "https://")):
        raise EnvError(name, "must be an http:// or https:// URL, or empty")
    return raw


def env_number(name: str, default: float, *, minimum: float = 0) -> float:
    """A number not below `minimum` (seconds, counts): anything else stops start-up with one line."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise EnvError(name, f"must be a number, not {raw!r}") from None
    if value < minimum:
        raise EnvError(name, f"must be at least {minimum:g}")
    return value


def database_from_url(name: str, url: str, *, conn_max_age: int) -> dict[str, Any]:
    """Parse a PostgreSQL DATABASE_URL; anything malformed ends start-up with one clear line."""
    import dj_database_url

    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        raise EnvError(name, "must be a postgresql:// URL (e.g. postgresql://postgres@127.0.0.1:5432/kehou)")
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for bad URLs
        raise EnvError(name, f"cannot be parsed ({exc.__class__.__name__})") from None
    if not config.get("NAME"):
        raise EnvError(name, "has no database name")
    if config.get("PORT"):
        try:
            int(config["PORT"])
        except (TypeError, ValueError):
            raise EnvError(name, "has a port that is not a number") from None
    return config


def warn(message: str) -> None:
    print(message, file=sys.stderr)


CACHE_TABLE = "kehou_cache"


def cache_from_url(name: str, url: str) -> dict[str, Any]:
    """The shared cache: Redis at `url` (redis://…), else Django's database cache (table `kehou_cache`).

    Both are shared by every web process and the worker, unlike a per-process memory cache.
    """
    if not url:
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": CACHE_TABLE}
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise EnvError(name, "must be a redis:// URL (e.g. redis://127.0.0.1:6379/0)")
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
