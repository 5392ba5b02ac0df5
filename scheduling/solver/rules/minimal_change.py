"""调整课表时尽量保留原有安排。A re-planned timetable keeps as much of the previous one as possible: one
unit per meeting of ``Problem.previous`` whose (section, slot, room, teacher) is not kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView
    from ..model import Model


class MinimalChange(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        if p.previous is None or not mdl.weight(self.id):
            return
        ix = mdl.index
        for n, q in enumerate(p.previous.placements):
            i = ix["section"].get(q.section)
            if i is None:
                continue
            t, r, k = ix["slot"].get(q.slot), ix["room"].get(q.room), ix["teacher"].get(q.teacher)
            if (i, t, r) not in mdl.z or (i, k) not in mdl.tk:
                mdl.penalise(self.id, 1)
                continue
            kept = mdl.cp.new_bool_var(f"kept_previous(n={n},s={i},t={t},r={r},k={k})")
            mdl.cp.add_implication(kept, mdl.z[i, t, r])
            mdl.cp.add_implication(kept, mdl.tk[i, k])
            mdl.cp.add_bool_or([kept, ~mdl.z[i, t, r], ~mdl.tk[i, k]])
            mdl.penalise(self.id, 1 - kept)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        if view.problem.previous is None:
            return
        now = {(p.section, p.slot, p.room, p.teacher) for p in view.valid}
        for q in view.problem.previous.placements:
            if (
                q.section in view.sections
                and within(keys, q.section)
                and (q.section, q.slot, q.room, q.teacher) not in now
            ):
                nm = view.name(q.section)
                yield Hit((q.section, q.slot), f"{nm} 在 {q.slot} 的安排被改动", f"{nm} in {q.slot} was changed")


RULE = MinimalChange(
    "minimal_change", "soft", 5,
    zh="调整课表时尽量保留原有安排。",
    en="A re-planned timetable keeps as much of the previous one as possible.",
)  # fmt: skip
