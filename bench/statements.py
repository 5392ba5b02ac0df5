"""Fee statements for the whole demo district (every school, one term of attendance history).

    # SQLite (PostgreSQL: the same with DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kehou_stmtbench)
    SQLITE_PATH=/tmp/stmt.sqlite3 .venv/bin/python manage.py migrate -v0
    SQLITE_PATH=/tmp/stmt.sqlite3 .venv/bin/python manage.py seed_demo --size district
    SQLITE_PATH=/tmp/stmt.sqlite3 .venv/bin/python bench/statements.py --allocate   # once: seats in clubs
    SQLITE_PATH=/tmp/stmt.sqlite3 .venv/bin/python manage.py seed_history
    SQLITE_PATH=/tmp/stmt.sqlite3 .venv/bin/python bench/statements.py

The demo seed gives every pupil homework help (free) and only ranked choices for clubs, so
`--allocate` first publishes each school's allocation (the lottery seeds of the demo), through
`allocation.services` like the worker does: then the history has paid clubs, tutoring and partner
courses. The timed run issues the term statements of every school (`statements_issue`, one
transaction per school, as the coordinator's button does) as if the day after the term; then issues
them all again (nothing changed: the correction pass reads everything and writes nothing). Appends
a section to bench/results/statements.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def allocate() -> None:
    from allocation import services as allocation_services
    from demo.district import demo_lottery_seed
    from enrollment.models import EnrollmentWindow

    t0 = time.perf_counter()
    windows = list(EnrollmentWindow.objects.filter(mode="preference").select_related("school"))
    for n, window in enumerate(windows, start=1):
        run = allocation_services.allocation_run_request(
            window=window, seed=demo_lottery_seed(window.school.code), by=None
        )
        status = allocation_services.allocation_run_execute(run_id=run.pk)
        run.refresh_from_db()
        if status == "succeeded":
            allocation_services.allocation_publish(run=run, by=None)
        print(f"  {n}/{len(windows)} {window.school.name}: {status}", flush=True)
    print(f"allocations published in {time.perf_counter() - t0:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allocate", action="store_true", help="publish every window's allocation, then stop")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "statements.md"))
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count, Q

    from courses.models import Term
    from enrollment.models import Enrollment, Student
    from messaging.models import Message
    from participation.fees.services import statements_issue
    from participation.models import Attendance, Statement, StatementLine

    if args.allocate:
        allocate()
        return
    terms = list(Term.objects.select_related("school").order_by("school__code"))
    pupils = Student.objects.count()
    marks = Attendance.objects.aggregate(n=Count("id"), present=Count("id", filter=Q(status="present")))
    seats = Enrollment.objects.filter(status="enrolled").values("section__course__kind").annotate(n=Count("id"))
    print(f"{pupils:,} pupils, {marks['n']:,} marks ({marks['present']:,} present), {len(terms)} terms")
    if Statement.objects.exists():
        sys.exit("statements exist already: run on a fresh copy of the database")

    def issue_all() -> tuple[float, float, dict]:
        t0 = time.perf_counter()
        slowest = 0.0
        counts = {"created": 0, "corrected": 0, "unchanged": 0}
        for term in terms:
            t = time.perf_counter()
            report = statements_issue(school=term.school, term=term, by=None, today=term.end + dt.timedelta(days=1))
            slowest = max(slowest, time.perf_counter() - t)
            for key in counts:
                counts[key] += getattr(report, key)
        return time.perf_counter() - t0, slowest, counts

    first, first_slowest, first_counts = issue_all()
    print(f"issue: {first:.1f} s (slowest school {first_slowest:.1f} s) {first_counts}")
    again, again_slowest, again_counts = issue_all()
    print(f"issue again, nothing changed: {again:.1f} s (slowest school {again_slowest:.1f} s) {again_counts}")
    lines = StatementLine.objects.values("kind").annotate(n=Count("id"))
    totals = {r["kind"]: r["n"] for r in lines}
    due = sum(Statement.objects.values_list("total", flat=True))
    notices = Message.objects.filter(kind="statement_issued").count()
    load = os.getloadavg()
    lines_md = [
        f"\n## {dt.datetime.now():%Y-%m-%d %H:%M} · {connection.vendor}",
        "",
        f"`{' '.join(['bench/statements.py', *sys.argv[1:]])}` · Python {platform.python_version()} · "
        f"{os.cpu_count()} cores · load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}",
        "",
        f"- data: {len(terms)} schools' terms, {pupils:,} pupils, {marks['n']:,} attendance rows "
        f"({marks['present']:,} present); seats: "
        + ", ".join(f"{r['section__course__kind']} {r['n']:,}" for r in seats),
        f"- **issue every school's term statements: {first:.1f} s** (slowest school {first_slowest:.1f} s): "
        f"{first_counts['created']:,} statements, "
        + ", ".join(f"{k} lines {v:,}" for k, v in sorted(totals.items()))
        + f", {notices:,} family notices; amount due {due:,.2f} yuan",
        f"- issue again with nothing changed (the correction pass): {again:.1f} s "
        f"(slowest school {again_slowest:.1f} s): {again_counts}",
    ]
    out = Path(args.out)
    if not out.exists():
        out.write_text(
            "# Fee statements for the whole demo district\n\nEach section: one run of `bench/statements.py` "
            "(see its docstring for the set-up), newest last.\n"
        )
    with out.open("a") as handle:
        handle.write("\n".join(lines_md) + "\n")
    print("\n".join(lines_md))


if __name__ == "__main__":
    main()
