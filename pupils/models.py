"""The pupil register: families (siblings share one), guardians, pupils on roll with their class and
priority groups. Seats, windows and choices are `enrollment`'s; everything above reads pupils here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.access import Actor


class PriorityGroup(models.TextChoices):
    """Policy priority groups; the keys are shared with `allocation.engine`."""

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
        db_table = "enrollment_family"  # the tables they were made in (moved from enrollment, 2026-12)
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
        db_table = "enrollment_guardian"
        verbose_name = _("guardian")
        verbose_name_plural = _("guardian")

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）" if self.relation else self.name


class StudentQuerySet(models.QuerySet):
    def of_family(self, family_id: int) -> StudentQuerySet:
        return self.filter(family_id=family_id)

    def visible_to_parent(self, actor: Actor) -> StudentQuerySet:
        """THE parent's scope: the children of the acting parent's own family, nothing else."""
        family_id = parent_family(actor)
        return self.of_family(family_id) if family_id is not None else self.none()


def parent_family(actor: Actor) -> int | None:
    """The family whose children a parent sees (`visible_to_parent`), as a plain value for statements
    compiled once (`core.hot`, the first-come request); None: no children at all."""
    return actor.family_id


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
        db_table = "enrollment_student"
        verbose_name = _("pupil")
        verbose_name_plural = _("pupil")
        ordering = ["school", "grade", "name"]
        indexes = [models.Index(fields=["school", "grade"])]
        constraints = [models.CheckConstraint(name="student_grade_range", condition=Q(grade__gte=1, grade__lte=9))]

    def __str__(self) -> str:
        return self.name
