"""`{{ key|room_feature }}`: a room feature's label (kitchen → 厨房), never the stored key."""

from __future__ import annotations

from django import template

from courses.models import ROOM_FEATURES

register = template.Library()


@register.filter
def room_feature(key: str) -> str:
    """The translated label of a feature key; an unknown key is shown as it is."""
    return str(dict(ROOM_FEATURES).get(key, key))
