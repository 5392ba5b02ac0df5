"""教室座位不足时，每超出一名学生计一次代价。Each pupil beyond a room's seats costs one (ITC-2007
RoomCapacity; off for schools, where ``room_too_small`` is hard, unless ``Problem.weights`` sets it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView
    from ..model import Model


class RoomCapacity(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        if not mdl.weight(self.id):
            return
        for (i, _t, r), v in mdl.z.items():
            over = p.sections[i].expected_size - p.rooms[r].capacity
            if over > 0:
                mdl.penalise(self.id, over * v)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for p in view.valid:
            over = view.sections[p.section].expected_size - view.rooms[p.room].capacity
            if over > 0 and within(keys, p.section):
                yield Hit((p.section, p.room), "教室座位不足", "room over capacity", over)


RULE = RoomCapacity(
    "room_capacity", "soft", 1,
    zh="教室座位不足时，每超出一名学生计一次代价。",
    en="Each pupil beyond a room's seats costs one (ITC-2007 RoomCapacity).",
    default_on=False,
)  # fmt: skip
