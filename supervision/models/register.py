"""The register of off-campus training institutions (校外培训机构), their teachers, accounts and history.

Scopes are read here once, in the `visible_to_*` QuerySet methods: the bureau sees its district's
institutions, an institution's account its own record, an inspector their own inspector row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.access import Actor


class Department(models.TextChoices):
    """The departments of a joint inspection (联合检查)."""

    EDUCATION = "education", _("education bureau")
    MARKET = "market", _("market regulation")
    CIVIL = "civil", _("civil affairs")
    FIRE = "fire", _("fire and rescue")
    CULTURE = "culture", _("culture and tourism")


class Grade(models.TextChoices):
    GREEN = "green", _("green")
    YELLOW = "yellow", _("yellow")
    RED = "red", _("red")


class InstitutionQuerySet(models.QuerySet):
    def visible_to_bureau(self, actor: Actor) -> InstitutionQuerySet:
        """Institutions of the bureau's district(s); nothing for anyone else (ids, not a subquery:
        the planner then uses the (district, name) index for the register's order)."""
        return self.filter(district_id__in=actor.district_ids)

    def visible_to_institution(self, actor: Actor) -> InstitutionQuerySet:
        """The institution(s) whose account the actor holds, within the district of the grant."""
        return self.filter(accounts__user_id=actor.user_id, district_id__in=actor.institution_district_ids)

    def in_inspector_district(self, actor: Actor) -> InstitutionQuerySet:
        """Institutions of the inspector's district (an inspector's tasks narrow this further)."""
        return self.filter(district_id__in=actor.inspector_district_ids)


class Institution(models.Model):
    class Kind(models.TextChoices):
        SUBJECT = "subject", _("subject-type")
        NON_SUBJECT = "non_subject", _("non-subject-type")

    class LegalForm(models.TextChoices):
        FOR_PROFIT = "for_profit", _("for-profit")
        NON_PROFIT = "non_profit", _("non-profit")

    class Status(models.TextChoices):
        OPERATING = "operating", _("operating")
        SUSPENDED = "suspended", _("suspended")
        CLOSED = "closed", _("closed")
        CONVERTING = "converting", _("converting (to non-profit or non-subject)")

    class Prepaid(models.TextChoices):
        ESCROW = "escrow", _("escrow account")
        DEPOSIT = "deposit", _("risk deposit")
        NONE = "none", _("no prepaid fees")

    district = models.ForeignKey("courses.District", on_delete=models.PROTECT, related_name="institutions")
    name = models.CharField(_("name"), max_length=100)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    licence_no = models.CharField(_("school licence number"), max_length=40, blank=True)
    licence_expires = models.DateField(_("licence valid until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPERATING)
    address = models.CharField(_("address"), max_length=200, blank=True)
    township = models.CharField(_("responsible township"), max_length=50)
    grid = models.CharField(_("grid cell"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    prepaid = models.CharField(_("prepaid fees"), max_length=20, choices=Prepaid.choices, default=Prepaid.NONE)
    provider = models.OneToOneField(
        "partners.Provider",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="institution",
        verbose_name=_("partner provider"),
    )
    grade = models.CharField(_("risk grade"), max_length=10, choices=Grade.choices, default=Grade.GREEN)
    grade_reasons = models.JSONField(_("reasons"), default=list, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("training institution")
        verbose_name_plural = _("training institution")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "credit_code"], name="institution_credit_code_unique"),
        ]
        indexes = [
            models.Index(fields=["district", "name", "id"], name="institution_name_id"),
            models.Index(fields=["district", "status", "kind"], name="institution_status_kind"),
            models.Index(fields=["district", "township", "grid"], name="institution_grid"),
            models.Index(fields=["district", "grade", "name"], name="institution_grade_name"),
        ]

    def __str__(self) -> str:
        return self.name


class InstitutionTeacher(models.Model):
    """A teacher of an institution; subject-type teaching needs a teacher's qualification (教师资格)."""

    class Qualification(models.TextChoices):
        QUALIFIED = "qualified", _("holds a teacher's certificate")
        PENDING = "pending", _("applying")
        NONE = "none", _("no qualification")

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="teachers")
    name = models.CharField(_("name"), max_length=50)
    subject = models.CharField(_("subject"), max_length=30, blank=True)
    qualification = models.CharField(
        _("qualification"), max_length=20, choices=Qualification.choices, default=Qualification.NONE
    )
    certificate_no = models.CharField(_("certificate number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("institution teacher")
        verbose_name_plural = _("institution teacher")
        ordering = ["institution", "name", "id"]

    def __str__(self) -> str:
        return self.name


class InstitutionChange(models.Model):
    """One change of a register entry: which fields, before and after, by whom (the history)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=20, default="form")  # form | import | api
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("register change")
        verbose_name_plural = _("register change")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.institution_id} @ {self.at:%Y-%m-%d %H:%M}"


class InstitutionAccount(models.Model):
    """The login of an institution (its role grant holds the district; this row the institution)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="institution_account")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="accounts")

    class Meta:
        verbose_name = _("institution account")
        verbose_name_plural = _("institution account")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.institution_id}"


class InspectorQuerySet(models.QuerySet):
    def visible_to_inspector(self, actor: Actor) -> InspectorQuerySet:
        """The actor's own inspector row, in the district of their grant."""
        return self.filter(user_id=actor.user_id, district_id__in=actor.inspector_district_ids)

    def visible_to_bureau(self, actor: Actor) -> InspectorQuerySet:
        return self.filter(district_id__in=actor.district_ids)


class Inspector(models.Model):
    """A law-enforcement inspector of one department (执法检查人员). `code` is public, the name is not."""

    district = models.ForeignKey("courses.District", on_delete=models.PROTECT, related_name="inspectors")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="inspector"
    )
    code = models.CharField(_("inspector code"), max_length=20)
    name = models.CharField(_("name"), max_length=50)
    department = models.CharField(_("department"), max_length=20, choices=Department.choices)
    active = models.BooleanField(_("active"), default=True)

    objects = InspectorQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspector")
        verbose_name_plural = _("inspector")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="inspector_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Conflict(models.Model):
    """A conflict of interest (回避): this inspector never inspects this institution."""

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="conflicts")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="conflicts")
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflict of interest")
        constraints = [models.UniqueConstraint(fields=["inspector", "institution"], name="conflict_unique")]

    def __str__(self) -> str:
        return f"{self.inspector_id} × {self.institution_id}"


class GradeChange(models.Model):
    """The grade history: every change of an institution's colour with the rules that gave it."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="grade_history")
    grade = models.CharField(max_length=10, choices=Grade.choices)
    previous = models.CharField(max_length=10, choices=Grade.choices, blank=True)
    reasons = models.JSONField(default=list)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("grade change")
        verbose_name_plural = _("grade change")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.previous} → {self.grade}"


__all__ = [
    "Conflict",
    "Department",
    "Grade",
    "GradeChange",
    "Inspector",
    "Institution",
    "InstitutionAccount",
    "InstitutionChange",
    "InstitutionTeacher",
]
