"""What the demo's bulk rows would cost through the per-row services (the reason they stay bulk).

    SQLITE_PATH=/tmp/demo.sqlite3 .venv/bin/python manage.py migrate -v0
    SQLITE_PATH=/tmp/demo.sqlite3 .venv/bin/python manage.py seed_demo --size district
    SQLITE_PATH=/tmp/demo.sqlite3 .venv/bin/python bench/demo_services.py --pupils 500

In one transaction that is rolled back at the end: the ranked choices of `--pupils` pupils are
deleted and written again with `enrollment.services.preferences_replace` (at a moment inside
their window), and as many homework-help seats are deleted and given again with
`enrollment.services.roster_add` (the school places a pupil). Prints the time per call and the
extrapolation to the whole district; appends the numbers to bench/results/demo_services.md.
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


class _Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=500)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "demo_services.md"))
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction

    from enrollment import services
    from enrollment.models import Enrollment, EnrollmentWindow, Preference

    total_choosers = Preference.objects.values("student").distinct().count()
    total_seats = Enrollment.objects.filter(section__course__kind="homework").count()
    if not total_choosers:
        sys.exit("seed the demo first (see the docstring)")
    results: dict[str, float] = {}
    try:
        with transaction.atomic():
            choices: dict[int, list[int]] = {}
            for student_id, section_id in (
                Preference.objects.order_by("student_id", "rank").values_list("student_id", "section_id").iterator()
            ):
                if student_id in choices or len(choices) < args.pupils:
                    choices.setdefault(student_id, []).append(section_id)
            prefs = list(
                Preference.objects.filter(student_id__in=list(choices), rank=1).select_related("student", "window")
            )
            Preference.objects.filter(student_id__in=list(choices)).delete()
            t0 = time.perf_counter()
            for pref in prefs:
                window: EnrollmentWindow = pref.window
                services.preferences_replace(
                    student=pref.student,
                    window=window,
                    section_ids=choices[pref.student_id],
                    by=None,
                    now=window.opens_at + dt.timedelta(hours=1),
                )
            results["preferences_replace"] = (time.perf_counter() - t0) / len(prefs)

            seats = list(
                Enrollment.objects.filter(section__course__kind="homework")
                .select_related("student__school", "section__course")
                .order_by("id")[: args.pupils]
            )
            Enrollment.objects.filter(pk__in=[e.pk for e in seats]).delete()
            t0 = time.perf_counter()
            for seat in seats:
                services.roster_add(
                    school=seat.student.school,
                    section=seat.section,
                    student=seat.student,
                    by=None,
                    reason="作业辅导按班级安排",
                )
            results["roster_add"] = (time.perf_counter() - t0) / len(seats)
            raise _Rollback
    except _Rollback:
        pass

    lines = [
        f"\n## {time.strftime('%Y-%m-%d %H:%M')} · {connection.vendor} · {platform.processor() or platform.machine()}\n",
        f"Command: `bench/demo_services.py --pupils {args.pupils}` on `seed_demo --size district`.\n",
        "| service | per call | calls for the district | through the service |",
        "|---|---|---|---|",
        f"| preferences_replace (one pupil's 3 choices) | {results['preferences_replace'] * 1000:.1f} ms | "
        f"{total_choosers:,} | {results['preferences_replace'] * total_choosers / 60:.1f} min |",
        f"| roster_add (one homework-help seat) | {results['roster_add'] * 1000:.1f} ms | {total_seats:,} | "
        f"{results['roster_add'] * total_seats / 60:.1f} min |",
    ]
    print("\n".join(lines))
    with open(args.out, "a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
