"""Checks an upper app runs on a timetable before it is published (warnings, never a refusal).

Timetabling knows rooms, teachers and slots; whether a week meets the district's 5+2 rules
(service on five days, two hours a day, ending no earlier than the local off-work time, homework
help for every pupil, extended care) depends on what only the apps above it know — pupils, the
district's policy, the gate rules. So the publish flow asks `PUBLISH_CHECKS`: each contribution is
`(timetable) -> list[PublishWarning]`, registered by the upper app in its `AppConfig.ready()`
(`participation` registers the 5+2 rules). The coordinator sees every warning, with the rule's
sentence, on the publish confirmation, and may publish anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.extensions import ExtensionPoint
from scheduling.models import Timetable


@dataclass(frozen=True)
class PublishWarning:
    """One rule the timetable misses: its stable id, the rule's sentence and the specifics."""

    rule_id: str
    sentence: str
    details: list[str] = field(default_factory=list)


PUBLISH_CHECKS: ExtensionPoint[Callable[[Timetable], list[PublishWarning]]] = ExtensionPoint(
    "scheduling.publish_checks", "Rules checked before a timetable is published (5+2 compliance)."
)


def publish_warnings(timetable: Timetable) -> list[PublishWarning]:
    """Every warning every registered check has for this timetable (a read: nothing is written)."""
    return [warning for check in PUBLISH_CHECKS for warning in check(timetable)]
