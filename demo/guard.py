"""The demo never touches a production database."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import CommandError


def refuse_in_production() -> None:
    """Stop before anything is written: the demo creates `admin` with a published password."""
    if getattr(settings, "PRODUCTION", False):
        raise CommandError(
            "The demo district is not seeded when DJANGO_ENV=production (it creates logins with a published "
            "password). / 生产环境（DJANGO_ENV=production）下不生成示范数据。"
        )
