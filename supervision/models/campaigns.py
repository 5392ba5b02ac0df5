"""Special campaigns (专项检查): rounds of inspection groups visiting institutions of one kind.

The report's totals (groups, person-visits, rounds, institutions covered) are never stored: they are
counted from these rows by `supervision.selectors.campaign_totals`. A visit's persons are its group's
members, so a person-visit is one member of a group on one visit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.models.register import Inspector, Institution


class Campaign(models.Model):
    district = models.ForeignKey("courses.District", on_delete=models.PROTECT, related_name="inspection_campaigns")
    name = models.CharField(_("name"), max_length=100)
    kinds = models.JSONField(_("kinds of institution"), default=list, blank=True)
    check_items = models.JSONField(_("check items"), default=list)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("special campaign")
        verbose_name_plural = _("special campaigns")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name


class CampaignRound(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("campaign round")
        verbose_name_plural = _("campaign rounds")
        ordering = ["campaign", "number"]
        constraints = [models.UniqueConstraint(fields=["campaign", "number"], name="campaign_round_unique")]

    def __str__(self) -> str:
        return f"{self.campaign} #{self.number}"


class CampaignGroup(models.Model):
    """An inspection group of one round (≥ 2 inspectors, checked by the service)."""

    round = models.ForeignKey(CampaignRound, on_delete=models.CASCADE, related_name="groups")
    number = models.PositiveSmallIntegerField(_("inspection group"))
    members = models.ManyToManyField(Inspector, related_name="campaign_groups", verbose_name=_("members"))

    class Meta:
        verbose_name = _("inspection group")
        verbose_name_plural = _("inspection groups")
        ordering = ["round", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="campaign_group_unique")]

    def __str__(self) -> str:
        return f"{self.round} / {self.number}"


class CampaignVisit(models.Model):
    """One group's visit to one institution on one day."""

    group = models.ForeignKey(CampaignGroup, on_delete=models.CASCADE, related_name="visits")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="campaign_visits")
    visited_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("campaign visit")
        verbose_name_plural = _("campaign visits")
        ordering = ["group", "visited_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "institution", "visited_on"], name="campaign_visit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.group}: {self.institution_id} {self.visited_on}"
