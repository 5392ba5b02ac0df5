"""作业辅导排在第一时段，培优补差、社团等排在第二时段，学生做完作业还能上社团。Homework help goes in
session 1, tutoring and clubs in session 2, so a pupil can take both: one unit per meeting outside
its section's ``session``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView
    from ..model import Domains, Model


class SessionByKind(Rule):
    def narrow(self, dom: Domains) -> None:
        """``build(own_session=True)``: only the section's own session (the strict first try)."""
        if not dom.own_session:
            return
        slots = dom.problem.slots
        for i, s in enumerate(dom.problem.sections):
            if s.session is not None:
                dom.narrow_slots(i, lambda t, k=s.session: slots[t].session == k)

    def post(self, mdl: Model) -> None:
        p = mdl.problem
        if mdl.session_hint:  # ``build(session_hint=True)``: lead the first search, even unweighted
            for i, s in enumerate(p.sections):
                if s.session is None:
                    continue
                for t in mdl.slots_of[i]:
                    if p.slots[t].session != s.session:
                        mdl.cp.add_hint(mdl.at[i, t], 0)
        if not mdl.weight(self.id):
            return
        for i, s in enumerate(p.sections):
            if s.session is None:
                continue
            for t in mdl.slots_of[i]:
                if p.slots[t].session != s.session:
                    mdl.penalise(self.id, mdl.at[i, t])

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for p in view.valid:
            s, sl = view.sections[p.section], view.slots[p.slot]
            if s.session is not None and sl.session != s.session and within(keys, s.id):
                sn = view.name(s.id)
                yield Hit((s.id, p.slot), f"{sn} 排在第{sl.session + 1}时段，应在第{s.session + 1}时段",
                          f"{sn} meets in session {sl.session + 1}, belongs in session {s.session + 1}")  # fmt: skip


RULE = SessionByKind(
    "session_by_kind", "soft", 5,
    zh="作业辅导排在第一时段，培优补差、社团等排在第二时段，学生做完作业还能上社团。",
    en="Homework help goes in session 1, tutoring and clubs in session 2, so a pupil can take both.",
)  # fmt: skip
