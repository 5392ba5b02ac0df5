"""只由有资格的老师任教。Only a qualified teacher teaches a section (``domain.eligible_teacher_ids``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..domain import eligible_teacher_ids
from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView, ProblemIndex
    from ..model import Domains, Model


class TeacherNotQualified(Rule):
    def narrow(self, dom: Domains) -> None:
        # also in explain mode: only pinned teachers can be unqualified there, and are named
        teachers = dom.problem.teachers
        for i, s in enumerate(dom.problem.sections):
            elig = eligible_teacher_ids(s, teachers)
            dom.narrow_teachers(i, lambda k, elig=elig: teachers[k].id in elig)

    def post(self, mdl: Model) -> None:
        p = mdl.problem
        for i, k in mdl.tk:
            if p.teachers[k].id not in mdl.eligible(i):
                mdl.require(mdl.cp.add(mdl.tk[i, k] == 0), self.id, p.teachers[k].id, p.sections[i].id)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for p in view.valid:
            s, t = view.sections[p.section], view.teachers[p.teacher]
            if t.id not in view.eligible(s) and within(keys, s.id):
                sn = view.name(s.id)
                yield Hit((t.id, s.id), f"{t.name} 没有资格教 {sn}", f"{t.name} is not qualified for {sn}")

    def precheck(self, ix: ProblemIndex) -> Iterator[Hit]:
        for s in ix.problem.sections:
            if not ix.eligible(s) & ix.teachers.keys():
                sn = ix.name(s.id)
                yield Hit((s.id,), f"没有老师有资格教 {sn}", f"no teacher is qualified for {sn}")

    def phrase(self, ix: ProblemIndex, subjects: tuple[str, ...]) -> tuple[str, str]:
        tn, sn = ix.name(subjects[0]), ix.name(subjects[1])
        return f"{tn} 没有资格教 {sn}", f"{tn} is not qualified for {sn}"


RULE = TeacherNotQualified(
    "teacher_not_qualified", "hard", 1,
    zh="只由有资格的老师任教。",
    en="Only a qualified teacher teaches a section.",
)  # fmt: skip
