"""What a timetabling rule is, and the hooks through which the engine uses it.

Each module of this package holds one rule: a subclass of :class:`Rule` that opens with the
business sentence and ends with ``RULE = ...`` (its stable id, hard or soft, default weight and
sentence in Chinese and English). The engine never names a rule: ``model.build``,
``check.check`` and ``explain.precheck`` loop over the registry (``rules/__init__.py``) and call
these hooks.

The model half of a rule (``narrow``, ``post``) and its checker half (``score``) share no code,
so a bug in one cannot hide itself in the other; ``tests/solver/test_rule_verifier.py`` fixes a
small timetable in the model and compares the two for every rule.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from ..check import CheckView, ProblemIndex
    from ..model import Domains, Model

# What one violation of a rule is charged to. ``check.check(..., only=...)`` scores just the
# violations charged to some keys of each scope, so a neighbourhood move can be scored by the
# keys it touches (``check.touched``) instead of the whole timetable.
Scope = Literal["section", "teacher", "room", "group", "school"]
SCOPES: tuple[Scope, ...] = ("section", "teacher", "room", "group", "school")

# The keys of a rule's scope to score; None = all of them.
Keys = Collection[str] | None


def within(keys: Keys, key: str) -> bool:
    """Whether ``key`` is among the keys to score."""
    return keys is None or key in keys


class Hit(NamedTuple):
    """One violation found by a rule: what it concerns, said for a coordinator, and its units."""

    subjects: tuple[str, ...]
    zh: str
    en: str
    units: int = 1  # soft rules: cost = weight * units; hard rules: one violation per hit


@dataclass(frozen=True)
class Rule:
    """A business rule of the timetable and everything the engine does with it."""

    id: str
    kind: Literal["hard", "soft"]
    weight: int  # default weight of one unit of violation (soft); hard rules use 1
    zh: str
    en: str
    scope: Scope = "section"
    default_on: bool = True  # False: weight 0 unless ``Problem.weights`` sets it (ITC-2007 costs)

    def narrow(self, dom: Domains) -> None:
        """Shrink sections' candidate slots, rooms or teachers before any variable exists.

        Only rules whose violation can be ruled out by not offering a choice narrow; pinned and
        fixed choices are offered whatever the rules say, so a bad pin meets ``post``.
        """

    def post(self, mdl: Model) -> None:
        """Post the rule to the CP-SAT model: hard rules with ``mdl.require`` (one assumption
        literal per requirement group in explain mode), soft rules with ``mdl.penalise`` (an
        expression equal to the checker's units in every solution, so the objective is the cost).
        """
        raise NotImplementedError(self.id)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        """The independent checker: every violation among ``keys`` of the rule's scope."""
        raise NotImplementedError(self.id)

    def precheck(self, ix: ProblemIndex) -> Iterator[Hit]:
        """Counting arguments that prove the rule cannot hold, without a solver (most have none)."""
        return iter(())

    def phrase(self, ix: ProblemIndex, subjects: tuple[str, ...]) -> tuple[str, str]:
        """One requirement group of the model (``mdl.require(..., self.id, *subjects)``) in words."""
        names = [ix.name(s) for s in subjects]
        return f"{self.zh}（{'、'.join(names)}）", f"{self.en} ({', '.join(names)})"
