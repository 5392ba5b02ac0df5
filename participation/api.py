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

import datetime as dt
import json
from decimal import Decimal
from typing import Any, Literal

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router

from accounts.api_access import api_allow
from accounts.models import Role
from accounts.schemas import ErrorOut
from core.exports import csv_response, csv_text
from core.ids import id_or_404
from core.validation import Day, Id
from participation import exports, stats
from participation import selectors as part_selectors
from participation.schemas import DistrictSummaryOut

router = Router(tags=["statistics"])


def _school_ids(request: HttpRequest) -> list[int]:
    return part_selectors.bureau_school_ids(request.actor)


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
def stats_school(request: HttpRequest, school_id: Id):
    """One school of the district, still aggregate (by grade, class, kind, group, sex, week)."""
    school_id = id_or_404(school_id)
    if school_id not in _school_ids(request):
        raise Http404
    return _plain(stats.for_bureau(stats.school_stats(school_ids=[school_id])))


@router.get("/stats/attendance/daily", response={200: list[dict], 403: ErrorOut, 404: ErrorOut})
@api_allow(Role.BUREAU)
def stats_daily(request: HttpRequest, since: Day | None = None, until: Day | None = None):
    """Daily pupil-meetings per school × day × grade × course kind (counts under 10 are null)."""
    return exports.daily_rows(_school_ids(request), since, until)


# --- the regulator export ----------------------------------------------------------------------------


REGULATOR_CONTENT = {
    "text/csv": {"schema": {"type": "string", "description": "UTF-8 with BOM; text cells never start a formula"}},
    "application/json": {
        "schema": {"type": "object", "properties": {"part": {"type": "string"}, "rows": {"type": "array"}}}
    },
}


@router.get(
    "/regulator/{part}.{fmt}",
    response={200: Any, 403: ErrorOut, 404: ErrorOut},
    openapi_extra={"responses": {"200": {"description": "OK", "content": REGULATOR_CONTENT}}},
)
@api_allow(Role.BUREAU)
def regulator_export(
    request: HttpRequest,
    part: Literal["classes", "enrollments", "attendance"],
    fmt: Literal["csv", "json"],
    since: Day | None = None,
    until: Day | None = None,
):
    """Classes, enrollments (pseudonymous pupil references) or daily attendance as CSV or JSON."""
    if fmt not in ("csv", "json"):
        raise Http404
    rows = exports.regulator_rows(part, _school_ids(request), since, until)
    if fmt == "json":
        body = json.dumps({"part": part, "rows": rows}, cls=DjangoJSONEncoder, ensure_ascii=False)
        return HttpResponse(body, content_type="application/json; charset=utf-8")
    header = list(rows[0]) if rows else []
    return csv_response(
        csv_text([header, *[[r[k] for k in header] for r in rows]] if rows else []), f"kehou-{part}.csv"
    )


@router.get("/district/summary", response={200: DistrictSummaryOut, 403: ErrorOut})
@api_allow(Role.BUREAU)
def district_summary(request: HttpRequest):
    """Participation by school (aggregates; cells under 10 pupils are null)."""
    return part_selectors.district_summary_for_bureau(actor=request.actor)
