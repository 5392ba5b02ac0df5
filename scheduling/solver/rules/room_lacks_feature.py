"""教室具备课程所需的设施（如厨房、实验台）。A room has the equipment the course needs (kitchen, lab, …)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView, ProblemIndex
    from ..model import Domains, Model


class RoomLacksFeature(Rule):
    def narrow(self, dom: Domains) -> None:
        if dom.explain:  # every room is offered, so the constraint below names the section
            return
        rooms = dom.problem.rooms
        for i, s in enumerate(dom.problem.sections):
            if s.features:
                dom.narrow_rooms(i, lambda r, f=s.features: f <= rooms[r].features)

    def post(self, mdl: Model) -> None:
        p = mdl.problem
        for (i, _t, r), v in mdl.z.items():
            if not p.sections[i].features <= p.rooms[r].features:
                mdl.require(mdl.cp.add(v == 0), self.id, p.sections[i].id)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for p in view.valid:
            s, r = view.sections[p.section], view.rooms[p.room]
            missing = s.features - r.features
            if missing and within(keys, s.id):
                sn = view.name(s.id)
                yield Hit((s.id, r.id), f"{r.id} 缺少 {'、'.join(sorted(missing))}（{sn}）",
                          f"{r.id} lacks {', '.join(sorted(missing))} for {sn}")  # fmt: skip

    def precheck(self, ix: ProblemIndex) -> Iterator[Hit]:
        for s in ix.problem.sections:
            if not any(r.school == s.school and s.features <= r.features for r in ix.problem.rooms):
                sn = ix.name(s.id)
                yield Hit((s.id,), f"{s.school} 没有{'、'.join(sorted(s.features))}教室，{sn} 需要",
                          f"{s.school} has no room with {', '.join(sorted(s.features))}, needed by {sn}")  # fmt: skip

    def phrase(self, ix: ProblemIndex, subjects: tuple[str, ...]) -> tuple[str, str]:
        a = subjects[0]
        f = sorted(ix.sections[a].features)
        return f"{ix.name(a)} 需要有{'、'.join(f)}的教室", f"{ix.name(a)} needs a room with {', '.join(f)}"


RULE = RoomLacksFeature(
    "room_lacks_feature", "hard", 1,
    zh="教室具备课程所需的设施（如厨房、实验台）。",
    en="A room has the equipment the course needs (kitchen, lab, …).",
)  # fmt: skip
