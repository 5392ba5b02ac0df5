"""Registers, attendance marks, leave reports and the daily aggregates the dashboards read."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    ABSENT = "absent", _("absent")
    LEAVE = "leave", _("on leave")


class Register(models.Model):
    """One section's register on one school day; the row exists once the register is taken.

    The counts repeat the section's `Attendance` rows for that day (kept in step by
    `participation.services.register_save`); `teacher` is who taught the meeting (the subsidy counts
    registers per teacher).
    """

    section = models.ForeignKey("courses.Section", on_delete=models.CASCADE, related_name="registers")
    date = models.DateField(_("date"))
    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(
        "courses.Teacher", on_delete=models.SET_NULL, null=True, blank=True, related_name="registers"
    )
    expected = models.PositiveIntegerField(_("expected"), default=0)
    present = models.PositiveIntegerField(_("present"), default=0)
    absent = models.PositiveIntegerField(_("absent"), default=0)
    leave = models.PositiveIntegerField(_("on leave"), default=0)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("register")
        verbose_name_plural = _("register")
        ordering = ["-date", "section"]
        constraints = [models.UniqueConstraint(fields=["section", "date"], name="register_one_per_section_day")]
        indexes = [
            models.Index(fields=["school", "date"], name="register_school_date"),
            models.Index(fields=["teacher", "date"], name="register_teacher_date"),
        ]

    def __str__(self) -> str:
        return f"{self.section_id} {self.date}"


class Attendance(models.Model):
    """One pupil's mark in one section's register on one day."""

    section = models.ForeignKey("courses.Section", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    student = models.ForeignKey("enrollment.Student", on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["section", "date", "student"], name="attendance_one_per_pupil_day"),
            models.CheckConstraint(
                name="attendance_status_known", condition=Q(status__in=["present", "absent", "leave"])
            ),
        ]
        indexes = [models.Index(fields=["student", "date"], name="attendance_student_date")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.section_id} {self.date} {self.status}"


class LeaveReport(models.Model):
    """A family reports ahead of time that a child will miss after-school service on a day."""

    student = models.ForeignKey("enrollment.Student", on_delete=models.CASCADE, related_name="leave_reports")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("leave report")
        verbose_name_plural = _("leave report")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["student", "date"], name="leave_report_one_per_day")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date}"


class AttendanceDaily(models.Model):
    """Pupil-meetings per school × day × grade × course kind, updated as registers are saved.

    The dashboards read these rows, never the raw marks; `fee_due` is present × the course's fee per
    class hour for pupils not exempt (low-income families pay nothing).
    """

    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    grade = models.PositiveSmallIntegerField(_("grade"))
    kind = models.CharField(_("kind"), max_length=20)
    expected = models.IntegerField(_("expected"), default=0)
    present = models.IntegerField(_("present"), default=0)
    absent = models.IntegerField(_("absent"), default=0)
    leave = models.IntegerField(_("on leave"), default=0)
    fee_due = models.DecimalField(_("fees due (yuan)"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("daily attendance")
        verbose_name_plural = _("daily attendance")
        constraints = [
            models.UniqueConstraint(fields=["school", "date", "grade", "kind"], name="attendance_daily_cell"),
        ]
        indexes = [models.Index(fields=["date"], name="attendance_daily_date")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.date} {self.grade} {self.kind}"
