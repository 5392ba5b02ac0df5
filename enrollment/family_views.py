"""A family's answers to the school's proposals (accept / decline), and the coordinator withdrawing a
proposal. Thin: the
services decide, the selectors scope (`visible_to_parent`, `school_get_for_coordinator`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from courses.selectors import school_get_for_coordinator
from enrollment import selectors, services


def _fail(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message())
    for texts in error.fields.values():
        for text in texts if isinstance(texts, list) else []:
            messages.error(request, str(text))


# --- proposals: the family decides ------------------------------------------------------------------


@allow(Role.PARENT)
@require_POST
def proposal_accept(request: HttpRequest, student_id: int, proposal_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    proposal = selectors.proposal_get_for_parent(actor=request.actor, student=child, proposal_id=proposal_id)
    try:
        services.proposal_accept(proposal=proposal, by=request.user, request=request)
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            _("%(child)s has a seat in “%(course)s”.") % {"child": child.name, "course": proposal.section.course.title},
        )
    return redirect("enrollment:child_detail", child.pk)


@allow(Role.PARENT)
@require_POST
def proposal_decline(request: HttpRequest, student_id: int, proposal_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    proposal = selectors.proposal_get_for_parent(actor=request.actor, student=child, proposal_id=proposal_id)
    try:
        services.proposal_decline(proposal=proposal, by=request.user, request=request)
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Declined. The school is told; nothing else changes."))
    return redirect("enrollment:child_detail", child.pk)


@allow(Role.COORDINATOR)
@require_POST
def proposal_withdraw(request: HttpRequest, school_id: int, section_id: int, proposal_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    section = selectors.section_get_for_school(school=school, section_id=section_id)
    proposal = selectors.proposal_get_for_school(school=school, section=section, proposal_id=proposal_id)
    try:
        services.proposal_withdraw(proposal=proposal, by=request.user, request=request)
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The proposal is withdrawn."))
    return redirect("enrollment:section_roster", school.pk, section.pk)
