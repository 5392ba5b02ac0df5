"""Writes for enrollment: seats, waitlists, offers, preferences, dismissal and the gate, proposals, windows, notices.

Every service is keyword-only and atomic; whether a seat is free is decided only by
`enrollment.capacity` (lock → check → write). Refusals are `DomainError`s with stable codes, raised
before anything is written or rolling the whole transaction back: nothing is ever half-written.
Every change is written to the audit log (who, what, when, from where) in the same transaction;
jobs for the worker are queued on commit."""

from enrollment.services.common import (
    EnrollmentResult,
    audit,
    clash_check,
    eligibility_check,
    enrollment_data,
    later_text,
    log,
    schedule_expiry,
    seat_changes_record,
)
from enrollment.services.families import (
    dismissal_set,
    enrollment_request,
    enrollment_request_for_parent,
    enrollment_withdraw,
    offer_accept,
    offers_expire_due,
    preferences_replace,
)
from enrollment.services.gate import (
    cutoff_check,
    dismissal_day_clear,
    dismissal_day_set,
    dismissal_rules_save,
)
from enrollment.services.proposals import proposal_accept, proposal_decline, proposal_withdraw, roster_propose
from enrollment.services.school import (
    calendar_feed_issue,
    calendar_feed_revoke,
    notice_publish,
    roster_add,
    roster_remove,
    section_update,
    window_save,
)

__all__ = [
    "EnrollmentResult",
    "audit",
    "calendar_feed_issue",
    "calendar_feed_revoke",
    "clash_check",
    "cutoff_check",
    "dismissal_day_clear",
    "dismissal_day_set",
    "dismissal_rules_save",
    "dismissal_set",
    "eligibility_check",
    "enrollment_data",
    "enrollment_request",
    "enrollment_request_for_parent",
    "enrollment_withdraw",
    "later_text",
    "log",
    "notice_publish",
    "offer_accept",
    "offers_expire_due",
    "preferences_replace",
    "proposal_accept",
    "proposal_decline",
    "proposal_withdraw",
    "roster_add",
    "roster_propose",
    "roster_remove",
    "schedule_expiry",
    "seat_changes_record",
    "section_update",
    "window_save",
]
