"""跨校任教的老师，两节课之间留足学校间的路程时间。A teacher serving several schools has time to travel
between two meetings (``Problem.travel_minutes``; an overlap is ``teacher_double_booked``)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView, ProblemIndex
    from ..model import Model


class PartnerTravel(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        busy = mdl.busy()
        for k, ts in mdl.busy_slots().items():
            if len({p.slots[t].school for t in ts}) < 2:
                continue
            for a, b, g in mdl.pairs(sorted(ts)):
                sa, sb = p.slots[a].school, p.slots[b].school
                if sa != sb and 0 <= g < p.travel(sa, sb):
                    mdl.require(mdl.cp.add(sum(busy[k, a]) + sum(busy[k, b]) <= 1), self.id, p.teachers[k].id)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for tid, ps in view.by_teacher.items():
            if not within(keys, tid):
                continue
            tn = view.teachers[tid].name
            for a, b in combinations(ps, 2):
                g = view.gap(a, b)
                if g is None or g < 0:
                    continue
                sa, sb = view.slots[a.slot].school, view.slots[b.slot].school
                need = view.problem.travel(sa, sb)
                if g < need:
                    yield Hit((tid, a.slot, b.slot), f"{tn} 从 {sa} 到 {sb} 需要 {need} 分钟，但两节课只隔 {g} 分钟",
                              f"{tn} needs {need} min from {sa} to {sb} but has {g} min")  # fmt: skip

    def phrase(self, ix: ProblemIndex, subjects: tuple[str, ...]) -> tuple[str, str]:
        tn = ix.name(subjects[0])
        return f"{tn} 在两所学校之间需要路程时间", f"{tn} needs travel time between schools"


RULE = PartnerTravel(
    "partner_travel", "hard", 1,
    zh="跨校任教的老师，两节课之间留足学校间的路程时间。",
    en="A teacher serving several schools has time to travel between two meetings.",
    scope="teacher",
)  # fmt: skip
