"""The notice kind of fees: a statement was issued (one function, through `enrollment.notify.deliver`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.translation import gettext

from enrollment.models import Student
from enrollment.notify import Message, deliver
from messaging.services import site_language
from participation.models import Statement


def statement_issued(statements: Iterable[Statement]) -> int:
    """Tell each family that a statement for its child is issued (amount and where to see it)."""
    statements = list(statements)
    if not statements:
        return 0
    pupils = {
        pk: (family_id, name)
        for pk, family_id, name in Student.objects.filter(pk__in=[s.student_id for s in statements]).values_list(
            "pk", "family_id", "name"
        )
    }
    with site_language():
        messages = [
            Message(
                pupils[s.student_id][0],
                s.student_id,
                "statement_issued",
                gettext("Fee statement for %(child)s: %(amount)s yuan")
                % {"child": pupils[s.student_id][1], "amount": f"{s.total:.2f}"},
                gettext("For %(start)s to %(end)s, from the registers. Statement %(number)s.")
                % {"start": s.period_start.isoformat(), "end": s.period_end.isoformat(), "number": s.number},
                reverse("participation:family_statements", args=[s.student_id]),
            )
            for s in statements
        ]
    return deliver(messages)
