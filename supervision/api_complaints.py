"""Complaints API: hotline staff record and handle, the bureau assigns, oversees and counts, a parent
files and follows their own, the public files and follows by check code (POST: the code stays out
of addresses and logs).

No `from __future__ import annotations` here: ninja reads the payload types through the role
decorator, which needs real classes rather than strings. The contact is in `ComplaintDetailOut`
only, and only filled for the handler.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from accounts.api_access import api_allow, api_public
from accounts.models import Role
from accounts.schemas import ErrorOut
from core.audit import client_ip
from core.errors import DomainError
from core.validation import Bool, Day, Id, Int, Text
from pupils.models import Student
from supervision import selectors_complaints as sel
from supervision.models import Complaint
from supervision.services import complaints as services

router = Router(tags=["complaints"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
PUBLIC_ERRORS = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}

CategoryIn = Literal[
    "weekend_subject",
    "unlicensed",
    "prepaid",
    "pricing",
    "advertising",
    "safety",
    "forced_participation",
    "other",
]
SubjectIn = Literal["institution", "school", "unregistered"]


#: What intake.PHONE accepts: 7 to 20 digits, spaces or dashes, an optional leading +.
PHONE_PATTERN = r"^\+?[0-9][0-9 -]{5,18}[0-9]$"


class PupilByNumberIn(Schema):
    """A pupil named by their 学籍号 (name and school optional)."""

    student_no: Text(30, required=True)
    name: Text(50) = ""
    school_id: Id | None = None


class PupilByNameIn(Schema):
    """A pupil named by name and school."""

    name: Text(50, required=True)
    school_id: Id
    student_no: Text(30) = ""


class _Complaint(Schema):
    """What every complaint says. On the site the parent's own phone is used when none is given."""

    category: CategoryIn
    description: Text(4000, required=True)
    contact_name: Text(50) = ""
    contact_phone: Annotated[str, Field(max_length=20, pattern=f"^({PHONE_PATTERN[1:-1]})?$")] = ""
    pupils: list[PupilByNumberIn | PupilByNameIn] = Field(default_factory=list, max_length=20)


class _CallerComplaint(_Complaint):
    """A hotline call or the public: the reply and the call-back need a phone number."""

    contact_phone: Annotated[str, Field(max_length=20, pattern=PHONE_PATTERN)]


class _AboutInstitution(Schema):
    subject_kind: Literal["institution"]
    institution_id: Id


class _AboutSchool(Schema):
    subject_kind: Literal["school"]
    school_id: Id


class _AboutUnregistered(Schema):
    subject_kind: Literal["unregistered"]
    operator_name: Text(100, required=True)
    operator_address: Text(200, required=True)


class InstitutionComplaintIn(_AboutInstitution, _Complaint):
    pass


class SchoolComplaintIn(_AboutSchool, _Complaint):
    pass


class UnregisteredComplaintIn(_AboutUnregistered, _Complaint):
    pass


class InstitutionCallComplaintIn(_AboutInstitution, _CallerComplaint):
    pass


class SchoolCallComplaintIn(_AboutSchool, _CallerComplaint):
    pass


class UnregisteredCallComplaintIn(_AboutUnregistered, _CallerComplaint):
    pass


#: A complaint: `subject_kind` says whom it is about — a registered institution (`institution_id`),
#: a school (`school_id`) or an unregistered operator (`operator_name`, `operator_address`); an id
#: naming nothing of the district is 404. Pupils (by 学籍号, or by name and school) are told to their
#: own school if a weekend-training complaint is substantiated.
ComplaintIn = Annotated[
    InstitutionComplaintIn | SchoolComplaintIn | UnregisteredComplaintIn, Field(discriminator="subject_kind")
]
#: The same from a hotline call or the public, with the phone number the reply goes to.
CallComplaintIn = Annotated[
    InstitutionCallComplaintIn | SchoolCallComplaintIn | UnregisteredCallComplaintIn,
    Field(discriminator="subject_kind"),
]


class SubmittedOut(Schema):
    id: int
    number: str
    check_code: str = Field(description="shown once: the complainant follows the complaint with it")


class PublicSubmittedOut(Schema):
    number: str
    check_code: str = Field(description="shown once: follow the complaint with it")


class ComplaintOut(Schema):
    id: int
    number: str
    channel: str
    category: str
    subject_kind: str
    subject: str
    status: str
    outcome: str
    handler: str
    received_at: dt.datetime
    due: dt.date | None
    overdue: bool
    satisfaction: str
    replied: bool


class ComplaintPageOut(Schema):
    total: int
    page: int
    pages: int
    results: list[ComplaintOut]


class EventOut(Schema):
    at: dt.datetime
    by: str
    action: str
    status_to: str
    note: str


class ComplaintDetailOut(ComplaintOut):
    description: str
    finding: str
    rectification: str
    rectify_by: dt.date | None
    notice: str
    follow_up: str
    reply: str
    referral_note: str
    pupils_named: int
    schools_told: int
    contact_name: str | None = Field(None, description="the handler only; null for everyone else")
    contact_phone: str | None = Field(None, description="the handler only; null for everyone else")
    events: list[EventOut]


class CountOut(Schema):
    value: str
    label: str
    count: int


class StatsOut(Schema):
    total: int
    open: int
    overdue: int
    substantiated: int
    unsubstantiated: int
    replied: int
    called_back: int
    satisfaction_rate: float | None
    by_category: list[CountOut]
    by_status: list[CountOut]
    by_channel: list[CountOut]
    by_satisfaction: list[CountOut]


class MyComplaintOut(Schema):
    id: int
    number: str
    category: str
    subject: str
    status: str
    received_at: dt.datetime
    reply: str
    replied_at: dt.datetime | None


class FollowIn(Schema):
    code: Text(40, required=True)


class FollowOut(Schema):
    number: str
    status: str
    status_label: str
    received_on: dt.date
    reply: str
    replied_at: dt.datetime | None
    closed: bool


class AssignIn(Schema):
    handler_id: Id


class NoteIn(Schema):
    note: Text(4000) = ""


class RequiredNoteIn(Schema):
    note: Text(4000, required=True)


class FindingIn(Schema):
    outcome: Literal["substantiated", "unsubstantiated"]
    finding: Text(4000, required=True)


class RectifyIn(Schema):
    rectification: Text(2000, required=True)
    rectify_by: Day
    issue_notice: Bool = False


class ReplyIn(Schema):
    reply: Text(4000, required=True)


class CallbackIn(Schema):
    satisfaction: Literal["satisfied", "basically", "dissatisfied", "unreachable"]
    note: Text(1000) = ""


def _out(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "outcome": row["outcome"] or "", "satisfaction": row["satisfaction"] or ""}


def _detail(request: HttpRequest, c: Complaint) -> dict[str, Any]:
    handler = sel.contact_visible(c, request.actor)
    row = sel.complaint_rows(Complaint.objects.filter(pk=c.pk))[0]
    return {
        **_out(row),
        "description": c.description if handler else sel.redacted(c.description),
        "finding": c.finding,
        "rectification": c.rectification,
        "rectify_by": c.rectify_by,
        "notice": c.notice.label if c.notice_id else "",
        "follow_up": c.follow_up,
        "reply": c.reply,
        "referral_note": c.referral_note,
        "pupils_named": c.pupils.count(),
        "schools_told": c.school_feedback.count(),
        "contact_name": c.contact_name if handler else None,
        "contact_phone": c.contact_phone if handler else None,
        "events": [
            {
                "at": e.at,
                "by": (e.by.display_name or e.by.username) if e.by else "",
                "action": e.action,
                "status_to": e.status_to,
                "note": e.note,
            }
            for e in sel.events_for(c)
        ],
    }


def _counts(rows: list[tuple]) -> list[dict[str, Any]]:
    return [{"value": r[0], "label": r[1], "count": r[2]} for r in rows]


# --- hotline staff and the bureau ------------------------------------------------------------------


@router.get("/supervision/complaints", response={200: ComplaintPageOut, **ERRORS})
@api_allow(Role.HOTLINE, Role.BUREAU)
def complaint_list(
    request: HttpRequest,
    status: Text(30) = "",
    category: Text(30) = "",
    channel: Text(20) = "",
    overdue: bool = False,
    mine: bool = False,
    page: Int(1, 10_000) = 1,
):
    """The district's complaints, 50 a page, newest first (never the contact)."""
    params = {
        "status": status,
        "category": category,
        "channel": channel,
        "overdue": "1" if overdue else "",
        "mine": "1" if mine else "",
    }
    result = sel.complaint_search(sel.complaints_for_staff(request.actor), params, actor=request.actor, page=page)
    return {
        "total": result.total,
        "page": result.page,
        "pages": result.pages,
        "results": [_out(r) for r in result.rows],
    }


@router.get("/supervision/complaints/stats", response={200: StatsOut, **ERRORS})
@api_allow(Role.BUREAU, Role.HOTLINE)
def complaint_stats(request: HttpRequest):
    """Counts by category, status, channel and satisfaction; open and overdue (aggregates only)."""
    stats = sel.complaint_stats(sel.complaints_for_staff(request.actor))
    return {
        **stats["totals"],
        "by_category": _counts(stats["by_category"]),
        "by_status": _counts(stats["by_status"]),
        "by_channel": _counts(stats["by_channel"]),
        "by_satisfaction": _counts(stats["by_satisfaction"]),
    }


@router.post("/supervision/complaints", response={201: SubmittedOut, **ERRORS})
@api_allow(Role.HOTLINE)
def complaint_record(request: HttpRequest, payload: CallComplaintIn):
    """Record a hotline call; the check code is returned once, to read to the caller."""
    data = payload.dict()
    pupils = data.pop("pupils")
    complaint, code = services.complaint_submit(
        district=sel.staff_district(request.actor),
        channel=Complaint.Channel.HOTLINE,
        data=data,
        pupils=pupils,
        by=request.auth,
        request=request,
    )
    return Status(201, {"id": complaint.pk, "number": complaint.label, "check_code": code})


@router.get("/supervision/complaints/{complaint_id}", response={200: ComplaintDetailOut, **ERRORS})
@api_allow(Role.HOTLINE, Role.BUREAU)
def complaint_read(request: HttpRequest, complaint_id: Id):
    return _detail(request, sel.complaint_for_staff(request.actor, complaint_id))


def _staff(request: HttpRequest, complaint_id: int) -> Complaint:
    return sel.complaint_for_staff(request.actor, complaint_id)


@router.post("/supervision/complaints/{complaint_id}/assign", response={200: ComplaintDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def complaint_assign(request: HttpRequest, complaint_id: Id, payload: AssignIn):
    complaint = _staff(request, complaint_id)
    handler = sel.handlers(complaint.district).filter(pk=payload.handler_id).first()
    services.complaint_assign(complaint=complaint, handler=handler, by=request.auth, request=request)
    return _detail(request, _staff(request, complaint_id))


@router.post("/supervision/complaints/{complaint_id}/take", response={200: ComplaintDetailOut, **ERRORS})
@api_allow(Role.HOTLINE)
def complaint_take(request: HttpRequest, complaint_id: Id):
    services.complaint_take(complaint=_staff(request, complaint_id), by=request.auth, request=request)
    return _detail(request, _staff(request, complaint_id))


@router.post("/supervision/complaints/{complaint_id}/verify", response={200: ComplaintDetailOut, **ERRORS})
@api_allow(Role.HOTLINE)
def complaint_verify(request: HttpRequest, complaint_id: Id, payload: NoteIn):
    services.complaint_start_verification(
        complaint=_staff(request, complaint_id), by=request.auth, note=payload.note, request=request
    )
    return _detail(request, _staff(request, complaint_id))


@router.post("/supervision/complaints/{complaint_id}/finding", response={200: ComplaintDetailOut, **ERRORS})
@api_allow(Role.HOTLINE)
def complaint_finding(request: HttpRequest, complaint_id: Id, payload: FindingIn):
    services.complaint_record_finding(
        complaint=_staff(request, complaint_id),
        by=request.auth,
        outcome=payload.outcome,
        finding=payload.finding,
        request=request,
    )
    return _detail(request, _staff(request, complaint_id))


@router.post("/supervision/complaints/{complaint_id}/rectify", response={200: ComplaintDetailOut, **ERRORS})
@api_allow(Role.HOTLINE)
def complaint_rectify(request: HttpRequest, complaint_id: Id, payload: RectifyIn):
    services.complaint_order_rectification(
        complaint=_staff(request, complaint_id),
        by=request.auth,
        rectification=payload.rectification,
        rectify_by=payload.rectify_by,
        issue_notice=payload.issue_notice,
        request=request,
    )
    return _detail(request, _staff(request, complaint_id))


@router.post("/supervision/complaints/{complaint_id}/follow-up", response={200: ComplaintDetailOut, **ERRORS})
@api_allow(Role.HOTLINE)
def complaint_follow_up(request: HttpRequest, complaint_id: Id, payload: RequiredNoteIn):
    services.complaint_record_follow_up(
        complaint=_staff(request, complaint_id), by=request.auth, note=payload.note, request=request
    )
    return _detail(request, _staff(request, complaint_id))


@router.post("/supervision/complaints/{complaint_id}/reply", response={200: ComplaintDetailOut, **ERRORS})
@api_allow(Role.HOTLINE)
def complaint_reply(request: HttpRequest, complaint_id: Id, payload: ReplyIn):
    services.complaint_reply(
        complaint=_staff(request, complaint_id), by=request.auth, text=payload.reply, request=request
    )
    return _detail(request, _staff(request, complaint_id))


@router.post("/supervision/complaints/{complaint_id}/callback", response={200: ComplaintDetailOut, **ERRORS})
@api_allow(Role.HOTLINE)
def complaint_callback(request: HttpRequest, complaint_id: Id, payload: CallbackIn):
    services.complaint_callback(
        complaint=_staff(request, complaint_id),
        by=request.auth,
        satisfaction=payload.satisfaction,
        note=payload.note,
        request=request,
    )
    return _detail(request, _staff(request, complaint_id))


@router.post("/supervision/complaints/{complaint_id}/close", response={200: ComplaintDetailOut, **ERRORS})
@api_allow(Role.HOTLINE)
def complaint_close(request: HttpRequest, complaint_id: Id, payload: NoteIn):
    """Refused (409) before an outcome (`complaint_outcome_missing`) or a reply (`complaint_reply_missing`)."""
    services.complaint_close(
        complaint=_staff(request, complaint_id), by=request.auth, note=payload.note, request=request
    )
    return _detail(request, _staff(request, complaint_id))


@router.post("/supervision/complaints/{complaint_id}/refer", response={200: ComplaintDetailOut, **ERRORS})
@api_allow(Role.HOTLINE)
def complaint_refer(request: HttpRequest, complaint_id: Id, payload: RequiredNoteIn):
    services.complaint_refer(
        complaint=_staff(request, complaint_id), by=request.auth, note=payload.note, request=request
    )
    return _detail(request, _staff(request, complaint_id))


# --- parents --------------------------------------------------------------------------------------


def _mine(c: Complaint) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.label,
        "category": c.category,
        "subject": c.subject_label,
        "status": c.status,
        "received_at": c.received_at,
        "reply": c.reply,
        "replied_at": c.replied_at,
    }


@router.get("/supervision/my/complaints", response={200: list[MyComplaintOut], **ERRORS})
@api_allow(Role.PARENT)
def my_complaints(request: HttpRequest):
    return [_mine(c) for c in sel.my_complaints(request.actor)[:200]]


@router.post("/supervision/my/complaints", response={201: MyComplaintOut, **ERRORS})
@api_allow(Role.PARENT)
def my_complaint_create(request: HttpRequest, payload: ComplaintIn):
    child = Student.objects.visible_to_parent(request.actor).select_related("school__district").first()
    if child is None:
        raise DomainError("not_found")
    data = payload.dict()
    pupils = data.pop("pupils")
    complaint, _code = services.complaint_submit(
        district=child.school.district,
        channel=Complaint.Channel.SITE,
        data=data,
        pupils=pupils,
        by=request.auth,
        request=request,
    )
    return Status(201, _mine(complaint))


# --- the public -----------------------------------------------------------------------------------


@router.post(
    "/supervision/complaints/public/{district_code}", auth=None, response={201: PublicSubmittedOut, **PUBLIC_ERRORS}
)
@api_public
def public_complaint(request: HttpRequest, district_code: Text(20, required=True), payload: CallComplaintIn):
    """A complaint without a login (a phone number is required for the reply and the call-back).
    At most a few a hour from one address (429 `complaint_throttled`)."""
    from courses.models import District

    district = District.objects.filter(code=district_code).first()
    if district is None:
        raise DomainError("not_found")
    data = payload.dict()
    pupils = data.pop("pupils")
    complaint, code = services.complaint_submit(
        district=district,
        channel=Complaint.Channel.PUBLIC,
        data=data,
        pupils=pupils,
        ip=client_ip(request),
        request=request,
        now=timezone.now(),
    )
    return Status(201, {"number": complaint.label, "check_code": code})


@router.post("/supervision/complaints-follow", auth=None, response={200: FollowOut, **PUBLIC_ERRORS})
@api_public
def public_follow(request: HttpRequest, payload: FollowIn):
    """Status and reply by check code (404 `complaint_code_unknown`; repeated wrong codes from one
    address are refused for a while with 429 `complaint_throttled`)."""
    return services.public_view(services.complaint_follow(code=payload.code, ip=client_ip(request)))
