"""老师每周课时不超过上限。A teacher never exceeds their weekly maximum of meetings (all schools together)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView, ProblemIndex
    from ..model import Model


class TeacherOverLoad(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        load: dict[int, list[Any]] = defaultdict(list)
        for (i, k), v in mdl.tk.items():
            load[k].append(p.sections[i].meetings_per_week * v)
        for k, terms in load.items():
            mdl.require(mdl.cp.add(sum(terms) <= p.teachers[k].max_periods_week), self.id, p.teachers[k].id)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for tid, ps in view.by_teacher.items():
            t, load = view.teachers[tid], len(ps)
            if load > t.max_periods_week and within(keys, tid):
                yield Hit((tid,), f"{t.name} 每周 {load} 节课，超过上限 {t.max_periods_week}",
                          f"{t.name} has {load} meetings, above the maximum {t.max_periods_week}")  # fmt: skip

    def precheck(self, ix: ProblemIndex) -> Iterator[Hit]:
        need, _ = ix.sole_teacher_need
        for k, n in need.items():
            t = ix.teachers.get(k)
            if t is not None and n > t.max_periods_week:
                tn = ix.name(k)
                yield Hit((k,), f"{tn} 需要上 {n} 节课，但每周最多上 {t.max_periods_week} 节",
                          f"{tn} is needed for {n} meetings but may teach at most {t.max_periods_week} a week")  # fmt: skip

    def phrase(self, ix: ProblemIndex, subjects: tuple[str, ...]) -> tuple[str, str]:
        a = subjects[0]
        mx = ix.teachers[a].max_periods_week
        return f"{ix.name(a)} 每周最多上 {mx} 节课", f"{ix.name(a)} teaches at most {mx} meetings a week"


RULE = TeacherOverLoad(
    "teacher_over_load", "hard", 1,
    zh="老师每周课时不超过上限。",
    en="A teacher never exceeds their weekly maximum of meetings.",
    scope="teacher",
)  # fmt: skip
