"""Allocation runs (one per try of a closed preference window) and each pupil's outcome."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.runs import BackgroundRun


class AllocationRun(BackgroundRun):
    """One run of the seat allocation for a closed preference window, and (once published) its result.

    The run is computed by the worker (`allocation.tasks.allocation_run`) from the revealed lottery
    seed; nothing is written to `Enrollment` until a coordinator publishes it, and publishing writes
    every seat in one transaction. `seats` holds the result ({student id: [section ids]}) and
    `fingerprint` its sha256, so `manage.py allocation_replay` can re-run and compare. `stats` holds
    the figures of our allocation and of the three baselines on the same data.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("ready for review")
        FAILED = "failed", _("failed")
        PUBLISHED = "published", _("published")
        CANCELLED = "cancelled", _("cancelled")

    STALE_SETTING = "KEHOU_ALLOCATION_STALE_SECONDS"
    STALE_DEFAULT = 60
    REAPED_ACTION = "allocation.run.reaped"

    window = models.ForeignKey("enrollment.EnrollmentWindow", on_delete=models.CASCADE, related_name="allocation_runs")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    seed = models.CharField(_("lottery seed"), max_length=128, blank=True)
    commitment = models.CharField(_("lottery seed commitment (SHA-256)"), max_length=64, blank=True)
    commitment_ok = models.BooleanField(_("seed matches the commitment"), null=True, blank=True)
    problem = models.JSONField(_("input snapshot"), default=dict, blank=True)
    problem_digest = models.CharField(_("input fingerprint"), max_length=64, blank=True)
    fingerprint = models.CharField(_("result fingerprint"), max_length=64, blank=True)
    seats = models.JSONField(_("seats"), default=dict, blank=True)
    levels = models.JSONField(_("objective levels"), default=list, blank=True)
    stats = models.JSONField(_("statistics"), default=dict, blank=True)
    timings = models.JSONField(_("timings (seconds)"), default=dict, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation run")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["window"], condition=Q(status="published"), name="allocation_one_published_per_window"
            ),
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(status__in=["queued", "running"]),
                name="allocation_one_active_per_window",
            ),
            models.CheckConstraint(name="allocation_progress_range", condition=Q(progress__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.window_id} #{self.pk} ({self.status})"

    def audit_school_id(self) -> int:
        return self.window.school_id


class AllocationOutcome(models.Model):
    """One pupil's result in an allocation run: the seats and the explanation shown to the family.

    The sentences come from `allocation.engine.explain` and are checked against the problem by
    `verify_explanations` before the run may be published.
    """

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="outcomes")
    student = models.ForeignKey("pupils.Student", on_delete=models.CASCADE, related_name="allocation_outcomes")
    sections = models.JSONField(_("seats"), default=list, blank=True)
    best_rank = models.PositiveSmallIntegerField(_("best choice given"), null=True, blank=True)
    text_zh = models.TextField(_("explanation (Chinese)"))
    text_en = models.TextField(_("explanation (English)"))
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("allocation outcome")
        verbose_name_plural = _("allocation outcome")
        ordering = ["run", "student"]
        constraints = [models.UniqueConstraint(fields=["run", "student"], name="allocation_outcome_one_per_pupil")]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.student_id} → {self.sections}"
