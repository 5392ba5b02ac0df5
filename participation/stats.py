"""Participation and attendance statistics for the bureau and coordinators (pandas, imported lazily).

Definitions (the bureau's figures and the tests use these words):

- **on roll**: pupils with `on_roll`; **taking part**: on roll with at least one enrolled seat.
  Participation rate = taking part / on roll, by school, grade, class, course kind (pupils with a
  seat of that kind), priority group (a pupil counts in each of their groups; "none" for no group)
  and sex. The district target is 90 % (`TARGET_RATE`).
- **5+2**: pupils whose enrolled seats meet on all five weekdays in the published timetable (a
  section not yet placed counts as every weekday only if its course meets 5 times a week).
- **attendance rate** = present / expected pupil-meetings (leave counts as not present, and is shown),
  always shown with what it rests on: the registers taken and the pupils marked in them.
- **first-choice rate**: among pupils who ranked choices at a school whose allocation has been
  published (some seat has source "allocation"), the share given their rank-1 section.
- **unmet demand**: pupils on a waitlist (not holding an offer); pupils who ranked choices at an
  allocated school but got no allocated seat.
- **partner reach**: host schools and pupils with a seat in a partner course.
- **teachers' periods**: registers taken per teacher (one register = one period taught).
- **fees** = present × fee per class hour; pupils of low-income families (家庭困难) are exempt.

Bureau views go through `suppress_table`: any pupil count under `SMALL_CELL` becomes None, then
complementary cells (so nothing hidden can be recovered by subtraction), and a rate whose
numerator or denominator is suppressed. No function here returns a pupil's name or id
to the bureau; the named lists (`school_named_lists`) are for the school's coordinators only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from courses.models import Course, School, SchoolClass, grade_label
from enrollment.models import Enrollment, Preference, PriorityGroup, Student
from participation.models import AttendanceDaily, Register
from scheduling.selectors import published_meetings

# Bureau views never show a cell describing fewer pupils than this (re-identification risk).
SMALL_CELL = 10
TARGET_RATE = 90.0
CACHE_SECONDS = 600
FINGERPRINT_SECONDS = 10
PERIODS_SECONDS = 60
COUNT_FIELDS = (
    "on_roll",
    "taking_part",
    "five_days",
    "expected",
    "present",
    "absent",
    "leave",
    "pupils",
    "schools",
    "attendance_pupils",
)


def rate(part: float | None, whole: float | None) -> float | None:
    return round(100 * part / whole, 1) if whole and part is not None else None


# --- the pupil frame --------------------------------------------------------------------------------


def pupil_frame(*, school_ids: Iterable[int]):
    """One row per pupil on roll: school, class, grade, sex, groups, seats' kinds, weekdays served,
    first choice, allocated seats, waiting. Built from five queries; no names, no 学籍号."""
    import pandas as pd

    ids = list(school_ids)
    students = list(
        Student.objects.filter(school_id__in=ids, on_roll=True).values_list(
            "pk", "school_id", "school_class_id", "grade", "sex", "priority_groups"
        )
    )
    seats = list(
        Enrollment.objects.filter(student__school_id__in=ids, student__on_roll=True, status="enrolled").values_list(
            "student_id", "section_id", "section__course__kind", "source", "section__course__meetings_per_week"
        )
    )
    waiting = set(Enrollment.objects.waiting().filter(student__school_id__in=ids).values_list("student_id", flat=True))
    first = dict(Preference.objects.filter(student__school_id__in=ids, rank=1).values_list("student_id", "section_id"))
    ranked = set(Preference.objects.filter(student__school_id__in=ids).values_list("student_id", flat=True))
    section_ids = {s[1] for s in seats}
    weekdays = {sid: {m.weekday for m in ms} for sid, ms in published_meetings(section_ids).items()}
    kinds: dict[int, set[str]] = defaultdict(set)
    days: dict[int, set[int]] = defaultdict(set)
    allocated: dict[int, set[int]] = defaultdict(set)
    for student_id, section_id, kind, source, per_week in seats:
        kinds[student_id].add(kind)
        days[student_id] |= weekdays.get(section_id) or (set(range(5)) if per_week >= 5 else set())
        if source == Enrollment.Source.ALLOCATION:
            allocated[student_id].add(section_id)
    frame = pd.DataFrame(
        [
            {
                "student": pk,
                "school": school,
                "school_class": klass,
                "grade": grade,
                "sex": sex,
                "groups": tuple(groups or ()),
                "taking_part": bool(kinds.get(pk)),
                "kinds": frozenset(kinds.get(pk, ())),
                "five_days": len(days.get(pk, ())) >= 5,
                "ranked": pk in ranked,
                "first_given": first.get(pk) in allocated.get(pk, ()),
                "has_first": pk in first,
                "allocated": bool(allocated.get(pk)),
                "waiting": pk in waiting,
            }
            for pk, school, klass, grade, sex, groups in students
        ],
        columns=[
            "student",
            "school",
            "school_class",
            "grade",
            "sex",
            "groups",
            "taking_part",
            "kinds",
            "five_days",
            "ranked",
            "first_given",
            "has_first",
            "allocated",
            "waiting",
        ],
    )
    return frame


def _counts(frame) -> dict[str, Any]:
    on_roll = len(frame)
    part = int(frame["taking_part"].sum()) if on_roll else 0
    five = int(frame["five_days"].sum()) if on_roll else 0
    return {"on_roll": on_roll, "taking_part": part, "rate": rate(part, on_roll), "five_days": five}


def participation_by(frame, column: str, labels: Callable[[Any], str] | None = None) -> list[dict[str, Any]]:
    """Participation per value of one column (school, grade, school_class, sex)."""
    rows = []
    if len(frame) == 0:
        return rows
    grouped = frame.groupby(column, sort=True).agg(
        on_roll=("student", "size"), taking_part=("taking_part", "sum"), five_days=("five_days", "sum")
    )
    for key, row in grouped.iterrows():
        key = key.item() if hasattr(key, "item") else key
        rows.append(
            {
                "key": key,
                "label": labels(key) if labels else str(key),
                "on_roll": int(row["on_roll"]),
                "taking_part": int(row["taking_part"]),
                "rate": rate(int(row["taking_part"]), int(row["on_roll"])),
                "five_days": int(row["five_days"]),
            }
        )
    return rows


def participation_by_kind(frame) -> list[dict[str, Any]]:
    on_roll = len(frame)
    rows = []
    for kind, label in Course.Kind.choices:
        part = int(frame["kinds"].map(lambda ks, k=kind: k in ks).sum()) if on_roll else 0
        rows.append(
            {"key": kind, "label": str(label), "on_roll": on_roll, "taking_part": part, "rate": rate(part, on_roll)}
        )
    return rows


def participation_by_group(frame) -> list[dict[str, Any]]:
    rows = []
    for key, label in [*PriorityGroup.choices, ("none", None)]:
        if key == "none":
            members = frame[frame["groups"].map(len) == 0] if len(frame) else frame
            label = _("no priority group")
        else:
            members = frame[frame["groups"].map(lambda gs, k=key: k in gs)] if len(frame) else frame
        counts = _counts(members)
        rows.append({"key": key, "label": str(label), **counts})
    return rows


def demand(frame) -> dict[str, Any]:
    """First-choice rate and unmet demand, counting only schools whose allocation is published."""
    if len(frame) == 0:
        return {"ranked": 0, "first_given": 0, "first_choice_rate": None, "waiting": 0, "unplaced": 0}
    allocated_schools = set(frame.loc[frame["allocated"], "school"])
    pool = frame[frame["school"].isin(allocated_schools) & frame["has_first"]]
    ranked = frame[frame["school"].isin(allocated_schools) & frame["ranked"]]
    given = int(pool["first_given"].sum())
    return {
        "ranked": len(pool),
        "first_given": given,
        "first_choice_rate": rate(given, len(pool)) if len(pool) else None,
        "waiting": int(frame["waiting"].sum()),
        "unplaced": int((~ranked["allocated"]).sum()),
    }


# --- attendance (from the daily aggregates) --------------------------------------------------------


def _att_sums():
    return {
        "expected": Sum("expected"),
        "present": Sum("present"),
        "absent": Sum("absent"),
        "leave": Sum("leave"),
        "fee_due": Sum("fee_due"),
    }


def _att_row(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: int(row.get(k) or 0) for k in ("expected", "present", "absent", "leave")}
    out["fee_due"] = Decimal(row.get("fee_due") or 0)
    out["attendance_rate"] = rate(out["present"], out["expected"])
    return out


def attendance_by(*, school_ids: Iterable[int], field: str, since: dt.date | None = None) -> dict[Any, dict[str, Any]]:
    qs = AttendanceDaily.objects.filter(school_id__in=list(school_ids))
    if since is not None:
        qs = qs.filter(date__gte=since)
    return {r[field]: _att_row(r) for r in qs.values(field).annotate(**_att_sums()).order_by(field)}


def attendance_total(*, school_ids: Iterable[int]) -> dict[str, Any]:
    return _att_row(AttendanceDaily.objects.filter(school_id__in=list(school_ids)).aggregate(**_att_sums()))


def weekly_trend(*, school_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Per week (Monday's date): pupil-meetings expected and present, attendance rate."""
    weeks: dict[dt.date, dict[str, int]] = defaultdict(lambda: {"expected": 0, "present": 0, "leave": 0, "days": 0})
    for day, row in attendance_by(school_ids=school_ids, field="date").items():
        monday = day - dt.timedelta(days=day.weekday())
        w = weeks[monday]
        w["expected"] += row["expected"]
        w["present"] += row["present"]
        w["leave"] += row["leave"]
        w["days"] += 1
    return [
        {"week": monday, "label": f"{monday:%m-%d}", **w, "attendance_rate": rate(w["present"], w["expected"])}
        for monday, w in sorted(weeks.items())
    ]


def periods_by_school(*, school_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{school: (periods taught, teachers)} — cached for PERIODS_SECONDS and until a register is added."""
    last = Register.objects.aggregate(m=Max("id"))["m"]
    key = f"kehou:stats:periods:{last}:{hashlib.sha256(repr(sorted(school_ids)).encode()).hexdigest()[:16]}"
    cached = cache.get(key)
    if cached is None:
        rows = (
            Register.objects.filter(school_id__in=school_ids, teacher__isnull=False)
            .values("school_id")
            .annotate(periods=Count("id"), teachers=Count("teacher_id", distinct=True))
            .order_by()
        )
        cached = {r["school_id"]: (r["periods"], r["teachers"]) for r in rows}
        cache.set(key, cached, PERIODS_SECONDS)
    return cached


def attendance_basis(*, school_ids: list[int]) -> dict[str, int]:
    """What the attendance rate rests on: registers taken and the pupils marked in them (an 85 %
    from one register of 20 pupils is not an 85 % from 2,000 registers). Cached like the periods."""
    last = Register.objects.aggregate(m=Max("id"), t=Max("updated_at"))
    digest = hashlib.sha256(repr((sorted(school_ids), last)).encode()).hexdigest()[:24]
    key = f"kehou:stats:basis:{digest}"
    cached = cache.get(key)
    if cached is None:
        from participation.models import Attendance

        registers = Register.objects.filter(school_id__in=school_ids)
        pupils = (
            Attendance.objects.filter(section__course__school_id__in=school_ids).values("student_id").distinct().count()
        )
        cached = {"registers": registers.count(), "attendance_pupils": pupils}
        cache.set(key, cached, PERIODS_SECONDS)
    return cached


def teacher_periods(*, school_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Registers taken per teacher and school (one register = one after-school period taught)."""
    return list(
        Register.objects.filter(school_id__in=list(school_ids), teacher__isnull=False)
        .values("school_id", "teacher_id", "teacher__name")
        .annotate(periods=Count("id"))
        .order_by("school_id", "teacher__name")
    )


def partner_reach(*, school_ids: Iterable[int]) -> list[dict[str, Any]]:
    """Per partner course: host schools with pupils and pupils with a seat."""
    rows = (
        Enrollment.objects.filter(
            status="enrolled", section__course__kind="partner", section__course__school_id__in=list(school_ids)
        )
        .values("section__course__partner_course_id", "section__course__partner_course__title")
        .annotate(schools=Count("section__course__school_id", distinct=True), pupils=Count("student_id", distinct=True))
        .order_by("section__course__partner_course__title")
    )
    return [
        {"label": r["section__course__partner_course__title"], "schools": r["schools"], "pupils": r["pupils"]}
        for r in rows
    ]


# --- suppression ----------------------------------------------------------------------------------


def _small(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value < SMALL_CELL


def suppress(row: dict[str, Any], pairs: Iterable[tuple[str, str, str]] = ()) -> dict[str, Any]:
    """Counts under SMALL_CELL → None; each (rate, numerator, denominator) → None when either is."""
    out = dict(row)
    for rate_key, num, den in pairs:
        if _small(out.get(num)) or _small(out.get(den)):
            out[rate_key] = None
    for key in COUNT_FIELDS:
        if _small(out.get(key)):
            out[key] = None
    return out


PART = ("rate", "taking_part", "on_roll")
FIVE = ("five_rate", "five_days", "on_roll")
ATT = ("attendance_rate", "present", "expected")

# What adds up inside one row: whole = sum of parts. A single part stands for itself and its unshown
# complement (on roll − taking part = pupils NOT taking part, which is just as identifying).
ROW_SUMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("on_roll", ("taking_part",)),
    ("on_roll", ("five_days",)),
    ("expected", ("present", "absent", "leave")),
)
# Tables whose rows partition the total (a pupil is in one school, one grade, one class, one sex).
PARTITIONS = ("by_school", "by_grade", "by_class", "by_sex")


def _hide_smallest(row_or_rows: list[tuple[dict[str, Any], str]]) -> bool:
    """Hide the smallest shown cell among (row, key) pairs; False when none is left to hide."""
    shown = [(r[k], i) for i, (r, k) in enumerate(row_or_rows) if r.get(k) is not None]
    if not shown:
        return False
    _value, i = min(shown)
    row, key = row_or_rows[i]
    row[key] = None
    return True


def _row_complements(row: dict[str, Any], original: dict[str, Any]) -> bool:
    changed = False
    for whole, parts in ROW_SUMS:
        if whole not in row or row.get(whole) is None or any(p not in row for p in parts):
            continue
        if len(parts) == 1:  # the complement is a cell of its own
            part = parts[0]
            if row.get(part) is not None and _small(original[whole] - original[part]):
                row[part] = None
                changed = True
        elif sum(row.get(p) is None for p in parts) == 1:  # one hidden part = whole − the others
            changed |= _hide_smallest([(row, p) for p in parts])
    return changed


def suppress_table(
    rows: list[dict[str, Any]],
    pairs: Iterable[tuple[str, str, str]] = (),
    *,
    total: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """THE small-cell rule of every bureau figure (pages, Excel, API, regulator rows): counts under
    SMALL_CELL hidden (`suppress`), then complementary suppression so no hidden cell can be
    recovered by subtraction — inside a row (on roll − taking part = the pupils not taking part;
    expected = present + absent + leave) and, when `total` is the shown sum of the rows, down each
    column (one hidden cell in a column whose total is shown hides a second one). Rates whose
    numerator or denominator ends hidden are hidden too. `rows` are not changed."""
    pairs = tuple(pairs)
    originals = [dict(r) for r in rows]
    out = [suppress(r, pairs) for r in rows]
    for _round in range(50):  # each round hides at least one cell, so this ends
        changed = False
        for row, original in zip(out, originals, strict=True):
            changed |= _row_complements(row, original)
        if total is not None:
            for key in COUNT_FIELDS:
                if total.get(key) is None or not any(key in r for r in out):
                    continue
                column = [(r, key) for r in out if key in r]
                if sum(r.get(key) is None for r, _k in column) == 1:
                    changed |= _hide_smallest(column)
        if not changed:
            break
    for row in out:
        for rate_key, num, den in pairs:
            if rate_key in row and (row.get(num) is None or row.get(den) is None):
                row[rate_key] = None
    return out


# --- the dashboards ------------------------------------------------------------------------------


def _fingerprint(school_ids: list[int]) -> str:
    """Changes whenever seats, pupils or choices change anywhere (cheap aggregates without joins).

    Memoised for FINGERPRINT_SECONDS, so a burst of dashboard requests pays for it once: the
    participation figures may lag a change by that long; attendance figures never lag.
    """
    memo_key = f"kehou:stats:fingerprint:{','.join(map(str, sorted(school_ids)))}"
    memo = cache.get(memo_key)
    if memo is not None:
        return memo
    e = Enrollment.objects.aggregate(n=Count("id"), m=Max("id"), t=Max("updated_at"))
    s = Student.objects.aggregate(n=Count("id"), m=Max("id"), r=Count("id", filter=Q(on_roll=True)))
    p = Preference.objects.aggregate(n=Count("id"), t=Max("submitted_at"))
    raw = repr((sorted(school_ids), e, s, p))
    value = hashlib.sha256(raw.encode()).hexdigest()[:24]
    cache.set(memo_key, value, FINGERPRINT_SECONDS)
    return value


def _participation(school_ids: list[int]) -> dict[str, Any]:
    """The pupil-frame figures for these schools, cached until seats, pupils or choices change."""
    key = f"kehou:stats:participation:{get_language()}:{_fingerprint(school_ids)}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    frame = pupil_frame(school_ids=school_ids)
    classes = {c.pk: c for c in SchoolClass.objects.filter(school_id__in=school_ids)}
    sexes = dict(Student.Sex.choices)
    result = {
        "total": _counts(frame),
        "by_school": {r["key"]: r for r in participation_by(frame, "school")},
        "by_grade": participation_by(frame, "grade", lambda g: grade_label(int(g))),
        "by_class": participation_by(frame, "school_class", lambda c: str(classes[c]) if c in classes else str(c)),
        "by_sex": participation_by(frame, "sex", lambda s: str(sexes.get(s, s))),
        "by_kind": participation_by_kind(frame),
        "by_group": participation_by_group(frame),
        "demand": demand(frame),
        "demand_by_school": {
            school: demand(frame[frame["school"] == school]) for school in sorted(set(frame["school"]))
        },
        "exempt_taking_part": int(
            frame[frame["taking_part"] & frame["groups"].map(lambda gs: PriorityGroup.LOW_INCOME in gs)].shape[0]
        )
        if len(frame)
        else 0,
    }
    cache.set(key, result, CACHE_SECONDS)
    return result


def _with_rates(row: dict[str, Any]) -> dict[str, Any]:
    row = dict(row)
    row["five_rate"] = rate(row.get("five_days"), row.get("on_roll"))
    return row


def school_stats(*, school_ids: list[int]) -> dict[str, Any]:
    """Everything the dashboards show for a set of schools (unsuppressed: callers suppress)."""
    part = _participation(school_ids)
    schools = {s.pk: s for s in School.objects.filter(pk__in=school_ids)}
    att_school = attendance_by(school_ids=school_ids, field="school_id")
    att_grade = attendance_by(school_ids=school_ids, field="grade")
    att_kind = attendance_by(school_ids=school_ids, field="kind")
    taught = periods_by_school(school_ids=school_ids)
    periods = {pk: n for pk, (n, _t) in taught.items()}
    teachers = {pk: t for pk, (_n, t) in taught.items()}
    kinds = dict(School.Kind.choices)
    by_school = []
    for pk, school in sorted(schools.items(), key=lambda kv: (kv[1].kind, kv[1].code)):
        p = part["by_school"].get(pk)
        if p is None and not school.grades:
            continue  # a vocational school without pupils of its own
        p = p or {"on_roll": 0, "taking_part": 0, "rate": None, "five_days": 0}
        a = att_school.get(pk) or _att_row({})
        d = part["demand_by_school"].get(pk) or {}
        by_school.append(
            _with_rates(
                {
                    "school_id": pk,
                    "label": school.name,
                    "kind": str(kinds.get(school.kind, school.kind)),
                    **{k: p[k] for k in ("on_roll", "taking_part", "rate", "five_days")},
                    **a,
                    "waiting": d.get("waiting", 0),
                    "first_choice_rate": d.get("first_choice_rate"),
                    "periods": periods.get(pk, 0),
                    "teachers": teachers.get(pk, 0),
                }
            )
        )
    by_grade = [_with_rates({**r, **(att_grade.get(r["key"]) or _att_row({}))}) for r in part["by_grade"]]
    by_kind = [{**r, **(att_kind.get(r["key"]) or _att_row({}))} for r in part["by_kind"]]
    total = _with_rates(
        {**part["total"], **attendance_total(school_ids=school_ids), **attendance_basis(school_ids=school_ids)}
    )
    return {
        "total": total,
        "target": TARGET_RATE,
        "by_school": by_school,
        "by_grade": by_grade,
        "by_class": [_with_rates(r) for r in part["by_class"]],
        "by_kind": by_kind,
        "by_group": [_with_rates(r) for r in part["by_group"]],
        "by_sex": [_with_rates(r) for r in part["by_sex"]],
        "weekly": weekly_trend(school_ids=school_ids),
        "demand": part["demand"],
        "partner": partner_reach(school_ids=school_ids),
        "exempt_taking_part": part["exempt_taking_part"],
        "periods": sum(periods.values()),
    }


def for_bureau(stats: dict[str, Any]) -> dict[str, Any]:
    """The same figures with small cells suppressed and no per-class rows below SMALL_CELL."""
    out = dict(stats)
    pairs = (PART, FIVE, ATT)
    [out["total"]] = suppress_table([stats["total"]], pairs)
    for key in ("by_school", "by_grade", "by_class", "by_kind", "by_group", "by_sex"):
        out[key] = suppress_table(stats[key], pairs, total=out["total"] if key in PARTITIONS else None)
    out["weekly"] = suppress_table(stats["weekly"], (ATT,))
    out["partner"] = [suppress(r) for r in stats["partner"]]
    d = dict(stats["demand"])
    for k in ("ranked", "first_given", "waiting", "unplaced"):
        if _small(d.get(k)):
            d[k] = None
    if d.get("ranked") is None or d.get("first_given") is None:
        d["first_choice_rate"] = None
    out["demand"] = d
    out["exempt_taking_part"] = None if _small(stats["exempt_taking_part"]) else stats["exempt_taking_part"]
    return out


def school_named_lists(*, school: School, limit: int = 200) -> dict[str, Any]:
    """For the school's coordinator: pupils on roll without a seat, and pupils by attendance (names)."""
    from participation.models import Attendance

    without = list(
        Student.objects.filter(school=school, on_roll=True)
        .exclude(enrollments__status="enrolled")
        .select_related("school_class")
        .order_by("grade", "school_class__number", "name")[:limit]
    )
    low = list(
        Attendance.objects.filter(section__course__school=school)
        .values("student_id", "student__name", "student__grade", "student__school_class__number")
        .annotate(expected=Count("id"), present=Count("id", filter=Q(status="present")))
        .order_by()
    )
    for r in low:
        r["attendance_rate"] = rate(r["present"], r["expected"])
    low = sorted((r for r in low if (r["attendance_rate"] or 0) < 80), key=lambda r: r["attendance_rate"] or 0)[:limit]
    return {"without_seat": without, "low_attendance": low}


def chart_data(stats: dict[str, Any], *, schools: bool = True) -> dict[str, Any]:
    """What `static/js/charts.js` draws (suppressed values are null: ECharts leaves a gap)."""
    data: dict[str, Any] = {"target": stats["target"]}
    if schools:
        data["schools"] = {
            "labels": [r["label"] for r in stats["by_school"]],
            "rate": [r["rate"] for r in stats["by_school"]],
            "attendance": [r["attendance_rate"] for r in stats["by_school"]],
        }
    data["grades"] = {
        "labels": [r["label"] for r in stats["by_grade"]],
        "rate": [r["rate"] for r in stats["by_grade"]],
        "five": [r["five_rate"] for r in stats["by_grade"]],
    }
    data["weekly"] = {
        "labels": [r["label"] for r in stats["weekly"]],
        "attendance": [r["attendance_rate"] for r in stats["weekly"]],
    }
    return data
