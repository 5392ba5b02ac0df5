"""Build small workbooks in memory for the import tests (bad ones on purpose)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_bytes(rows: Iterable[Sequence[Any]], *, merge: Iterable[str] = ()) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for block in merge:
        sheet.merge_cells(block)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(rows: Iterable[Sequence[Any]] = (), *, merge: Iterable[str] = (), name: str = "名单.xlsx", data=None):
    content = data if data is not None else workbook_bytes(rows, merge=merge)
    return SimpleUploadedFile(name, content, content_type=XLSX)


def read_rows(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]
