"""Short dates in the reader's language: `{{ d|month_day }}` (12月7日 / Dec 7) and
`{{ dt|month_day_time }}` (12月7日 16:40 / Dec 7, 16:40). A builtin (config/settings.py TEMPLATES),
so no template loads it; a format string written in Chinese would show Chinese on English pages."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.translation import get_language

register = template.Library()

FORMATS = {
    "zh": ("n月j日", "n月j日 H:i"),
    "en": ("M j", "M j, H:i"),
}


def _formats() -> tuple[str, str]:
    return FORMATS.get((get_language() or "zh")[:2], FORMATS["zh"])


@register.filter(expects_localtime=True, is_safe=False)
def month_day(value):
    """A date (or datetime) as month and day."""
    return date_filter(value, _formats()[0])


@register.filter(expects_localtime=True, is_safe=False)
def month_day_time(value):
    """A datetime as month, day and time."""
    return date_filter(value, _formats()[1])
