"""协调员固定的时段、教室和老师保持不变。What the coordinator pinned (slot, room, teacher) stays as pinned."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView, ProblemIndex
    from ..model import Model


class Pinned(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        ix = mdl.index
        room_only: dict[tuple[int, int], int] = defaultdict(int)
        for n, pin in enumerate(p.pins):
            i = ix["section"].get(pin.section)
            if i is None or pin.meeting >= p.sections[i].meetings_per_week:
                continue
            subj = (pin.section, str(pin.meeting), str(n))
            zero = mdl.cp.new_constant(0)
            t = ix["slot"].get(pin.slot) if pin.slot is not None else None
            r = ix["room"].get(pin.room) if pin.room is not None else None
            if pin.slot is not None:
                mdl.require(mdl.cp.add(mdl.at.get((i, t), zero) == 1), self.id, *subj)
                if pin.room is not None and not mdl.slots_only:
                    mdl.require(mdl.cp.add(mdl.z.get((i, t, r), zero) == 1), self.id, *subj)
            elif pin.room is not None and not mdl.slots_only:
                room_only[i, r if r is not None else -1] += 1
                # another meeting than those pinned to a slot
                taken = {ix["slot"].get(q.slot) for q in p.pins if q.section == pin.section and q.slot is not None}
                e = sum(mdl.z.get((i, tt, r), zero) for tt in mdl.slots_of[i] if tt not in taken)
                mdl.require(mdl.cp.add(e >= room_only[i, r if r is not None else -1]), self.id, *subj)
            if pin.teacher is not None:
                k = ix["teacher"].get(pin.teacher)
                mdl.require(mdl.cp.add(mdl.tk.get((i, k), zero) == 1), self.id, *subj)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for pin in view.problem.pins:
            if not within(keys, pin.section):
                continue
            p = view.placed.get((pin.section, pin.meeting))
            if p is None or any(
                want is not None and want != got
                for want, got in ((pin.slot, p.slot), (pin.room, p.room), (pin.teacher, p.teacher))
            ):
                nm = view.name(pin.section)
                yield Hit((pin.section,), f"{nm} 未按固定安排", f"{nm} is not where it was pinned")

    def phrase(self, ix: ProblemIndex, subjects: tuple[str, ...]) -> tuple[str, str]:
        a = subjects[0]
        pin = ix.problem.pins[int(subjects[2])]
        teacher = ix.name(pin.teacher) if pin.teacher in ix.teachers else None
        what = " / ".join(x for x in (pin.slot, pin.room, teacher) if x)
        return (f"{ix.name(a)} 第 {pin.meeting + 1} 次课被固定在 {what}",
                f"{ix.name(a)} meeting {pin.meeting + 1} is pinned to {what}")  # fmt: skip


RULE = Pinned(
    "pinned", "hard", 1,
    zh="协调员固定的时段、教室和老师保持不变。",
    en="What the coordinator pinned (slot, room, teacher) stays as pinned.",
)  # fmt: skip
