"""Store the 红黄绿 grade: gather the facts, apply `supervision.rules`, keep the history.

`grade_refresh(institution)` is called by every service that changes something a rule reads
(register fields, teachers, a signed-off inspection, a notice's life); deadlines pass without any
event, so the worker's periodic job `grades_refresh_due` re-grades institutions with an open
notice once an hour (and `grades_refresh_all` is there for a full recount).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import audit_record
from supervision import rules
from supervision.models import Grade, GradeChange, Inspection, Institution, InstitutionTeacher, ItemResult, Notice

OPEN = (Notice.Status.ISSUED, Notice.Status.RESPONDED)


def facts_for(institution: Institution, today: dt.date | None = None) -> rules.Facts:
    today = today or timezone.localdate()
    notices = Notice.objects.filter(institution=institution)
    since = timezone.now() - dt.timedelta(days=365)
    problem_inspections = (
        Inspection.objects.filter(
            target__institution=institution,
            status=Inspection.Status.SUBMITTED,
            submitted_at__gte=since,
            results__current=True,
            results__result=ItemResult.Result.PROBLEM,
        )
        .distinct()
        .count()
    )
    return rules.Facts(
        status=institution.status,
        kind=institution.kind,
        overdue_notices=notices.filter(status__in=OPEN, deadline__lt=today).count(),
        open_notices=notices.filter(status__in=OPEN).count(),
        referred_notices=notices.filter(status=Notice.Status.REFERRED).count(),
        problem_inspections_12m=problem_inspections,
        licence_missing=not institution.licence_no,
        licence_expired=bool(institution.licence_expires and institution.licence_expires < today),
        unqualified_teachers=institution.teachers.filter(qualification=InstitutionTeacher.Qualification.NONE).count(),
    )


@transaction.atomic
def grade_refresh(institution: Institution, *, today: dt.date | None = None) -> str:
    """Recompute and store the grade; a change adds a GradeChange row and an audit event."""
    colour, reasons = rules.grade(facts_for(institution, today))
    current = Institution.objects.filter(pk=institution.pk).values_list("grade", "grade_reasons").first()
    previous, previous_reasons = current if current else ("", [])
    if colour == previous and reasons == previous_reasons:
        return colour
    now = timezone.now()
    Institution.objects.filter(pk=institution.pk).update(grade=colour, grade_reasons=reasons, graded_at=now)
    institution.grade, institution.grade_reasons, institution.graded_at = colour, reasons, now
    if colour != previous or not GradeChange.objects.filter(institution=institution).exists():
        GradeChange.objects.create(institution=institution, grade=colour, previous=previous, reasons=reasons, at=now)
        audit_record(
            action="supervision.grade.updated",
            obj=institution,
            data={"grade": colour, "previous": previous, "rules": [r["id"] for r in reasons]},
        )
    return colour


def grades_refresh_due(today: dt.date | None = None) -> int:
    """Re-grade institutions whose grade may have changed by the passing of time (open notices,
    licences) — the periodic job. Returns how many changed."""
    today = today or timezone.localdate()
    candidates = Institution.objects.filter(
        Q(notices__status__in=OPEN) | Q(licence_expires__lt=today) | ~Q(grade=Grade.GREEN)
    ).distinct()
    changed = 0
    for institution in candidates.iterator():
        before = institution.grade
        if grade_refresh(institution, today=today) != before:
            changed += 1
    return changed


def grades_refresh_all(today: dt.date | None = None) -> int:
    changed = 0
    for institution in Institution.objects.all().iterator():
        before = institution.grade
        if grade_refresh(institution, today=today) != before:
            changed += 1
    return changed


def red_provider_ids() -> Any:
    """For partners.PROVIDER_HOLDS: providers linked to an institution graded red."""
    return Institution.objects.filter(grade=Grade.RED, provider__isnull=False).values("provider_id")
