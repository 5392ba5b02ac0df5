"""Fee downloads, written through ONE function (`table_xlsx`) that writes user text as text.

When the shared export helper of `core.exports` (issue 15) is merged, `table_xlsx` becomes a call
to it; nothing else here needs to change.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any


def _cell(value: Any) -> Any:
    """Numbers stay numbers; text is written as text (never a formula, whatever it starts with)."""
    if value is None or isinstance(value, bool):
        return "" if value is None else str(value)
    if isinstance(value, int | float | Decimal):
        return value
    return str(value)


def table_xlsx(
    *, title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], widths: Sequence[int] = ()
) -> bytes:
    """A one-sheet workbook: a title row, a header row, then the rows."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "sheet"
    for row in [[title], header, *rows]:
        sheet.append([_cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # openpyxl reads "=…" as a formula: keep it the text it is
                cell.data_type = "s"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
