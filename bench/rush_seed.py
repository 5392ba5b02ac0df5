"""Seed the rush benchmark: one school, a first-come window open now, SECTIONS sections of SEATS
seats, PUPILS pupils each in a family of their own with a parent holding a bearer token.

Writes OUT: one line per parent, "token student_id section_id" (pupil i asks for section i mod
SECTIONS). With BURST and BURST_OUT it also seeds one more section of SEATS seats and BURST more
parents, all asking for that one section (bench/rush_burst.py fires them at the same instant), into
BURST_OUT. Run with DATABASE_URL pointing at the bench database.
Usage: python bench/rush_seed.py PUPILS SECTIONS SEATS OUT [BURST BURST_OUT]
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import ApiToken, Role, RoleGrant, User  # noqa: E402
from courses.models import Course, District, School, SchoolClass, Section, Term  # noqa: E402
from enrollment.models import EnrollmentWindow, Family, Guardian, Student  # noqa: E402

BATCH = 2000


def main(pupils: int, sections: int, seats: int, out: Path, *, burst: int = 0, burst_out: Path | None = None) -> None:
    now = timezone.now()
    with transaction.atomic():
        district = District.objects.create(name="压测区", code="bench")
        school = School.objects.create(district=district, code="RUSH1", name="压测小学", kind=School.Kind.PRIMARY)
        term = Term.objects.create(school=school, name="压测学期", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 22))
        EnrollmentWindow.objects.create(
            school=school,
            term=term,
            mode=EnrollmentWindow.Mode.FIRST_COME,
            opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(days=1),
        )
        classes = [SchoolClass.objects.create(school=school, grade=3, number=n) for n in range(1, 21)]
        section_ids = []
        for i in range(sections):
            course = Course.objects.create(
                school=school, kind=Course.Kind.CLUB, title=f"社团{i:03d}", grades=[3], seats_per_section=seats
            )
            section_ids.append(Section.objects.create(course=course, term=term, code="1", capacity=seats).pk)
    lines = _parents(school, classes, pupils, section_ids, prefix="rush")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"seeded {pupils} parents, {sections} sections × {seats} seats → {out}")
    if burst and burst_out is not None:
        with transaction.atomic():
            course = Course.objects.create(
                school=school, kind=Course.Kind.CLUB, title="抢课", grades=[3], seats_per_section=seats
            )
            burst_section = Section.objects.create(course=course, term=term, code="1", capacity=seats).pk
        burst_out.write_text("\n".join(_parents(school, classes, burst, [burst_section], prefix="burst")) + "\n")
        print(f"seeded {burst} more parents, all for section {burst_section} ({seats} seats) → {burst_out}")


def _parents(school, classes, pupils: int, section_ids: list[int], *, prefix: str) -> list[str]:
    """PUPILS parents, each with a family, a pupil and a bearer token; pupil i asks for section i mod len."""
    lines = []
    for start in range(0, pupils, BATCH):
        n = min(BATCH, pupils - start)
        with transaction.atomic():
            families = Family.objects.bulk_create(Family(label=f"{prefix}F{start + i}") for i in range(n))
            users = User.objects.bulk_create(
                User(username=f"{prefix}{start + i}", password="!", display_name=f"家长{start + i}") for i in range(n)
            )
            RoleGrant.objects.bulk_create(RoleGrant(user=u, role=Role.PARENT) for u in users)
            Guardian.objects.bulk_create(
                Guardian(user=u, family=fam, name=u.display_name, phone="")
                for u, fam in zip(users, families, strict=True)
            )
            students = Student.objects.bulk_create(
                Student(
                    school=school,
                    school_class=classes[(start + i) % len(classes)],
                    family=fam,
                    student_no=f"{prefix.upper()}{start + i:07d}",
                    name=f"学生{start + i}",
                    sex="MF"[i % 2],
                    grade=3,
                )
                for i, fam in enumerate(families)
            )
            raws = ["kh_" + secrets.token_urlsafe(32) for _ in range(n)]
            ApiToken.objects.bulk_create(
                ApiToken(user=u, key_hash=hashlib.sha256(raw.encode()).hexdigest(), prefix=raw[:8], name=prefix)
                for u, raw in zip(users, raws, strict=True)
            )
            for i, (raw, student) in enumerate(zip(raws, students, strict=True)):
                lines.append(f"{raw} {student.pk} {section_ids[(start + i) % len(section_ids)]}")
    return lines


if __name__ == "__main__":
    burst_args = sys.argv[5:7]
    main(
        int(sys.argv[1]),
        int(sys.argv[2]),
        int(sys.argv[3]),
        Path(sys.argv[4]),
        burst=int(burst_args[0]) if len(burst_args) == 2 else 0,
        burst_out=Path(burst_args[1]) if len(burst_args) == 2 else None,
    )
