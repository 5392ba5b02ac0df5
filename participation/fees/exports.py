"""Fee downloads, written through ONE function (`table_xlsx`) on the shared inert-cell helper of
`core.exports` (user text is written as text, never a formula)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from core.exports import xlsx_bytes, xlsx_row


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
        xlsx_row(sheet, [str(v) if isinstance(v, bool) else v for v in row])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return xlsx_bytes(book)
