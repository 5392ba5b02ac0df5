"""一间教室同一时间只能安排一节课。A room holds at most one meeting at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import combinations
from typing import TYPE_CHECKING, Any

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView, ProblemIndex
    from ..model import Model


class RoomDoubleBooked(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        if mdl.slots_only:
            self._count(mdl)
            return
        at: dict[tuple[int, int], list[Any]] = defaultdict(list)
        for (_, t, r), v in mdl.z.items():
            at[t, r].append(v)
        for (_t, r), vs in at.items():
            if len(vs) > 1:
                mdl.require(mdl.cp.add(sum(vs) <= 1), self.id, p.rooms[r].id)
        rooms_slots: dict[int, set[int]] = defaultdict(set)
        for t, r in at:
            rooms_slots[r].add(t)
        for r, ts in rooms_slots.items():
            for a, b, g in mdl.pairs(sorted(ts)):
                if g < 0:
                    mdl.require(mdl.cp.add(sum(at[a, r]) + sum(at[b, r]) <= 1), self.id, p.rooms[r].id)

    def _count(self, mdl: Model) -> None:
        """Without room variables (the slot half of period-first): for every set of rooms that
        some section is limited to, the sections limited to a part of it meet at most that many
        at once in a slot (Hall's condition on the sets that occur)."""
        p = mdl.problem
        sets = {frozenset(rs) for rs in mdl.rooms_of.values() if rs}
        for rooms in sets:
            inside = [i for i, rs in mdl.rooms_of.items() if rs and set(rs) <= rooms]
            by_slot: dict[int, list[Any]] = defaultdict(list)
            for i in inside:
                for t in mdl.slots_of[i]:
                    by_slot[t].append(mdl.at[i, t])
            for vs in by_slot.values():
                if len(vs) > len(rooms):
                    mdl.require(mdl.cp.add(sum(vs) <= len(rooms)), self.id, *sorted(p.rooms[r].id for r in rooms))

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for rid, ps in view.by_room.items():
            if not within(keys, rid):
                continue
            for a, b in combinations(ps, 2):
                g = view.gap(a, b)
                if g is not None and g < 0:
                    na, nb = view.name(a.section), view.name(b.section)
                    yield Hit((rid, a.slot, b.slot), f"{rid} 同时安排了 {na} 和 {nb}",
                              f"{rid} holds {na} and {nb} at once")  # fmt: skip

    def precheck(self, ix: ProblemIndex) -> Iterator[Hit]:
        p = ix.problem
        # Equipment: meetings needing a feature versus (rooms with it) × slots, per school.
        for school in ix.schools:
            n_slots = len(ix.slots_at[school])
            feats = {f for s in p.sections if s.school == school for f in s.features}
            for f in sorted(feats):
                m = sum(s.meetings_per_week for s in p.sections if s.school == school and f in s.features)
                n_rooms = sum(1 for r in p.rooms if r.school == school and f in r.features)
                cap = n_rooms * n_slots
                if n_rooms and m > cap:
                    yield Hit((school, f), f"{school} 需要{f}教室的课共 {m} 节，但{f}教室只有 {cap} 个教室时段",
                              f"{school}: {m} meetings need a {f} room but there are only {cap} {f}-room slots")  # fmt: skip
        # More meetings at a school than room-slots.
        for school in ix.schools:
            m = sum(s.meetings_per_week for s in p.sections if s.school == school)
            cap = sum(1 for r in p.rooms if r.school == school) * len(ix.slots_at[school])
            if m > cap:
                yield Hit((school,), f"{school} 共需 {m} 节课，但只有 {cap} 个教室时段",
                          f"{school} needs {m} meetings but has only {cap} room-slots")  # fmt: skip

    def phrase(self, ix: ProblemIndex, subjects: tuple[str, ...]) -> tuple[str, str]:
        a = subjects[0]
        return f"教室 {a} 同一时间只能安排一节课", f"room {a} holds one meeting at a time"


RULE = RoomDoubleBooked(
    "room_double_booked", "hard", 1,
    zh="一间教室同一时间只能安排一节课。",
    en="A room holds at most one meeting at a time.",
    scope="room",
)  # fmt: skip
