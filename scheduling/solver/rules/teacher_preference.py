"""尽量满足老师对时段的偏好。Teachers get the slots they prefer and avoid the ones they dislike: one unit
per meeting in an avoided slot, one per meeting outside the preferred slots (if any)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .base import Hit, Keys, Rule, within

if TYPE_CHECKING:
    from ..check import CheckView
    from ..model import Model


class TeacherPreference(Rule):
    def post(self, mdl: Model) -> None:
        p = mdl.problem
        if not mdl.weight(self.id):
            return
        for (_i, t, k), v in mdl.w.items():
            tch, sid = p.teachers[k], p.slots[t].id
            units = int(sid in tch.avoid) + int(bool(tch.preferred) and sid not in tch.preferred)
            if units:
                mdl.penalise(self.id, units * v)

    def score(self, view: CheckView, keys: Keys) -> Iterator[Hit]:
        for p in view.valid:
            t = view.teachers[p.teacher]
            pref = int(p.slot in t.avoid) + int(bool(t.preferred) and p.slot not in t.preferred)
            if pref and within(keys, t.id):
                yield Hit((t.id, p.slot), f"{t.name} 不希望在 {p.slot} 上课", f"{t.name} would rather not teach in {p.slot}",
                          pref)  # fmt: skip


RULE = TeacherPreference(
    "teacher_preference", "soft", 1,
    zh="尽量满足老师对时段的偏好。",
    en="Teachers get the slots they prefer and avoid the ones they dislike.",
    scope="teacher",
)  # fmt: skip
