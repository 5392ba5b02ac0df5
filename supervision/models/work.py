"""Check-item lists, random inspection plans (双随机), inspections, rectification notices (整改通知书)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.models.register import Department, Inspector, Institution


class CheckList(models.Model):
    """A department's 抽查事项清单, versioned: a version once used by a plan is never edited."""

    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("check-item list")
        verbose_name_plural = _("check-item list")
        ordering = ["department", "-version"]
        constraints = [models.UniqueConstraint(fields=["department", "version"], name="checklist_version_unique")]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class CheckItem(models.Model):
    checklist = models.ForeignKey(CheckList, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("check item"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("check item")
        verbose_name_plural = _("check item")
        ordering = ["checklist", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["checklist", "code"], name="checkitem_code_unique")]

    def __str__(self) -> str:
        return self.text


class Plan(models.Model):
    """A 双随机 plan: drafted, committed (population frozen, seed hash published), then drawn (published)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        COMMITTED = "committed", _("committed (seed hash published)")
        PUBLISHED = "published", _("drawn and published")

    district = models.ForeignKey("courses.District", on_delete=models.PROTECT, related_name="inspection_plans")
    title = models.CharField(_("title"), max_length=100)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    population_filter = models.JSONField(_("population"), default=dict, blank=True)
    n_targets = models.PositiveIntegerField(_("number of targets"), null=True, blank=True)
    percent = models.DecimalField(
        _("percentage of the population"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    per_target = models.PositiveSmallIntegerField(
        _("inspectors per target"), default=2, validators=[MinValueValidator(2)]
    )
    departments = models.JSONField(_("departments"), default=list)
    checklists = models.ManyToManyField(CheckList, related_name="plans", blank=True, verbose_name=_("check lists"))
    commitment = models.CharField(_("seed commitment (SHA-256)"), max_length=64, blank=True)
    frozen = models.JSONField(default=dict, blank=True, editable=False)
    population_size = models.PositiveIntegerField(default=0)
    committed_at = models.DateTimeField(null=True, blank=True)
    seed = models.CharField(_("seed"), max_length=128, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plan")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class PlanTarget(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="plan_targets")
    rank = models.PositiveIntegerField()
    score = models.CharField(max_length=64)

    class Meta:
        ordering = ["plan", "rank"]
        constraints = [models.UniqueConstraint(fields=["plan", "institution"], name="plantarget_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id} #{self.rank}: {self.institution_id}"


class PlanAssignment(models.Model):
    target = models.ForeignKey(PlanTarget, on_delete=models.CASCADE, related_name="assignments")
    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="assignments")
    rank = models.PositiveSmallIntegerField()
    score = models.CharField(max_length=64)

    class Meta:
        ordering = ["target", "rank"]
        constraints = [models.UniqueConstraint(fields=["target", "inspector"], name="planassignment_unique")]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.inspector_id}"


class Inspection(models.Model):
    """The inspection of one drawn target: its inspectors record each check item, then sign off."""

    class Status(models.TextChoices):
        OPEN = "open", _("to do")
        SUBMITTED = "submitted", _("signed off")

    target = models.OneToOneField(PlanTarget, on_delete=models.CASCADE, related_name="inspection")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(Inspector, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspection")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"inspection {self.pk} of target {self.target_id}"

    @property
    def institution(self) -> Institution:
        return self.target.institution


class ItemResult(models.Model):
    """One recorded check item. After sign-off a correction is a new row that supersedes this one."""

    class Result(models.TextChoices):
        OK = "ok", _("passes the check")
        PROBLEM = "problem", _("problem found")
        FIXED = "fixed", _("fixed on the spot")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=20, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    current = models.BooleanField(default=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    correction_reason = models.CharField(_("reason for the correction"), max_length=200, blank=True)

    class Meta:
        ordering = ["inspection", "item__order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "item"],
                condition=models.Q(current=True),
                name="itemresult_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.result}"


def _photo_path(instance: InspectionPhoto, filename: str) -> str:
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(instance.content_type, "bin")
    return f"supervision/photos/{instance.inspection_id}/{uuid.uuid4().hex}.{ext}"


class InspectionPhoto(models.Model):
    """Evidence photo, stored under MEDIA_ROOT and served only through a checked view."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    file = models.FileField(upload_to=_photo_path, max_length=200)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"photo {self.pk} of inspection {self.inspection_id}"


class Notice(models.Model):
    """整改通知书: numbered per district and year; closed by a passed verification or referred."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        RESPONDED = "responded", _("response received")
        CLOSED = "closed", _("rectified and verified")
        REFERRED = "referred", _("referred to law enforcement")

    district = models.ForeignKey("courses.District", on_delete=models.PROTECT, related_name="rectification_notices")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="notices")
    inspection = models.ForeignKey(Inspection, on_delete=models.SET_NULL, null=True, blank=True, related_name="notices")
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ISSUED)
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    response = models.TextField(_("response"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    referred_at = models.DateTimeField(null=True, blank=True)
    referral_note = models.TextField(_("referral note"), blank=True)

    class Meta:
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notice")
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["district", "year", "number"], name="notice_number_unique")]
        indexes = [models.Index(fields=["status", "deadline"], name="notice_status_deadline")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The notice's number as the reader's language writes it (整改〔2026〕001号 in Chinese)."""
        from django.utils.translation import gettext

        return gettext("Rectification %(year)s-%(number)s") % {"year": self.year, "number": f"{self.number:03d}"}

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status in (self.Status.ISSUED, self.Status.RESPONDED) and self.deadline < today


class NoticeItem(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(CheckItem, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    text = models.CharField(_("what must be put right"), max_length=300)

    class Meta:
        ordering = ["notice", "id"]

    def __str__(self) -> str:
        return self.text


class Verification(models.Model):
    """A visit that checks a notice: on site or a later 回头看, possibly unannounced (突击检查)."""

    class Kind(models.TextChoices):
        ON_SITE = "on_site", _("on-site verification")
        LOOK_BACK = "look_back", _("look-back visit")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="verifications")
    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="verifications")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("visited at"), default=timezone.now)
    passed = models.BooleanField(_("rectified"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["notice", "at", "id"]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.kind} {self.at:%Y-%m-%d}"

    @property
    def surprise(self) -> bool:
        """An evening (from 18:00) or weekend visit: the report's 突击检查."""
        local = timezone.localtime(self.at)
        return local.hour >= 18 or local.weekday() >= 5
