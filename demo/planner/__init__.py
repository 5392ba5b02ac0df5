"""The demo planner: the whole district as plain objects from one `random.Random(seed)`, no database.

The steps live in `people` (schools, classes, rooms, teachers, pupils, families) and `offer`
(courses, choices, sections, teachers for sections); `Planner.build` runs them in a fixed order,
since every step draws from the same random stream.
"""

from __future__ import annotations

from demo.data import Size
from demo.planner.offer import OfferSteps
from demo.planner.people import PeopleSteps
from demo.planner.records import DemoPlan


class Planner(PeopleSteps, OfferSteps):
    """Builds the whole district in memory from one random stream."""

    def build(self) -> DemoPlan:
        self._schools()
        self._classes()
        self._rooms()
        self._teachers()
        self._pupils_and_families()
        self._courses()
        self._preferences()
        self._sections()
        self._assign_teachers()
        self._demo_accounts()
        return self.plan


def build_plan(size: Size, seed: int) -> DemoPlan:
    """The rows a seed run writes, as plain objects."""
    return Planner(size, seed).build()


__all__ = ["DemoPlan", "Planner", "build_plan"]
