"""同一教学班的多次课安排在不同的日子。A section's meetings fall on different days (one unit per extra
meeting on a day)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView
    from ..model import Model


class MeetingsSpread(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        if not mdl.weight(self.id):
            return
        for i, s in enumerate(p.sections):
            if s.meetings_per_week < 2:
                continue
            for d, terms in mdl.by_day(i).items():
                if len(terms) < 2:
                    continue
                extra = mdl.cp.new_int_var(0, len(terms), f"same_day_extra(s={i},d={d})")
                mdl.cp.add_max_equality(extra, [sum(terms) - 1, 0])
                mdl.penalise(self.id, extra)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for sid, ps in view.by_section.items():
            if not within(keys, sid):
                continue
            days = Counter(view.slots[p.slot].weekday for p in ps)
            sn = view.name(sid)
            yield Hit((sid,), f"{sn} 有多次课在同一天", f"{sn} meets more than once on a day",
                      sum(n - 1 for n in days.values()))  # fmt: skip


RULE = MeetingsSpread(
    "meetings_spread", "soft", 3,
    zh="同一教学班的多次课安排在不同的日子。",
    en="A section's meetings fall on different days.",
)  # fmt: skip
