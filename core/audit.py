"""The audit recorder and the ONE registry of audit action names.

An action name is `<app>.<entity>.<verb>`: three dotted lower-case parts, the verb a past
participle from `VERBS` (one convention: `updated`, never `changed` or `saved`). Recording an
unregistered name raises at once, and `tests/core/test_audit.py` fails on any name written in the
code that is not in `ACTIONS` — so the audit log can be searched by a fixed vocabulary.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

VERBS = frozenset(
    {
        "accepted",
        "added",
        "applied",
        "approved",
        "assigned",
        "cancelled",
        "closed",
        "committed",
        "computed",
        "copied",
        "corrected",
        "created",
        "declined",
        "decided",
        "deleted",
        "delivered",
        "drafted",
        "drawn",
        "escalated",
        "expired",
        "failed",
        "granted",
        "imported",
        "issued",
        "joined",
        "left",
        "made",
        "moved",
        "pinned",
        "proposed",
        "published",
        "read",
        "reaped",
        "referred",
        "removed",
        "replaced",
        "reported",
        "requested",
        "responded",
        "returned",
        "reviewed",
        "revoked",
        "sent",
        "signed",
        "submitted",
        "taken",
        "unpinned",
        "updated",
        "verified",
        "withdrawn",
    }
)

NAME_RE = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*\.([a-z_]+)$")

# name -> what it means (shown in the admin's audit log). Keep sorted by app.
ACTIONS: dict[str, Any] = {
    # accounts
    "accounts.token.issued": _("API token issued"),
    "accounts.token.revoked": _("API token revoked"),
    # messaging
    "messaging.message.read": _("message marked read by its recipient"),
    # courses (a school's set-up)
    "courses.term.created": _("term created"),
    "courses.term.updated": _("term changed"),
    "courses.calendar_exception.created": _("holiday or swapped day added"),
    "courses.calendar_exception.deleted": _("holiday or swapped day removed"),
    "courses.grid.applied": _("5+2 time grid template applied"),
    "courses.grid.updated": _("time grid of a weekday changed"),
    "courses.room.created": _("room created"),
    "courses.room.updated": _("room changed"),
    "courses.room.deleted": _("room deleted"),
    "courses.rooms.imported": _("rooms imported from Excel"),
    "courses.teacher.created": _("teacher created"),
    "courses.teacher.updated": _("teacher changed"),
    "courses.teacher.deleted": _("teacher deleted"),
    "courses.teachers.imported": _("teachers imported from Excel"),
    "courses.course.created": _("course created"),
    "courses.course.updated": _("course changed"),
    "courses.course.deleted": _("course deleted"),
    "courses.section.created": _("section created"),
    "courses.section.updated": _("section changed"),
    "courses.section.deleted": _("section deleted"),
    # partners
    "partners.course.created": _("partner course created"),
    "partners.course.updated": _("partner course changed"),
    "partners.course.submitted": _("partner course submitted for review"),
    "partners.course.approved": _("partner course approved"),
    "partners.course.returned": _("partner course returned for changes"),
    "partners.photo.added": _("partner course photo added"),
    "partners.photo.deleted": _("partner course photo deleted"),
    "partners.availability.updated": _("partner teacher's availability changed"),
    "partners.provider.reviewed": _("provider's qualification reviewed"),
    "partners.request.created": _("host school asked for a partner course"),
    "partners.request.accepted": _("partner accepted a host request"),
    "partners.request.declined": _("partner declined a host request"),
    "partners.request.withdrawn": _("host school withdrew a request"),
    "partners.travel_time.updated": _("travel time between schools changed"),
    # scheduling
    "scheduling.solve_run.requested": _("timetable solve started"),
    "scheduling.solve_run.cancelled": _("timetable solve cancelled"),
    "scheduling.solve_run.reaped": _("timetable solve marked failed (worker silent)"),
    "scheduling.timetable.drafted": _("draft timetable created by a solve"),
    "scheduling.timetable.copied": _("timetable copied to a new draft"),
    "scheduling.timetable.published": _("timetable published"),
    "scheduling.placement.moved": _("meeting moved by hand"),
    "scheduling.placement.pinned": _("meeting pinned"),
    "scheduling.placement.unpinned": _("meeting unpinned"),
    "scheduling.feed.issued": _("teacher's calendar feed issued"),
    "scheduling.feed.revoked": _("teacher's calendar feed revoked"),
    # enrollment
    "enrollment.seat.granted": _("seat granted"),
    "enrollment.seat.withdrawn": _("seat given up by the family"),
    "enrollment.seat.removed": _("seat removed by the school"),
    "enrollment.waitlist.joined": _("waitlist joined"),
    "enrollment.waitlist.left": _("waitlist left"),
    "enrollment.offer.made": _("seat offered from the waitlist"),
    "enrollment.offer.accepted": _("offered seat accepted"),
    "enrollment.offer.declined": _("offered seat declined"),
    "enrollment.offer.expired": _("offer not accepted in time"),
    "enrollment.preferences.replaced": _("ranked choices saved"),
    "enrollment.dismissal.updated": _("dismissal choice changed"),
    "enrollment.dismissal_day.updated": _("dismissal changed for one day"),
    "enrollment.dismissal_rules.updated": _("gate rules changed (cut-off time, extended care)"),
    "participation.gate.created": _("gate added"),
    "participation.gate.updated": _("classes assigned to a gate"),
    "participation.gate.deleted": _("gate removed"),
    "participation.pickup_person.added": _("pick-up person added by the family"),
    "participation.pickup_person.removed": _("pick-up person removed by the family"),
    "enrollment.proposal.proposed": _("seat proposed by the school (the family decides)"),
    "enrollment.proposal.accepted": _("proposed seat accepted by the family"),
    "enrollment.proposal.declined": _("proposed seat declined by the family"),
    "enrollment.proposal.withdrawn": _("seat proposal withdrawn by the school"),
    "enrollment.window.created": _("enrollment window created"),
    "enrollment.window.updated": _("enrollment window changed"),
    "enrollment.notice.published": _("notice to families published"),
    "letters.letter.created": _("letter to families written (queued for sending)"),
    "letters.letter.sent": _("letter to families sent to every guardian of its audience"),
    "pupils.pupils.imported": _("pupils imported from Excel"),
    "enrollment.section.updated": _("section's seats changed"),
    "enrollment.feed.issued": _("pupil's calendar feed issued"),
    "enrollment.feed.revoked": _("pupil's calendar feed revoked"),
    # allocation
    "allocation.run.requested": _("allocation started (lottery seed revealed)"),
    "allocation.run.computed": _("allocation computed"),
    "allocation.run.published": _("allocation published"),
    "allocation.run.reaped": _("allocation marked failed (worker silent)"),
    # participation
    "participation.register.taken": _("register taken"),
    "participation.register.corrected": _("register corrected"),
    "participation.leave.reported": _("leave reported by the family"),
    "participation.leave.withdrawn": _("leave report withdrawn"),
    "participation.statements.issued": _("fee statements issued for a period"),
    "participation.statement.corrected": _("fee statement corrected (credit or debit line)"),
    "participation.exemption.requested": _("fee exemption applied for"),
    "participation.exemption.approved": _("fee exemption approved"),
    "participation.exemption.declined": _("fee exemption declined"),
    "participation.payments.imported": _("payments imported"),
    "participation.fee_rule.updated": _("school's fee rule changed"),
    "participation.district_policy.updated": _("district's after-school policy changed"),
    # supervision
    "supervision.institution.created": _("training institution added to the register"),
    "supervision.institution.updated": _("register entry of a training institution changed"),
    "supervision.institutions.imported": _("training institutions imported from Excel"),
    "supervision.teacher.added": _("teacher of a training institution added"),
    "supervision.conflict.added": _("inspector's conflict of interest declared"),
    "supervision.checklist.created": _("new version of a check-item list"),
    "supervision.plan.created": _("inspection plan drafted"),
    "supervision.plan.updated": _("inspection plan changed"),
    "supervision.plan.committed": _("inspection plan committed (population frozen, seed hash published)"),
    "supervision.plan.drawn": _("inspection plan drawn (seed revealed) and published"),
    "supervision.result.added": _("check item recorded"),
    "supervision.result.corrected": _("check item corrected after sign-off"),
    "supervision.photo.added": _("inspection photo added"),
    "supervision.inspection.signed": _("inspection signed off"),
    "supervision.notice.issued": _("rectification notice issued"),
    "supervision.notice.responded": _("institution responded to a rectification notice"),
    "supervision.notice.verified": _("rectification verified on a visit"),
    "supervision.notice.referred": _("case referred to comprehensive law enforcement"),
    "supervision.grade.updated": _("risk grade changed"),
    "supervision.campaign.created": _("special campaign created"),
    "supervision.campaign_round.added": _("round added to a special campaign"),
    "supervision.campaign_group.added": _("inspection group formed for a campaign round"),
    "supervision.campaign_visit.added": _("campaign group's visit to an institution recorded"),
    "supervision.expert.created": _("course-review expert added to the pool"),
    "supervision.expert.updated": _("course-review expert changed"),
    "supervision.expert_conflict.added": _("course-review expert's conflict of interest declared"),
    "supervision.course_review.submitted": _("course submitted for expert review with its materials"),
    "supervision.course_review.withdrawn": _("course review withdrawn by the institution"),
    "supervision.course_review.committed": _("course review committed (expert pool frozen, seed hash published)"),
    "supervision.course_review.drawn": _("course-review experts drawn (seed revealed)"),
    "supervision.course_review.escalated": _("course review tied: a further expert drawn"),
    "supervision.course_review.decided": _("course review decided by the majority of the experts"),
    "supervision.review_opinion.submitted": _("expert's opinion on a course given"),
    "supervision.review_expert.replaced": _("recused course-review expert replaced by the next drawn"),
    "supervision.complaint.submitted": _("complaint received (hotline, parent or public)"),
    "supervision.complaint.assigned": _("complaint assigned to hotline staff"),
    "supervision.complaint_verification.taken": _("verification of a complaint taken up"),
    "supervision.complaint.verified": _("complaint found substantiated or not"),
    "supervision.complaint_rectification.requested": _("rectification ordered on a complaint"),
    "supervision.complaint_follow_up.added": _("follow-up of a complaint recorded"),
    "supervision.complaint_reply.sent": _("reply given to a complainant"),
    "supervision.complaint_callback.made": _("satisfaction call-back of a complaint recorded"),
    "supervision.complaint.closed": _("complaint closed"),
    "supervision.complaint.referred": _("complaint referred"),
    "supervision.complaint_feedback.sent": _("schools told about their pupils named in a complaint"),
    "supervision.conversion_case.created": _("conversion case (转登) opened"),
    "supervision.conversion_case.updated": _("target of a conversion case changed"),
    "supervision.conversion_case.moved": _("conversion case moved to its next step"),
    "supervision.conversion_case.closed": _("conversion case done (the register follows)"),
    "supervision.conversion_material.added": _("material of a conversion case received"),
    "supervision.conversion_visit.added": _("institution's visit to the conversion window recorded"),
    "supervision.conversion_deadline.updated": _("district's conversion deadline changed"),
}


def validate_action(name: str) -> None:
    """Refuse a name that is not registered or breaks the convention (a programming error)."""
    match = NAME_RE.match(name)
    if match is None or match.group(1) not in VERBS:
        raise ValueError(f"audit action {name!r} does not follow <app>.<entity>.<past participle>")
    if name not in ACTIONS:
        raise ValueError(f"audit action {name!r} is not registered in core.audit.ACTIONS")


def client_ip(request: HttpRequest | None) -> str | None:
    """The client address as the web server saw it (REMOTE_ADDR; a proxy must set it)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: str,
    actor: Any = None,
    obj: Any = None,
    school_id: int | None = None,
    request: HttpRequest | None = None,
    data: dict[str, Any] | None = None,
):
    """Append one audit event in the caller's transaction (so it commits or rolls back with the change)."""
    from core.models import AuditEvent

    validate_action(action)
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        school_id=school_id,
        ip=client_ip(request),
        data=data or {},
    )
