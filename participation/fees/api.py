"""Fee statements in the API: a family's own children's statements (lines and payments); the
bureau's totals per school (no names). Same selectors, same scopes as the pages."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from accounts.api_access import api_allow
from accounts.models import Role
from accounts.schemas import ErrorOut
from core.validation import Id
from enrollment.selectors import student_get_for_parent
from participation.fees import selectors

router = Router(tags=["fees"])


class StatementLineOut(Schema):
    kind: str
    item: str
    meetings: int
    rate: Decimal
    amount: Decimal
    note: str
    created_at: dt.datetime


class PaymentOut(Schema):
    amount: Decimal
    paid_at: dt.datetime
    channel: str
    reference: str


class StatementOut(Schema):
    id: int
    number: str
    period_start: dt.date
    period_end: dt.date
    total: Decimal
    paid: Decimal
    issued_at: dt.datetime
    lines: list[StatementLineOut]
    payments: list[PaymentOut]


class SchoolFeesOut(Schema):
    school: str
    statements: int
    charged: Decimal
    refunds: Decimal
    exemptions: Decimal
    corrections: Decimal
    due: Decimal
    paid: Decimal
    unpaid: Decimal


@router.get("/children/{student_id}/statements", response={200: list[StatementOut], 404: ErrorOut})
@api_allow(Role.PARENT)
def statements_list(request: HttpRequest, student_id: Id):
    """Your child's fee statements, newest first; another family's child is 404."""
    child = student_get_for_parent(actor=request.actor, student_id=student_id)
    return [
        {
            "id": s.pk,
            "number": s.number,
            "period_start": s.period_start,
            "period_end": s.period_end,
            "total": s.total,
            "paid": s.paid,
            "issued_at": s.issued_at,
            "lines": [
                {
                    "kind": ln.kind,
                    "item": ln.label,
                    "meetings": ln.meetings,
                    "rate": ln.rate,
                    "amount": ln.amount,
                    "note": ln.note,
                    "created_at": ln.created_at,
                }
                for ln in s.lines.all()
            ],
            "payments": [
                {"amount": p.amount, "paid_at": p.paid_at, "channel": p.channel, "reference": p.reference}
                for p in s.payments.all()
            ],
        }
        for s in selectors.statements_for_parent(actor=request.actor, student=child)
    ]


@router.get("/fees/district", response={200: list[SchoolFeesOut]})
@api_allow(Role.BUREAU)
def fees_district(request: HttpRequest):
    """Fee totals per school of your district: statements, charges, refunds, exemptions, due, paid, unpaid."""
    return selectors.fee_totals_for_bureau(actor=request.actor)["schools"]
