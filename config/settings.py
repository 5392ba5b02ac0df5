"""Kehou settings, all from the environment.

`DJANGO_ENV` chooses the profile and fails closed: unset means production, which refuses to
start without SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL (one line naming what is missing) and
turns the secure defaults on. `make demo` sets `DJANGO_ENV=development` (SQLite in ./var, a
development-only secret key, DEBUG off unless `DEBUG=1`), `make test` sets `DJANGO_ENV=test`.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import (
    EnvError,
    cache_from_url,
    database_from_url,
    env_bool,
    env_list,
    env_number,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("KEHOU_VAR_DIR", str(BASE_DIR / "var")))

DJANGO_ENV = env_str("DJANGO_ENV", "production")
if DJANGO_ENV not in {"development", "production", "test"}:
    raise EnvError("DJANGO_ENV", "must be development, test or production")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    for required in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
        if not env_str(required):
            unset = "" if "DJANGO_ENV" in os.environ else " (DJANGO_ENV is unset, so production is assumed)"
            raise EnvError(required, f"must be set when DJANGO_ENV=production{unset}")
    SECRET_KEY = env_str("SECRET_KEY")
    if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise EnvError("SECRET_KEY", "must be at least 50 random characters")
    DEBUG = False
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
else:
    # A key for this machine's development and test databases only; production never reads it.
    SECRET_KEY = env_str("SECRET_KEY", f"kehou-{DJANGO_ENV}-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
    DEBUG = env_bool("DEBUG", False)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs (Swagger UI) from our own static files, not a CDN
    "django_htmx",
    "template_partials.apps.SimpleAppConfig",
    "django_tasks",
    "django_tasks_db",
    # Ours, bottom to top: each app may use the ones above it in this list, never the ones below.
    "core",
    "accounts",
    "messaging",
    "courses",
    "partners",
    "scheduling",
    "pupils",
    "enrollment",
    "letters",
    "allocation",
    "participation",
    "supervision",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.VaryOnHtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
KEHOU_API = "config.api.api"  # the NinjaAPI whose operations the access check walks
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
            ],
            "builtins": ["template_partials.templatetags.partials", "core.templatetags.kehou_dates"],
            "loaders": [
                (
                    "template_partials.loader.Loader",
                    [
                        (
                            "django.template.loaders.cached.Loader",
                            [
                                "django.template.loaders.filesystem.Loader",
                                "django.template.loaders.app_directories.Loader",
                            ],
                        )
                    ],
                )
            ],
        },
    }
]

# --- Database: SQLite (embedded, tuned) unless DATABASE_URL names PostgreSQL -----------------
CONN_MAX_AGE = int(env_str("CONN_MAX_AGE", "60") or 60)
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": database_from_url("DATABASE_URL", _database_url, conn_max_age=CONN_MAX_AGE)}
    # Behind PgBouncer in transaction mode a server-side cursor (QuerySet.iterator() on PostgreSQL:
    # exports, fee runs, the risk sweep) may meet another server connection on its next fetch; set
    # this to 1 there so .iterator() reads through a client-side cursor (docs/deploy.md).
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool("DISABLE_SERVER_SIDE_CURSORS", False)
    # The hot path's few statements (`core.hot.hot_cursor`: the bearer token, the section, the pupil,
    # the claim) bind on the server and are prepared after 5 runs on a connection, so PostgreSQL stops
    # planning them each time; every other statement binds on the client and is never prepared.
    # Set 0 behind a pooler that cannot keep prepared statements (PgBouncer before 1.21; docs/deploy.md).
    if env_bool("DB_PREPARED_STATEMENTS", True):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
    # One test database per test process, so parallel test runs never drop each other's database.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(VAR_DIR / "kehou.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy
                # timeout instead of failing with "database is locked" on lock upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                "init_command": (
                    "PRAGMA journal_mode=WAL;"
                    "PRAGMA synchronous=NORMAL;"
                    "PRAGMA foreign_keys=ON;"
                    "PRAGMA busy_timeout=30000;"
                    "PRAGMA cache_size=-64000;"
                    "PRAGMA temp_store=MEMORY;"
                    "PRAGMA mmap_size=268435456;"
                ),
            },
            "TEST": {"NAME": env_str("SQLITE_TEST_PATH", str(VAR_DIR / f"test-{os.getpid()}.sqlite3"))},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: shared by every web process and the worker (statistics snapshots are computed once) ---
# Django's database cache by default (the table comes with `migrate`); Redis when REDIS_URL is set.
CACHES = {"default": cache_from_url("REDIS_URL", env_str("REDIS_URL"))}
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.UsernameOrPhoneBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Argon2 first (Django's recommendation; argon2-cffi). The others still check older hashes, which
# Django rewrites as Argon2 at the user's next login (tests/accounts/test_password_hashing.py).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Bearer tokens seen in the last few seconds skip the database (accounts.api_access): a revoked
# token, a changed role or a deactivated user takes effect in other processes within this time.
KEHOU_API_TOKEN_CACHE_SECONDS = float(env_str("KEHOU_API_TOKEN_CACHE_SECONDS", "5") or 0)
if DJANGO_ENV == "test":
    # Tests create many users; a fast hash keeps the suite quick (never in production). One test
    # puts Argon2 back in front to check it and the upgrade of older hashes.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
    KEHOU_API_TOKEN_CACHE_SECONDS = 0.0  # tests revoke and deactivate and expect it at once (one test turns it on)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins per username and per client address before a cool-down.
LOGIN_THROTTLE_MAX_FAILURES = int(env_str("LOGIN_THROTTLE_MAX_FAILURES", "5"))
LOGIN_THROTTLE_WINDOW_SECONDS = int(env_str("LOGIN_THROTTLE_WINDOW_SECONDS", "900"))

# --- Language and time ------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files: everything served from this site (no CDN) ----------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Development serves files straight from the app folders; production from collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# --- Background jobs: Django Tasks with the queue in the database --------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The worker's periodic jobs (`manage.py worker`): seconds between two runs of each.
KEHOU_REAP_EVERY_SECONDS = float(env_str("KEHOU_REAP_EVERY_SECONDS", "10"))
KEHOU_OFFER_EXPIRY_EVERY_SECONDS = float(env_str("KEHOU_OFFER_EXPIRY_EVERY_SECONDS", "30"))

# --- Messages to users (messaging): in-site always; SMS gateway and WeCom/DingTalk webhook when set ---
KEHOU_MESSAGING_EVERY_SECONDS = env_number("KEHOU_MESSAGING_EVERY_SECONDS", 1.0, minimum=0.05)
KEHOU_MESSAGING_MAX_ATTEMPTS = int(env_number("KEHOU_MESSAGING_MAX_ATTEMPTS", 6, minimum=1))
KEHOU_MESSAGING_BACKOFF_SECONDS = env_number("KEHOU_MESSAGING_BACKOFF_SECONDS", 10.0)  # doubles per attempt
KEHOU_MESSAGING_LEASE_SECONDS = env_number("KEHOU_MESSAGING_LEASE_SECONDS", 120.0, minimum=1)
KEHOU_MESSAGING_CLAIM = int(env_number("KEHOU_MESSAGING_CLAIM", 1000, minimum=1))  # deliveries per claim
KEHOU_MESSAGING_SENDERS = int(env_number("KEHOU_MESSAGING_SENDERS", 4, minimum=1))  # HTTP calls at once
KEHOU_MESSAGING_RUN_SECONDS = env_number("KEHOU_MESSAGING_RUN_SECONDS", 20.0, minimum=0.1)
KEHOU_MESSAGING_TIMEOUT_SECONDS = env_number("KEHOU_MESSAGING_TIMEOUT_SECONDS", 10.0, minimum=0.1)
KEHOU_SMS_URL = env_url("KEHOU_SMS_URL")
KEHOU_SMS_TOKEN = env_str("KEHOU_SMS_TOKEN")
KEHOU_SMS_BATCH = int(env_number("KEHOU_SMS_BATCH", 100, minimum=1))  # messages per gateway call
KEHOU_WEBHOOK_URL = env_url("KEHOU_WEBHOOK_URL")
KEHOU_LETTERS_PER_RUN = int(env_number("KEHOU_LETTERS_PER_RUN", 5, minimum=1))  # letters fanned out per run
KEHOU_LETTER_RESUME_SECONDS = env_number("KEHOU_LETTER_RESUME_SECONDS", 300, minimum=1)  # a stopped send resumes
KEHOU_WEBHOOK_KIND = env_str("KEHOU_WEBHOOK_KIND", "wecom")
if KEHOU_WEBHOOK_KIND not in {"wecom", "dingtalk"}:
    raise EnvError("KEHOU_WEBHOOK_KIND", "must be wecom or dingtalk")

# --- Security ----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [f"https://{h}" for h in ALLOWED_HOSTS])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 100
KEHOU_DEMO_PASSWORD = "kehou2026"
# Policy caps the after-school fee per pupil per class hour (the seed district: 3–3.5 yuan).
KEHOU_FEE_CAP_PER_CLASS_HOUR = env_str("KEHOU_FEE_CAP_PER_CLASS_HOUR", "3.50")
KEHOU_SITE_NAME = _("After-school service")
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
