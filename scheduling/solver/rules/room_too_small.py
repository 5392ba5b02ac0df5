"""教室座位数不少于该班预计人数。A room seats at least the section's expected pupils (hard for schools;
ITC-2007 counts the pupils beyond the seats instead: ``room_capacity``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView, ProblemIndex
    from ..model import Domains, Model


class RoomTooSmall(Rule):
    def narrow(self, dom: Domains) -> None:
        if dom.explain:  # every room is offered, so the constraint below names the section
            return
        rooms = dom.problem.rooms
        for i, s in enumerate(dom.problem.sections):
            dom.narrow_rooms(i, lambda r, n=s.expected_size: rooms[r].capacity >= n)

    def post(self, mdl: Model) -> None:
        p = mdl.problem
        for (i, _t, r), v in mdl.z.items():
            if p.rooms[r].capacity < p.sections[i].expected_size:
                mdl.require(mdl.cp.add(v == 0), self.id, p.sections[i].id)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for p in view.valid:
            s, r = view.sections[p.section], view.rooms[p.room]
            if r.capacity < s.expected_size and within(keys, s.id):
                sn = view.name(s.id)
                yield Hit((s.id, r.id), f"{r.id} 只有 {r.capacity} 个座位，{sn} 需要 {s.expected_size} 个",
                          f"{r.id} seats {r.capacity}, {sn} needs {s.expected_size}")  # fmt: skip

    def precheck(self, ix: ProblemIndex) -> Iterator[Hit]:
        for s in ix.problem.sections:
            rooms = [r for r in ix.problem.rooms if r.school == s.school and s.features <= r.features]
            if rooms and max(r.capacity for r in rooms) < s.expected_size:  # none at all: room_lacks_feature
                best, sn = max(r.capacity for r in rooms), ix.name(s.id)
                yield Hit((s.id,), f"{sn} 有 {s.expected_size} 人，但最大的合适教室只有 {best} 个座位",
                          f"{sn} has {s.expected_size} pupils but the largest suitable room seats {best}")  # fmt: skip

    def phrase(self, ix: ProblemIndex, subjects: tuple[str, ...]) -> tuple[str, str]:
        a = subjects[0]
        n = ix.sections[a].expected_size
        return f"{ix.name(a)} 需要至少 {n} 个座位的教室", f"{ix.name(a)} needs a room with at least {n} seats"


RULE = RoomTooSmall(
    "room_too_small", "hard", 1,
    zh="教室座位数不少于该班预计人数。",
    en="A room seats at least the section's expected pupils.",
)  # fmt: skip
