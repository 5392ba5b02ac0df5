"""不在老师不可用的时段排课。A teacher is never placed in a slot they are unavailable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView, ProblemIndex
    from ..model import Model


class TeacherUnavailable(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        for i, t, k in mdl.w:
            if p.slots[t].id in p.teachers[k].unavailable:
                mdl.require(mdl.cp.add(mdl.at[i, t] + mdl.tk[i, k] <= 1), self.id, p.teachers[k].id)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for p in view.valid:
            t = view.teachers[p.teacher]
            if p.slot in t.unavailable and within(keys, t.id):
                yield Hit((t.id, p.slot), f"{t.name} 在 {p.slot} 不可用", f"{t.name} is unavailable in {p.slot}")

    def precheck(self, ix: ProblemIndex) -> Iterator[Hit]:
        need, need_slots = ix.sole_teacher_need
        for k, n in need.items():
            t = ix.teachers.get(k)
            if t is None:
                continue
            free = len(need_slots[k] - t.unavailable)
            if n > free:
                tn = ix.name(k)
                yield Hit((k,), f"{tn} 需要上 {n} 节课，但只有 {free} 个时段可用",
                          f"{tn} is needed for {n} meetings but is available in {free} slots")  # fmt: skip

    def phrase(self, ix: ProblemIndex, subjects: tuple[str, ...]) -> tuple[str, str]:
        a = subjects[0]
        slots = sorted(ix.teachers[a].unavailable)
        return f"{ix.name(a)} 在 {'、'.join(slots)} 不可用", f"{ix.name(a)} is unavailable in {', '.join(slots)}"


RULE = TeacherUnavailable(
    "teacher_unavailable", "hard", 1,
    zh="不在老师不可用的时段排课。",
    en="A teacher is never placed in a slot they are unavailable.",
    scope="teacher",
)  # fmt: skip
