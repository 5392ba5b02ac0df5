"""Providers (a vocational school or an approved institution), their partner courses, travel times."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Provider(models.Model):
    class Kind(models.TextChoices):
        VOCATIONAL = "vocational", _("vocational school")
        INSTITUTION = "institution", _("outside institution")

    class Review(models.TextChoices):
        PENDING = "pending", _("awaiting review")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    district = models.ForeignKey("courses.District", on_delete=models.PROTECT, related_name="providers")
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    school = models.OneToOneField(
        "courses.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="provider",
        verbose_name=_("school"),
    )
    qualification_status = models.CharField(
        _("qualification review"), max_length=20, choices=Review.choices, default=Review.PENDING
    )
    qualification_expires = models.DateField(_("qualification valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("provider")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerCourse(models.Model):
    class Kind(models.TextChoices):
        LABOUR = "labour", _("labour skills")
        SCIENCE = "science", _("science")
        ARTS = "arts", _("arts")
        SPORT = "sport", _("sport")
        READING = "reading", _("reading")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("awaiting review")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned for changes")

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="courses")
    title = models.CharField(_("title"), max_length=100)
    title_en = models.CharField(_("English title"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("category"), max_length=20, choices=Kind.choices)
    grades = models.JSONField(_("grades"), default=list)
    group_size = models.PositiveSmallIntegerField(_("group size"), validators=[MinValueValidator(1)])
    meetings_per_week = models.PositiveSmallIntegerField(
        _("meetings a week"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    materials = models.TextField(_("materials"), blank=True)
    room_features = models.JSONField(_("room needs"), default=list, blank=True)
    fee_per_class_hour = models.DecimalField(
        _("fee per class hour (yuan)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)

    class Meta:
        verbose_name = _("partner course")
        verbose_name_plural = _("partner course")
        ordering = ["provider", "title"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "title"], name="partner_course_title_unique"),
            models.CheckConstraint(name="partner_course_group_size_positive", condition=Q(group_size__gte=1)),
            models.CheckConstraint(name="partner_course_fee_not_negative", condition=Q(fee_per_class_hour__gte=0)),
        ]

    def __str__(self) -> str:
        return self.title


class TravelTime(models.Model):
    """Minutes to travel from one school to another, kept by the bureau (stored both ways)."""

    from_school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="+")
    to_school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="+")
    minutes = models.PositiveSmallIntegerField(_("travel (minutes)"), validators=[MaxValueValidator(600)])

    class Meta:
        verbose_name = _("travel time")
        verbose_name_plural = _("travel time")
        constraints = [
            models.UniqueConstraint(fields=["from_school", "to_school"], name="travel_time_unique_pair"),
            models.CheckConstraint(name="travel_time_distinct_schools", condition=~Q(from_school=F("to_school"))),
        ]

    def __str__(self) -> str:
        return f"{self.from_school} → {self.to_school}: {self.minutes}′"
