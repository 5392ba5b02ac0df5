"""Exports the site hands out: one place that turns a workbook or table into a download.

Every Excel and CSV export writes its cells through `xlsx_row` / `csv_rows` (issue 15): user text is
written as *text*, never as a formula. In a workbook a string cell is stored as a string (openpyxl
otherwise turns "=…" into a formula); in a CSV, which has no types, text that a spreadsheet would
read as a formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe —
the usual defence against formula ("CSV") injection. Characters a workbook cannot hold are dropped
instead of failing the download.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: What a spreadsheet reads as the start of a formula (or of a DDE payload after a tab/CR).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Control characters a workbook (XML 1.0) cannot hold; openpyxl would raise on them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def _plain(value: Any) -> Any:
    """Numbers, dates and booleans stay what they are; anything else becomes its text."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | dt.date | dt.time):
        return value
    return str(value)


def csv_cell(value: Any) -> Any:
    """One CSV cell: text that would start a formula is prefixed with an apostrophe."""
    value = _plain(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(rows: Iterable[Sequence[Any]], *, bom: bool = True) -> str:
    """A whole CSV document (UTF-8 BOM first, so Excel opens Chinese text correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" if bom else "") + buffer.getvalue()


def _text(value: Any) -> Any:
    value = _plain(value)
    return _ILLEGAL_XML.sub("", value) if isinstance(value, str) else value


def xlsx_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row of user data to a worksheet (normal or write-only) as inert cells: strings are
    typed as strings, never formulas; characters a workbook cannot hold are dropped."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    values = [_text(v) for v in values]
    if isinstance(sheet, WriteOnlyWorksheet):
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
        return
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":  # openpyxl reads "=…" as a formula: keep it the text it is
            cell.data_type = "s"


def xlsx_set(sheet: Any, row: int, column: int, value: Any) -> Any:
    """`sheet.cell(row, column, value)` with the value written as inert text."""
    cell = sheet.cell(row=row, column=column, value=_text(value))
    if cell.data_type == "f":
        cell.data_type = "s"
    return cell


def xlsx_bytes(book: Any) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """An Excel download (never cached: it holds a school's data)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response


def csv_response(text: str, filename: str) -> HttpResponse:
    """A CSV download (never cached)."""
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response
