"""作业辅导在本班教室进行。Homework help takes place in the class's own classroom.

Driven by ``SectionDemand.home_room`` (the adapter sets it for homework help; None = no
requirement, so a school switches the rule off per course by leaving it empty). Outside explain
mode the section is offered its home room only, which also takes most room choices out of a
school's model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView, ProblemIndex
    from ..model import Domains, Model


class HomeworkInHomeRoom(Rule):
    def narrow(self, dom: Domains) -> None:
        if dom.explain:  # every room is offered, so the constraint below names the section
            return
        rooms = dom.problem.rooms
        for i, s in enumerate(dom.problem.sections):
            if s.home_room is not None:
                dom.narrow_rooms(i, lambda r, home=s.home_room: rooms[r].id == home)

    def post(self, mdl: Model) -> None:
        p = mdl.problem
        for (i, _t, r), v in mdl.z.items():
            home = p.sections[i].home_room
            if home is not None and p.rooms[r].id != home:
                mdl.require(mdl.cp.add(v == 0), self.id, p.sections[i].id)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for p in view.valid:
            home = view.sections[p.section].home_room
            if home is not None and p.room != home and within(keys, p.section):
                sn = view.name(p.section)
                yield Hit((p.section, p.room), f"{sn} 在 {p.room} 上课，不在本班教室 {home}",
                          f"{sn} meets in {p.room}, not in its classroom {home}")  # fmt: skip

    def precheck(self, ix: ProblemIndex) -> Iterator[Hit]:
        demand: dict[str, int] = defaultdict(int)
        for s in ix.problem.sections:
            home = s.home_room
            if home is None:
                continue
            sn, room = ix.name(s.id), ix.rooms.get(home)
            if room is None or room.school != s.school:
                yield Hit((s.id,), f"{sn} 的本班教室 {home} 不在 {s.school}",
                          f"{sn}'s classroom {home} is not a room of {s.school}")  # fmt: skip
                continue
            if room.capacity < s.expected_size:
                yield Hit((s.id, home), f"{sn} 有 {s.expected_size} 人，但本班教室 {home} 只有 {room.capacity} 个座位",
                          f"{sn} has {s.expected_size} pupils but its classroom {home} seats {room.capacity}")  # fmt: skip
            if not s.features <= room.features:
                missing = sorted(s.features - room.features)
                yield Hit((s.id, home), f"{sn} 需要{'、'.join(missing)}，但本班教室 {home} 没有",
                          f"{sn} needs {', '.join(missing)} but its classroom {home} has none")  # fmt: skip
            demand[home] += s.meetings_per_week
        for home, m in demand.items():
            n = len(ix.slots_at[ix.rooms[home].school])
            if m > n:
                yield Hit((home,), f"本班教室 {home} 需要安排 {m} 节课，但只有 {n} 个时段",
                          f"classroom {home} is needed for {m} meetings but there are {n} slots")  # fmt: skip

    def phrase(self, ix: ProblemIndex, subjects: tuple[str, ...]) -> tuple[str, str]:
        a = subjects[0]
        home = ix.sections[a].home_room
        return f"{ix.name(a)} 在本班教室 {home} 上课", f"{ix.name(a)} meets in its own classroom {home}"


RULE = HomeworkInHomeRoom(
    "homework_in_home_room", "hard", 1,
    zh="作业辅导在本班教室进行。",
    en="Homework help takes place in the class's own classroom.",
)  # fmt: skip
