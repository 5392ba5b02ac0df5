"""同一年级的社团分散在一周各天，方便学生选多个。A grade's clubs are spread over the week so a pupil can
take several: per group, one unit per club meeting beyond ``ceil(meetings / school days)`` on a day."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..domain import CLASH_ONLY
from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView
    from ..model import Model


class ClubBandSpread(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        if not mdl.weight(self.id):
            return
        for g, secs in mdl.members("club", clash_only=False).items():
            school = p.sections[secs[0]].school
            ndays = len({sl.weekday for sl in p.slots if sl.school == school}) or 1
            total = sum(p.sections[i].meetings_per_week for i in secs)
            cap = math.ceil(total / ndays)
            days: dict[int, list[Any]] = defaultdict(list)
            for i in secs:
                for d, terms in mdl.by_day(i).items():
                    days[d].extend(terms)
            for d, terms in days.items():
                if len(terms) > cap:
                    over = mdl.cp.new_int_var(0, len(terms), f"club_band_over(g={g},d={d})")
                    mdl.cp.add_max_equality(over, [sum(terms) - cap, 0])
                    mdl.penalise(self.id, over)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for gid, ps in view.by_group.items():
            if gid.startswith(("section:", CLASH_ONLY)) or not within(keys, gid):
                continue
            clubs = [p for p in ps if view.sections[p.section].kind == "club"]
            if not clubs:
                continue
            ndays = len(view.weekdays_at[view.sections[clubs[0].section].school]) or 1
            cap = math.ceil(len(clubs) / ndays)
            per_day = Counter(view.slots[p.slot].weekday for p in clubs)
            yield Hit((gid,), f"{gid} 的社团集中在少数几天", f"{gid}'s clubs bunch on a few days",
                      sum(max(0, n - cap) for n in per_day.values()))  # fmt: skip


RULE = ClubBandSpread(
    "club_band_spread", "soft", 2,
    zh="同一年级的社团分散在一周各天，方便学生选多个。",
    en="A grade's clubs are spread over the week so a pupil can take several.",
    scope="group",
)  # fmt: skip
