"""Settings come from the environment; bad values stop start-up with one clear line."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "DJANGO_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_refuses_to_start_without_required_settings(missing):
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "kehou.example.cn",
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/kehou",
    }
    env.pop(missing)
    result = _manage("check", **env)
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"Kehou: environment variable {missing} must be set when DJANGO_ENV=production / 环境变量 {missing} 有误"
    ]


def test_without_django_env_the_site_refuses_with_one_line():
    """Fail closed: no DJANGO_ENV is production, which needs a real secret (no built-in key is used)."""
    result = _manage("check")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Kehou: environment variable SECRET_KEY must be set when DJANGO_ENV=production "
        "(DJANGO_ENV is unset, so production is assumed) / 环境变量 SECRET_KEY 有误"
    ]
    assert "Traceback" not in result.stderr


def test_development_runs_with_debug_off_unless_asked():
    code = "from django.conf import settings; print(settings.DEBUG, 'dev-only' in settings.SECRET_KEY or 'only' in settings.SECRET_KEY)"
    off = _manage("shell", "--no-imports", "-c", code, DJANGO_ENV="development")
    assert off.returncode == 0, off.stderr
    assert off.stdout.split()[0] == "False"
    on = _manage("shell", "--no-imports", "-c", code, DJANGO_ENV="development", DEBUG="1")
    assert on.stdout.split()[0] == "True"


def test_the_cache_is_shared_database_cache_or_redis():
    code = "from django.conf import settings; c = settings.CACHES['default']; print(c['BACKEND'], c['LOCATION'])"
    db = _manage("shell", "--no-imports", "-c", code, DJANGO_ENV="development")
    assert db.stdout.split() == ["django.core.cache.backends.db.DatabaseCache", "kehou_cache"], db.stderr
    redis = _manage("shell", "--no-imports", "-c", code, DJANGO_ENV="development", REDIS_URL="redis://127.0.0.1:6379/3")
    assert redis.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/3"]
    bad = _manage("check", DJANGO_ENV="development", REDIS_URL="http://nope")
    assert bad.returncode != 0 and bad.stderr.strip().splitlines()[-1].startswith(
        "Kehou: environment variable REDIS_URL"
    )


def test_seed_demo_refuses_in_production():
    """The demo creates an `admin` with a published password: never on a production database."""
    result = _manage(
        "seed_demo",
        "--size",
        "small",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="kehou.example.cn",
        DATABASE_URL="postgresql://postgres@127.0.0.1:5432/kehou_never_created",
    )
    assert result.returncode != 0
    assert "production" in result.stderr and "Traceback" not in result.stderr


def test_production_profile_passes_check_deploy_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="kehou.example.cn",
        DATABASE_URL="postgresql://postgres@127.0.0.1:5432/kehou",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "url", ["mysql://root@localhost/kehou", "postgresql://u@host:notaport/db", "not a url", "postgresql://u@host/"]
)
def test_malformed_database_url_is_one_line_naming_the_variable(url):
    result = _manage("check", DJANGO_ENV="development", DATABASE_URL=url)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0], result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KEHOU_SMS_URL", "ftp://gateway"),
        ("KEHOU_WEBHOOK_URL", "qyapi.weixin.qq.com/cgi-bin/webhook/send"),
        ("KEHOU_WEBHOOK_KIND", "telegram"),
        ("KEHOU_MESSAGING_MAX_ATTEMPTS", "0"),
        ("KEHOU_SMS_BATCH", "many"),
    ],
)
def test_bad_messaging_settings_are_one_line_naming_the_variable(name, value):
    result = _manage("check", DJANGO_ENV="development", **{name: value})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0], result.stderr


def test_sqlite_is_tuned_for_a_web_app(settings, db):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite settings only")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


def test_postgres_keeps_connections_with_health_checks(settings, db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL settings only")
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_prepared_hot_statements_can_be_turned_off_for_old_poolers():
    """DB_PREPARED_STATEMENTS=0 (PgBouncer before 1.21) leaves psycopg's prepare_threshold unset, so
    nothing is prepared; by default the hot path's statements are prepared after 5 runs."""
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'].get('prepare_threshold'))"
    url = "postgresql://postgres@127.0.0.1:5432/kehou_never_opened"
    on = _manage("shell", "-c", code, DJANGO_ENV="test", DATABASE_URL=url)
    off = _manage("shell", "-c", code, DJANGO_ENV="test", DATABASE_URL=url, DB_PREPARED_STATEMENTS="0")
    assert (on.returncode, off.returncode) == (0, 0), on.stderr + off.stderr
    assert (on.stdout.split()[-1], off.stdout.split()[-1]) == ("5", "None")


def test_language_time_zone_and_csp(client, db):
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "zh-hans" and settings.TIME_ZONE == "Asia/Shanghai"
    response = client.get("/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp


def test_templates_load_nothing_from_outside():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for marker in ('src="http', "src='http", 'href="http', "href='http", "url(http", "@import"):
            if marker in text:
                offenders.append(f"{template.relative_to(ROOT)}: {marker}")
    assert offenders == []
