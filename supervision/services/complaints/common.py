"""What every step of a complaint shares: the workflow's transitions and time limits, the history
line, the row lock and the handler check (the package docstring has the workflow)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.errors import DomainError
from supervision.models import Complaint, ComplaintEvent
from supervision.selectors_complaints import district_calendar
from supervision.workdays import add_working_days

S = Complaint.Status
A = ComplaintEvent.Action

#: Which step may follow which (the workflow of the issue); closing and referring end it.
TRANSITIONS: dict[str, set[str]] = {
    S.RECEIVED: {S.ASSIGNED},
    S.ASSIGNED: {S.VERIFYING},
    S.VERIFYING: {S.SUBSTANTIATED, S.UNSUBSTANTIATED},
    S.SUBSTANTIATED: {S.RECTIFYING, S.REFERRED},
    S.UNSUBSTANTIATED: {S.CLOSED},
    S.RECTIFYING: {S.FOLLOWED_UP, S.REFERRED},
    S.FOLLOWED_UP: {S.CLOSED, S.REFERRED},
}
BEFORE_OUTCOME = (S.RECEIVED, S.ASSIGNED, S.VERIFYING)

#: Working days each stage may take, and from when: (days, "received" | "stage" | "rectify_by").
#: Assign on the next working day; verify and find within 10 working days of receipt; an
#: unsubstantiated complaint is answered and closed within 15; a substantiated one is acted on
#: within 5; the follow-up (回头看) comes within 5 of the rectification deadline; then 5 to close.
STAGE_LIMITS: dict[str, tuple[int, str]] = {
    S.RECEIVED: (1, "received"),
    S.ASSIGNED: (10, "received"),
    S.VERIFYING: (10, "received"),
    S.UNSUBSTANTIATED: (15, "received"),
    S.SUBSTANTIATED: (5, "stage"),
    S.RECTIFYING: (5, "rectify_by"),
    S.FOLLOWED_UP: (5, "stage"),
}


def due_for(complaint: Complaint, status: str, today: dt.date) -> dt.date | None:
    """The time limit of `status` for this complaint, counted in the district's working days."""
    limit = STAGE_LIMITS.get(status)
    if limit is None:
        return None
    days, base = limit
    start = {"received": complaint.received_on, "stage": today, "rectify_by": complaint.rectify_by or today}[base]
    school_days, term_dates = district_calendar(complaint.district_id, start, start + dt.timedelta(days=3 * days + 45))
    return add_working_days(start, days, school_days=school_days, term_dates=term_dates)


def event(complaint: Complaint, action: str, by: Any, *, before: str | None = None, note: str = "") -> ComplaintEvent:
    """One line of the history; `before`: the status before a step that may change it."""
    moved = before is not None and before != complaint.status
    return ComplaintEvent.objects.create(
        complaint=complaint,
        action=action,
        by=by if getattr(by, "pk", None) else None,
        status_from=before or "",
        status_to=complaint.status if moved else "",
        note=note[:4000],
    )


def lock(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",)).select_related("institution", "school").get(pk=complaint.pk)
    )


def handler_only(complaint: Complaint, by: Any) -> None:
    if complaint.handler_id is None or complaint.handler_id != getattr(by, "pk", None):
        raise DomainError("complaint_not_handler")


def move(complaint: Complaint, to: str, *, today: dt.date) -> str:
    """Check the step against the workflow, set the status and the new stage's time limit."""
    if to == S.CLOSED and complaint.status in BEFORE_OUTCOME:
        raise DomainError("complaint_outcome_missing")
    if to not in TRANSITIONS.get(complaint.status, set()):
        raise DomainError("invalid_transition", detail=f"{complaint.status} → {to}")
    before = complaint.status
    complaint.status = to
    complaint.due = due_for(complaint, to, today)
    return before


def required(value: Any, field: str, message: Any, *, max_length: int = 4000) -> str:
    text = str(value or "").strip()[:max_length]
    if not text:
        raise DomainError("validation_error", fields={field: [str(message)]})
    return text
