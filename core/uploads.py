"""Uploaded workbooks, read without letting a small file keep a worker busy (issue 15).

An .xlsx is a zip: a 36 KB upload can unpack to many megabytes. Callers first check the members'
declared sizes (`xlsx_unpacked_size`; Python's zipfile never inflates a member past its declared
size, so the declared sum bounds the work), then stream the first sheet with openpyxl's read-only
parser and stop one row past their limit (`xlsx_first_sheet`) instead of building the whole sheet.
openpyxl is imported inside the functions (start-up cost).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

#: An upload whose members add up to more than this is refused before any parsing.
MAX_UNPACKED = 12 * 1024 * 1024
MAX_MEMBERS = 500


def xlsx_unpacked_size(data: bytes) -> int | None:
    """The sum of the members' declared sizes, or None when this is not a workbook at all.

    Raises nothing: a damaged archive is None. Too many members counts as unbounded.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "xl/workbook.xml" not in names:
        return None
    if len(infos) > MAX_MEMBERS:
        return 2**62
    return sum(i.file_size for i in infos)


@dataclass
class SheetRows:
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # header first, at most max_rows + 1 data rows
    more: bool = False  # the sheet goes on past the limit (not read)
    merged: list[tuple[int, int, str]] = field(default_factory=list)  # (min_row, max_row, "A2:B3")


def xlsx_first_sheet(data: bytes, *, max_rows: int, merged: bool = False) -> SheetRows:
    """The first sheet's rows as values, streamed: stops after the header and `max_rows` data rows.

    Row numbers are kept (empty rows included), so `rows[i]` is sheet row i + 1. With `merged`, the
    merged ranges are read too (a second streamed pass over the sheet's XML: read-only sheets do
    not keep them). Raises what openpyxl raises on a damaged file.
    """
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a file's own <dimension> may lie; read what is there
        out = SheetRows()
        out.rows = list(islice(sheet.iter_rows(values_only=True), max_rows + 2))
        if len(out.rows) > max_rows + 1:
            out.rows.pop()
            out.more = True
        if merged and not out.more:
            out.merged = _merged_ranges(sheet)
        return out
    finally:
        book.close()


def _merged_ranges(sheet: Any) -> list[tuple[int, int, str]]:
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import range_boundaries

    found = []
    with sheet._get_source() as source:  # the sheet's XML member, streamed
        for _event, element in iterparse(source):
            if element.tag.endswith("}mergeCell") or element.tag == "mergeCell":
                ref = element.get("ref", "")
                try:
                    _c1, r1, _c2, r2 = range_boundaries(ref)
                except (ValueError, TypeError):
                    continue
                found.append((r1, r2, ref))
            element.clear()
    return sorted(found, key=lambda m: (m[0], m[2]))
