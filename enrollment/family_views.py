"""A family's answers and arrangements: the school's proposals (accept / decline), going home on one
day (before the cut-off), pick-up persons; and the coordinator withdrawing a proposal. Thin: the
services decide, the selectors scope (`visible_to_parent`, `school_get_for_coordinator`)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from courses.selectors import school_get_for_coordinator
from enrollment import selectors, services
from enrollment.models import Dismissal


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


# --- going home: one day's change, pick-up persons ---------------------------------------------------


@allow(Role.PARENT)
@require_http_methods(["GET", "POST"])
def going_home(request: HttpRequest, student_id: int) -> HttpResponse:
    """Change when the child goes home on one day (today until the cut-off, or a later day)."""
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    today = timezone.localdate()
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("date", "")[:10])
        except ValueError:
            _fail(request, DomainError("validation_error", fields={"date": [_("Enter a date.")]}))
            return redirect("enrollment:going_home", child.pk)
        try:
            if request.POST.get("clear"):
                services.dismissal_day_clear(student=child, day=day, by=request.user, request=request)
            else:
                services.dismissal_day_set(
                    student=child,
                    day=day,
                    choice=request.POST.get("choice", ""),
                    by=request.user,
                    request=request,
                    accept_missing=request.POST.get("accept_missing") == "1",
                )
        except DomainError as error:
            _fail(request, error)
        else:
            messages.success(request, _("Saved."))
        return redirect("enrollment:going_home", child.pk)
    term = selectors.term_for_student(child)
    changes = selectors.dismissal_changes_ahead(student=child, today=today)
    conflicts = (
        selectors.dismissal_conflicts(
            term_id=term.pk,
            choices={(child.pk, wd): c for wd, c in selectors.dismissal_for(student=child, term=term).items()},
        )
        if term
        else {}
    )
    day_conflicts = {}
    if term:
        from scheduling.selectors import term_days

        weekdays = dict(term_days(term))
        for change in changes:
            wd = weekdays.get(change.date)
            if wd is not None:
                hits = selectors.dismissal_conflicts(term_id=term.pk, choices={(child.pk, wd): change.choice})
                day_conflicts[change.pk] = hits.get((child.pk, wd), [])
    rules = selectors.dismissal_rules_for(child.school_id)
    context = {
        "child": child,
        "today": today,
        "rules": rules,
        "changes": [(c, day_conflicts.get(c.pk, [])) for c in changes],
        "weekly_conflicts": [c for hits in conflicts.values() for c in hits],
        "choices": Dismissal.choices,
        "pickups": selectors.pickup_persons_for(family_ids=[child.family_id]).get(child.family_id, []),
    }
    return render(request, "enrollment/going_home.html", context)


@allow(Role.PARENT)
@require_POST
def pickup_add(request: HttpRequest, student_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    try:
        services.pickup_person_add(
            family_id=child.family_id,
            name=request.POST.get("name"),
            relation=request.POST.get("relation"),
            phone=request.POST.get("phone"),
            by=request.user,
            request=request,
        )
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect("enrollment:going_home", child.pk)


@allow(Role.PARENT)
@require_POST
def pickup_remove(request: HttpRequest, student_id: int, person_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    person = selectors.pickup_person_get_for_parent(actor=request.actor, person_id=person_id)
    services.pickup_person_remove(person=person, by=request.user, request=request)
    messages.success(request, _("Removed."))
    return redirect("enrollment:going_home", child.pk)
