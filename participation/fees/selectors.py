"""Reads for fees, each from its role's one scope: a parent their own children's statements, a
coordinator their school's totals and unpaid statements (named), the bureau totals per school only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce

from accounts.access import Actor
from core.ids import get_or_404, id_or_404
from courses.models import School, Term
from enrollment.models import Student
from participation.fees.rules import CENT, ZERO, months_of, period_for, rule_for
from participation.models import FeeExemption, Payment, Statement, StatementLine

MONEY = Coalesce(Sum("amount"), ZERO)


def _money(value: Any) -> Decimal:
    """Sums come back unscaled from SQLite (Decimal('75')): always two decimals."""
    return Decimal(value or 0).quantize(CENT)


# --- parents ------------------------------------------------------------------------------------


def statements_for_parent(*, actor: Actor, student: Student) -> list[Statement]:
    return list(
        Statement.objects.filter(student__in=Student.objects.visible_to_parent(actor), student=student)
        .prefetch_related("lines", "payments")
        .order_by("-period_start", "-id")
    )


def statement_get_for_parent(*, actor: Actor, student: Student, statement_id: Any) -> Statement:
    return get_or_404(
        Statement.objects.filter(student__in=Student.objects.visible_to_parent(actor)).select_related(
            "school", "term", "student__school_class"
        ),
        pk=id_or_404(statement_id),
        student=student,
    )


def exemptions_for_parent(*, actor: Actor, student: Student) -> list[FeeExemption]:
    return list(
        FeeExemption.objects.filter(student__in=Student.objects.visible_to_parent(actor), student=student)
        .select_related("term")
        .order_by("-requested_at")
    )


# --- schools ------------------------------------------------------------------------------------


@dataclass
class PeriodTotals:
    start: dt.date
    end: dt.date
    statements: int
    charged: Decimal
    refunds: Decimal
    exemptions: Decimal
    corrections: Decimal
    due: Decimal
    paid: Decimal
    unpaid_count: int

    @property
    def unpaid(self) -> Decimal:
        return self.due - self.paid


def periods_for_school(*, school: School, term: Term) -> list[tuple[dt.date, dt.date]]:
    """The statement periods of the term under the school's rule (months, or the whole term)."""
    rule = rule_for(school.pk)
    if rule.period == rule.Period.TERM:
        return [(term.start, term.end)]
    return [period_for(rule=rule, term=term, month=m) for m in months_of(term)]


def fee_totals_for_school(*, school: School, term: Term) -> list[PeriodTotals]:
    """Per issued period of the term: statements, charges, refunds, exemptions, corrections, due, paid, unpaid."""
    statements = Statement.objects.filter(school=school, term=term)
    heads = {
        r["period_start"]: r
        for r in statements.values("period_start", "period_end")
        .annotate(
            n=Count("id"),
            due_sum=Coalesce(Sum("total"), ZERO),
            paid_sum=Coalesce(Sum("paid"), ZERO),
            unpaid=Count("id", filter=Q(total__gt=0, paid__lt=F("total"))),
        )
        .order_by()
    }
    kinds = {
        (r["statement__period_start"], r["kind"]): _money(r["money"])
        for r in StatementLine.objects.filter(statement__school=school, statement__term=term)
        .values("statement__period_start", "kind")
        .annotate(money=MONEY)
        .order_by()
    }
    out = []
    for start, head in sorted(heads.items()):
        out.append(
            PeriodTotals(
                start=start,
                end=head["period_end"],
                statements=head["n"],
                charged=kinds.get((start, StatementLine.Kind.CHARGE), ZERO),
                refunds=kinds.get((start, StatementLine.Kind.REFUND), ZERO),
                exemptions=kinds.get((start, StatementLine.Kind.EXEMPTION), ZERO),
                corrections=kinds.get((start, StatementLine.Kind.CORRECTION), ZERO),
                due=_money(head["due_sum"]),
                paid=_money(head["paid_sum"]),
                unpaid_count=head["unpaid"],
            )
        )
    return out


def unpaid_for_school(
    *, school: School, term: Term, start: dt.date | None = None, limit: int = 1000
) -> list[Statement]:
    """Named: statements of the school still owing money (coordinators only)."""
    rows = Statement.objects.filter(school=school, term=term, total__gt=0, paid__lt=F("total"))
    if start is not None:
        rows = rows.filter(period_start=start)
    return list(rows.select_related("student__school_class").order_by("student__grade", "student__name")[:limit])


def statement_get_for_school(*, school: School, statement_id: Any) -> Statement:
    return get_or_404(
        Statement.objects.filter(school=school).select_related("student__school_class", "term"),
        pk=id_or_404(statement_id),
    )


def exemptions_for_school(*, school: School, term: Term) -> list[FeeExemption]:
    return list(
        FeeExemption.objects.filter(term=term, student__school=school)
        .select_related("student__school_class", "requested_by", "decided_by")
        .order_by("status", "-requested_at")
    )


def exemption_get_for_school(*, school: School, exemption_id: Any) -> FeeExemption:
    return get_or_404(
        FeeExemption.objects.filter(student__school=school).select_related("student"), pk=id_or_404(exemption_id)
    )


def payments_for_school(*, school: School, limit: int = 50) -> list[Payment]:
    return list(
        Payment.objects.filter(school=school)
        .select_related("statement__student")
        .order_by("-recorded_at", "-id")[:limit]
    )


# --- the bureau ---------------------------------------------------------------------------------


def fee_totals_for_bureau(*, actor: Actor) -> dict[str, Any]:
    """Per school of the district: statements, amount due, paid, unpaid — totals only, no names."""
    schools = School.objects.visible_to_bureau(actor)
    rows = (
        Statement.objects.filter(school__in=schools)
        .values("school_id", "school__name")
        .annotate(
            n=Count("id"),
            due_sum=Coalesce(Sum("total"), ZERO),
            paid_sum=Coalesce(Sum("paid"), ZERO),
        )
        .order_by("school__name")
    )
    lines = {
        (r["statement__school_id"], r["kind"]): _money(r["money"])
        for r in StatementLine.objects.filter(statement__school__in=schools)
        .values("statement__school_id", "kind")
        .annotate(money=MONEY)
        .order_by()
    }
    out = []
    for r in rows:
        sid = r["school_id"]
        out.append(
            {
                "school": r["school__name"],
                "statements": r["n"],
                "charged": lines.get((sid, StatementLine.Kind.CHARGE), ZERO),
                "refunds": lines.get((sid, StatementLine.Kind.REFUND), ZERO),
                "exemptions": lines.get((sid, StatementLine.Kind.EXEMPTION), ZERO),
                "corrections": lines.get((sid, StatementLine.Kind.CORRECTION), ZERO),
                "due": _money(r["due_sum"]),
                "paid": _money(r["paid_sum"]),
                "unpaid": _money(r["due_sum"]) - _money(r["paid_sum"]),
            }
        )
    keys = ("statements", "charged", "refunds", "exemptions", "corrections", "due", "paid", "unpaid")
    total = {k: sum((row[k] for row in out), 0 if k == "statements" else ZERO) for k in keys}
    return {"schools": out, "total": total}
