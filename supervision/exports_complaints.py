"""The bureau's Excel of complaints: one row per complaint and a sheet of counts. Never the contact,
the description or a pupil's name: the columns come from the selector's list columns."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import xlsx_bytes, xlsx_row
from supervision.selectors_complaints import complaint_rows, complaint_stats


def complaints_workbook(qs: QuerySet) -> bytes:
    from openpyxl import Workbook

    today = timezone.localdate()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("complaint list")[:31])
    xlsx_row(
        sheet,
        [
            _("number"),
            _("received at"),
            _("channel"),
            _("category"),
            _("about"),
            _("status"),
            _("handler"),
            _("time limit"),
            _("overdue"),
            _("replied"),
            _("satisfaction"),
            _("closed"),
        ],
    )
    for r in complaint_rows(qs, today=today):
        xlsx_row(
            sheet,
            [
                r["number"],
                timezone.localtime(r["received_at"]).strftime("%Y-%m-%d %H:%M"),
                r["channel_label"],
                r["category_label"],
                r["subject"],
                r["status_label"],
                r["handler"],
                r["due"],
                _("yes") if r["overdue"] else "",
                _("yes") if r["replied"] else "",
                r["satisfaction_label"],
                timezone.localtime(r["closed_at"]).strftime("%Y-%m-%d") if r["closed_at"] else "",
            ],
        )
    stats = complaint_stats(qs, today=today)
    counts = workbook.create_sheet(_("counts")[:31])
    xlsx_row(counts, [_("category"), _("number of complaints"), _("overdue")])
    for _value, label, n, overdue in stats["by_category"]:
        xlsx_row(counts, [label, n, overdue])
    xlsx_row(counts, [])
    xlsx_row(counts, [_("status"), _("number of complaints")])
    for _value, label, n in stats["by_status"]:
        xlsx_row(counts, [label, n])
    xlsx_row(counts, [])
    xlsx_row(counts, [_("satisfaction"), _("number of complaints")])
    for _value, label, n in stats["by_satisfaction"]:
        xlsx_row(counts, [label, n])
    return xlsx_bytes(workbook)
