"""Complaints followed to closure (投诉举报闭环), and weekend subject training fed back to schools.

Workflow (each step one service; anything else is 409 `invalid_transition`)::

    received → assigned → verifying → substantiated → rectifying → followed_up → closed
                                    ↘ unsubstantiated → closed        ↘ (substantiated, rectifying,
                                                                         followed_up) → referred

Closing needs an outcome (`complaint_outcome_missing`) and a reply to the complainant
(`complaint_reply_missing`); the satisfaction call-back follows the reply, before or after closing.

Time limits are working days of the district's term calendar (`supervision.workdays`), stored as
`due` for the current stage when the stage begins (`STAGE_LIMITS`), so lists and statistics find
overdue complaints with one indexed comparison.

Only the handler (hotline staff the complaint is assigned to) moves a complaint on; the bureau
assigns; hotline staff may take an unassigned complaint. The complainant's contact never goes into
an event, an audit record or a message.

The package, by job: `common` (transitions, time limits, history, lock), `intake` (submission and
the public's check code), `workflow` (assign, take, the handler's steps), `feedback` (pupils' schools).
"""

from supervision.services.complaints.common import BEFORE_OUTCOME, STAGE_LIMITS, TRANSITIONS, due_for
from supervision.services.complaints.feedback import schools_tell
from supervision.services.complaints.intake import (
    FOLLOW_FAILURES_PER_WINDOW,
    MAX_PUPILS,
    PUBLIC_SUBMISSIONS_PER_HOUR,
    code_hash,
    complaint_follow,
    complaint_submit,
    new_code,
    public_view,
)
from supervision.services.complaints.workflow import (
    complaint_assign,
    complaint_callback,
    complaint_close,
    complaint_order_rectification,
    complaint_record_finding,
    complaint_record_follow_up,
    complaint_refer,
    complaint_reply,
    complaint_start_verification,
    complaint_take,
)

__all__ = [
    "BEFORE_OUTCOME",
    "FOLLOW_FAILURES_PER_WINDOW",
    "MAX_PUPILS",
    "PUBLIC_SUBMISSIONS_PER_HOUR",
    "STAGE_LIMITS",
    "TRANSITIONS",
    "code_hash",
    "complaint_assign",
    "complaint_callback",
    "complaint_close",
    "complaint_follow",
    "complaint_order_rectification",
    "complaint_record_finding",
    "complaint_record_follow_up",
    "complaint_refer",
    "complaint_reply",
    "complaint_start_verification",
    "complaint_submit",
    "complaint_take",
    "due_for",
    "new_code",
    "public_view",
    "schools_tell",
]
