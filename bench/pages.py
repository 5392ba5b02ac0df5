"""Issue 13 item 20: login, enrolling, and the first and warm loads of /bureau/ and
/school/<id>/participation/ on the demo, through Django's test client (the whole stack).

    DJANGO_ENV=development .venv/bin/python manage.py seed_demo --size small --timetables demo
    DJANGO_ENV=development nice -n 10 .venv/bin/python bench/pages.py [--runs 10]

Login posts the form with the demo password (a real password hash each time). Enrolling opens a
first-come window for the demo parent's child inside a transaction that is rolled back at the
end, then takes and gives back a free seat `--runs` times (the page POST, then a withdrawal
through the service, untimed). "First" is the first request after the cache is cleared (the
participation snapshot recomputed); "warm" the p50 of `--runs` requests after it. Appends a
section with `uptime`'s load to bench/results/pages.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def first_and_warm(client, url: str, runs: int) -> tuple[float, float, float]:
    from django.core.cache import cache

    cache.clear()
    t0 = time.perf_counter()
    response = client.get(url)
    first = ms(t0)
    assert response.status_code == 200, (url, response.status_code)
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url)
        samples.append(ms(t0))
    samples.sort()
    return first, statistics.median(samples), samples[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "pages.md"))
    args = parser.parse_args()

    import django

    django.setup()
    import datetime as dt

    from django.conf import settings
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from accounts.models import User
    from enrollment import selectors, services
    from enrollment.models import Enrollment, EnrollmentWindow, Student

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    rows: list[tuple[str, str]] = []

    logins = []
    for _ in range(args.runs):
        client = Client()
        t0 = time.perf_counter()
        response = client.post("/accounts/login/", {"username": "parent", "password": "kehou2026"})
        logins.append(ms(t0))
        assert response.status_code == 302, response.status_code
    logins.sort()
    rows.append(("login (POST, password hash)", f"p50 {statistics.median(logins):.0f} · max {logins[-1]:.0f}"))

    parent = User.objects.get(username="parent")
    child = Student.objects.filter(family__guardians__user=parent).order_by("grade").first()
    term = selectors.term_for_student(child)
    enrolls = []
    with transaction.atomic():
        now = timezone.now()
        EnrollmentWindow.objects.filter(school=child.school, term=term).delete()
        EnrollmentWindow.objects.create(
            school=child.school, term=term, mode="first_come",
            opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=1),
        )  # fmt: skip
        items = selectors.catalogue_for_student(student=child, term=term, now=now)
        item = next(i for i in items if i.seats_left and not i.mine and not (i.quote and i.quote.paid))
        client = Client()
        client.force_login(parent)
        for n in range(args.runs):
            t0 = time.perf_counter()
            response = client.post(
                f"/family/child/{child.pk}/enroll/", {"section": item.section.pk, "key": f"bench-{n:04d}"}
            )
            enrolls.append(ms(t0))
            assert response.status_code == 302, response.status_code
            row = Enrollment.objects.active().get(student=child, section=item.section)
            services.enrollment_withdraw(enrollment=row, by=parent)
        transaction.set_rollback(True)
    enrolls.sort()
    rows.append(("enrolling (POST, first-come seat)", f"p50 {statistics.median(enrolls):.0f} · max {enrolls[-1]:.0f}"))

    bureau = Client()
    bureau.force_login(User.objects.get(username="bureau"))
    cold_import = "pandas" not in sys.modules
    first, warm, worst = first_and_warm(bureau, "/bureau/", args.runs)
    label = "/bureau/ (first includes importing pandas)" if cold_import else "/bureau/"
    rows.append((label, f"first {first:.0f} · warm p50 {warm:.0f} · max {worst:.0f}"))
    first, warm, worst = first_and_warm(bureau, "/bureau/", args.runs)
    rows.append(
        ("/bureau/ again (pandas loaded, as config.wsgi preloads it)", f"first {first:.0f} · warm p50 {warm:.0f}")
    )
    coordinator = User.objects.get(username="coordinator")
    school_id = coordinator.role_grants.filter(role="coordinator").values_list("school_id", flat=True).first()
    coord = Client()
    coord.force_login(coordinator)
    first, warm, worst = first_and_warm(coord, f"/school/{school_id}/participation/", args.runs)
    rows.append(("/school/<id>/participation/", f"first {first:.0f} · warm p50 {warm:.0f} · max {worst:.0f}"))

    load = os.getloadavg()
    lines = [
        f"\n## {connection.vendor}, demo — {time.strftime('%Y-%m-%d %H:%M')} (load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f})\n",
        f"`nice -n 10 .venv/bin/python bench/pages.py --runs {args.runs}`; {os.cpu_count()} CPUs.\n",
        "| what | ms |",
        "|---|---|",
        *[f"| {k} | {v} |" for k, v in rows],
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.out)
    if not out.exists():
        out.write_text(
            "# Pages a user waits for (issue 13 item 20)\n\nMethod: the docstring of `bench/pages.py`. "
            "Targets: warm pages under 300 ms, first loads under 1 s.\n",
            encoding="utf-8",
        )
    with out.open("a", encoding="utf-8") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
