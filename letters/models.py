"""Letters to families (告家长书): the bureau's to its district, a school's to its own families. The
audience is resolved when the worker sends it; each message goes out through `messaging`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Letter(models.Model):
    """A letter to families: the bureau's to its district (every school, chosen schools, grades) or a
    school's to its own families (grades, classes). Saved queued; the worker resolves who receives it
    (`selectors.letter_audience`, at send time) and hands one message per guardian to `messaging`."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENT = "sent", _("sent")

    district = models.ForeignKey("courses.District", on_delete=models.CASCADE, related_name="letters")
    school = models.ForeignKey(
        "courses.School", on_delete=models.CASCADE, null=True, blank=True, related_name="letters"
    )  # the author school; empty for the bureau's letters
    schools = models.ManyToManyField("courses.School", blank=True, related_name="+")  # chosen; none = all
    grades = models.JSONField(_("grades"), default=list, blank=True)  # none = all
    classes = models.ManyToManyField("courses.SchoolClass", blank=True, related_name="+")  # none = all
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=2000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    batch = models.OneToOneField(
        "messaging.Batch", on_delete=models.SET_NULL, null=True, blank=True, related_name="letter"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("letter to families")
        verbose_name_plural = _("letter to families")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"], name="letter_queued")]

    def __str__(self) -> str:
        return self.title
