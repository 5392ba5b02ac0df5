"""A school's gates, which gate each class leaves by, and who may pick a family's children up: the
gate list's own data (the family's dismissal choices and day changes stay in `enrollment`, which decides them)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Gate(models.Model):
    """A school gate where classes are handed to the people picking them up."""

    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="gates")
    name = models.CharField(_("gate"), max_length=50)

    class Meta:
        db_table = "enrollment_gate"  # the table it was made in (moved from enrollment in 2026-12)
        verbose_name = _("gate")
        verbose_name_plural = _("gate")
        ordering = ["school", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="gate_name_unique_in_school")]

    def __str__(self) -> str:
        return self.name


class ClassGate(models.Model):
    """Which gate a class leaves by (a class without a row leaves by the main gate)."""

    school_class = models.OneToOneField("courses.SchoolClass", on_delete=models.CASCADE, related_name="gate_link")
    gate = models.ForeignKey(Gate, on_delete=models.CASCADE, related_name="class_links")

    class Meta:
        db_table = "enrollment_classgate"
        verbose_name = _("class gate")
        verbose_name_plural = _("class gate")

    def __str__(self) -> str:
        return f"{self.school_class_id} → {self.gate_id}"


class PickupPerson(models.Model):
    """Someone the family allows to pick its children up at the gate (shown to the teacher on duty)."""

    MAX_PER_FAMILY = 6

    family = models.ForeignKey("pupils.Family", on_delete=models.CASCADE, related_name="pickup_persons")
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=20)
    phone = models.CharField(_("mobile phone"), max_length=20)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "enrollment_pickupperson"
        verbose_name = _("pick-up person")
        verbose_name_plural = _("pick-up person")
        ordering = ["family", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）"

    @property
    def phone_tail(self) -> str:
        return self.phone[-4:]
