"""同一班级、同一年级社团段或已报名的同一批学生，同一时间只能上一节课。A class, a grade's club band
or pupils enrolled together attend one meeting at a time (and a section meets once at a time)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from itertools import combinations
from typing import TYPE_CHECKING, Any

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView, ProblemIndex
    from ..model import Model


class GroupClash(Rule):
    def post(self, mdl: Model) -> None:
        for g, secs in mdl.members().items():
            at: dict[int, list[Any]] = defaultdict(list)
            for i in secs:
                for t in mdl.slots_of[i]:
                    at[t].append(mdl.at[i, t])
            for vs in at.values():
                if len(vs) > 1:
                    mdl.require(mdl.cp.add(sum(vs) <= 1), self.id, g)
            for a, b, gap in mdl.pairs(sorted(at)):
                if gap < 0:
                    mdl.require(mdl.cp.add(sum(at[a]) + sum(at[b]) <= 1), self.id, g)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for gid, ps in view.by_group.items():
            if not within(keys, gid):
                continue
            for a, b in combinations(ps, 2):
                g = view.gap(a, b)
                if g is not None and g < 0:
                    na, nb = view.name(a.section), view.name(b.section)
                    yield Hit((gid, a.slot, b.slot), f"{gid} 的 {na} 和 {nb} 时间冲突", f"{gid}: {na} and {nb} clash")

    def precheck(self, ix: ProblemIndex) -> Iterator[Hit]:
        group_meetings: dict[str, int] = defaultdict(int)
        group_school: dict[str, str] = {}
        for s in ix.problem.sections:
            for g in s.groups:
                group_meetings[g] += s.meetings_per_week
                group_school[g] = s.school
        for g, m in group_meetings.items():
            n = len(ix.slots_at[group_school[g]])
            if m > n:
                yield Hit((g,), f"{g} 的学生需要上 {m} 节课，但只有 {n} 个时段",
                          f"{g} needs {m} meetings but there are only {n} slots")  # fmt: skip

    def phrase(self, ix: ProblemIndex, subjects: tuple[str, ...]) -> tuple[str, str]:
        a = subjects[0]
        return f"{a} 的学生同一时间只能上一节课", f"{a} attends one meeting at a time"


RULE = GroupClash(
    "group_clash", "hard", 1,
    zh="同一班级、同一年级社团段或已报名的同一批学生，同一时间只能上一节课。",
    en="A class, a grade's club band or pupils enrolled together attend one meeting at a time.",
    scope="group",
)  # fmt: skip
