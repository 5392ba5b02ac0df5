"""课程分布的天数不少于要求的最少天数。A course is spread over at least its minimum number of days
(ITC-2007 MinWorkingDays; ``SectionDemand.min_days``, 0 = not used): one unit per day missing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView
    from ..model import Model


class MinWorkingDays(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        if not mdl.weight(self.id):
            return
        for i, s in enumerate(p.sections):
            if not s.min_days:
                continue
            used = []
            for d, terms in mdl.by_day(i).items():
                u = mdl.cp.new_bool_var(f"day_used(s={i},d={d})")
                mdl.cp.add_max_equality(u, terms)
                used.append(u)
            short = mdl.cp.new_int_var(0, s.min_days, f"days_short(s={i})")
            mdl.cp.add_max_equality(short, [s.min_days - sum(used), 0])
            mdl.penalise(self.id, short)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for sid, ps in view.by_section.items():
            s = view.sections[sid]
            if s.min_days and within(keys, sid):
                days = {view.slots[p.slot].weekday for p in ps}
                sn = view.name(sid)
                yield Hit(
                    (sid,), f"{sn} 分布天数不足", f"{sn} is spread over too few days", max(0, s.min_days - len(days))
                )


RULE = MinWorkingDays(
    "min_working_days", "soft", 5,
    zh="课程分布的天数不少于要求的最少天数。",
    en="A course is spread over at least its minimum number of days (ITC-2007).",
)  # fmt: skip
