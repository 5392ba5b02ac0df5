"""Exports of timetables: Excel workbooks (per class, per teacher, whole school) and iCalendar feeds.

openpyxl is imported inside the functions (start-up cost). The iCalendar text is written by hand
(RFC 5545: CRLF, escaped text, lines folded at 75 octets); times are UTC so every client agrees.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from core.exports import xlsx_bytes, xlsx_row
from courses.models import SchoolClass, Teacher
from scheduling import selectors
from scheduling.models import Placement, Timetable


def _label(p: Placement) -> str:
    return f"{p.section.course.title} {p.section.code}\n{p.room.name} · {p.teacher.name}"


def _sheet_title(text: str, used: set[str]) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "-", text)[:28] or "sheet"
    base, n = title, 2
    while title in used:
        title = f"{base[:26]}-{n}"
        n += 1
    used.add(title)
    return title


def _grid_sheet(ws, timetable: Timetable, placements: list[Placement], heading: str) -> None:
    from openpyxl.styles import Alignment, Font

    grid = selectors.week_grid(school=timetable.school, placements=placements)
    xlsx_row(ws, [heading])
    ws["A1"].font = Font(bold=True, size=13)
    xlsx_row(ws, ["", *[label for _wd, label in grid["weekdays"]]])
    for row in grid["rows"]:
        xlsx_row(
            ws,
            [f"第{row['session']}节 {row['start']:%H:%M}–{row['end']:%H:%M}"]
            + ["\n\n".join(_label(p) for p in cell["placements"]) for cell in row["cells"]],
        )
    ws.column_dimensions["A"].width = 18
    for col in "BCDEF":
        ws.column_dimensions[col].width = 30
    for r in ws.iter_rows(min_row=2):
        for c in r:
            c.alignment = Alignment(wrap_text=True, vertical="top")


def timetable_xlsx(*, timetable: Timetable, by: str = "school") -> bytes:
    """A workbook of the timetable: one grid for the school, or one sheet per class or teacher."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    title = f"{timetable.school.name} {timetable.term.name} v{timetable.version}"
    if by == "class":
        for klass in SchoolClass.objects.filter(school=timetable.school).order_by("grade", "number"):
            ps = selectors.placements_for_view(timetable=timetable, view="class", obj_id=klass.pk)
            _grid_sheet(wb.create_sheet(_sheet_title(str(klass), used)), timetable, ps, f"{title} · {klass}")
    elif by == "teacher":
        ids = timetable.placements.values_list("teacher_id", flat=True).distinct()
        for teacher in Teacher.objects.filter(pk__in=ids).order_by("name"):
            ps = selectors.placements_for_view(timetable=timetable, view="teacher", obj_id=teacher.pk)
            _grid_sheet(wb.create_sheet(_sheet_title(teacher.name, used)), timetable, ps, f"{title} · {teacher.name}")
    else:
        ps = selectors.placements_for_view(timetable=timetable, view="school", obj_id=None)
        _grid_sheet(wb.create_sheet(_sheet_title("全校", used)), timetable, ps, title)
        ws = wb.create_sheet(_sheet_title("明细", used))
        xlsx_row(ws, ["课程", "教学班", "第几次", "星期", "节次", "开始", "结束", "教室", "老师", "固定"])
        for p in ps:
            xlsx_row(ws, [p.section.course.title, p.section.code, p.meeting + 1, p.slot.get_weekday_display(),
                       p.slot.session, f"{p.slot.start:%H:%M}", f"{p.slot.end:%H:%M}", p.room.name,
                       p.teacher.name, "是" if p.pinned else ""])  # fmt: skip
    if not wb.sheetnames:
        wb.create_sheet("空")
    return xlsx_bytes(wb)


# --- iCalendar -------------------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out, current = [], b""
    for ch in line:
        b = ch.encode()
        if len(current) + len(b) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += b
    out.append(current.decode())
    return "\r\n ".join(out)


def _utc(day: dt.date, t: dt.time, tz: ZoneInfo) -> str:
    return dt.datetime.combine(day, t, tzinfo=tz).astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def ical_for_placements(*, name: str, placements: Iterable[Placement]) -> str:
    """One VEVENT per actual meeting date: the term's weekdays minus holidays plus swapped days."""
    tz = ZoneInfo(settings.TIME_ZONE)
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Kehou//after-school timetable//ZH",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(name)}",
        f"X-WR-TIMEZONE:{settings.TIME_ZONE}",
    ]
    days_by_term: dict[int, list[tuple[dt.date, int]]] = {}
    for p in placements:
        term = p.timetable.term
        if term.pk not in days_by_term:
            days_by_term[term.pk] = selectors.term_days(term)
        for day, weekday in days_by_term[term.pk]:
            if weekday != p.slot.weekday:
                continue
            lines += [
                "BEGIN:VEVENT",
                f"UID:kehou-{p.timetable_id}-{p.section_id}-{p.meeting}-{day:%Y%m%d}@kehou",
                f"DTSTAMP:{stamp}",
                f"DTSTART:{_utc(day, p.slot.start, tz)}",
                f"DTEND:{_utc(day, p.slot.end, tz)}",
                f"SUMMARY:{_escape(f'{p.section.course.title} {p.section.code}')}",
                f"LOCATION:{_escape(f'{p.timetable.school.name} {p.room.name}')}",
                f"DESCRIPTION:{_escape(f'{p.teacher.name} · {p.timetable.term.name}')}",
                "END:VEVENT",
            ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
