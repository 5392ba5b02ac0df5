"""每个教学班每周的课都要排上。Every weekly meeting of every section is placed, with one teacher."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView, ProblemIndex
    from ..model import Model


class Unplaced(Rule):
    def post(self, mdl: Model) -> None:
        for i, s in enumerate(mdl.problem.sections):
            mdl.require(mdl.cp.add(sum(mdl.at[i, t] for t in mdl.slots_of[i]) == s.meetings_per_week),
                        self.id, s.id)  # fmt: skip
            mdl.require(mdl.cp.add(sum(mdl.tk[i, k] for k in mdl.teachers_of[i]) == 1), self.id, s.id)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for p, why in view.invalid:
            if not within(keys, p.section):
                continue
            if why == "unknown":
                yield Hit((p.section,), f"{p} 无效", f"{p} refers to unknown or foreign data")
            else:
                yield Hit((p.section, p.room), "教室不在本校", "room is at another school")
        for s in view.problem.sections:
            if not within(keys, s.id):
                continue
            nm = view.name(s.id)
            for m in range(s.meetings_per_week):
                if view.seen[s.id, m] != 1:
                    yield Hit(
                        (s.id,), f"{nm} 第{m + 1}次课未排或重复", f"{nm} meeting {m + 1} is not placed exactly once"
                    )
            for m in view.meetings_seen.get(s.id, ()):
                if m >= s.meetings_per_week:
                    yield Hit((s.id,), "多余的课次", f"{s.id} has an extra meeting {m}")

    def precheck(self, ix: ProblemIndex) -> Iterator[Hit]:
        for s in ix.problem.sections:
            n = len(ix.slots_at[s.school])
            if s.meetings_per_week > n:
                nm = ix.name(s.id)
                yield Hit((s.id,), f"{nm} 每周 {s.meetings_per_week} 次课，但只有 {n} 个时段",
                          f"{nm} needs {s.meetings_per_week} meetings but there are {n} slots")  # fmt: skip

    def phrase(self, ix: ProblemIndex, subjects: tuple[str, ...]) -> tuple[str, str]:
        a = subjects[0]
        n = ix.sections[a].meetings_per_week
        return f"{ix.name(a)} 每周要上 {n} 次课", f"{ix.name(a)} needs {n} meetings a week"


RULE = Unplaced(
    "unplaced", "hard", 1,
    zh="每个教学班每周的课都要排上。",
    en="Every weekly meeting of every section is placed.",
)  # fmt: skip
