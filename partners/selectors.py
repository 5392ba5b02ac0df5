"""Reads for providers and partner courses, scoped to the acting partner teacher or bureau."""

from __future__ import annotations

from django.db.models import Count
from django.http import Http404

from accounts.access import Actor
from partners.models import PartnerCourse, Provider


def provider_list_for_partner(*, actor: Actor) -> list[Provider]:
    if not actor.provider_ids:
        raise Http404
    return list(Provider.objects.filter(pk__in=actor.provider_ids).order_by("name"))


def partner_course_list_for_partner(*, actor: Actor) -> list[PartnerCourse]:
    """The provider's courses with the host schools that run them."""
    return list(
        PartnerCourse.objects.filter(provider_id__in=actor.provider_ids)
        .annotate(host_count=Count("host_courses__school", distinct=True))
        .prefetch_related("host_courses__school")
        .order_by("title")
    )
