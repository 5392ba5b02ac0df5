"""The registry of timetabling rules: every rule of the timetable, listed once.

Each rule is one module of this package holding everything about it (``base.Rule``): its stable
id, hard or soft and default weight, its sentence in Chinese and English, how it narrows the
model's domains, how it posts to CP-SAT, how the independent checker scores it and how
``explain`` prechecks it. The same ids are used by the model, the checker, the explanations, the
UI and the tests, so a coordinator sees the same sentence whichever part of the system complains.

``model.build``, ``check.check`` and ``explain.precheck`` loop over ``REGISTRY`` in this order; it
is the order in which the model posts constraints, so keep it stable (CP-SAT's search depends on
it). A new rule: one module here, one line below, one verifier test in
``tests/solver/test_rule_verifier.py``.
"""

from __future__ import annotations

from . import (
    club_band_spread,
    group_clash,
    homework_in_home_room,
    isolated_lectures,
    meetings_spread,
    min_working_days,
    minimal_change,
    partner_travel,
    pinned,
    room_capacity,
    room_double_booked,
    room_lacks_feature,
    room_stability,
    room_too_small,
    session_by_kind,
    teacher_double_booked,
    teacher_load_balance,
    teacher_not_qualified,
    teacher_over_load,
    teacher_preference,
    teacher_unavailable,
    unplaced,
)
from .base import Hit, Rule, Scope

REGISTRY: tuple[Rule, ...] = (
    # hard
    unplaced.RULE,
    teacher_double_booked.RULE,
    partner_travel.RULE,
    room_double_booked.RULE,
    group_clash.RULE,
    room_too_small.RULE,
    room_lacks_feature.RULE,
    teacher_unavailable.RULE,
    teacher_not_qualified.RULE,
    teacher_over_load.RULE,
    pinned.RULE,
    homework_in_home_room.RULE,
    # soft
    teacher_load_balance.RULE,
    meetings_spread.RULE,
    club_band_spread.RULE,
    teacher_preference.RULE,
    room_stability.RULE,
    minimal_change.RULE,
    min_working_days.RULE,
    session_by_kind.RULE,
    room_capacity.RULE,
    isolated_lectures.RULE,
)

RULES: dict[str, Rule] = {r.id: r for r in REGISTRY}
HARD: tuple[str, ...] = tuple(r.id for r in REGISTRY if r.kind == "hard")
SOFT: tuple[str, ...] = tuple(r.id for r in REGISTRY if r.kind == "soft")

# Rules the after-school model leaves off by default; the ITC-2007 costs are scored by the CTT
# checker and used by the CTT engine (a school can switch them on through ``Problem.weights``).
KEHOU_SOFT_DEFAULT_OFF = frozenset(r.id for r in REGISTRY if not r.default_on)


def active(rule_id: str, overrides: dict[str, int] | None = None) -> bool:
    """Whether a rule takes part in a problem: a soft rule with a weight, or a hard rule that the
    problem does not switch off. ``Problem.weights[hard_id] = 0`` switches a hard rule off — only
    for a problem where a soft rule counts the same thing instead (ITC-2007: ``room_capacity``
    replaces ``room_too_small``); schools never do."""
    if RULES[rule_id].kind == "hard":
        return not (overrides and overrides.get(rule_id) == 0)
    return weight(rule_id, overrides) > 0


def weight(rule_id: str, overrides: dict[str, int] | None = None) -> int:
    """The weight of a soft rule, honouring a problem's overrides."""
    if overrides and rule_id in overrides:
        return overrides[rule_id]
    if rule_id in KEHOU_SOFT_DEFAULT_OFF:
        return 0
    return RULES[rule_id].weight


__all__ = ["HARD", "KEHOU_SOFT_DEFAULT_OFF", "REGISTRY", "RULES", "SOFT", "Hit", "Rule", "Scope", "active", "weight"]
