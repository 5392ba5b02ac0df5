"""A message to one user and its delivery on each channel (the status a page counts).

`Message` is the in-site copy (the inbox; `read_at` when the user marks it read). `Delivery` is one
row per message × channel (unique: a message is never queued twice on a channel), with its status
queued → sent → delivered (or failed after the retries; read for the in-site channel). `Batch` groups
the messages of one send (a letter) so its author can count them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    IN_SITE = "site", _("in the site")
    SMS = "sms", _("SMS")
    WEBHOOK = "webhook", _("WeCom / DingTalk")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    DELIVERED = "delivered", _("delivered")
    FAILED = "failed", _("failed")
    READ = "read", _("read")


FINAL = (DeliveryStatus.SENT, DeliveryStatus.DELIVERED, DeliveryStatus.FAILED, DeliveryStatus.READ)


class Batch(models.Model):
    """The messages of one send (e.g. a letter to families), counted together for its author."""

    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=120)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message batch")
        verbose_name_plural = _("message batch")

    def __str__(self) -> str:
        return self.title


class Message(models.Model):
    """One message to one user: the in-site copy every channel sends from.

    `about` is an opaque tag the sending app filters on (e.g. `student:12`); this app never reads it.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, null=True, blank=True, related_name="messages")
    kind = models.CharField(_("kind"), max_length=40)
    about = models.CharField(max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=4000, blank=True)
    link = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("message")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="message_inbox"),
            models.Index(fields=["about", "-created_at"], name="message_about"),
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One message on one channel. Claimed by one worker at a time (`claim` token with a lease)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("delivery")
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="delivery_once_per_channel"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"], name="delivery_due", condition=Q(status=DeliveryStatus.QUEUED)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} {self.channel} {self.status}"

    @property
    def key(self) -> str:
        """The idempotency key a gateway receives: the same on every attempt of this message × channel."""
        return f"kehou-{self.message_id}-{self.channel}"
