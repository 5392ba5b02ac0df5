"""Ids from URLs, forms and API paths: a positive database id, or simply "not found"."""

from __future__ import annotations

from typing import Any

from django.http import Http404

#: Ids beyond this are absurd (and overflow SQLite's INTEGER and PostgreSQL's bigint): not found.
MAX_ID = 2**63 - 1


def id_or_404(value: Any) -> int:
    """A positive database id from a URL or form value, else 404 (no 500 on '1 OR 1=1' or 10**30)."""
    if isinstance(value, bool):
        raise Http404
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise Http404 from None
    if not 0 < number <= MAX_ID:
        raise Http404
    return number


def id_or_none(value: Any) -> int | None:
    """The same, or None (which names no row) where a missing id is the caller's to report."""
    try:
        return id_or_404(value)
    except Http404:
        return None


def get_or_404(queryset: Any, **lookup: Any) -> Any:
    """`queryset.get(**lookup)`, with a missing row (or a lookup value of the wrong type) as 404."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
