"""教室座位不足时，每超出一名学生计一次代价。Each pupil beyond a room's seats costs one (ITC-2007
RoomCapacity; off for schools, where ``room_too_small`` is hard, unless ``Problem.weights`` sets it)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView
    from ..model import Model


class RoomCapacity(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        if not mdl.weight(self.id):
            return
        if mdl.slots_only:
            self._counted(mdl)
            return
        for (i, _t, r), v in mdl.z.items():
            over = p.sections[i].expected_size - p.rooms[r].capacity
            if over > 0:
                mdl.penalise(self.id, over * v)

    def _counted(self, mdl: Model) -> None:
        """Without room variables (the slot half of period-first), a lower bound that is exact
        when every room suits every section: the k-th largest section in the k-th largest room
        is best, and its overflow is, summed over seat thresholds v, the sections with more than
        v pupils beyond the rooms with more than v seats, per slot."""
        p = mdl.problem
        for school in sorted({s.school for s in p.sections}):
            caps = [r.capacity for r in p.rooms if r.school == school]
            secs = [i for i, s in enumerate(p.sections) if s.school == school]
            levels = sorted(set(caps) | {p.sections[i].expected_size for i in secs})
            for j, v in enumerate(levels[:-1]):
                width = levels[j + 1] - v
                big = [i for i in secs if p.sections[i].expected_size > v]
                over = sum(1 for c in caps if c > v)
                if len(big) <= over:
                    continue
                by_slot: dict[int, list[Any]] = defaultdict(list)
                for i in big:
                    for t in mdl.slots_of[i]:
                        by_slot[t].append(mdl.at[i, t])
                for t, vs in by_slot.items():
                    if len(vs) > over:
                        short = mdl.cp.new_int_var(0, len(vs) - over, f"seats_short(t={t},v={v})")
                        mdl.cp.add(short >= sum(vs) - over)
                        mdl.penalise(self.id, width * short)

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
