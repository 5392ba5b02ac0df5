"""The notice kind of the allocation: its result, one message per family and child (through
`enrollment.notify.deliver`, the channel seam)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from allocation.models import AllocationOutcome, AllocationRun
from enrollment.notify import Message, deliver
from messaging.services import site_language


def allocation_results_published(run: AllocationRun) -> int:
    """Tell every family with a pupil in the run what the allocation gave (the explanation as shown)."""
    outcomes = AllocationOutcome.objects.filter(run=run).select_related("student")
    with site_language():
        messages = [
            Message(
                o.student.family_id,
                o.student_id,
                "allocation_result",
                (
                    gettext("Allocation result for %(child)s: a seat")
                    if o.sections
                    else gettext("Allocation result for %(child)s: no seat this time")
                )
                % {"child": o.student.name},
                o.text_zh,
                reverse("enrollment:child_detail", args=[o.student_id]),
            )
            for o in outcomes.iterator(chunk_size=2000)
        ]
    return deliver(messages)
