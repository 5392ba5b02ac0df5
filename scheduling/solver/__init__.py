"""Kehou's pure timetabling engine (no Django, no project app; ortools imported lazily).

Public API for the Django adapter::

    from scheduling.solver import (
        Problem, Slot, Room, Teacher, SectionDemand, Pin, Placement, Solution, Violation,
        solve, solve_district, solve_many, explain, check, RULES,
    )
"""

from .check import CheckResult, check, touched
from .domain import (
    Pin,
    Placement,
    Problem,
    Room,
    SectionDemand,
    Slot,
    Solution,
    Teacher,
    Violation,
)
from .explain import Explanation, explain, precheck
from .rules import RULES, Rule
from .solve import solve, solve_district, solve_many

__all__ = [
    "RULES",
    "CheckResult",
    "Explanation",
    "Pin",
    "Placement",
    "Problem",
    "Room",
    "Rule",
    "SectionDemand",
    "Slot",
    "Solution",
    "Teacher",
    "Violation",
    "check",
    "explain",
    "precheck",
    "solve",
    "solve_district",
    "solve_many",
    "touched",
]
