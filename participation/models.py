"""Registers, attendance marks, leave reports, the daily aggregates the dashboards read; fees and statements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
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
    student = models.ForeignKey("pupils.Student", on_delete=models.CASCADE, related_name="attendance")
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

    student = models.ForeignKey("pupils.Student", on_delete=models.CASCADE, related_name="leave_reports")
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


# --- Fees and statements ---------------------------------------------------------------------------


class DistrictPolicy(models.Model):
    """The district's after-school rules: the local off-work time (5+2) and what homework help costs."""

    DEFAULT_OFF_WORK = dt.time(17, 30)

    class HomeworkFee(models.TextChoices):
        FREE = "free", _("homework help is free")
        COURSE = "course", _("homework help at its own rate (the course's fee per class hour, capped)")

    district = models.OneToOneField("courses.District", on_delete=models.CASCADE, related_name="policy")
    off_work_time = models.TimeField(_("local off-work time"), default=DEFAULT_OFF_WORK)
    homework_fee = models.CharField(
        _("homework help fee"), max_length=10, choices=HomeworkFee.choices, default=HomeworkFee.FREE
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("district policy")
        verbose_name_plural = _("district policy")
        constraints = [
            models.CheckConstraint(name="policy_homework_fee_known", condition=Q(homework_fee__in=["free", "course"]))
        ]

    def __str__(self) -> str:
        return f"{self.district_id} {self.off_work_time:%H:%M}"


class FeeRule(models.Model):
    """A school's fee rule: the statement period, the charge basis and its refunds.

    * basis `attended` (按实际出勤结算): every meeting the pupil attended is charged;
    * basis `enrolled` (按报名课时收费): every meeting on the pupil's registers is charged, and a
      long absence — `long_absence_meetings` or more meetings of a course missed in a row (absent or
      on leave) — is refunded meeting by meeting;
    * either basis: a pupil who leaves a course having attended at most `trial_meetings` of its
      meetings is refunded them (a trial: families may try a course and leave without paying).
    """

    class Period(models.TextChoices):
        TERM = "term", _("per term")
        MONTH = "month", _("per month")

    class Basis(models.TextChoices):
        ATTENDED = "attended", _("meetings attended")
        ENROLLED = "enrolled", _("meetings enrolled, long absences refunded")

    MAX_MEETINGS = 60

    school = models.OneToOneField("courses.School", on_delete=models.CASCADE, related_name="fee_rule")
    period = models.CharField(_("statement period"), max_length=10, choices=Period.choices, default=Period.TERM)
    basis = models.CharField(_("charged for"), max_length=10, choices=Basis.choices, default=Basis.ATTENDED)
    trial_meetings = models.PositiveSmallIntegerField(
        _("refund on leaving within this many meetings"), default=0, validators=[MaxValueValidator(MAX_MEETINGS)]
    )
    long_absence_meetings = models.PositiveSmallIntegerField(
        _("refund absences of this many meetings in a row or more"),
        default=0,
        validators=[MaxValueValidator(MAX_MEETINGS)],
        help_text=_("0: no refund for absences (basis: meetings enrolled)"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fee rule")
        verbose_name_plural = _("fee rule")
        constraints = [
            models.CheckConstraint(name="fee_rule_period_known", condition=Q(period__in=["term", "month"])),
            models.CheckConstraint(name="fee_rule_basis_known", condition=Q(basis__in=["attended", "enrolled"])),
            models.CheckConstraint(
                name="fee_rule_meetings_range", condition=Q(trial_meetings__lte=60, long_absence_meetings__lte=60)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.period} {self.basis}"


class FeeExemption(models.Model):
    """A needy family's application to be exempt from fees for a term (the reason is kept), and the
    school's answer. Pupils of 低保/建档立卡 families (`low_income`) are exempt without applying."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the school")
        APPROVED = "approved", _("approved")
        DECLINED = "declined", _("declined")

    student = models.ForeignKey("pupils.Student", on_delete=models.CASCADE, related_name="fee_exemptions")
    term = models.ForeignKey("courses.Term", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fee exemption")
        verbose_name_plural = _("fee exemption")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "term"],
                condition=Q(status__in=["pending", "approved"]),
                name="exemption_one_open_per_term",
            ),
            models.CheckConstraint(name="exemption_has_reason", condition=~Q(reason="")),
            models.CheckConstraint(
                name="exemption_status_known", condition=Q(status__in=["pending", "approved", "declined"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.term_id} {self.status}"


class Statement(models.Model):
    """One pupil's fee statement for a period (a term or a month of it), made from the registers.

    Its lines are frozen when issued; a later change of the registers becomes correction lines
    (credit or debit, audited). `total` is the sum of the lines and `paid` the sum of the payments,
    both kept in step by `participation.services` in the same transaction as the rows they sum.
    """

    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey("courses.Term", on_delete=models.CASCADE, related_name="+")
    student = models.ForeignKey("pupils.Student", on_delete=models.CASCADE, related_name="statements")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    number = models.CharField(_("statement number"), max_length=64, unique=True)
    total = models.DecimalField(_("amount due (yuan)"), max_digits=10, decimal_places=2, default=0)
    paid = models.DecimalField(_("paid (yuan)"), max_digits=10, decimal_places=2, default=0)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField(_("last corrected at"), null=True, blank=True)

    class Meta:
        verbose_name = _("fee statement")
        verbose_name_plural = _("fee statement")
        ordering = ["-period_start", "student"]
        constraints = [
            models.UniqueConstraint(fields=["student", "term", "period_start"], name="statement_one_per_period"),
            models.CheckConstraint(name="statement_period_order", condition=Q(period_end__gte=F("period_start"))),
        ]
        indexes = [models.Index(fields=["school", "term", "period_start"], name="statement_school_period")]

    def __str__(self) -> str:
        return self.number

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid


class StatementLine(models.Model):
    """One frozen line of a statement: a charge, a refund, an exemption or a later correction."""

    class Kind(models.TextChoices):
        CHARGE = "charge", _("charge")
        REFUND = "refund", _("refund")
        EXEMPTION = "exemption", _("exemption")
        CORRECTION = "correction", _("correction")

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    course = models.ForeignKey("courses.Course", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    label = models.CharField(_("item"), max_length=120)
    meetings = models.IntegerField(_("meetings"), default=0)
    rate = models.DecimalField(_("fee per class hour (yuan)"), max_digits=6, decimal_places=2, default=0)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    manual = models.BooleanField(
        _("corrected by hand"), default=False, help_text=_("kept as it is when the registers are read again")
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement line")
        ordering = ["statement", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="statement_line_kind_known",
                condition=Q(kind__in=["charge", "refund", "exemption", "correction"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.kind} {self.amount}"

    def save(self, *args, **kwargs) -> None:
        """Lines are frozen: a line is written once; a change is a new correction line."""
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("statement lines are frozen: add a correction line instead")
        super().save(*args, **kwargs)


class Payment(models.Model):
    """A payment the school received for a statement (from its payment provider's export, or by hand)."""

    class Channel(models.TextChoices):
        WECHAT = "wechat", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")
        BANK = "bank", _("bank transfer")
        CASH = "cash", _("cash")
        OTHER = "other", _("other")

    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="+")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    paid_at = models.DateTimeField(_("paid at"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    reference = models.CharField(_("reference"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    batch = models.CharField(_("import"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payment")
        ordering = ["-paid_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "channel", "reference"], name="payment_reference_unique"),
            models.CheckConstraint(name="payment_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.reference} {self.amount}"


# The gate list's own rows live with its code; imported here so Django registers them.
from participation.gate.models import ClassGate, Gate, PickupPerson  # noqa: E402, F401
