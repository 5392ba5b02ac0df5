"""Timetables, their placements, solve runs, coordinators' pins and private calendar feeds.

A timetable is a version for one school and term: drafts come from a solve run (or a copy) and
are reviewed and adjusted; publishing one archives the previously published one. Families,
teachers and partner teachers only ever read published timetables.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.runs import BackgroundRun


class TimetableQuerySet(models.QuerySet):
    def published(self) -> TimetableQuerySet:
        return self.filter(status=Timetable.Status.PUBLISHED)

    def for_school_term(self, school_id: int, term_id: int) -> TimetableQuerySet:
        return self.filter(school_id=school_id, term_id=term_id)


class Timetable(models.Model):
    """One version of a school's after-school timetable for a term."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        ARCHIVED = "archived", _("archived")

    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="timetables")
    term = models.ForeignKey("courses.Term", on_delete=models.CASCADE, related_name="timetables")
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    base = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("based on")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The independent checker's verdict (scheduling.solver.check), refreshed on every change.
    cost = models.IntegerField(_("cost"), null=True, blank=True)
    hard_violations = models.PositiveIntegerField(_("hard violations"), default=0)
    cost_by_rule = models.JSONField(default=dict, blank=True)
    hard_by_rule = models.JSONField(default=dict, blank=True)

    objects = TimetableQuerySet.as_manager()

    class Meta:
        verbose_name = _("timetable")
        verbose_name_plural = _("timetable")
        ordering = ["school", "term", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["school", "term", "version"], name="timetable_version_unique"),
            models.UniqueConstraint(
                fields=["school", "term"],
                condition=Q(status="published"),
                name="timetable_one_published_per_term",
            ),
            models.CheckConstraint(
                name="timetable_published_has_when",
                condition=~Q(status="published") | Q(published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.term.name} v{self.version} ({self.get_status_display()})"


class Placement(models.Model):
    """Where and with whom one weekly meeting of a section happens in a timetable."""

    timetable = models.ForeignKey(Timetable, on_delete=models.CASCADE, related_name="placements")
    section = models.ForeignKey("courses.Section", on_delete=models.CASCADE, related_name="placements")
    meeting = models.PositiveSmallIntegerField(_("meeting"))
    slot = models.ForeignKey("courses.Slot", on_delete=models.PROTECT, related_name="+", verbose_name=_("slot"))
    room = models.ForeignKey("courses.Room", on_delete=models.PROTECT, related_name="+", verbose_name=_("room"))
    teacher = models.ForeignKey(
        "courses.Teacher", on_delete=models.PROTECT, related_name="placements", verbose_name=_("teacher")
    )
    pinned = models.BooleanField(_("pinned"), default=False)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placement")
        ordering = ["timetable", "slot__weekday", "slot__session", "section_id", "meeting"]
        constraints = [
            models.UniqueConstraint(fields=["timetable", "section", "meeting"], name="placement_unique_meeting"),
        ]
        indexes = [models.Index(fields=["teacher", "timetable"])]

    def __str__(self) -> str:
        return f"{self.section_id}#{self.meeting} @ {self.slot_id}/{self.room_id}/{self.teacher_id}"


class SolveRun(BackgroundRun):
    """One background solve: its state lives here, so any tab or a reload sees the same thing."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        INFEASIBLE = "infeasible", _("no timetable possible")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    STALE_SETTING = "KEHOU_SOLVE_STALE_SECONDS"
    STALE_DEFAULT = 30
    REAPED_ACTION = "scheduling.solve_run.reaped"

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="solve_runs")
    term = models.ForeignKey("courses.Term", on_delete=models.CASCADE, related_name="solve_runs")
    time_limit = models.FloatField(_("time limit (seconds)"), default=20.0)
    seed = models.IntegerField(_("seed"), default=0)
    best_cost = models.FloatField(null=True, blank=True)
    bound = models.FloatField(null=True, blank=True)
    elapsed = models.FloatField(default=0.0)
    first_feasible_at = models.FloatField(null=True, blank=True, help_text="seconds to the first timetable")
    trace = models.JSONField(default=list, blank=True)  # [[elapsed, best, bound], …]
    explanation = models.JSONField(default=list, blank=True)
    base_timetable = models.ForeignKey(
        Timetable, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("based on")
    )
    result_timetable = models.ForeignKey(
        Timetable, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("result")
    )

    class Meta:
        verbose_name = _("solve run")
        verbose_name_plural = _("solve run")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["school", "term", "status"])]
        constraints = [
            models.CheckConstraint(name="solverun_time_limit_positive", condition=Q(time_limit__gt=0)),
            models.CheckConstraint(name="solverun_progress_range", condition=Q(progress__lte=100)),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.school} {self.get_status_display()}"


class Pin(models.Model):
    """A coordinator's fixed choice for one meeting of a section: any of slot, room and teacher."""

    section = models.ForeignKey("courses.Section", on_delete=models.CASCADE, related_name="pins")
    meeting = models.PositiveSmallIntegerField(_("meeting"), default=0)
    slot = models.ForeignKey("courses.Slot", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    room = models.ForeignKey("courses.Room", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    teacher = models.ForeignKey("courses.Teacher", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("pin")
        verbose_name_plural = _("pin")
        constraints = [
            models.UniqueConstraint(fields=["section", "meeting"], name="pin_unique_meeting"),
            models.CheckConstraint(
                name="pin_fixes_something",
                condition=Q(slot__isnull=False) | Q(room__isnull=False) | Q(teacher__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.section_id}#{self.meeting} → {self.slot_id}/{self.room_id}/{self.teacher_id}"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedQuerySet(models.QuerySet):
    def active(self) -> CalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(models.Model):
    """A private, unguessable, revocable iCalendar URL for a teacher's week (a pupil's is in enrollment)."""

    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    teacher = models.ForeignKey("courses.Teacher", on_delete=models.CASCADE, related_name="calendar_feeds")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feed")

    def __str__(self) -> str:
        return f"{self.token[:6]}… (teacher)"
