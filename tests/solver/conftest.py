"""Small builders for solver tests; no Django anywhere."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scheduling.solver.domain import Problem, Room, SectionDemand, Slot, Teacher  # noqa: E402

# Soft rules off, so a test of one rule sees only that rule.
NO_SOFT = {
    "teacher_load_balance": 0, "meetings_spread": 0, "club_band_spread": 0,
    "teacher_preference": 0, "room_stability": 0, "minimal_change": 0, "min_working_days": 0,
}  # fmt: skip


def slots(school: str = "A", days: int = 2, sessions: int = 1) -> tuple[Slot, ...]:
    return tuple(
        Slot(f"{school}{d}{k}", d, k, 960 + 60 * k, 1010 + 60 * k, school) for d in range(days) for k in range(sessions)
    )


def teacher(tid: str, subjects: str = "art", school: str = "A", **kw: object) -> Teacher:
    return Teacher(tid, kw.pop("name", f"{tid}老师"), frozenset({school}),  # type: ignore[arg-type]
                   frozenset(subjects.split()), **kw)  # type: ignore[arg-type]  # fmt: skip


def section(sid: str, course: str = "art", n: int = 1, size: int = 10, **kw: object):
    return SectionDemand(sid, course, kw.pop("school", "A"), n, size, **kw)  # type: ignore[arg-type]


def problem(sl, rooms, teachers, sections, **kw) -> Problem:
    weights = dict(NO_SOFT) | kw.pop("weights", {})
    return Problem(tuple(sl), tuple(rooms), tuple(teachers), tuple(sections), weights=weights, **kw)


def room(rid: str, cap: int = 30, school: str = "A", features: str = "") -> Room:
    return Room(rid, school, cap, frozenset(features.split()))


@pytest.fixture
def ctt_dir() -> Path:
    d = Path(os.environ.get("KEHOU_CTT_DIR", REPO.parent / "shared/benchmarks/itc2007-cbctt"))
    if not (d / "comp01.ctt").exists():
        pytest.skip(f"ITC-2007 instances not found in {d} (set KEHOU_CTT_DIR)")
    return d
