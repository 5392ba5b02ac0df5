"""同一课程组的课尽量连排，避免孤立的一节。A curriculum's lectures are adjacent within a day, none isolated
(ITC-2007 IsolatedLectures; off for schools unless ``Problem.weights`` sets it): per group, one unit
per occupied (day, session) cell with no occupied neighbour session that day.

The model's count is exact on every timetable that keeps ``group_clash`` (every solution): with
two meetings of a group in one cell it counts ``meetings - neighbours`` there, not 0 or 1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ..domain import CLASH_ONLY
from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView
    from ..model import Model


class IsolatedLectures(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        if not mdl.weight(self.id):
            return
        for g, secs in mdl.members(clash_only=False).items():
            occ: dict[tuple[int, int], list[Any]] = defaultdict(list)
            for i in secs:
                for t in mdl.slots_of[i]:
                    occ[p.slots[t].weekday, p.slots[t].session].append(mdl.at[i, t])
            for (d, k), terms in occ.items():
                e = sum(terms)
                for nb in ((d, k - 1), (d, k + 1)):
                    if nb in occ:
                        e = e - sum(occ[nb])
                iso = mdl.cp.new_int_var(0, len(terms), f"isolated(g={g},d={d},k={k})")
                # a group meets at most once per cell (group_clash), so max(0, e) is 0 or 1 and
                # equals the checker's "isolated" for that cell (an integer, so that an explanation
                # that drops group_clash is not made infeasible here)
                mdl.cp.add_max_equality(iso, [e, 0])
                mdl.penalise(self.id, iso)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for gid, ps in view.by_group.items():
            if gid.startswith(("section:", CLASH_ONLY)) or not within(keys, gid):
                continue
            cells = {(view.slots[p.slot].weekday, view.slots[p.slot].session) for p in ps}
            iso = sum(1 for d, k in cells if (d, k - 1) not in cells and (d, k + 1) not in cells)
            yield Hit((gid,), f"{gid} 有孤立的课", f"{gid} has isolated meetings", iso)


RULE = IsolatedLectures(
    "isolated_lectures", "soft", 2,
    zh="同一课程组的课尽量连排，避免孤立的一节。",
    en="A curriculum's lectures are adjacent within a day, none isolated (ITC-2007).",
    scope="group",
    default_on=False,
)  # fmt: skip
