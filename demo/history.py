"""A term of attendance history for the demo district (`seed_history`): registers, marks, aggregates.

For every school day of each school's term (holidays out, swapped working days following their
weekday: `scheduling.selectors.term_days`), every section meeting that weekday takes its register
and marks its enrolled pupils. The weekdays come from the published timetable; a section of a
school without one meets on every weekday if its course meets 5 times a week (homework help),
else on `meetings_per_week` weekdays spread from a fixed start (a demo stand-in, documented).

Marks are drawn from one `random.Random(seed)`: each pupil has a propensity, a flu wave lowers
attendance in the first half of December, and Fridays see a little more leave. Rows are written in
bulk — PostgreSQL `COPY`, SQLite `executemany` — and `AttendanceDaily` is summed in memory on
the way, so the aggregates equal `part_services.daily_recount()` (tests check this on the small demo).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from courses.models import District, School, Section
from demo.guard import refuse_in_production
from enrollment.models import Enrollment, Student
from participation.models import Attendance, AttendanceDaily, Register
from participation.services import EXEMPT_GROUPS
from scheduling.selectors import published_meetings, term_days

DEFAULT_SEED = 2026
_CHUNK = 20_000
_TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class HistoryReport:
    created: bool = False
    schools: int = 0
    days: int = 0
    registers: int = 0
    marks: int = 0
    cells: int = 0
    elapsed: float = 0.0
    phases: list[tuple[str, float]] = field(default_factory=list)


def fallback_weekdays(section_id: int, per_week: int) -> set[int]:
    """Weekdays of a section without a published timetable (see the module docstring)."""
    if per_week >= 5:
        return set(range(5))
    step = max(1, 5 // max(per_week, 1))
    return {(section_id + i * step) % 5 for i in range(max(per_week, 1))}


def seed_history(
    *,
    district_code: str = "demo",
    seed: int = DEFAULT_SEED,
    until: dt.date | None = None,
    replace: bool = False,
    log: Callable[[str], None] | None = None,
) -> HistoryReport:
    """Write the history for the district's schools unless some register exists (or `replace`).
    Refuses under DJANGO_ENV=production, like `seed_demo`."""
    refuse_in_production()
    say = log or (lambda _m: None)
    report = HistoryReport()
    started = time.perf_counter()
    district = District.objects.filter(code=district_code).first()
    if district is None:
        raise ValueError(f"no district with code {district_code!r}: run seed_demo first")
    school_ids = list(School.objects.filter(district=district).values_list("pk", flat=True))
    with transaction.atomic():
        if Register.objects.filter(school_id__in=school_ids).exists():
            if not replace:
                say("考勤历史已存在，未做任何更改（--replace 可重建）。")
                report.elapsed = time.perf_counter() - started
                return report
            t0 = time.perf_counter()
            Attendance.objects.filter(section__course__school_id__in=school_ids).delete()
            Register.objects.filter(school_id__in=school_ids).delete()
            AttendanceDaily.objects.filter(school_id__in=school_ids).delete()
            report.phases.append(("删除旧记录", time.perf_counter() - t0))
        _write(school_ids, seed=seed, until=until, report=report, say=say)
        report.created = True
    report.elapsed = time.perf_counter() - started
    return report


def _write(school_ids: list[int], *, seed: int, until: dt.date | None, report: HistoryReport, say) -> None:
    t0 = time.perf_counter()
    sections = list(
        Section.objects.filter(course__school_id__in=school_ids).values_list(
            "pk", "course__school_id", "course__kind", "course__fee_per_class_hour", "teacher_id", "term_id",
            "course__meetings_per_week",
        )
    )  # fmt: skip
    published = {sid: {m.weekday for m in ms} for sid, ms in published_meetings([s[0] for s in sections]).items()}
    roster: dict[int, list[int]] = defaultdict(list)
    for section_id, student_id in (
        Enrollment.objects.filter(section__course__school_id__in=school_ids, status="enrolled")
        .order_by("section_id", "student_id")
        .values_list("section_id", "student_id")
        .iterator(chunk_size=20_000)
    ):
        roster[section_id].append(student_id)
    pupils = {
        pk: (grade, bool(EXEMPT_GROUPS.intersection(groups or [])))
        for pk, grade, groups in Student.objects.filter(school_id__in=school_ids).values_list(
            "pk", "grade", "priority_groups"
        )
    }
    terms = {t.pk: t for t in _terms(sections)}
    days = {pk: [(d, wd) for d, wd in term_days(term) if until is None or d <= until] for pk, term in terms.items()}
    report.schools = len({s[1] for s in sections})
    report.days = max((len(v) for v in days.values()), default=0)
    report.phases.append(("读取名单与校历", time.perf_counter() - t0))
    say(f"  {report.schools} 所学校，{len(sections)} 个教学班，最多 {report.days} 个上课日")

    pg = connection.vendor == "postgresql"
    rng = random.Random(seed)
    propensity = {pk: rng.lognormvariate(0, 0.6) for pk in sorted(pupils)}
    cells: dict[tuple[int, dt.date, int, str], list[Any]] = defaultdict(lambda: [0, 0, 0, 0, Decimal(0)])
    registers: list[tuple[Any, ...]] = []

    def marks() -> Iterator[tuple[Any, ...]]:
        for section_id, school_id, kind, fee, teacher_id, term_id, per_week in sections:
            ids = roster.get(section_id)
            if not ids:
                continue
            weekdays = published.get(section_id) or fallback_weekdays(section_id, per_week)
            for day, wd in days.get(term_id, []):
                if wd not in weekdays:
                    continue
                flu = 2.2 if dt.date(day.year, 12, 1) <= day <= dt.date(day.year, 12, 15) else 1.0
                friday = 1.4 if wd == 4 else 1.0
                at = dt.datetime.combine(day, dt.time(16, 50), _TZ)
                day_v, at_v = (day, at) if pg else (day.isoformat(), connection.ops.adapt_datetimefield_value(at))
                counts = [0, 0, 0]
                for sid in ids:
                    p = propensity[sid] * flu
                    r = rng.random()
                    if r < 0.012 * p:
                        status, n = "absent", 1
                    elif r < 0.012 * p + 0.018 * p * friday:
                        status, n = "leave", 2
                    else:
                        status, n = "present", 0
                    counts[n] += 1
                    grade, exempt = pupils[sid]
                    cell = cells[school_id, day, grade, kind]
                    cell[0] += 1
                    cell[1 + n] += 1
                    if n == 0 and not exempt:
                        cell[4] += fee
                    yield (section_id, day_v, sid, status, at_v)
                registers.append((section_id, day, school_id, teacher_id, len(ids), *counts, at))

    t0 = time.perf_counter()
    report.marks = _insert(
        Attendance, ["section_id", "date", "student_id", "status", "marked_at"], marks(), say=say, convert=False
    )
    report.phases.append(("写入考勤记录", time.perf_counter() - t0))
    t0 = time.perf_counter()
    report.registers = _insert(
        Register,
        ["section_id", "date", "school_id", "teacher_id", "expected", "present", "absent", "leave", "taken_at",
         "updated_at"],
        ((*r, r[-1]) for r in registers),
    )  # fmt: skip
    report.cells = _insert(
        AttendanceDaily,
        ["school_id", "date", "grade", "kind", "expected", "present", "absent", "leave", "fee_due"],
        ((school, day, grade, kind, *v) for (school, day, grade, kind), v in cells.items()),
    )
    report.phases.append(("写入点名册与日汇总", time.perf_counter() - t0))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (Attendance, Register, AttendanceDaily):
                cursor.execute(f"ANALYZE {model._meta.db_table}")


def _terms(sections: list[tuple[Any, ...]]):
    from courses.models import Term

    return Term.objects.filter(pk__in={s[5] for s in sections})


def _insert(model, columns: list[str], rows, *, say=None, convert: bool = True) -> int:
    """Bulk insert plain tuples: COPY on PostgreSQL, executemany elsewhere. Returns the row count."""
    table = model._meta.db_table
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
                    if say and count % 1_000_000 == 0:
                        say(f"    {count:,} 行")
            return count
        adapt = connection.ops.adapt_datetimefield_value
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join(['%s'] * len(columns))})"
        chunk: list[tuple[Any, ...]] = []
        for row in rows:
            chunk.append(tuple(_sqlite(v, adapt) for v in row) if convert else row)
            if len(chunk) >= _CHUNK:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
                if say and count % 1_000_000 < _CHUNK:
                    say(f"    {count:,} 行")
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def _sqlite(value: Any, adapt) -> Any:
    if isinstance(value, dt.datetime):
        return adapt(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value
