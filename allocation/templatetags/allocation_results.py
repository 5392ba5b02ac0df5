"""`{% allocation_result child %}`: the child's seat allocation result on the family pages.

The caller passes a child already scoped to the acting parent (the family pages only ever hold
their own children), so a parent sees only their own child's explanation.
"""

from __future__ import annotations

from django import template

from enrollment.models import EnrollmentWindow

register = template.Library()


@register.inclusion_tag("allocation/result.html", takes_context=True)
def allocation_result(context, child):
    from allocation import selectors as alloc_selectors

    outcome = alloc_selectors.outcome_for_student(child)
    commitment = (
        outcome.run.window
        if outcome is not None
        else EnrollmentWindow.objects.filter(school_id=child.school_id, mode=EnrollmentWindow.Mode.PREFERENCE)
        .exclude(lottery_seed_hash="")
        .order_by("-opens_at", "-id")
        .first()
    )
    head_start = (
        alloc_selectors.head_start_for(student=child) if outcome is not None and outcome.best_rank is None else None
    )
    return {
        "child": child,
        "outcome": outcome,
        "commitment": commitment,
        "head_start": head_start,
        "head_start_until": alloc_selectors.head_start_until(head_start) if head_start else None,
        "LANGUAGE_CODE": context.get("LANGUAGE_CODE"),
    }
