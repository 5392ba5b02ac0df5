"""Supervision at scale: the 双随机 draw over 100,000 institutions and 2,000 inspectors, and the
register page and API on 100,000 institutions.

    # SQLite (a database of its own; the first run creates the rows, later runs reuse them)
    DJANGO_ENV=development SQLITE_PATH=/tmp/sup-bench.sqlite3 .venv/bin/python manage.py migrate -v0
    DJANGO_ENV=development SQLITE_PATH=/tmp/sup-bench.sqlite3 nice -n 10 .venv/bin/python bench/supervision.py
    # PostgreSQL: the same with DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kehou_supbench

Rows: district "sbench" with 100,000 institutions (valid credit codes, 6 townships × 8 grids, 70 %
subject-type, 85 % operating) and 2,000 inspectors of four departments (bulk insert). Timed:

* the pure draw (`supervision.draw.draw`, the function the site and `supervision_verify` use) over
  the 100,000 ids and 2,000 inspectors, for 7 targets (the report's plan) and 100 targets;
* the whole service path: a plan committed (population frozen: 100,000 ids read) and drawn for 7;
* the register page and the register API through Django's test client as the district's bureau
  user (middleware, access, queries, template): first page, a name search, township + kind + grade
  filters, page 500; `--runs` timed requests each after `--warmup`.

Appends a section to bench/results/supervision.md with the load average.
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

N_INSTITUTIONS = 100_000
N_INSPECTORS = 2_000
TOWNSHIPS = ("锦溪镇", "城南街道", "花桥镇", "周庄镇", "千灯镇", "淀山湖镇")
DEPARTMENTS = ("education", "market", "civil", "fire")


def build(district_code: str = "sbench") -> tuple:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import Role, RoleGrant, User
    from courses.models import District
    from supervision import credit_code
    from supervision.models import Inspector, Institution

    district = District.objects.filter(code=district_code).first()
    if district is None:
        with transaction.atomic():
            district = District.objects.create(name="压测区", code=district_code)
            batch = []
            for n in range(N_INSTITUTIONS):
                town = TOWNSHIPS[n % 6]
                batch.append(
                    Institution(
                        district=district,
                        name=f"{town[:2]}{'启明博学思源育才新星智慧'[n % 6 * 2 : n % 6 * 2 + 2]}培训学校{n:06d}",
                        credit_code=credit_code.make("5", "2", "320583", f"B{n:07d}"),
                        kind="subject" if n % 10 < 7 else "non_subject",
                        legal_form="non_profit",
                        licence_no=f"教民{n}号",
                        status="operating" if n % 20 < 17 else "suspended",
                        township=town,
                        grid=f"{town[:2]}{n % 8 + 1}网格",
                        prepaid="escrow",
                        grade=("green", "green", "green", "green", "yellow", "green", "green", "red")[n % 8],
                    )
                )
                if len(batch) == 5000:
                    Institution.objects.bulk_create(batch)
                    batch = []
            Institution.objects.bulk_create(batch)
            Inspector.objects.bulk_create(
                Inspector(district=district, code=f"B{n:05d}", name=f"检查员{n}", department=DEPARTMENTS[n % 4])
                for n in range(N_INSPECTORS)
            )
            user = User.objects.create(username="sbench_bureau", password=make_password("x"))
            RoleGrant.objects.create(user=user, role=Role.BUREAU, district=district)
    from accounts.models import User as U

    return district, U.objects.get(username="sbench_bureau")


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
    return {"p50": statistics.median(samples), "p90": samples[int(0.9 * (len(samples) - 1))], "max": samples[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "supervision.md"))
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from supervision import draw as drawing
    from supervision.models import CheckList, Inspector, Institution
    from supervision.services import plans

    t0 = time.perf_counter()
    district, bureau = build()
    with connection.cursor() as cursor:  # fresh statistics, as autovacuum / a maintained database has them
        cursor.execute("ANALYZE supervision_institution" if connection.vendor == "postgresql" else "ANALYZE")
    built = time.perf_counter() - t0
    ids = list(Institution.objects.filter(district=district).values_list("id", flat=True))
    pool = list(Inspector.objects.filter(district=district).values_list("id", "department"))
    draws = {}
    for n in (7, 100):
        t0 = time.perf_counter()
        result = drawing.draw(seed="bench-seed", population=ids, n=n, inspectors=pool, per_target=2)
        draws[n] = time.perf_counter() - t0
        assert len(result.targets) == n
    plan = plans.plan_create(
        district=district,
        by=bureau,
        data={
            "title": f"bench {time.time():.0f}",
            "kinds": [],
            "statuses": [],
            "n_targets": 7,
            "per_target": 2,
            "departments": list(DEPARTMENTS),
            "checklists": list(CheckList.objects.filter(version=1)),
        },
    )
    t0 = time.perf_counter()
    plans.plan_commit(plan=plan, commitment=drawing.commitment_of("bench"), by=bureau)
    commit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    plans.plan_draw(plan=plan, seed="bench", by=bureau)
    draw_s = time.perf_counter() - t0

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(bureau)
    urls = [
        "/bureau/supervision/institutions/",
        "/bureau/supervision/institutions/?q=%E5%8D%9A%E5%AD%A6%E5%9F%B9%E8%AE%AD%E5%AD%A6%E6%A0%A1012",
        "/bureau/supervision/institutions/?township=%E8%8A%B1%E6%A1%A5%E9%95%87&kind=subject&grade=red",
        "/bureau/supervision/institutions/?page=500",
        "/api/v1/supervision/institutions",
        "/api/v1/supervision/institutions?q=%E5%8D%9A%E5%AD%A6%E5%9F%B9%E8%AE%AD%E5%AD%A6%E6%A0%A1012",
        "/api/v1/supervision/institutions?q=%E5%8D%9A%E5%AD%A6&township=%E8%8A%B1%E6%A1%A5%E9%95%87&page=3",
        "/api/v1/supervision/institutions?status=operating&grade=yellow&page=200",
    ]
    pages = {url: timed(client, url, args.runs, args.warmup) for url in urls}
    load = os.getloadavg()
    lines = [
        f"\n## {connection.vendor} — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} — load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}.  ",
        f"Rows: {len(ids):,} institutions, {len(pool):,} inspectors (built or found in {built:.1f} s).\n",
        "| draw | seconds |",
        "|---|---:|",
        f"| pure draw, 7 targets × 2 inspectors, from {len(ids):,} / {len(pool):,} | {draws[7]:.2f} |",
        f"| pure draw, 100 targets × 2 inspectors | {draws[100]:.2f} |",
        f"| service: commit (population and pool frozen) | {commit_s:.2f} |",
        f"| service: draw 7 (seed checked, targets, assignments, inspections written) | {draw_s:.2f} |",
        "",
        f"| request ({args.runs} runs after {args.warmup} warm-up) | p50 ms | p90 ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for url, r in pages.items():
        lines.append(f"| `{url}` | {r['p50']:.0f} | {r['p90']:.0f} | {r['max']:.0f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    out = Path(args.out)
    if not out.exists():
        out.write_text(
            "# Supervision benchmark\n\nCommand and method: see the docstring of `bench/supervision.py`. "
            "Targets (issue 16): the draw from 100,000 institutions with 2,000 inspectors ≤ 2 s; the register "
            "page and API p50 ≤ 300 ms on 100,000 institutions, SQLite and PostgreSQL.\n",
            encoding="utf-8",
        )
    with out.open("a", encoding="utf-8") as fh:
        fh.write(text)


if __name__ == "__main__":
    main()
