"""Voluntariness (自愿参加): a school's roster add is a proposal the family accepts or declines.

The school never enrolls a pupil by itself. `roster_propose` writes a proposal (and a notice to the
family); it holds no seat. Only `proposal_accept` — the family's answer — claims a seat, through
`enrollment.capacity` like every other seat, and may then be refused as full. The family may
decline, and the school may withdraw a proposal not yet answered. Every step is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from courses.models import School, Section
from enrollment import capacity, notify, selectors
from enrollment.models import Enrollment, RosterProposal, Student
from enrollment.services.common import audit, clash_check, eligibility_check, seat_changes_record


def _data(proposal: RosterProposal, **extra: Any) -> dict[str, Any]:
    return {"student": proposal.student_id, "section": proposal.section_id, **extra}


def roster_propose(
    *,
    school: School,
    section: Section,
    student: Student,
    by: Any,
    reason: str,
    request: HttpRequest | None = None,
) -> RosterProposal:
    """The school proposes a seat for a pupil (with a reason); the family is told and decides."""
    reason = " ".join((reason or "").split())[:200]
    if not reason:
        raise DomainError("validation_error", detail=_("Give a reason."), fields={"reason": "required"})
    if section.course.school_id != school.pk or student.school_id != school.pk:
        raise DomainError("not_found")
    eligibility_check(student=student, section=section)
    with transaction.atomic():
        capacity.student_lock(student.pk)
        if Enrollment.objects.active().filter(student=student, section=section).exists():
            raise DomainError("already_enrolled")
        if RosterProposal.objects.pending().filter(student=student, section=section).exists():
            raise DomainError("already_enrolled", detail=_("A proposal for this course is already waiting."))
        proposal = RosterProposal.objects.create(student=student, section=section, reason=reason, proposed_by=by)
        audit(
            "enrollment.proposal.proposed",
            by=by,
            row=proposal,
            school_id=school.pk,
            request=request,
            **_data(proposal, reason=reason),
        )
        notify.roster_proposal_made(proposal)
    return proposal


def proposal_accept(
    *, proposal: RosterProposal, by: Any, request: HttpRequest | None = None, now: datetime | None = None
) -> Enrollment:
    """The family accepts: the seat is claimed now, through `enrollment.capacity` (never beyond
    capacity: `section_full` leaves the proposal waiting). Accepting twice changes nothing."""
    now = now or timezone.now()
    section = Section.objects.select_related("course", "term").get(pk=proposal.section_id)
    student = Student.objects.get(pk=proposal.student_id)
    with transaction.atomic():
        capacity.student_lock(student.pk)
        proposal = RosterProposal.objects.select_for_update().get(pk=proposal.pk)
        if proposal.status == RosterProposal.Status.ACCEPTED and proposal.enrollment_id:
            return Enrollment.objects.get(pk=proposal.enrollment_id)
        if proposal.status != RosterProposal.Status.PENDING:
            raise DomainError("proposal_not_pending")
        eligibility_check(student=student, section=section)
        clash_check(student=student, section=section)
        claim = capacity.claim(
            student=student,
            section_id=section.pk,
            now=now,
            offer_hours=selectors.offer_hours_for(school_id=section.course.school_id, term_id=section.term_id),
            waitlist=False,
            source=Enrollment.Source.SCHOOL,
            note=proposal.reason,
        )
        proposal.status = RosterProposal.Status.ACCEPTED
        proposal.decided_at, proposal.decided_by = now, (by if getattr(by, "pk", None) else None)
        proposal.enrollment = claim.enrollment
        proposal.save(update_fields=["status", "decided_at", "decided_by", "enrollment"])
        school_id = section.course.school_id
        audit(
            "enrollment.proposal.accepted", by=by, row=proposal, school_id=school_id, request=request, **_data(proposal)
        )
        if claim.created:
            audit(
                "enrollment.seat.granted",
                by=by,
                row=claim.enrollment,
                school_id=school_id,
                request=request,
                source="school",
                proposal=proposal.pk,
                student=student.pk,
                section=section.pk,
                status=claim.enrollment.status,
            )
        seat_changes_record(claim.changes, school_id=school_id, request=request)
        return claim.enrollment


@transaction.atomic
def proposal_decline(
    *, proposal: RosterProposal, by: Any, request: HttpRequest | None = None, now: datetime | None = None
) -> RosterProposal:
    """The family declines (no reason asked: participation is voluntary). Declining twice changes nothing."""
    proposal = RosterProposal.objects.select_for_update().select_related("section__course").get(pk=proposal.pk)
    if proposal.status == RosterProposal.Status.DECLINED:
        return proposal
    if proposal.status != RosterProposal.Status.PENDING:
        raise DomainError("proposal_not_pending")
    proposal.status = RosterProposal.Status.DECLINED
    proposal.decided_at, proposal.decided_by = now or timezone.now(), (by if getattr(by, "pk", None) else None)
    proposal.save(update_fields=["status", "decided_at", "decided_by"])
    audit(
        "enrollment.proposal.declined",
        by=by,
        row=proposal,
        school_id=proposal.section.course.school_id,
        request=request,
        **_data(proposal),
    )
    return proposal


@transaction.atomic
def proposal_withdraw(*, proposal: RosterProposal, by: Any, request: HttpRequest | None = None) -> RosterProposal:
    """The school takes back a proposal the family has not answered."""
    proposal = RosterProposal.objects.select_for_update().select_related("section__course").get(pk=proposal.pk)
    if proposal.status != RosterProposal.Status.PENDING:
        raise DomainError("proposal_not_pending")
    proposal.status = RosterProposal.Status.WITHDRAWN
    proposal.decided_at, proposal.decided_by = timezone.now(), (by if getattr(by, "pk", None) else None)
    proposal.save(update_fields=["status", "decided_at", "decided_by"])
    audit(
        "enrollment.proposal.withdrawn",
        by=by,
        row=proposal,
        school_id=proposal.section.course.school_id,
        request=request,
        **_data(proposal),
    )
    return proposal
