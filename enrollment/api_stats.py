"""Statistics for the bureau and the regulator export for the city supervision system.

`GET /stats/district`, `GET /stats/schools/{id}`, `GET /stats/attendance/daily`: aggregates with
cells under 10 pupils null — the same figures as the bureau dashboard.

`GET /regulator/{part}.{fmt}` with part = classes | enrollments | attendance and fmt = csv | json:

- **classes**: per class (school code, grade, class number) pupils on roll and taking part;
- **enrollments**: one row per seat with a *pseudonymous* pupil reference, never a name or 学籍号:
  `pupil_ref` = HMAC-SHA256(key, student id) cut to 16 hex digits, the key derived from the
  deployment's SECRET_KEY (`KEHOU_REGULATOR_KEY` overrides it). The city can follow one pupil
  across exports and days (e.g. count distinct pupils served) but cannot learn who it is; only
  the school can map it back (by recomputing). No sex and no class on these rows, so a reference
  cannot be narrowed down to a small group;
- **attendance**: daily pupil-meetings per school × day × grade × course kind (small cells null).
"""

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router

from accounts.api_access import api_allow
from accounts.models import Role
from accounts.schemas import ErrorOut
from courses.models import School, SchoolClass
from enrollment import stats
from enrollment.models import AttendanceDaily, Enrollment
from enrollment.selectors import SMALL_CELL, id_or_404

router = Router(tags=["statistics"])


def _school_ids(request: HttpRequest) -> list[int]:
    if not request.actor.district_ids:
        raise Http404
    return list(School.objects.filter(district_id__in=request.actor.district_ids).values_list("pk", flat=True))


def _plain(value: Any) -> Any:
    """JSON-ready: dates as ISO strings, decimals as numbers."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@router.get("/stats/district", response={200: dict, 403: ErrorOut, 404: ErrorOut})
@api_allow(Role.BUREAU)
def stats_district(request: HttpRequest):
    """District participation, attendance, demand and partner reach (aggregates; small cells null)."""
    return _plain(stats.for_bureau(stats.school_stats(school_ids=_school_ids(request))))


@router.get("/stats/schools/{school_id}", response={200: dict, 403: ErrorOut, 404: ErrorOut})
@api_allow(Role.BUREAU)
def stats_school(request: HttpRequest, school_id: int):
    """One school of the district, still aggregate (by grade, class, kind, group, sex, week)."""
    school_id = id_or_404(school_id)
    if school_id not in _school_ids(request):
        raise Http404
    return _plain(stats.for_bureau(stats.school_stats(school_ids=[school_id])))


def _daily_rows(school_ids: list[int], since: dt.date | None, until: dt.date | None) -> list[dict[str, Any]]:
    qs = AttendanceDaily.objects.filter(school_id__in=school_ids).select_related("school")
    if since:
        qs = qs.filter(date__gte=since)
    if until:
        qs = qs.filter(date__lte=until)
    rows = []
    for cell in qs.order_by("date", "school__code", "grade", "kind").values(
        "school__code", "date", "grade", "kind", "expected", "present", "absent", "leave"
    ):
        row = {
            "school_code": cell["school__code"],
            "date": cell["date"].isoformat(),
            "grade": cell["grade"],
            "kind": cell["kind"],
        }
        for key in ("expected", "present", "absent", "leave"):
            row[key] = cell[key] if cell[key] >= SMALL_CELL else None
        rows.append(row)
    return rows


@router.get("/stats/attendance/daily", response={200: list[dict], 403: ErrorOut, 404: ErrorOut})
@api_allow(Role.BUREAU)
def stats_daily(request: HttpRequest, since: dt.date | None = None, until: dt.date | None = None):
    """Daily pupil-meetings per school × day × grade × course kind (counts under 10 are null)."""
    return _daily_rows(_school_ids(request), since, until)


# --- the regulator export ----------------------------------------------------------------------------


def pupil_ref(student_id: int) -> str:
    """The pseudonymous, stable reference of a pupil in regulator exports (no name, no 学籍号)."""
    key = getattr(settings, "KEHOU_REGULATOR_KEY", "") or f"kehou-regulator:{settings.SECRET_KEY}"
    return hmac.new(key.encode(), str(student_id).encode(), hashlib.sha256).hexdigest()[:16]


def regulator_rows(part: str, school_ids: list[int], since: dt.date | None = None, until: dt.date | None = None):
    if part == "classes":
        data = stats.school_stats(school_ids=school_ids)["by_class"]
        classes = {
            c["pk"]: c
            for c in SchoolClass.objects.filter(school_id__in=school_ids).values(
                "pk", "school__code", "grade", "number"
            )
        }
        rows = []
        for r in data:
            c = classes.get(r["key"])
            if c is None:
                continue
            rows.append(
                {
                    "school_code": c["school__code"],
                    "grade": c["grade"],
                    "class_number": c["number"],
                    "on_roll": r["on_roll"] if r["on_roll"] >= SMALL_CELL else None,
                    "taking_part": r["taking_part"] if r["taking_part"] >= SMALL_CELL else None,
                }
            )
        return rows
    if part == "enrollments":
        seats = (
            Enrollment.objects.filter(section__course__school_id__in=school_ids, status__in=["enrolled", "waitlisted"])
            .values_list(
                "student_id",
                "section__course__school__code",
                "student__grade",
                "section__course__kind",
                "section__course__title",
                "section__code",
                "status",
                "source",
                "created_at",
            )
            .order_by("section__course__school__code", "section_id", "id")
        )
        return [
            {
                "pupil_ref": pupil_ref(sid),
                "school_code": code,
                "grade": grade,
                "course_kind": kind,
                "course": title,
                "section": section,
                "status": status,
                "source": source,
                "since": created.date().isoformat(),
            }
            for sid, code, grade, kind, title, section, status, source, created in seats.iterator(chunk_size=5000)
        ]
    if part == "attendance":
        return _daily_rows(school_ids, since, until)
    raise Http404


@router.get("/regulator/{part}.{fmt}", response={200: Any, 403: ErrorOut, 404: ErrorOut})
@api_allow(Role.BUREAU)
def regulator_export(
    request: HttpRequest, part: str, fmt: str, since: dt.date | None = None, until: dt.date | None = None
):
    """Classes, enrollments (pseudonymous pupil references) or daily attendance as CSV or JSON."""
    if fmt not in ("csv", "json"):
        raise Http404
    rows = regulator_rows(part, _school_ids(request), since, until)
    if fmt == "json":
        body = json.dumps({"part": part, "rows": rows}, cls=DjangoJSONEncoder, ensure_ascii=False)
        return HttpResponse(body, content_type="application/json; charset=utf-8")
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kehou-{part}.csv"'
    return response
