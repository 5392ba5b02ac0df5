"""Providers (a vocational school or an approved institution), their partner courses, travel times.

A partner course is what a provider's teacher writes; the bureau reviews it. Host schools only
ever see the *offered* version: the fields as they were when the bureau last approved them
(`offered`, a snapshot). Editing an approved course sends it back to review while the last
approved version stays offered, so a host school's plans never break mid-review.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.extensions import ExtensionPoint
from courses.models import District

if TYPE_CHECKING:
    from accounts.access import Actor

# Fields of a partner course that the bureau reviews and host schools see.
OFFERED_FIELDS = (
    "title",
    "title_en",
    "description",
    "kind",
    "grades",
    "group_size",
    "meetings_per_week",
    "materials",
    "room_features",
    "fee_per_class_hour",
)


#: Providers held back from schools by an app above (the supervision app: an institution graded red).
#: Each contribution is `() -> ids` (a values() queryset or an iterable of provider ids); a held
#: provider's courses are not offered (see `qualified`) until the holder lifts it.
PROVIDER_HOLDS: ExtensionPoint = ExtensionPoint(
    "partners.provider_holds", "Provider ids not to be offered to schools for now (e.g. an institution graded red)."
)


class ProviderQuerySet(models.QuerySet):
    def visible_to_partner(self, actor: Actor) -> ProviderQuerySet:
        """The provider(s) a partner teacher works for; nothing for anyone else."""
        return self.filter(pk__in=actor.provider_ids)

    def visible_to_bureau(self, actor: Actor) -> ProviderQuerySet:
        """Providers registered in the bureau's district(s)."""
        return self.filter(district__in=District.objects.visible_to_bureau(actor))

    def qualified(self, today: dt.date | None = None) -> ProviderQuerySet:
        """Providers whose qualification is approved and not expired, and held by no app above
        (PROVIDER_HOLDS): only their courses are offered."""
        today = today or timezone.localdate()
        qs = self.filter(qualification_status=Provider.Review.APPROVED).filter(
            Q(qualification_expires__isnull=True) | Q(qualification_expires__gte=today)
        )
        for held in PROVIDER_HOLDS:
            qs = qs.exclude(pk__in=held())
        return qs


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

    objects = ProviderQuerySet.as_manager()

    class Meta:
        verbose_name = _("provider")
        verbose_name_plural = _("provider")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def is_qualified(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.qualification_status == self.Review.APPROVED and (
            self.qualification_expires is None or self.qualification_expires >= today
        )


class PartnerCourseQuerySet(models.QuerySet):
    def offered(self) -> PartnerCourseQuerySet:
        """Courses with an approved version (approved now, or changed and back in review) of a
        qualified provider. Grades and reach are checked by the selector."""
        return self.filter(Q(status=PartnerCourse.Status.APPROVED) | Q(offered__isnull=False)).filter(
            provider__in=Provider.objects.qualified()
        )


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
    # The last approved version (OFFERED_FIELDS as JSON); null until the bureau first approves.
    offered = models.JSONField(_("approved version"), null=True, blank=True, editable=False)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PartnerCourseQuerySet.as_manager()

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

    def snapshot(self) -> dict[str, Any]:
        """The reviewed fields as JSON (what an approval freezes)."""
        data = {name: getattr(self, name) for name in OFFERED_FIELDS}
        data["fee_per_class_hour"] = str(self.fee_per_class_hour)
        data["grades"] = sorted(int(g) for g in self.grades or [])
        data["room_features"] = list(self.room_features or [])
        return data

    def offered_version(self) -> OfferedVersion | None:
        """What host schools see: the current fields if approved, else the last approved version."""
        if self.status == self.Status.APPROVED:
            return OfferedVersion(self, self.snapshot())
        if self.offered:
            return OfferedVersion(self, self.offered)
        return None

    @property
    def is_offered(self) -> bool:
        return self.status == self.Status.APPROVED or bool(self.offered)


class OfferedVersion:
    """Read-only view of a partner course as host schools see it (attribute access for templates)."""

    def __init__(self, course: PartnerCourse, data: dict[str, Any]) -> None:
        self.course = course
        self.id = course.pk
        self.provider = course.provider
        self.title = data["title"]
        self.title_en = data.get("title_en", "")
        self.description = data.get("description", "")
        self.kind = data["kind"]
        self.grades = [int(g) for g in data.get("grades") or []]
        self.group_size = int(data["group_size"])
        self.meetings_per_week = int(data.get("meetings_per_week") or 1)
        self.materials = data.get("materials", "")
        self.room_features = list(data.get("room_features") or [])
        self.fee_per_class_hour = Decimal(str(data.get("fee_per_class_hour") or "0"))

    def get_kind_display(self) -> str:
        return str(dict(PartnerCourse.Kind.choices).get(self.kind, self.kind))


PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
PHOTO_MAX_BYTES = 2 * 1024 * 1024
PHOTOS_PER_COURSE = 6


def _photo_path(instance: PartnerCoursePhoto, filename: str) -> str:
    ext = PHOTO_TYPES.get(instance.content_type, "bin")
    return f"partners/photos/{instance.course.provider_id}/{uuid.uuid4().hex}.{ext}"


class PartnerCoursePhoto(models.Model):
    """A photo of a partner course, stored under MEDIA_ROOT and served only through a checked view."""

    course = models.ForeignKey(PartnerCourse, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(_("photo"), upload_to=_photo_path, max_length=200)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=100, blank=True)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photo")
        ordering = ["course", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.course} · {self.caption or self.pk}"


class PartnerCourseReview(models.Model):
    """One step of a course's review history: submitted, approved or returned (who, when, comment)."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("submitted for review")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned for changes")

    course = models.ForeignKey(PartnerCourse, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)
    snapshot = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("review step")
        verbose_name_plural = _("review step")
        ordering = ["course", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.course} {self.get_action_display()} {self.at:%Y-%m-%d}"


SESSION_CHOICES = [(1, _("session 1")), (2, _("session 2")), (3, _("session 3")), (4, _("session 4"))]


class PartnerAvailability(models.Model):
    """A (weekday, session) when a partner teacher can teach at host schools."""

    teacher = models.ForeignKey("courses.Teacher", on_delete=models.CASCADE, related_name="partner_availability")
    weekday = models.PositiveSmallIntegerField(_("weekday"), validators=[MaxValueValidator(4)])
    session = models.PositiveSmallIntegerField(_("slot"), validators=[MinValueValidator(1), MaxValueValidator(4)])

    class Meta:
        verbose_name = _("partner availability")
        verbose_name_plural = _("partner availability")
        ordering = ["teacher", "weekday", "session"]
        constraints = [
            models.UniqueConstraint(fields=["teacher", "weekday", "session"], name="partner_availability_unique"),
            models.CheckConstraint(
                name="partner_availability_range", condition=Q(weekday__lte=4, session__gte=1, session__lte=4)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher} {self.weekday}/{self.session}"


class ReachableSchool(models.Model):
    """A host school a partner teacher can travel to; a provider reaches what its teachers reach."""

    teacher = models.ForeignKey("courses.Teacher", on_delete=models.CASCADE, related_name="reachable_schools")
    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("reachable school")
        verbose_name_plural = _("reachable school")
        constraints = [models.UniqueConstraint(fields=["teacher", "school"], name="reachable_school_unique")]

    def __str__(self) -> str:
        return f"{self.teacher} → {self.school}"


class HostRequest(models.Model):
    """A host school's request for a partner course in a term; the provider accepts or declines."""

    class Status(models.TextChoices):
        OPEN = "open", _("waiting for the provider")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    partner_course = models.ForeignKey(PartnerCourse, on_delete=models.PROTECT, related_name="requests")
    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="partner_requests")
    term = models.ForeignKey("courses.Term", on_delete=models.CASCADE, related_name="+")
    sections = models.PositiveSmallIntegerField(
        _("sections"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    preferred_weekdays = models.JSONField(_("preferred days"), default=list, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("reply"), max_length=300, blank=True)
    teacher = models.ForeignKey(
        "courses.Teacher", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("teacher")
    )
    course = models.ForeignKey("courses.Course", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("host request")
        verbose_name_plural = _("host request")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner_course", "school", "term"],
                condition=Q(status="open"),
                name="host_request_one_open",
            ),
            models.CheckConstraint(name="host_request_sections_range", condition=Q(sections__gte=1, sections__lte=10)),
        ]

    def __str__(self) -> str:
        return f"{self.school} ← {self.partner_course} ({self.get_status_display()})"

    @property
    def preferred_days_label(self) -> str:
        from courses.models import WEEKDAY_CHOICES

        labels = dict(WEEKDAY_CHOICES)
        return "、".join(str(labels[d]) for d in self.preferred_weekdays or [] if d in labels)


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
