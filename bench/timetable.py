"""Build every demo school's timetable through the Django adapter and report the numbers.

    SQLITE_PATH=/tmp/tt-bench.sqlite3 .venv/bin/python manage.py migrate -v0
    SQLITE_PATH=/tmp/tt-bench.sqlite3 .venv/bin/python manage.py seed_demo --size district
    SQLITE_PATH=/tmp/tt-bench.sqlite3 .venv/bin/python bench/timetable.py --time-limit 10 --workers 2

Per school and in total: time to build the Problem from rows, time to the first feasible
timetable, the cost at 10 s and 20 s, the time to the proof of optimality, the final cost (the
independent checker's), the solver's bound, elapsed time, hard violations. The solve is recorded
with the site's own recorder (``services.SolveProgress``) and read with ``selectors.solve_numbers``:
the numbers a coordinator sees on the run page. Writes bench/results/timetable.md. Nothing is written to the database unless
``--write`` (then each solution becomes a draft Timetable through ``adapters.solution_write``).

The yardstick is each school's best known cost: ``--every-choice`` solves with every room and
teacher offered (no shortlist, so its "optimal" is the school's true optimum) and writes
bench/results/timetable-best-known.json beside its table; a normal run reads that file and says,
per school, whether the cost at 10 s is within 5 % of the best known and the first timetable came
within 2 s (issue 14's Done-when).

    SQLITE_PATH=/tmp/tt-bench.sqlite3 .venv/bin/python bench/timetable.py --every-choice --time-limit 90 --workers 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEST_KNOWN = ROOT / "bench" / "results" / "timetable-best-known.json"
WITHIN = 0.05  # the cost at 10 s counts as good within this share of the best known
FIRST_BY = 2.0  # seconds
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per school")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=0, help="only the first N schools")
    parser.add_argument("--write", action="store_true", help="store each result as a draft timetable")
    parser.add_argument("--out", default=None, help="default bench/results/timetable.md (or timetable-best-known.md)")
    parser.add_argument("--every-choice", action="store_true",
                        help="offer every room and teacher (no shortlist): the best-known reference run")  # fmt: skip
    parser.add_argument("--best-known", default=str(BEST_KNOWN), help="the reference run's JSON")
    args = parser.parse_args()
    out = Path(
        args.out or ROOT / "bench" / "results" / ("timetable-best-known.md" if args.every_choice else "timetable.md")
    )
    best_known: dict[str, int] = {}
    if not args.every_choice and Path(args.best_known).exists():
        best_known = {k: v["cost"] for k, v in json.loads(Path(args.best_known).read_text()).items()}

    import django

    django.setup()
    from django.conf import settings

    from courses.models import School, Section
    from courses.selectors import term_current
    from scheduling import adapters
    from scheduling.selectors import solve_numbers
    from scheduling.services import SolveProgress
    from scheduling.solver.solve import solve

    schools = [s for s in School.objects.order_by("code") if Section.objects.filter(course__school=s).exists()]
    if args.limit:
        schools = schools[: args.limit]
    rows = []
    t_all = time.monotonic()
    for school in schools:
        term = term_current(school=school)
        t0 = time.monotonic()
        built = adapters.problem_build(school=school, term=term)
        t_build = time.monotonic() - t0
        progress = SolveProgress(args.time_limit)
        choices = {"room_choices": None, "teacher_choices": None} if args.every_choice else {}
        sol = solve(built.problem, time_limit=args.time_limit, workers=args.workers, seed=args.seed,
                    progress=progress, **choices)  # fmt: skip
        progress.finish(sol.elapsed, sol.cost, sol.bound)
        numbers = solve_numbers(progress.trace)
        if args.write and sol.placements:
            adapters.solution_write(built=built, solution=sol, note="bench")
        p = built.problem
        row = {
            "school": school.name,
            "sections": sum(1 for s in p.sections if s.id in built.local_sections),
            "meetings": sum(s.meetings_per_week for s in p.sections if s.id in built.local_sections),
            "teachers": len(p.teachers),
            "rooms": len(p.rooms),
            "build": t_build,
            "first": numbers["first_feasible_at"],
            "at10": dict(numbers["cost_at"]).get(10.0),
            "proven": numbers["proven_optimal_at"],
            "status": sol.status,
            "cost": sol.cost,
            "bound": sol.bound,
            "elapsed": sol.elapsed,
            "hard": sol.hard_violations,
        }
        known = [c for c in (best_known.get(school.name), sol.cost) if c is not None]
        row["best"] = min(known) if known else None
        row["good10"] = (
            row["at10"] is not None and row["best"] is not None and row["at10"] <= (1 + WITHIN) * row["best"]
        )
        row["quick"] = row["first"] is not None and row["first"] <= FIRST_BY
        rows.append(row)
        print(f"{row['school']:<12} {row['sections']:>4} sections  first {row['first'] or float('nan'):6.2f}s  "
              f"cost {row['cost']}  bound {row['bound']}  {row['status']}  {row['elapsed']:.1f}s", flush=True)  # fmt: skip
    total = time.monotonic() - t_all

    def f(x, fmt="{:.2f}"):
        return "–" if x is None else fmt.format(x)

    lines = [
        "# Timetable benchmark: every demo school through the Django adapter",
        "",
        f"Command: `SQLITE_PATH=/tmp/tt-bench.sqlite3 .venv/bin/python bench/timetable.py "
        f"{'--every-choice ' if args.every_choice else ''}--time-limit "
        f"{args.time_limit:g} --workers {args.workers}` on the `seed_demo --size district` data.",
        "Every room and teacher offered (no shortlist): the best-known reference run."
        if args.every_choice
        else f"Best known: the lower of this run's cost and `{Path(args.best_known).name}`'s "
        f"({'found' if best_known else 'absent: this run only'}); *10 s ok*: the cost at 10 s within "
        f"{WITHIN:.0%} of it; *first ok*: the first timetable within {FIRST_BY:g} s.",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"database {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}.",
        "",
        "Cost is the independent checker's weighted soft cost (`scheduling.solver.check`); bound is "
        "CP-SAT's lower bound on its objective; *first* is the time to the first feasible timetable.",
        "",
        "| school | sections | meetings | teachers | rooms | build (s) | first (s) | cost at 10 s | cost | bound "
        "| status | proven optimal (s) | time (s) | hard | best known | 10 s ok | first ok |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['school']} | {r['sections']} | {r['meetings']} | {r['teachers']} | {r['rooms']} | {f(r['build'])} "
            f"| {f(r['first'])} | {f(r['at10'], '{:.0f}')} | {f(r['cost'], '{}')} | {f(r['bound'], '{:.0f}')} "
            f"| {r['status']} | {f(r['proven'], '{:.1f}')} | {f(r['elapsed'], '{:.1f}')} | {r['hard']} "
            f"| {f(r['best'], '{}')} | {'yes' if r['good10'] else '**no**'} | {'yes' if r['quick'] else '**no**'} |"
        )
    solved = [r for r in rows if r["cost"] is not None]
    firsts = [r["first"] for r in rows if r["first"] is not None]
    lines += [
        f"| **total ({len(rows)} schools)** | {sum(r['sections'] for r in rows)} | {sum(r['meetings'] for r in rows)} "
        f"| | | {f(sum(r['build'] for r in rows))} | max {f(max(firsts) if firsts else None)} "
        f"| {f(sum(r['at10'] or 0 for r in solved), '{:.0f}')} "
        f"| {sum(r['cost'] for r in solved)} | {f(sum(r['bound'] or 0 for r in solved), '{:.0f}')} "
        f"| {sum(r['status'] == 'optimal' for r in rows)} optimal, {len(solved)} with a timetable "
        f"| {sum(r['proven'] is not None for r in rows)} | {total:.1f} | {sum(r['hard'] for r in rows)} "
        f"| {sum(r['best'] or 0 for r in rows)} | {sum(r['good10'] for r in rows)} of {len(rows)} "
        f"| {sum(r['quick'] for r in rows)} of {len(rows)} |",
        "",
        f"Load average at the end {os.getloadavg()[0]:.1f} (2 cores shared with other jobs).",
        "",
    ]
    out.write_text("\n".join(lines), encoding="utf-8")
    if args.every_choice:
        reference = {r["school"]: {"cost": r["cost"], "bound": r["bound"], "status": r["status"]} for r in solved}
        Path(args.best_known).write_text(json.dumps(reference, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out} ({total:.1f} s)")


if __name__ == "__main__":
    main()
