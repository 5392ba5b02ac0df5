"""Pupils and families, enrollment windows, ranked preferences and seats."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class PriorityGroup(models.TextChoices):
    """Policy priority groups; the keys are shared with `enrollment.allocation`."""

    LEFT_BEHIND = "left_behind", _("left-behind child")
    MIGRANT = "migrant", _("migrant worker's child")
    DISABLED = "disabled", _("disabled")
    LOW_INCOME = "low_income", _("low-income family")
    DUAL_EARNER = "dual_earner", _("dual-earner family")


class Family(models.Model):
    """A household: guardians and the children they may act for (siblings share one family)."""

    label = models.CharField(_("family"), max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("family")

    def __str__(self) -> str:
        return self.label


class Guardian(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardian")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20)
    relation = models.CharField(_("relation"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardian")

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）" if self.relation else self.name


class StudentQuerySet(models.QuerySet):
    def of_family(self, family_id: int) -> StudentQuerySet:
        return self.filter(family_id=family_id)


class Student(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    school = models.ForeignKey("courses.School", on_delete=models.PROTECT, related_name="students")
    school_class = models.ForeignKey("courses.SchoolClass", on_delete=models.PROTECT, related_name="students")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="children")
    student_no = models.CharField(_("student number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), validators=[MinValueValidator(1), MaxValueValidator(9)])
    priority_groups = models.JSONField(_("priority groups"), default=list, blank=True)
    on_roll = models.BooleanField(_("on roll"), default=True)

    objects = StudentQuerySet.as_manager()

    class Meta:
        verbose_name = _("pupil")
        verbose_name_plural = _("pupil")
        ordering = ["school", "grade", "name"]
        indexes = [models.Index(fields=["school", "grade"])]
        constraints = [models.CheckConstraint(name="student_grade_range", condition=Q(grade__gte=1, grade__lte=9))]

    def __str__(self) -> str:
        return self.name


class EnrollmentWindow(models.Model):
    """When and how families of one school choose: ranked preferences, then first-come."""

    class Mode(models.TextChoices):
        PREFERENCE = "preference", _("ranked preferences, then allocation")
        FIRST_COME = "first_come", _("first come, first served")

    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="windows")
    term = models.ForeignKey("courses.Term", on_delete=models.CASCADE, related_name="windows")
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    opens_at = models.DateTimeField(_("start"))
    closes_at = models.DateTimeField(_("closes"))
    max_choices = models.PositiveSmallIntegerField(
        _("maximum choices"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    lottery_seed_hash = models.CharField(_("lottery seed commitment (SHA-256)"), max_length=64, blank=True)
    lottery_seed = models.CharField(_("lottery seed"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("enrollment window")
        verbose_name_plural = _("enrollment window")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(name="window_closes_after_opens", condition=Q(closes_at__gt=F("opens_at"))),
            models.CheckConstraint(
                name="window_max_choices_range", condition=Q(max_choices__gte=1, max_choices__lte=5)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.get_mode_display()} {self.opens_at:%m-%d}"


class Preference(models.Model):
    """A family's ranked choice for a child in a preference window (rank 1 is the first choice)."""

    window = models.ForeignKey(EnrollmentWindow, on_delete=models.CASCADE, related_name="preferences")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="preferences")
    section = models.ForeignKey("courses.Section", on_delete=models.CASCADE, related_name="preferences")
    rank = models.PositiveSmallIntegerField(_("rank"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preference")
        ordering = ["window", "student", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["window", "student", "rank"], name="preference_rank_unique"),
            models.UniqueConstraint(fields=["window", "student", "section"], name="preference_section_unique"),
            models.CheckConstraint(name="preference_rank_range", condition=Q(rank__gte=1, rank__lte=5)),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} #{self.rank} → {self.section_id}"


class Enrollment(models.Model):
    """A child's seat in a section; at most one active (enrolled or waitlisted) row per pair."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("enrolled")
        WAITLISTED = "waitlisted", _("waitlisted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrollments")
    section = models.ForeignKey("courses.Section", on_delete=models.CASCADE, related_name="enrollments")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollment")
        indexes = [models.Index(fields=["section", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "section"],
                condition=Q(status__in=["enrolled", "waitlisted"]),
                name="enrollment_one_active_per_section",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student_id} → {self.section_id} ({self.status})"
