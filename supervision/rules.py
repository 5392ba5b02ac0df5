"""红黄绿 risk grading: each rule a pure function with a stable id and a sentence (no Django).

`grade(facts)` applies every rule; the grade is the most severe colour any rule gives, and the
reasons are the rules that fired (id, colour, sentence). The supervision services gather the
facts and store the result whenever something relevant changes (and daily, for deadlines).
Sentences are English msgids, translated where they are shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def gettext_noop(message: str) -> str:
    """Marks a sentence for the translation catalogue (makemessages) without importing Django."""
    return message


GREEN, YELLOW, RED = "green", "yellow", "red"
SEVERITY = {GREEN: 0, YELLOW: 1, RED: 2}


@dataclass(frozen=True)
class Facts:
    """What the rules look at for one institution (counted on the grading day)."""

    status: str = "operating"
    kind: str = "subject"
    overdue_notices: int = 0
    open_notices: int = 0
    referred_notices: int = 0
    problem_inspections_12m: int = 0  # signed-off inspections with a problem in the last 12 months
    licence_missing: bool = False
    licence_expired: bool = False
    unqualified_teachers: int = 0  # subject-type teachers without a qualification


@dataclass(frozen=True)
class Rule:
    id: str
    colour: str
    sentence: str
    test: Callable[[Facts], bool]


RULES: list[Rule] = [
    Rule(
        "overdue_notice",
        RED,
        gettext_noop("A rectification notice is past its deadline without a verified rectification."),
        lambda f: f.overdue_notices > 0,
    ),
    Rule(
        "referred",
        RED,
        gettext_noop("A case was referred to comprehensive administrative law enforcement."),
        lambda f: f.referred_notices > 0,
    ),
    Rule(
        "operating_without_licence",
        RED,
        gettext_noop("Operating as a subject-type institution without a valid school licence."),
        lambda f: f.status == "operating" and f.kind == "subject" and (f.licence_missing or f.licence_expired),
    ),
    Rule(
        "open_notice",
        YELLOW,
        gettext_noop("A rectification notice is open (within its deadline)."),
        lambda f: f.open_notices > f.overdue_notices,
    ),
    Rule(
        "repeated_problems",
        YELLOW,
        gettext_noop("Problems were found in two or more inspections within twelve months."),
        lambda f: f.problem_inspections_12m >= 2,
    ),
    Rule(
        "unqualified_teachers",
        YELLOW,
        gettext_noop("Teachers of subject-type training without a teacher's qualification."),
        lambda f: f.kind == "subject" and f.unqualified_teachers > 0,
    ),
]
RULE_IDS = [r.id for r in RULES]


def grade(facts: Facts) -> tuple[str, list[dict[str, str]]]:
    """The colour and the reasons [{id, colour, sentence}] (most severe first, then rule order)."""
    fired = [r for r in RULES if r.test(facts)]
    fired.sort(key=lambda r: -SEVERITY[r.colour])
    colour = fired[0].colour if fired else GREEN
    return colour, [{"id": r.id, "colour": r.colour, "sentence": r.sentence} for r in fired]
