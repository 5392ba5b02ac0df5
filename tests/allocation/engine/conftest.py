"""Tiny builders for allocation tests; no Django anywhere."""

from __future__ import annotations

from allocation.engine import Pupil, Section

MON = 0


def sec(sid: int, cap: int = 1, day: int = MON, start: int = 960, end: int = 1020) -> Section:
    """A section meeting once a week (default Monday 16:00-17:00)."""
    return Section(id=sid, capacity=cap, meetings=frozenset({(day, start, end)}))


def pupil(pid: int, *choices: int, school: int = 1, **kw: object) -> Pupil:
    return Pupil(id=pid, school=school, grade=3, choices=tuple(choices), **kw)  # type: ignore[arg-type]
