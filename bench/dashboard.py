"""Bureau dashboard latency and Excel export time on a seeded district with a term of attendance.

    # SQLite
    SQLITE_PATH=/tmp/dash-bench.sqlite3 .venv/bin/python manage.py migrate -v0
    SQLITE_PATH=/tmp/dash-bench.sqlite3 .venv/bin/python manage.py seed_demo --size district
    SQLITE_PATH=/tmp/dash-bench.sqlite3 .venv/bin/python manage.py seed_history
    SQLITE_PATH=/tmp/dash-bench.sqlite3 .venv/bin/python bench/dashboard.py
    # PostgreSQL: the same with DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kehou_dashbench

Requests go through Django's test client as the demo bureau user (the whole stack: middleware,
access check, queries, template, CSP), `--warmup` times first, then `--runs` timed requests of
the dashboard, a school drill-down, the statistics API; then the Excel export and the
regulator CSV. Appends a section to bench/results/dashboard.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def timed(client, url: str, runs: int, warmup: int) -> dict:
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p90": samples[int(0.9 * (len(samples) - 1))],
        "max": samples[-1],
        "bytes": len(response.content),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "dashboard.md"))
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from accounts.models import User
    from courses.models import School
    from enrollment.models import Student
    from participation.models import Attendance, AttendanceDaily, Register

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(User.objects.get(username="bureau"))
    school = School.objects.get(name="锦溪小学")
    counts = {
        "pupils": Student.objects.count(),
        "attendance rows": Attendance.objects.count(),
        "registers": Register.objects.count(),
        "daily cells": AttendanceDaily.objects.count(),
    }
    first = time.perf_counter()
    client.get("/bureau/")
    cold = (time.perf_counter() - first) * 1000
    results = {
        "/bureau/ (dashboard)": timed(client, "/bureau/", args.runs, args.warmup),
        f"/bureau/school/{school.pk}/ (drill-down)": timed(
            client, f"/bureau/school/{school.pk}/", args.runs, args.warmup
        ),
        "/api/v1/stats/district": timed(client, "/api/v1/stats/district", args.runs, args.warmup),
    }
    exports = {}
    for url in ("/bureau/export.xlsx", "/api/v1/regulator/enrollments.csv", "/api/v1/regulator/part_selectors.csv"):
        t0 = time.perf_counter()
        response = client.get(url)
        exports[url] = ((time.perf_counter() - t0), len(response.content))
        assert response.status_code == 200, url

    vendor = connection.vendor
    lines = [
        f"\n## {vendor} — {time.strftime('%Y-%m-%d %H:%M')}\n",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}.  ",
        "Rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + ".  ",
        f"First request after start (cold: participation snapshot computed): {cold:.0f} ms.\n",
        f"| page ({args.runs} runs after {args.warmup} warm-up) | p50 ms | p90 ms | max ms | bytes |",
        "|---|---:|---:|---:|---:|",
    ]
    for url, r in results.items():
        lines.append(f"| {url} | {r['p50']:.0f} | {r['p90']:.0f} | {r['max']:.0f} | {r['bytes']:,} |")
    lines += ["", "| export | seconds | bytes |", "|---|---:|---:|"]
    for url, (seconds, size) in exports.items():
        lines.append(f"| {url} | {seconds:.2f} | {size:,} |")
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.out)
    if not out.exists():
        out.write_text(
            "# Bureau dashboard benchmark\n\nCommand and method: see the docstring of `bench/dashboard.py`. "
            "Targets: dashboard p50 ≤ 300 ms after warm-up; Excel export ≤ 10 s.\n",
            encoding="utf-8",
        )
    with out.open("a", encoding="utf-8") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
