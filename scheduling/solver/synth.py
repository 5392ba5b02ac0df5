"""Synthetic schools and districts of realistic shape, for tests and benchmarks.

A school: 5 weekdays × 2 after-school sessions, rooms with a few kitchens/labs, homework help per
class and clubs per grade band, teachers with subjects, some unavailability and a weekly maximum.
A district: many such schools plus partner (vocational) teachers who travel between schools.

``python -m scheduling.solver.synth`` benchmarks one school and a district and writes
``bench/results/ctt-kehou-synth.md``.
"""

from __future__ import annotations

import random

from .domain import Problem, Room, SectionDemand, Slot, Teacher

CLUBS = ("art", "music", "chess", "robotics", "cooking", "science", "dance", "football")
FEATURE = {"cooking": "kitchen", "science": "lab", "robotics": "lab", "dance": "gym",
           "football": "field"}  # fmt: skip


def school_slots(school: str) -> tuple[Slot, ...]:
    """Two sessions a day, 16:00–16:50 and 17:00–17:50, Monday to Friday."""
    return tuple(
        Slot(f"{school}/d{d}s{k}", d, k, 960 + 60 * k, 1010 + 60 * k, school) for d in range(5) for k in range(2)
    )


def synthetic_school(
    seed: int = 0,
    *,
    school: str = "S01",
    n_sections: int = 40,
    n_teachers: int = 20,
    n_rooms: int = 25,
) -> Problem:
    """A school of the size in the issue (≈40 sections, 20 teachers, 25 rooms, 10 slots)."""
    rng = random.Random(seed)
    slots = school_slots(school)
    feats = ["kitchen", "kitchen", "lab", "lab", "gym", "field", "field"]
    rooms = tuple(
        Room(
            f"{school}/R{j:02d}",
            school,
            rng.choice([30, 35, 40, 45, 50]),
            frozenset({feats[j]}) if j < len(feats) else frozenset(),
        )
        for j in range(n_rooms)
    )
    teachers = []
    for j in range(n_teachers):
        # every club has at least two possible teachers
        subj = {"homework", CLUBS[j % len(CLUBS)], CLUBS[(j + 3) % len(CLUBS)]}
        unav = frozenset(rng.sample([s.id for s in slots], rng.randint(0, 2)))
        teachers.append(Teacher(f"{school}/T{j:02d}", f"{school}老师{j:02d}", frozenset({school}),
                                frozenset(subj), unav, max_periods_week=5))  # fmt: skip
    sections = []
    n_hw = min(12, n_sections // 3)
    for j in range(n_hw):
        grade = 1 + j % 6
        sections.append(SectionDemand(
            f"{school}/HW{j:02d}", "homework", school, 2, rng.randint(25, 40),
            groups=frozenset({f"{school}/class{grade}-{j // 6}"}), kind="homework",
            name=f"{school} 作业辅导{j:02d}"))  # fmt: skip
    for j in range(n_sections - n_hw):
        club = rng.choice(CLUBS)
        grade = 1 + j % 6
        sections.append(SectionDemand(
            f"{school}/CL{j:02d}", club, school, rng.choice([1, 1, 2]), rng.randint(12, 30),
            features=frozenset({FEATURE[club]}) if club in FEATURE else frozenset(),
            groups=frozenset({f"{school}/band{grade}"}), kind="club",
            name=f"{school} {club}{j:02d}"))  # fmt: skip
    return Problem(slots, rooms, tuple(teachers), tuple(sections))


def synthetic_district(seed: int = 0, *, n_schools: int = 43, n_partners: int = 12, per_school: int = 40) -> Problem:
    """Many schools plus partner teachers serving 3–5 schools each, with travel times."""
    rng = random.Random(seed)
    parts = [synthetic_school(seed * 1000 + n, school=f"S{n:02d}", n_sections=per_school,
                              n_teachers=per_school // 2, n_rooms=25)
             for n in range(n_schools)]  # fmt: skip
    schools = [f"S{n:02d}" for n in range(n_schools)]
    pos = {s: (rng.random() * 20, rng.random() * 20) for s in schools}  # km on a map
    travel = {
        (a, b): int(10 + 3 * ((pos[a][0] - pos[b][0]) ** 2 + (pos[a][1] - pos[b][1]) ** 2) ** 0.5)
        for i, a in enumerate(schools)
        for b in schools[i + 1 :]
    }
    partners = []
    extra_sections = []
    for j in range(n_partners):
        served = frozenset(rng.sample(schools, rng.randint(min(3, n_schools), min(5, n_schools))))
        tid = f"P{j:02d}"
        partners.append(Teacher(tid, f"合作老师{j:02d}", served, frozenset({"vocational"}),
                                max_periods_week=8))  # fmt: skip
        for school in sorted(served):
            extra_sections.append(SectionDemand(
                f"{school}/PT{j:02d}", "vocational", school, 1, rng.randint(12, 25),
                eligible_teachers=frozenset({tid}),
                groups=frozenset({f"{school}/band{rng.randint(3, 6)}"}), kind="partner",
                name=f"{school} 职校体验课{j:02d}"))  # fmt: skip
    return Problem(
        slots=tuple(s for p in parts for s in p.slots),
        rooms=tuple(r for p in parts for r in p.rooms),
        teachers=tuple(t for p in parts for t in p.teachers) + tuple(partners),
        sections=tuple(s for p in parts for s in p.sections) + tuple(extra_sections),
        travel_minutes=travel,
    )


def _bench(out: str, time_limit: float, workers: int) -> None:
    """Time one school and one district; write a markdown table."""
    import os
    import time
    from pathlib import Path

    from .solve import solve, solve_district

    rows = []
    for seed in (0, 1, 2):
        p = synthetic_school(seed)
        t0 = time.monotonic()
        sol = solve(p, time_limit=time_limit, workers=workers, seed=0)
        rows.append(
            f"| school seed {seed} | {len(p.sections)} sections, {len(p.teachers)} teachers, "
            f"{len(p.rooms)} rooms, {len(p.slots)} slots | {sol.status} | {sol.cost} | "
            f"{sol.bound} | {sol.hard_violations} | – | {time.monotonic() - t0:.1f} | {os.getloadavg()[0]:.1f} |"
        )
        print(rows[-1], flush=True)
    d = synthetic_district(0)
    n_schools = len({s.school for s in d.sections})
    for limit in (10.0, 60.0):
        t0 = time.monotonic()
        calls: list[float] = []
        # the first pass reports once per school: the n-th report is the first feasible district
        sol = solve_district(d, time_limit=limit, workers=1, processes=workers, seed=0,
                             progress=lambda c, b, el, calls=calls: calls.append(el))  # fmt: skip
        first = f"{calls[n_schools - 1]:.1f}" if len(calls) >= n_schools else "–"
        rows.append(
            f"| district, limit {limit:g} s | {len({s.school for s in d.sections})} schools, "
            f"{len(d.sections)} sections, {len(d.teachers)} teachers "
            f"({sum(len(t.schools) > 1 for t in d.teachers)} partners) | {sol.status} | "
            f"{sol.cost} | {sol.bound} (conditional) | {sol.hard_violations} | {first} | "
            f"{time.monotonic() - t0:.1f} | {os.getloadavg()[0]:.1f} |"
        )
        print(rows[-1], flush=True)
    text = "\n".join(
        [
            "# Kehou synthetic school and district",
            "",
            f"- command: `.venv/bin/python -m scheduling.solver.synth --time-limit {time_limit:g} --workers {workers}`",
            f"- load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} shared cores",
            "- schools: `solve(time_limit, workers)`; district: `solve_district(time_limit, "
            "workers=1, processes=workers)`",
            "- cost = checker's soft cost; bound = CP-SAT bound on the same scale (the objective is the"
            " checker's weighted cost, no offset), so bound <= cost; district: sum of per-school bounds"
            " given the partner sections' times, not a global bound",
            "- first feasible = seconds until every school of the district has a timetable (first pass);"
            " load = 1-min load average when the row finished",
            "",
            "| problem | size | status | cost | bound | hard | first feasible s | seconds | load |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
        ]
    )
    Path(out).write_text(text)
    print(out)


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default="bench/results/ctt-kehou-synth.md")
    a = ap.parse_args()
    _bench(a.out, a.time_limit, a.workers)
