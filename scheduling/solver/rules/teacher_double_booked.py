"""一位老师同一时间只能上一节课。A teacher teaches at most one meeting at a time (also across schools)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView, ProblemIndex
    from ..model import Model


class TeacherDoubleBooked(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        busy = mdl.busy()
        for k, ts in mdl.busy_slots().items():
            kid = p.teachers[k].id
            for t in ts:
                if len(busy[k, t]) > 1:
                    mdl.require(mdl.cp.add(sum(busy[k, t]) <= 1), self.id, kid)
            for a, b, g in mdl.pairs(sorted(ts)):
                if g < 0:
                    mdl.require(mdl.cp.add(sum(busy[k, a]) + sum(busy[k, b]) <= 1), self.id, kid)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for tid, ps in view.by_teacher.items():
            if not within(keys, tid):
                continue
            tn = view.teachers[tid].name
            for a, b in combinations(ps, 2):
                g = view.gap(a, b)
                if g is not None and g < 0:
                    na, nb = view.name(a.section), view.name(b.section)
                    yield Hit((tid, a.slot, b.slot), f"{tn} 同时要上 {na} 和 {nb}",
                              f"{tn} would teach {na} and {nb} at once")  # fmt: skip

    def phrase(self, ix: ProblemIndex, subjects: tuple[str, ...]) -> tuple[str, str]:
        tn = ix.name(subjects[0])
        return f"{tn} 同一时间只能上一节课", f"{tn} teaches one meeting at a time"


RULE = TeacherDoubleBooked(
    "teacher_double_booked", "hard", 1,
    zh="一位老师同一时间只能上一节课。",
    en="A teacher teaches at most one meeting at a time.",
    scope="teacher",
)  # fmt: skip
