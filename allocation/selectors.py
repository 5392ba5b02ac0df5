"""Reads for the seat allocation (runs, outcomes, head starts), scoped by the caller's arguments.

Coordinator reads take a school and window already scoped to the acting coordinator; family
reads take a child already scoped to the acting parent.
"""

from __future__ import annotations

import datetime as dt
from datetime import timedelta
from typing import Any

from django.http import Http404
from django.utils import timezone

from allocation.models import AllocationOutcome, AllocationRun
from core.ids import id_or_404
from enrollment.models import EnrollmentWindow, Student


def head_start_until(run: AllocationRun) -> dt.datetime | None:
    if run.published_at is None:
        return None
    return run.published_at + timedelta(hours=run.window.head_start_hours)


def allocation_run_get_for_school(*, school_id: int, window: EnrollmentWindow, run_id: Any) -> AllocationRun:
    """A run of this window of this school, else 404 (a silent worker's run shows `is_stale()` until reaped)."""
    try:
        run = AllocationRun.objects.select_related("window__school", "created_by", "published_by").get(
            pk=id_or_404(run_id), window=window, window__school_id=school_id
        )
    except AllocationRun.DoesNotExist:
        raise Http404 from None
    return run


def allocation_runs_for_window(window: EnrollmentWindow, limit: int = 10) -> list[AllocationRun]:
    return list(
        AllocationRun.objects.filter(window=window)
        .defer("problem", "seats", "stats")
        .select_related("created_by", "published_by")[:limit]
    )


def published_run(window: EnrollmentWindow) -> AllocationRun | None:
    return AllocationRun.objects.filter(window=window, status=AllocationRun.Status.PUBLISHED).first()


def outcome_for_student(student: Student) -> AllocationOutcome | None:
    """The child's result in the latest published allocation (the caller has scoped the child)."""
    return (
        AllocationOutcome.objects.filter(student=student, run__status=AllocationRun.Status.PUBLISHED)
        .select_related("run__window")
        .order_by("-run__published_at", "-run_id")
        .first()
    )


def head_start_for(*, student: Student, now: dt.datetime | None = None) -> AllocationRun | None:
    """The published run that gives this pupil a head start on leftover seats now, if any."""
    now = now or timezone.now()
    outcome = (
        AllocationOutcome.objects.filter(
            student=student,
            best_rank__isnull=True,
            run__status=AllocationRun.Status.PUBLISHED,
            run__window__school_id=student.school_id,
        )
        .select_related("run__window")
        .order_by("-run__published_at")
        .first()
    )
    if outcome is None or not outcome.detail.get("outcome") == "unplaced":
        return None
    until = head_start_until(outcome.run)
    return outcome.run if until and outcome.run.published_at <= now < until else None
