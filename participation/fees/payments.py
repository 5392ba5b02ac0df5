"""Payments from a payment provider's export (CSV or Excel): every row or none.

A school reconciles what its provider (WeChat Pay, Alipay, a bank, the cashier) reports with the
statements it issued: one row per payment — statement number, amount, time paid, channel and the
provider's reference. The file is checked whole before anything is written; one bad row (an
unknown statement, another school's statement, a malformed amount, a reference seen before, more
than is owed) lists its row and writes nothing. No online payment gateway is needed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.exports import csv_text
from core.uploads import MAX_UNPACKED, xlsx_first_sheet, xlsx_unpacked_size
from courses.models import School
from participation.models import Payment, Statement

MAX_BYTES = 2 * 1024 * 1024
MAX_UNCOMPRESSED = MAX_UNPACKED
MAX_ROWS = 20_000

#: column key -> accepted headers (the first is the template's)
COLUMNS: dict[str, tuple[str, ...]] = {
    "statement": ("账单号", "statement", "statement number", "商户订单号", "订单号"),
    "amount": ("金额", "amount", "金额(元)", "支付金额"),
    "paid_at": ("支付时间", "paid at", "paid_at", "交易时间"),
    "channel": ("渠道", "channel", "支付方式"),
    "reference": ("流水号", "reference", "交易单号", "交易流水号"),
}
CHANNELS = {
    **{c.value: c.value for c in Payment.Channel},
    "微信": "wechat",
    "微信支付": "wechat",
    "支付宝": "alipay",
    "银行": "bank",
    "银行转账": "bank",
    "现金": "cash",
    "其他": "other",
}


@dataclass(frozen=True)
class RowProblem:
    row: int | None  # the file's row (1 = headers), None = the whole file
    text: Promise
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return str(self.text) % self.params if self.params else str(self.text)

    def __str__(self) -> str:
        return f"{_('row %(n)s') % {'n': self.row}}: {self.message}" if self.row else self.message


@dataclass
class PaymentImport:
    problems: list[RowProblem] = field(default_factory=list)
    rows: int = 0
    amount: Decimal = Decimal("0.00")
    batch: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _norm(value: Any) -> str:
    return "".join(str(value or "").replace("（", "(").replace("）", ")").split()).lower()


HEADERS = {_norm(name): key for key, names in COLUMNS.items() for name in names}


def _table(upload: Any, report: PaymentImport) -> list[list[Any]] | None:
    """The file's rows (header first) from CSV (UTF-8 or GBK) or an Excel workbook; None on a problem."""
    if upload is None:
        report.problems.append(RowProblem(None, _("Choose a CSV or Excel file to upload.")))
        return None
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        report.problems.append(RowProblem(None, _("The file is too large: at most %(max)s MB."), {"max": 2}))
        return None
    if data.startswith(b"PK\x03\x04"):
        try:
            unpacked = xlsx_unpacked_size(data)
            if unpacked is None or unpacked > MAX_UNCOMPRESSED:
                raise ValueError
            return [list(row) for row in xlsx_first_sheet(data, max_rows=MAX_ROWS + 1).rows]  # one past: "too many"
        except Exception:  # a damaged or foreign file: openpyxl raises many kinds
            report.problems.append(RowProblem(None, _("The file is neither CSV nor an Excel workbook (.xlsx).")))
            return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        report.problems.append(RowProblem(None, _("The file is neither CSV nor an Excel workbook (.xlsx).")))
        return None
    return [row for _n, row in zip(range(MAX_ROWS + 2), csv.reader(io.StringIO(text)), strict=False)]


def _amount(value: Any) -> Decimal | None:
    text = str(value).strip().replace(",", "").replace("¥", "").replace("￥", "") if value is not None else ""
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number <= 0 or number != number.quantize(Decimal("0.01")) or number > 100_000:
        return None
    return number


def _when(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0, 0))
    else:
        text = str(value or "").strip().replace("/", "-")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def payments_parse(
    *, school: School, upload: Any, now: dt.datetime | None = None
) -> tuple[PaymentImport, list[Payment]]:
    """Check the whole file; the payments to write (only if there is no problem)."""
    report = PaymentImport()
    table = _table(upload, report)
    if table is None:
        return report, []
    if len(table) - 1 > MAX_ROWS:
        report.problems.append(RowProblem(None, _("The file has more than %(max)s rows; split it."), {"max": MAX_ROWS}))
        return report, []
    header = [HEADERS.get(_norm(h)) for h in (table[0] if table else [])]
    missing = [COLUMNS[k][0] for k in COLUMNS if k not in header]
    if missing:
        report.problems.append(RowProblem(1, _("Missing columns: %(names)s."), {"names": "、".join(missing)}))
        return report, []
    at = {key: header.index(key) for key in COLUMNS}
    cells = [(n, row) for n, row in enumerate(table[1:], start=2) if any(str(v or "").strip() for v in row)]
    if not cells:
        report.problems.append(RowProblem(None, _("The file has no payment rows under the headers.")))
        return report, []
    numbers = {str(row[at["statement"]] or "").strip() for _n, row in cells if len(row) > at["statement"]}
    statements = {s.number: s for s in Statement.objects.filter(number__in=numbers)}
    seen_refs: dict[tuple[str, str], int] = {}
    owed: dict[int, Decimal] = defaultdict(Decimal)
    payments = []
    now = now or timezone.now()
    for n, row in cells:
        row = list(row) + [None] * (len(COLUMNS) - len(row))
        get = {key: row[i] if i < len(row) else None for key, i in at.items()}
        number = str(get["statement"] or "").strip()
        statement = statements.get(number)
        problems_before = len(report.problems)
        if statement is None or statement.school_id != school.pk:
            report.problems.append(
                RowProblem(n, _("No statement of this school has the number “%(v)s”."), {"v": number[:40]})
            )
        amount = _amount(get["amount"])
        if amount is None:
            report.problems.append(
                RowProblem(
                    n,
                    _("“%(v)s” is not an amount in yuan (more than 0, at most two decimals)."),
                    {"v": str(get["amount"] or "")[:20]},
                )
            )
        paid_at = _when(get["paid_at"])
        if paid_at is None or paid_at > now + dt.timedelta(days=1):
            report.problems.append(
                RowProblem(
                    n,
                    _("“%(v)s” is not a date and time such as 2026-10-08 12:30."),
                    {"v": str(get["paid_at"] or "")[:30]},
                )
            )
        channel = CHANNELS.get(str(get["channel"] or "").strip().lower())
        if channel is None:
            report.problems.append(
                RowProblem(
                    n,
                    _("“%(v)s” is not a channel: use 微信, 支付宝, 银行, 现金 or 其他."),
                    {"v": str(get["channel"] or "")[:20]},
                )
            )
        reference = str(get["reference"] or "").strip()
        if not reference or len(reference) > 64:
            report.problems.append(RowProblem(n, _("Give the provider's reference (at most 64 characters).")))
        elif channel is not None:
            first = seen_refs.setdefault((channel, reference), n)
            if first != n:
                report.problems.append(
                    RowProblem(n, _("This reference already appears in row %(first)s."), {"first": first})
                )
            elif Payment.objects.filter(school=school, channel=channel, reference=reference).exists():
                report.problems.append(
                    RowProblem(n, _("This payment was imported before (same channel and reference)."))
                )
        if len(report.problems) > problems_before or statement is None or amount is None:
            continue
        owed[statement.pk] += amount
        if owed[statement.pk] > statement.total - statement.paid:
            report.problems.append(
                RowProblem(
                    n,
                    _("Statement %(number)s owes %(owed)s yuan; the payments in this file come to more."),
                    {"number": statement.number, "owed": f"{statement.total - statement.paid:.2f}"},
                )
            )
            continue
        payments.append(
            Payment(
                school=school, statement=statement, amount=amount, paid_at=paid_at, channel=channel, reference=reference
            )
        )
    report.rows = len(cells)
    return report, payments if report.ok else []


def payments_import(*, school: School, upload: Any, by: Any, request: HttpRequest | None = None) -> PaymentImport:
    """Import a payment file: all rows in one transaction, or none (the report lists every bad row)."""
    report, payments = payments_parse(school=school, upload=upload)
    if not report.ok:
        return report
    batch = uuid.uuid4().hex[:12]
    with transaction.atomic():
        locked = {
            s.pk: s for s in Statement.objects.select_for_update().filter(pk__in={p.statement_id for p in payments})
        }
        per: dict[int, Decimal] = defaultdict(Decimal)
        for p in payments:
            per[p.statement_id] += p.amount
        for sid, amount in per.items():  # re-checked under the lock: a concurrent import may have paid
            if amount > locked[sid].total - locked[sid].paid:
                report.problems.append(
                    RowProblem(
                        None,
                        _("Statement %(number)s was paid meanwhile; import the file again."),
                        {"number": locked[sid].number},
                    )
                )
                return report
        for p in payments:
            p.batch, p.recorded_by = batch, (by if getattr(by, "pk", None) else None)
        Payment.objects.bulk_create(payments)
        for sid, amount in per.items():
            Statement.objects.filter(pk=sid).update(paid=F("paid") + amount)
        report.amount = sum(per.values(), Decimal("0.00"))
        report.batch = batch
        audit_record(
            action="participation.payments.imported",
            actor=by,
            school_id=school.pk,
            request=request,
            data={"batch": batch, "rows": len(payments), "amount": str(report.amount), "statements": len(per)},
        )
    return report


def payment_template() -> bytes:
    """A CSV with the headers and one example row (UTF-8 with BOM, so Excel opens it in Chinese)."""
    header = [names[0] for names in COLUMNS.values()]
    example = ["101-20260901-1", "35.00", "2027-01-25 12:30", "微信", "4200001234202701251234567890"]
    return csv_text([header, example]).encode("utf-8")
