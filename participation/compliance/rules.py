"""The 5+2 rules (课后服务"5+2"), one function each: a week's facts in, what misses the rule out.

Each rule opens with the sentence the coordinator and the bureau read, keeps a stable id (shared by
the publish warning, the school's page, the bureau's table and the tests), and is tested alone on
the smallest week where it alone decides (tests/participation/test_compliance.py). The facts are
plain data built by `participation.compliance.facts` from a timetable, the district's policy and the
school's gate rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from courses.models import WEEKDAY_CHOICES

MIN_MINUTES = 120


@dataclass(frozen=True)
class ServiceDay:
    """One weekday's service in the timetable: from the first placed slot's start to the last one's end."""

    weekday: int
    start: dt.time
    end: dt.time

    @property
    def minutes(self) -> int:
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)


@dataclass(frozen=True)
class ClassHomework:
    """A class with pupils on roll and the seats of homework help placed for it."""

    label: str
    pupils: int
    seats: int
    placed: bool


@dataclass
class Facts:
    days: dict[int, ServiceDay] = field(default_factory=dict)
    off_work: dt.time = dt.time(17, 30)
    classes: list[ClassHomework] = field(default_factory=list)
    extended_until: dt.time | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    sentence: Callable[[Facts], str]
    check: Callable[[Facts], list[str]]


@dataclass(frozen=True)
class Finding:
    rule_id: str
    sentence: str
    details: list[str]


def _day(weekday: int) -> str:
    return str(dict(WEEKDAY_CHOICES)[weekday])


def _hm(value: dt.time) -> str:
    return f"{value:%H:%M}"


def five_days(facts: Facts) -> list[str]:
    """After-school service runs on all five school days."""
    missing = [_day(wd) for wd in range(5) if wd not in facts.days]
    return [gettext("No service on %(days)s.") % {"days": "、".join(missing)}] if missing else []


def two_hours(facts: Facts) -> list[str]:
    """Each day's service lasts at least two hours."""
    return [
        gettext("%(day)s: %(start)s–%(end)s, %(minutes)s minutes.")
        % {"day": _day(d.weekday), "start": _hm(d.start), "end": _hm(d.end), "minutes": d.minutes}
        for d in sorted(facts.days.values(), key=lambda d: d.weekday)
        if d.minutes < MIN_MINUTES
    ]


def ends_after_work(facts: Facts) -> list[str]:
    """Service ends no earlier than the local off-work time."""
    return [
        gettext("%(day)s ends at %(end)s.") % {"day": _day(d.weekday), "end": _hm(d.end)}
        for d in sorted(facts.days.values(), key=lambda d: d.weekday)
        if d.end < facts.off_work
    ]


def homework_for_all(facts: Facts) -> list[str]:
    """Every pupil who wants it can get homework help in their own class."""
    out = []
    for c in facts.classes:
        if not c.placed:
            out.append(gettext("%(klass)s: no homework help in the timetable.") % {"klass": c.label})
        elif c.seats < c.pupils:
            out.append(
                gettext("%(klass)s: %(seats)s seats of homework help for %(pupils)s pupils.")
                % {"klass": c.label, "seats": c.seats, "pupils": c.pupils}
            )
    return out


def extended_care(facts: Facts) -> list[str]:
    """The school offers extended care (延时托管) to families who need it."""
    return [] if facts.extended_until else [gettext("No extended care is set in the school's gate rules.")]


RULES: list[Rule] = [
    Rule("five_days", lambda f: str(_("After-school service runs on all five school days.")), five_days),
    Rule("two_hours", lambda f: str(_("Each day's service lasts at least two hours.")), two_hours),
    Rule(
        "ends_after_work",
        lambda f: (
            str(_("Service ends no earlier than the local off-work time (%(time)s).")) % {"time": _hm(f.off_work)}
        ),
        ends_after_work,
    ),
    Rule(
        "homework_for_all",
        lambda f: str(_("Every pupil who wants it can get homework help in their own class.")),
        homework_for_all,
    ),
    Rule(
        "extended_care",
        lambda f: str(_("The school offers extended care to families who need it.")),
        extended_care,
    ),
]
RULE_IDS = [r.id for r in RULES]


def evaluate(facts: Facts) -> list[Finding]:
    """Every rule the week misses, in rule order, with the rule's sentence and the specifics."""
    out = []
    for rule in RULES:
        details = rule.check(facts)
        if details:
            out.append(Finding(rule.id, rule.sentence(facts), details))
    return out


def sentences(facts: Any = None) -> dict[str, str]:
    """{rule id: sentence} for table headers (the off-work time from `facts` when given)."""
    facts = facts or Facts()
    return {r.id: r.sentence(facts) for r in RULES}
