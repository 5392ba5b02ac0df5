"""What every set-up service shares: the district's fee cap, the limits, the in-use check."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.db.models import Model

# The 5+2 template: two sessions on each of the five school days.
TEMPLATE_SESSIONS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(15, 30), dt.time(16, 30)),
    (dt.time(16, 40), dt.time(17, 40)),
)
MAX_SESSIONS = 4
M = TypeVar("M", bound=Model)
MAX_SEATS = 500
MAX_TEACHER_PERIODS = 40
PHONE_RE = re.compile(r"^1\d{10}$")


def fee_cap() -> Decimal:
    """The most a course may charge per pupil per class hour (policy: about 3–3.5 yuan)."""
    return Decimal(str(settings.KEHOU_FEE_CAP_PER_CLASS_HOUR))


def in_use(obj: Model, *, ignore: Iterable[tuple[type[Model], str]] = ()) -> bool:
    """True when any other row points at obj (placements, pins, …), whatever app added them."""
    skip = set(ignore)
    for rel in obj._meta.related_objects:
        if (rel.related_model, rel.field.name) in skip:
            continue
        if rel.related_model._default_manager.filter(**{rel.field.name: obj}).exists():
            return True
    return False


def room_features_clean(values: Iterable[str] | None) -> list[str]:
    return sorted({str(v).strip() for v in values or () if str(v).strip()})
