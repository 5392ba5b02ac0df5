"""同一教学班尽量固定在同一间教室。A section keeps the same room all week (one unit per extra room)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView
    from ..model import Model


class RoomStability(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        if not mdl.weight(self.id) or mdl.slots_only:
            return
        for i, s in enumerate(p.sections):
            if s.meetings_per_week < 2:
                continue
            uses = []
            for r in mdl.rooms_of[i]:
                u = mdl.cp.new_bool_var(f"uses_room(s={i},r={r})")
                zs = [mdl.z[i, t, r] for t in mdl.slots_of[i] if (i, t, r) in mdl.z]
                for v in zs:
                    mdl.cp.add_implication(v, u)
                mdl.cp.add_bool_or([*zs, ~u])  # used exactly when some meeting is there
                uses.append(u)
            # a non-negative variable, not ``sum(uses) - 1``: CP-SAT's bound then never counts the
            # constant -1 per section (which made the reported bound negative)
            extra = mdl.cp.new_int_var(0, max(0, len(uses) - 1), f"extra_rooms(s={i})")
            mdl.cp.add_max_equality(extra, [sum(uses) - 1, 0])
            mdl.penalise(self.id, extra)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for sid, ps in view.by_section.items():
            if within(keys, sid):
                sn = view.name(sid)
                yield Hit((sid,), f"{sn} 使用了多间教室", f"{sn} moves between rooms", len({p.room for p in ps}) - 1)


RULE = RoomStability(
    "room_stability", "soft", 1,
    zh="同一教学班尽量固定在同一间教室。",
    en="A section keeps the same room all week.",
)  # fmt: skip
