"""The family's side of the gate: going home on one day (before the cut-off; `enrollment` decides the
change) and the pick-up persons the teacher on duty sees. Thin: the services decide, the selectors
scope (`visible_to_parent`)."""

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
from enrollment import selectors as enrollment_selectors
from enrollment import services as enrollment_services
from enrollment.models import Dismissal
from participation.gate import selectors, services


def _fail(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message())
    for texts in error.fields.values():
        for text in texts if isinstance(texts, list) else []:
            messages.error(request, str(text))


@allow(Role.PARENT)
@require_http_methods(["GET", "POST"])
def going_home(request: HttpRequest, student_id: int) -> HttpResponse:
    """Change when the child goes home on one day (today until the cut-off, or a later day)."""
    child = enrollment_selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    today = timezone.localdate()
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("date", "")[:10])
        except ValueError:
            _fail(request, DomainError("validation_error", fields={"date": [_("Enter a date.")]}))
            return redirect("participation:going_home", child.pk)
        try:
            if request.POST.get("clear"):
                enrollment_services.dismissal_day_clear(student=child, day=day, by=request.user, request=request)
            else:
                enrollment_services.dismissal_day_set(
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
        return redirect("participation:going_home", child.pk)
    term = enrollment_selectors.term_for_student(child)
    changes = enrollment_selectors.dismissal_changes_ahead(student=child, today=today)
    conflicts = (
        enrollment_selectors.dismissal_conflicts(
            term_id=term.pk,
            choices={
                (child.pk, wd): c for wd, c in enrollment_selectors.dismissal_for(student=child, term=term).items()
            },
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
                hits = enrollment_selectors.dismissal_conflicts(
                    term_id=term.pk, choices={(child.pk, wd): change.choice}
                )
                day_conflicts[change.pk] = hits.get((child.pk, wd), [])
    rules = enrollment_selectors.dismissal_rules_for(child.school_id)
    context = {
        "child": child,
        "today": today,
        "rules": rules,
        "changes": [(c, day_conflicts.get(c.pk, [])) for c in changes],
        "weekly_conflicts": [c for hits in conflicts.values() for c in hits],
        "choices": Dismissal.choices,
        "pickups": selectors.pickup_persons_for(family_ids=[child.family_id]).get(child.family_id, []),
    }
    return render(request, "participation/going_home.html", context)


@allow(Role.PARENT)
@require_POST
def pickup_add(request: HttpRequest, student_id: int) -> HttpResponse:
    child = enrollment_selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
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
    return redirect("participation:going_home", child.pk)


@allow(Role.PARENT)
@require_POST
def pickup_remove(request: HttpRequest, student_id: int, person_id: int) -> HttpResponse:
    child = enrollment_selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    person = selectors.pickup_person_get_for_parent(actor=request.actor, person_id=person_id)
    services.pickup_person_remove(person=person, by=request.user, request=request)
    messages.success(request, _("Removed."))
    return redirect("participation:going_home", child.pk)
