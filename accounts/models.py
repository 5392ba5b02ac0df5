"""Users, their roles (each with a scope), API tokens and login throttling."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in; `phone` lets parents log in with the number the school has."""

    phone = models.CharField(_("mobile phone"), max_length=20, unique=True, null=True, blank=True)
    display_name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("user")

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.TextChoices):
    PARENT = "parent", _("parent")
    COORDINATOR = "coordinator", _("school coordinator")
    TEACHER = "teacher", _("teacher")
    PARTNER_TEACHER = "partner_teacher", _("partner teacher")
    BUREAU = "bureau", _("bureau")
    INSPECTOR = "inspector", _("inspector")
    INSTITUTION = "institution", _("training institution")
    HOTLINE = "hotline", _("hotline staff")
    EXPERT = "expert", _("course review expert")


class RoleGrant(models.Model):
    """One role of one user with its scope: a school, a provider or a district.

    An inspector, a training institution's account, hotline staff and a course-review expert are
    scoped by district here; which inspector (department), institution or expert they are is kept
    by the supervision app (`supervision.Inspector`, `supervision.InstitutionAccount`, its expert
    pool), which sits above accounts.

    The scope column each role needs is enforced by a check constraint, so a coordinator
    without a school (who would otherwise see nothing or, worse, everything) cannot exist.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, null=True, blank=True)
    provider = models.ForeignKey("partners.Provider", on_delete=models.CASCADE, null=True, blank=True)
    district = models.ForeignKey("courses.District", on_delete=models.CASCADE, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grant")
        constraints = [
            models.CheckConstraint(
                name="rolegrant_scope_matches_role",
                condition=(
                    Q(role="parent", school__isnull=True, provider__isnull=True, district__isnull=True)
                    | Q(role="coordinator", school__isnull=False, provider__isnull=True, district__isnull=True)
                    | Q(role="teacher", school__isnull=False, provider__isnull=True, district__isnull=True)
                    | Q(role="partner_teacher", school__isnull=True, provider__isnull=False, district__isnull=True)
                    | Q(role="bureau", school__isnull=True, provider__isnull=True, district__isnull=False)
                    | Q(role="inspector", school__isnull=True, provider__isnull=True, district__isnull=False)
                    | Q(role="institution", school__isnull=True, provider__isnull=True, district__isnull=False)
                    | Q(role="hotline", school__isnull=True, provider__isnull=True, district__isnull=False)
                    | Q(role="expert", school__isnull=True, provider__isnull=True, district__isnull=False)
                ),
            ),
            # One grant per user, role and scope (partial indexes: NULL scopes never compare equal).
            models.UniqueConstraint(
                fields=["user", "role", "school"], name="rolegrant_unique_school", condition=Q(school__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["user", "role", "provider"],
                name="rolegrant_unique_provider",
                condition=Q(provider__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "role", "district"],
                name="rolegrant_unique_district",
                condition=Q(district__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["user", "role"], name="rolegrant_unique_parent", condition=Q(role="parent")
            ),
        ]

    def __str__(self) -> str:
        scope = self.school or self.provider or self.district or ""
        return f"{self.user} · {self.get_role_display()} {scope}".strip()


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A revocable bearer token; only its SHA-256 is stored, the raw value is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text=_("first 8 characters of the token, to recognise it"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API token")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, *, user, name: str = "") -> tuple[ApiToken, str]:
        raw = "kh_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, key_hash=_hash_token(raw), prefix=raw[:8], name=name)
        return token, raw

    @classmethod
    def lookup(cls, raw: str) -> ApiToken | None:
        """The active token with this raw value (key_hash is unique: no ORDER BY needed, unlike first())."""
        try:
            return cls.objects.active().select_related("user").get(key_hash=_hash_token(raw))
        except cls.DoesNotExist:
            return None


class LoginFailure(models.Model):
    """A failed login, kept in the database so every web process sees the same count."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed login")

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"
