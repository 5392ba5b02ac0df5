"""Exports of participation: the dashboard's workbook and the regulator's CSV/JSON rows.

Bureau exports carry aggregates only (suppressed cells read "<10"); the coordinator's workbook may
add the school's named lists. The regulator rows use pseudonymous pupil references (see `pupil_ref`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import xlsx_row
from courses.models import SchoolClass
from enrollment.models import Enrollment
from participation import stats
from participation.models import AttendanceDaily
from participation.stats import SMALL_CELL


def _cell(value: Any) -> Any:
    if value is None:
        return f"<{SMALL_CELL}"
    if isinstance(value, Decimal):
        return float(value)
    return value


def workbook(stats: dict[str, Any], *, title: str, named: dict[str, Any] | None = None, schools: bool = True):
    """Every table of the dashboard as a sheet (write-only: the district exports in well under a second).

    Suppressed cells read "<10". `named` (coordinators only) adds the lists with pupils' names.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    part_cols = [
        ("label", _("group")),
        ("on_roll", _("on roll")),
        ("taking_part", _("taking part")),
        ("rate", _("participation rate (%)")),
        ("five_days", _("all five days (5+2)")),
    ]
    att_cols = [
        ("expected", _("pupil-meetings expected")),
        ("present", _("present")),
        ("absent", _("absent")),
        ("leave", _("on leave")),
        ("attendance_rate", _("attendance rate (%)")),
    ]

    def sheet(name: str, columns: list[tuple[str, Any]], rows: Iterable[dict[str, Any]]) -> None:
        ws = book.create_sheet(str(name)[:31])
        xlsx_row(ws, [title])
        xlsx_row(ws, [str(label) for _key, label in columns])
        for row in rows:
            xlsx_row(ws, [_cell(row.get(key)) for key, _label in columns])

    total = stats["total"]
    demand_ = stats["demand"]
    summary = [
        (_("pupils on roll"), total.get("on_roll")),
        (_("pupils taking part"), total.get("taking_part")),
        (_("participation rate (%)"), total.get("rate")),
        (_("target (%)"), stats["target"]),
        (_("all five days (5+2)"), total.get("five_days")),
        (_("attendance rate (%)"), total.get("attendance_rate")),
        (_("registers behind the attendance rate"), total.get("registers")),
        (_("pupils behind the attendance rate"), total.get("attendance_pupils")),
        (_("first-choice rate (%)"), demand_.get("first_choice_rate")),
        (_("pupils on a waitlist"), demand_.get("waiting")),
        (_("pupils without an allocated seat"), demand_.get("unplaced")),
        (_("periods taught (registers taken)"), stats.get("periods")),
        (_("fees due (yuan)"), total.get("fee_due")),
        (_("low-income pupils taking part (exempt)"), stats.get("exempt_taking_part")),
    ]
    ws = book.create_sheet(_("Summary"))
    xlsx_row(ws, [title])
    for label, value in summary:
        xlsx_row(ws, [str(label), _cell(value)])
    if schools:
        sheet(
            _("By school"),
            [
                ("label", _("school")),
                ("kind", _("kind")),
                *part_cols[1:],
                *att_cols,
                ("waiting", _("pupils on a waitlist")),
                ("first_choice_rate", _("first-choice rate (%)")),
                ("periods", _("periods taught (registers taken)")),
                ("fee_due", _("fees due (yuan)")),
            ],
            stats["by_school"],
        )
    sheet(_("By grade"), part_cols + att_cols, stats["by_grade"])
    sheet(_("By class"), part_cols, stats["by_class"])
    sheet(_("By course kind"), part_cols[:4] + att_cols, stats["by_kind"])
    sheet(_("By priority group"), part_cols, stats["by_group"])
    sheet(_("By sex"), part_cols, stats["by_sex"])
    sheet(
        _("Weekly trend"),
        [
            ("label", _("week of")),
            ("expected", _("pupil-meetings expected")),
            ("present", _("present")),
            ("leave", _("on leave")),
            ("attendance_rate", _("attendance rate (%)")),
        ],
        stats["weekly"],
    )
    sheet(
        _("Partner courses"),
        [("label", _("partner course")), ("schools", _("host schools")), ("pupils", _("pupils"))],
        stats["partner"],
    )
    if named:
        ws = book.create_sheet(_("Pupils without a seat")[:31])
        xlsx_row(ws, [_("name"), _("class")])
        for pupil in named["without_seat"]:
            xlsx_row(ws, [pupil.name, str(pupil.school_class)])
        ws = book.create_sheet(_("Low attendance")[:31])
        xlsx_row(ws, [_("name"), _("grade"), _("class number"), _("expected"), _("present"), _("attendance rate (%)")])
        for r in named["low_attendance"]:
            xlsx_row(
                ws,
                [
                    r["student__name"],
                    r["student__grade"],
                    r["student__school_class__number"],
                    r["expected"],
                    r["present"],
                    r["attendance_rate"],
                ],
            )
    return book


# --- the regulator's rows (CSV / JSON) --------------------------------------------------------------


def daily_rows(school_ids: list[int], since: dt.date | None, until: dt.date | None) -> list[dict[str, Any]]:
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
        [counts] = stats.suppress_table([{k: cell[k] for k in ("expected", "present", "absent", "leave")}])
        rows.append({**row, **counts})
    return rows


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
        data = [r for r in data if r["key"] in classes]
        cells = [{"on_roll": r["on_roll"], "taking_part": r["taking_part"]} for r in data]
        total = {k: sum(c[k] for c in cells) for k in ("on_roll", "taking_part")}  # the district's, published
        shown = stats.suppress_table(cells, total=total)
        rows = []
        for r, counts in zip(data, shown, strict=True):
            c = classes[r["key"]]
            rows.append({"school_code": c["school__code"], "grade": c["grade"], "class_number": c["number"], **counts})
        return rows
    if part == "enrollments":
        seats = (
            Enrollment.objects.active()
            .filter(section__course__school_id__in=school_ids)
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
                "since": timezone.localdate(created).isoformat(),
            }
            for sid, code, grade, kind, title, section, status, source, created in seats.iterator(chunk_size=5000)
        ]
    if part == "attendance":
        return daily_rows(school_ids, since, until)
    raise Http404
