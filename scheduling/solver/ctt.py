"""ITC-2007 Track 3 (curriculum-based course timetabling) read into the product's ``Problem``.

Course → section, curriculum → group, period → slot; the four UD2 soft costs are the rules
``room_capacity``, ``min_working_days``, ``isolated_lectures`` and ``room_stability``. The CB-CTT
instances are our outside yardstick: they are solved by the same ``solve.solve`` that coordinators
start, and the scores are computed by ``check.score_ctt`` (the referee, independent of the rules).

CLI::

    python -m scheduling.solver.ctt solve INSTANCE.ctt --time-limit 60 --workers 1 --seed 0 \
        --out FILE.sol
    python -m scheduling.solver.ctt score INSTANCE.ctt FILE.sol
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .domain import CLASH_ONLY, Placement, Problem, Room, SectionDemand, Slot, Teacher
from .rules import SOFT

# ITC-2007 UD2: the four soft costs with their weights, every other soft rule off, and the hard
# ``room_too_small`` off because ``room_capacity`` counts the pupils beyond the seats instead.
UD2_WEIGHTS: dict[str, int] = {
    **dict.fromkeys(SOFT, 0),
    "room_capacity": 1,
    "min_working_days": 5,
    "isolated_lectures": 2,
    "room_stability": 1,
    "room_too_small": 0,
}


@dataclass(frozen=True)
class CttCourse:
    id: str
    teacher: str
    lectures: int
    min_days: int
    students: int


@dataclass(frozen=True)
class CttRoom:
    id: str
    capacity: int


@dataclass(frozen=True)
class CttCurriculum:
    id: str
    courses: tuple[str, ...]


@dataclass(frozen=True)
class CttInstance:
    """A parsed ``.ctt`` file; ``unavailable[course]`` is a set of ``(day, period)``."""

    name: str
    days: int
    periods_per_day: int
    courses: tuple[CttCourse, ...]
    rooms: tuple[CttRoom, ...]
    curricula: tuple[CttCurriculum, ...]
    unavailable: dict[str, frozenset[tuple[int, int]]] = field(default_factory=dict)

    @property
    def n_periods(self) -> int:
        return self.days * self.periods_per_day


def parse_ctt(text: str) -> CttInstance:
    """Parse the competition format (header counts, then the four sections, then ``END.``)."""
    header: dict[str, str] = {}
    section = ""
    courses: list[CttCourse] = []
    rooms: list[CttRoom] = []
    curricula: list[CttCurriculum] = []
    unav: dict[str, set[tuple[int, int]]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line == "END.":
            continue
        if line.endswith(":") and line[:-1].isupper():
            section = line[:-1]
            continue
        if not section:
            key, _, value = line.partition(":")
            header[key.strip()] = value.strip()
            continue
        f = line.split()
        if section == "COURSES":
            courses.append(CttCourse(f[0], f[1], int(f[2]), int(f[3]), int(f[4])))
        elif section == "ROOMS":
            rooms.append(CttRoom(f[0], int(f[1])))
        elif section == "CURRICULA":
            curricula.append(CttCurriculum(f[0], tuple(f[2 : 2 + int(f[1])])))
        elif section == "UNAVAILABILITY_CONSTRAINTS":
            unav.setdefault(f[0], set()).add((int(f[1]), int(f[2])))
    return CttInstance(
        name=header.get("Name", ""),
        days=int(header["Days"]),
        periods_per_day=int(header["Periods_per_day"]),
        courses=tuple(courses),
        rooms=tuple(rooms),
        curricula=tuple(curricula),
        unavailable={k: frozenset(v) for k, v in unav.items()},
    )


def read_ctt(path: str | Path) -> CttInstance:
    return parse_ctt(Path(path).read_text())


def parse_solution(text: str) -> list[tuple[str, str, int, int]]:
    """Rows ``COURSE ROOM DAY PERIOD``."""
    rows = []
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 4:
            rows.append((f[0], f[1], int(f[2]), int(f[3])))
    return rows


def format_solution(rows: list[tuple[str, str, int, int]]) -> str:
    return "".join(f"{c} {r} {d} {p}\n" for c, r, d, p in rows)


def to_problem(inst: CttInstance) -> Problem:
    """The same instance as the product's ``Problem`` (one school, UD2 weights), solved by the
    same ``solve.solve`` that coordinators start.

    Course → section (lectures → meetings, MinWorkingDays → ``min_days``), curriculum → group
    (IsolatedLectures → the optional ``isolated_lectures`` rule), period → slot of 60 minutes,
    unavailability → the course's own teacher record, rooms without features. Room capacity is
    soft (``room_capacity``, weight 1) and the hard ``room_too_small`` is off (``UD2_WEIGHTS``), so
    ``check.check``'s cost on this problem is the UD2 cost; ``check.score_ctt`` stays the referee.
    """
    school = inst.name or "ctt"
    slots = tuple(
        Slot(f"{d}.{p}", d, p, 600 + 60 * p, 660 + 60 * p, school)
        for d in range(inst.days)
        for p in range(inst.periods_per_day)
    )
    rooms = tuple(Room(r.id, school, r.capacity) for r in inst.rooms)
    groups: dict[str, set[str]] = {c.id: {CLASH_ONLY + c.teacher} for c in inst.courses}
    for q in inst.curricula:
        for c in q.courses:
            groups.setdefault(c, set()).add(q.id)
    # CTT unavailability belongs to a course, not to its teacher: each course gets its own
    # teacher record "<teacher>/<course>", and the real teacher's clashes become group clashes.
    teachers = tuple(
        Teacher(f"{c.teacher}/{c.id}", c.teacher, frozenset({school}), max_periods_week=10**6,
                unavailable=frozenset(f"{d}.{p}" for d, p in inst.unavailable.get(c.id, ())))
        for c in inst.courses
    )  # fmt: skip
    sections = tuple(
        SectionDemand(
            c.id, c.id, school, c.lectures, c.students,
            eligible_teachers=frozenset({f"{c.teacher}/{c.id}"}),
            groups=frozenset(groups[c.id]), kind="course", min_days=c.min_days,
        )
        for c in inst.courses
    )  # fmt: skip
    return Problem(slots, rooms, teachers, sections, weights=dict(UD2_WEIGHTS))


def rows_of(placements: tuple[Placement, ...] | list[Placement]) -> list[tuple[str, str, int, int]]:
    """A timetable of ``to_problem(inst)`` as competition rows ``(course, room, day, period)``."""
    rows = []
    for q in placements:
        day, _, period = q.slot.partition(".")
        rows.append((q.section, q.room, int(day), int(period)))
    return rows


def main(argv: list[str] | None = None) -> int:
    """The ``solve`` / ``score`` command line."""
    from .check import score_ctt

    ap = argparse.ArgumentParser(prog="python -m scheduling.solver.ctt")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("solve", help="solve an instance and write a .sol file")
    sp.add_argument("instance")
    sp.add_argument("--time-limit", type=float, default=60.0)
    sp.add_argument("--workers", type=int, default=1)
    sp.add_argument("--seed", type=int, default=0)
    sp.add_argument("--out", required=True)
    sp.add_argument("--quiet", action="store_true")
    sc = sub.add_parser("score", help="print UD2 hard violations and soft cost per kind")
    sc.add_argument("instance")
    sc.add_argument("solution")
    args = ap.parse_args(argv)
    inst = read_ctt(args.instance)
    if args.cmd == "score":
        rows = parse_solution(Path(args.solution).read_text())
        s = score_ctt(inst, rows)
        print(f"instance {inst.name}")
        for k, v in s.hard_by_rule.items():
            print(f"hard {k} {v}")
        for k, v in s.cost_by_rule.items():
            print(f"soft {k} {v}")
        print(f"hard_total {s.hard}")
        print(f"cost {s.cost}")
        return 0 if s.hard == 0 else 1
    from .solve import solve

    def show(cost: float, bound: float, elapsed: float) -> None:
        if not args.quiet:
            print(f"{elapsed:7.1f}s cost {cost:g} bound {bound:g}", file=sys.stderr, flush=True)

    sol = solve(to_problem(inst), time_limit=args.time_limit, workers=args.workers, seed=args.seed, progress=show)
    rows = rows_of(sol.placements)
    Path(args.out).write_text(format_solution(rows))
    s = score_ctt(inst, rows)
    print(f"{inst.name} hard {s.hard} cost {s.cost} "
          + " ".join(f"{k}={v}" for k, v in s.cost_by_rule.items())
          + f" elapsed {sol.elapsed:.1f}s")  # fmt: skip
    return 0 if s.hard == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
