"""Letters to every family: 50,000 letters queued and delivered through the worker to a local SMS endpoint.

    # SQLite (PostgreSQL: the same with DATABASE_URL=postgresql://postgres@127.0.0.1:5432/kehou_letters)
    export DJANGO_ENV=development SQLITE_PATH=/tmp/letters.sqlite3
    .venv/bin/python manage.py migrate -v0
    nice -n 10 .venv/bin/python bench/letters.py --families 50000 [--fail-rate 0.1]

Sets up (once) a district of `--families` families, each with one guardian (a user with a mobile
number) and one pupil, in 40 schools. The timed run: the bureau writes a letter to the whole district
(`letter_write`, as the page does: saved queued), and a real `manage.py worker` process — started
before the clock, with `KEHOU_SMS_URL` pointing at a local HTTP endpoint in this process
(tests/messaging/gateway.py: 100 messages a call, failing `--fail-rate` of the calls) — fans it out
(the audience at send time: one in-site message per guardian, one queued SMS each) and delivers the
SMS with its retries. The clock stops when no SMS is queued. Then it checks: one message per
guardian, every SMS delivered or failed, the gateway accepted each delivered key exactly once and
nothing else. Appends a section to bench/results/letters.md (with `uptime`'s load).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
SCHOOLS = 40


def set_up(families: int) -> None:
    """One district, `SCHOOLS` schools with a class per grade, `families` families (guardian + pupil)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import Role, RoleGrant, User
    from courses.models import District, School, SchoolClass
    from enrollment.models import Family, Guardian, Student

    if District.objects.filter(code="letters").exists():
        return
    t0 = time.perf_counter()
    with transaction.atomic():
        district = District.objects.create(name="家书区", code="letters")
        schools = School.objects.bulk_create(
            School(district=district, code=f"L{i:02d}", name=f"家书第{i + 1}小学") for i in range(SCHOOLS)
        )
        classes = SchoolClass.objects.bulk_create(
            SchoolClass(school=s, grade=g, number=1) for s in schools for g in range(1, 7)
        )
        bureau = User.objects.create(username="letters_bureau", password=make_password("kehou2026"))
        RoleGrant.objects.create(user=bureau, role=Role.BUREAU, district=district)
        for start in range(0, families, 5000):
            n = range(start, min(families, start + 5000))
            fams = Family.objects.bulk_create(Family(label=f"家{i}") for i in n)
            users = User.objects.bulk_create(User(username=f"lp{i}", phone=f"136{i:08d}", password="!") for i in n)
            Guardian.objects.bulk_create(
                Guardian(user=u, family=f, name=f"家长{i}", phone=u.phone)
                for i, u, f in zip(n, users, fams, strict=True)
            )
            Student.objects.bulk_create(
                Student(
                    school_id=classes[i % len(classes)].school_id,
                    school_class=classes[i % len(classes)],
                    family=f,
                    student_no=f"LS{i:07d}",
                    name=f"学生{i}",
                    sex="M",
                    grade=classes[i % len(classes)].grade,
                )
                for i, f in zip(n, fams, strict=True)
            )
    print(f"set up {families:,} families in {time.perf_counter() - t0:.1f} s", flush=True)


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:  # a file, not a pipe: a full pipe would stall the worker
        return subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--interval", "1", "--no-reload", "--no-startup-delay"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=50_000)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--deadline", type=float, default=170.0, help="give up after this many seconds")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "letters.md"))
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count

    from accounts.access import actor_for
    from accounts.models import User
    from enrollment.models import Guardian
    from letters.models import Letter
    from letters.services import letter_write
    from messaging.models import Batch, Channel, Delivery, DeliveryStatus, Message
    from tests.messaging.gateway import FakeGateway

    set_up(args.families)
    Letter.objects.all().delete()  # a fresh run each time
    Message.objects.filter(kind="letter").delete()
    Batch.objects.all().delete()
    guardians = Guardian.objects.count()
    bureau = User.objects.get(username="letters_bureau")

    with FakeGateway(fail_rate=args.fail_rate, seed=1) as gateway:
        env = {
            **os.environ,
            "KEHOU_SMS_URL": gateway.url,
            "KEHOU_MESSAGING_EVERY_SECONDS": "0.2",
            "KEHOU_MESSAGING_BACKOFF_SECONDS": "1",
            "PYTHONUNBUFFERED": "1",
        }
        log = Path(os.environ.get("TMPDIR", "/tmp")) / f"letters-worker-{os.getpid()}.log"
        worker = start_worker(env, log)
        try:
            up = time.perf_counter()  # the clock starts once the worker is up and idle (start-up is not timed)
            while "Starting worker" not in log.read_text() and time.perf_counter() - up < 120:
                if worker.poll() is not None:
                    sys.exit(f"the worker stopped: {log.read_text()[-2000:]}")
                time.sleep(0.2)
            time.sleep(2)  # its periodic thread has ticked
            print(f"worker up in {time.perf_counter() - up:.1f} s", flush=True)
            t0 = time.perf_counter()
            letter = letter_write(
                actor=actor_for(bureau), by=bureau, title="致全区家长的一封信", body="各位家长：……" * 20
            )
            fanned = None
            while time.perf_counter() - t0 < args.deadline:
                time.sleep(0.25)
                if fanned is None and Letter.objects.filter(pk=letter.pk, status="sent").exists():
                    fanned = time.perf_counter() - t0
                    print(f"fanned out in {fanned:.1f} s", flush=True)
                if (
                    fanned is not None
                    and not Delivery.objects.filter(channel=Channel.SMS, status=DeliveryStatus.QUEUED).exists()
                ):
                    break
            elapsed = time.perf_counter() - t0
            if fanned is None:
                print(f"the worker did not send the letter; its log ends: {log.read_text()[-2000:]}")
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)

    letter.refresh_from_db()
    sms = dict(
        Delivery.objects.filter(channel=Channel.SMS, message__batch=letter.batch)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    site = Message.objects.filter(batch=letter.batch).count()  # the in-site copies
    delivered = set(
        f"kehou-{m}-sms"
        for m in Delivery.objects.filter(
            channel=Channel.SMS, status=DeliveryStatus.DELIVERED, message__batch=letter.batch
        ).values_list("message_id", flat=True)
    )
    retried = Delivery.objects.filter(channel=Channel.SMS, attempts__gt=1, message__batch=letter.batch).count()
    twice = sum(1 for n in gateway.accepted.values() if n > 1)
    checks = {
        "one message per guardian": letter.recipients == site == guardians,
        "none queued": sms.get(DeliveryStatus.QUEUED, 0) == 0,
        "every SMS delivered or failed": sum(sms.values()) == guardians
        and set(sms) <= {DeliveryStatus.DELIVERED, DeliveryStatus.FAILED},
        "gateway accepted exactly the delivered, none twice": set(gateway.accepted) == delivered and twice == 0,
    }
    load = os.getloadavg()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    verdict = "≤ 60 s" if elapsed <= 60 else "> 60 s"
    lines = [
        f"\n## {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC · {connection.vendor}",
        "",
        f"`nice -n 10 bench/letters.py {' '.join(sys.argv[1:])}` · Python {platform.python_version()} · "
        f"{os.cpu_count()} cores · load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} (`{uptime}`)",
        "",
        f"- **{guardians:,} letters written, fanned out and delivered through the worker in {elapsed:.1f} s** "
        f"({verdict}); fan-out (audience + {guardians:,} in-site messages + {guardians:,} queued SMS) "
        f"{fanned if fanned is not None else float('nan'):.1f} s",
        f"- gateway: {gateway.calls:,} calls of ≤ 100 messages, {gateway.failed_calls:,} failed on purpose "
        f"(fail rate {args.fail_rate:.0%}); SMS {', '.join(f'{k} {v:,}' for k, v in sorted(sms.items()))}; "
        f"{retried:,} needed a retry; accepted twice: {twice}",
        "- checks: " + ", ".join(f"{k} {'✔' if v else '✘ FAILED'}" for k, v in checks.items()),
    ]
    print("\n".join(lines))
    with open(args.out, "a", encoding="utf-8") as out:
        if out.tell() == 0:
            out.write("# Letters to every family: queued and delivered through the worker (bench/letters.py)\n")
        out.write("\n".join(lines) + "\n")
    if not all(checks.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
