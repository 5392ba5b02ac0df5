"""The shared Excel import reader: columns, problems, one sheet read with every limit, templates.

Every import (teachers and rooms in `courses`, pupils in `pupils`, institutions in `supervision`)
works in the same two steps: `read_sheet` returns rows and problems and writes nothing; the app's
`*_import` applies the rows in ONE transaction only when there is no problem at all. Every
problem names its spreadsheet row and column and is translated when shown. openpyxl is imported
inside the functions that need it (it costs start-up time otherwise).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.exports import xlsx_bytes, xlsx_row, xlsx_set
from core.uploads import MAX_UNPACKED, xlsx_first_sheet, xlsx_unpacked_size

MAX_BYTES = 5 * 1024 * 1024  # the upload itself
MAX_UNCOMPRESSED = MAX_UNPACKED  # what the .xlsx (a zip) unpacks to (12 MB): refuses zip bombs
MAX_ROWS = 5000  # data rows: a large school has about 3,000 pupils
MAX_PROBLEMS = 300  # listed problems; the count says how many more there are

PHONE_RE = re.compile(r"^1\d{10}$")
LIST_SPLIT_RE = re.compile(r"[,，、;；/\s]+")

MESSAGES: dict[str, Promise] = {
    "no_file": _("Choose an Excel file (.xlsx) to upload."),
    "not_xlsx": _("The file is not an Excel workbook (.xlsx). Save it as “Excel workbook (.xlsx)” and upload again."),
    "too_large": _("The file is too large: at most %(max)s MB."),
    "too_many_rows": _("The sheet has %(n)s data rows; at most %(max)s can be imported at once."),
    "empty": _("The first sheet has no data rows under the headers."),
    "merged": _("Cells %(range)s are merged. Unmerge them so that each cell holds one value."),
    "missing_column": _("The column “%(name)s” is missing from the header row (row 1)."),
    "unknown_column": _("The column “%(name)s” is not part of the template."),
    "duplicate_column": _("The column “%(name)s” appears twice."),
    "required": _("This cell must not be empty."),
    "not_text": _("Expected text, found %(found)s."),
    "not_integer": _("Expected a whole number, found “%(value)s”."),
    "out_of_range": _("Expected a number from %(min)s to %(max)s, found %(value)s."),
    "too_long": _("At most %(max)s characters."),
    "bad_phone": _("“%(value)s” is not a mobile number (11 digits starting with 1)."),
    "bad_choice": _("“%(value)s” is not one of: %(choices)s."),
    "duplicate_in_file": _("“%(value)s” already appears in row %(first)s."),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file; `row` is the spreadsheet row (1 = headers, None = whole file)."""

    code: str
    text: Promise
    row: int | None = None
    column: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """In the language active when shown, not when parsed."""
        return str(self.text) % self.params if self.params else str(self.text)

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(str(_("row %(n)s") % {"n": self.row}))
        if self.column:
            where.append(self.column)
        return f"{' · '.join(where)}: {self.message}" if where else self.message


def problem(code: str, *, row: int | None = None, column: str = "", messages: dict | None = None, **params) -> Problem:
    text = (messages or {}).get(code) or MESSAGES[code]
    return Problem(code=code, text=text, row=row, column=column, params=params)


@dataclass(frozen=True)
class Column:
    """One column of an import template. `header` is the Chinese header the template carries;
    `aliases` are accepted too (English headers, common variants)."""

    key: str
    header: str
    kind: str  # text | int | phone | list
    required: bool = False
    aliases: tuple[str, ...] = ()
    max_length: int = 50
    min_value: int | None = None
    max_value: int | None = None
    help: Promise | str = ""
    example: str = ""


@dataclass
class ParseResult:
    rows: list[dict[str, Any]] = field(default_factory=list)  # each has "_row": the spreadsheet row
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def add(self, p: Problem) -> None:
        self.problems.append(p)

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.row or 0, p.column))


@dataclass
class ImportResult:
    """What an import did: problems (then nothing was written) or counts of what changed."""

    problems: list[Problem] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def shown_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.row or 0, p.column))[:MAX_PROBLEMS]

    @property
    def hidden_problems(self) -> int:
        return max(0, len(self.problems) - MAX_PROBLEMS)


# --- Reading a workbook ------------------------------------------------------------------------------


def _norm_header(value: Any) -> str:
    text = str(value if value is not None else "").replace("*", "").replace("＊", "")
    text = text.replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", text).lower()


def _found(value: Any) -> str:
    if isinstance(value, bool):
        return str(_("a true/false value"))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return str(_("a date or time"))
    return f"“{value}”"


def _as_text(value: Any) -> str | None:
    """Cell → text; numbers typed as numbers (学籍号, phones) become their digits. None if not text."""
    if isinstance(value, bool) or isinstance(value, dt.datetime | dt.date | dt.time):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        return str(int(value)) if value == int(value) else str(value)
    return " ".join(str(value).split())


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool) or isinstance(value, dt.datetime | dt.date | dt.time):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        return int(value) if value == int(value) else None
    text = str(value).strip()
    return int(text) if re.fullmatch(r"[+-]?\d{1,9}", text) else None


def _convert(column: Column, value: Any, row: int, result: ParseResult) -> Any:
    """The typed value of one cell, or None after recording a problem (or when it is empty)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if column.required:
            result.add(problem("required", row=row, column=column.header))
        return None
    if column.kind == "int":
        number = _as_int(value)
        if number is None:
            result.add(problem("not_integer", row=row, column=column.header, value=_as_text(value) or _found(value)))
            return None
        lo, hi = column.min_value, column.max_value
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            result.add(problem("out_of_range", row=row, column=column.header, min=lo, max=hi, value=number))
            return None
        return number
    text = _as_text(value)
    if text is None:
        result.add(problem("not_text", row=row, column=column.header, found=_found(value)))
        return None
    if column.kind == "phone":
        digits = re.sub(r"[\s-]", "", text)
        if not PHONE_RE.match(digits):
            result.add(problem("bad_phone", row=row, column=column.header, value=text[:30]))
            return None
        return digits
    if column.kind == "list":
        return [part for part in LIST_SPLIT_RE.split(text) if part]
    if len(text) > column.max_length:
        result.add(problem("too_long", row=row, column=column.header, max=column.max_length))
        return None
    return text


def _upload_bytes(upload: Any, result: ParseResult) -> bytes | None:
    if upload is None:
        result.add(problem("no_file"))
        return None
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        result.add(problem("too_large", max=MAX_BYTES // (1024 * 1024)))
        return None
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        result.add(problem("too_large", max=MAX_BYTES // (1024 * 1024)))
        return None
    if not data.startswith(b"PK\x03\x04"):
        result.add(problem("not_xlsx"))
        return None
    unpacked = xlsx_unpacked_size(data)
    if unpacked is None:
        result.add(problem("not_xlsx"))
        return None
    if unpacked > MAX_UNCOMPRESSED:
        result.add(problem("too_large", max=MAX_BYTES // (1024 * 1024)))
        return None
    return data


def read_sheet(upload: Any, columns: list[Column]) -> ParseResult:
    """Rows of the first sheet as {column key: typed value, "_row": n}; every problem found.

    Row 1 holds the headers. Empty rows are skipped. Rows that touch merged cells are reported
    (once per merged block) and not read further, so one merge does not produce a dozen errors.
    """
    result = ParseResult()
    data = _upload_bytes(upload, result)
    if data is None:
        return result
    try:
        sheet = xlsx_first_sheet(data, max_rows=MAX_ROWS, merged=True)
    except Exception:  # openpyxl raises many kinds on a damaged or foreign file
        result.add(problem("not_xlsx"))
        return result
    if sheet.more:  # streamed and stopped: a huge sheet is never read to its end
        result.add(problem("too_many_rows", n=f"{MAX_ROWS}+", max=MAX_ROWS))
        return result

    merged_rows: set[int] = set()
    for min_row, max_row, ref in sheet.merged:
        result.add(problem("merged", row=min_row, range=ref))
        merged_rows.update(range(min_row, max_row + 1))

    rows = iter(sheet.rows)
    header = next(rows, None) or ()
    by_name: dict[str, Column] = {}
    for column in columns:
        for name in (column.header, column.key, *column.aliases):
            by_name[_norm_header(name)] = column
    positions: dict[str, int] = {}
    for index, raw in enumerate(header):
        name = _norm_header(raw)
        if not name:
            continue
        column = by_name.get(name)
        if column is None:
            result.add(problem("unknown_column", row=1, column=str(raw).strip(), name=str(raw).strip()))
        elif column.key in positions:
            result.add(problem("duplicate_column", row=1, column=column.header, name=column.header))
        else:
            positions[column.key] = index
    for column in columns:
        if column.required and column.key not in positions:
            result.add(problem("missing_column", row=1, column=column.header, name=column.header))
    if any(p.row == 1 for p in result.problems):
        return result  # with the wrong headers every row would be misread

    present = [c for c in columns if c.key in positions]
    for number, values in enumerate(rows, start=2):
        if number in merged_rows:
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        row: dict[str, Any] = {"_row": number}
        for column in present:
            index = positions[column.key]
            row[column.key] = _convert(column, values[index] if index < len(values) else None, number, result)
        result.rows.append(row)
    if not result.rows and not result.problems:
        result.add(problem("empty"))
    return result


def check_unique(result: ParseResult, key: str, header: str, *, normalise: Callable[[str], str] = str) -> None:
    """A value that must be unique within the file: the second and later rows are problems."""
    first: dict[str, int] = {}
    for row in result.rows:
        value = row.get(key)
        if not value:
            continue
        norm = normalise(value)
        if norm in first:
            result.add(problem("duplicate_in_file", row=row["_row"], column=header, value=value, first=first[norm]))
        else:
            first[norm] = row["_row"]


def choice_lookup(choices: Iterable[tuple[str, Any]], *, extra: dict[str, str] | None = None) -> dict[str, str]:
    """{accepted spelling (lower case) → key}: the key, the English and the Chinese label."""
    lookup: dict[str, str] = {}
    for key, label in choices:
        lookup[str(key).lower()] = key
        with translation.override("en"):
            lookup[str(label).lower()] = key
        with translation.override("zh-hans"):
            lookup[str(label).lower()] = key
    for spelling, key in (extra or {}).items():
        lookup[spelling.lower()] = key
    return lookup


def choice_labels(choices: Iterable[tuple[str, Any]]) -> str:
    return "、".join(str(label) for _key, label in choices)


# --- Templates -------------------------------------------------------------------------------------


def build_template(*, title: str, columns: list[Column]) -> bytes:
    """An .xlsx with the header row (required columns starred), text-formatted cells where typing a
    number would lose leading zeros, and a second sheet explaining each column with an example."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(columns, start=1):
        cell = xlsx_set(sheet, 1, index, column.header + ("*" if column.required else ""))
        cell.font = bold
        if column.required:
            cell.fill = fill
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.kind in {"text", "phone", "list"}:
            for row in range(2, 502):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(str(_("Instructions"))[:31])
    xlsx_row(notes, [_("column"), _("required"), _("what to enter"), _("example")])
    for cell in notes[1]:
        cell.font = bold
    for column in columns:
        xlsx_row(notes, [column.header, _("yes") if column.required else "", column.help, column.example])
    xlsx_row(notes, [])
    xlsx_row(notes, [str(_("Fill in the first sheet only, one row per line; do not merge cells or rename headers."))])
    for letter, width in zip("ABCD", (16, 8, 70, 24), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        row[2].alignment = Alignment(wrap_text=True, vertical="top")
    return xlsx_bytes(workbook)
