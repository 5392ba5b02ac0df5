"""Special campaigns (专项检查): create a campaign, add rounds, form groups, record visits.

Bad input is a field error (`validation_error`) and nothing is written: a group needs at least two
active inspectors of the campaign's district, none already in another group of the same round; a
visit's institution must be in the district and of the campaign's kinds, on a day of its round, and
no member of the group may have a declared conflict of interest with it (回避, as in the draw).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.validation import FieldErrors, clean_text
from courses.models import District
from supervision.models import (
    Campaign,
    CampaignGroup,
    CampaignRound,
    CampaignVisit,
    Conflict,
    Inspector,
    Institution,
)

MIN_MEMBERS = 2


def _date(value: Any, field: str, errors: FieldErrors) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        errors.add(field, _("Enter a valid date."))
        return None


def _span(data: dict[str, Any], errors: FieldErrors) -> tuple[dt.date | None, dt.date | None]:
    starts, ends = _date(data.get("starts_on"), "starts_on", errors), _date(data.get("ends_on"), "ends_on", errors)
    if starts and ends and ends < starts:
        errors.add("ends_on", _("The end cannot be before the start."))
    return starts, ends


@transaction.atomic
def campaign_create(*, district: District, data: dict[str, Any], by: Any = None, request: Any = None) -> Campaign:
    errors = FieldErrors()
    name = clean_text(data.get("name"), max_length=100)
    if not name:
        errors.add("name", _("This field is required."))
    kinds = sorted({str(k) for k in data.get("kinds") or []})
    if any(k not in Institution.Kind.values for k in kinds):
        errors.add("kinds", _("Choose one of the listed values."))
    items = [clean_text(i, max_length=100) for i in data.get("check_items") or [] if clean_text(i, max_length=100)]
    if not items:
        errors.add("check_items", _("List at least one check item, one a line."))
    starts, ends = _span(data, errors)
    errors.raise_if_any()
    campaign = Campaign.objects.create(
        district=district, name=name, kinds=kinds, check_items=items, starts_on=starts, ends_on=ends, created_by=by
    )
    audit_record(action="supervision.campaign.created", actor=by, obj=campaign, request=request, data={"name": name})
    return campaign


@transaction.atomic
def round_add(*, campaign: Campaign, data: dict[str, Any], by: Any = None, request: Any = None) -> CampaignRound:
    errors = FieldErrors()
    starts, ends = _span(data, errors)
    if starts and ends and (starts < campaign.starts_on or ends > campaign.ends_on):
        errors.add("starts_on", _("A round lies within its campaign's dates."))
    errors.raise_if_any()
    Campaign.objects.select_for_update().get(pk=campaign.pk)  # numbers rounds one at a time
    number = (campaign.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    row = CampaignRound.objects.create(campaign=campaign, number=number, starts_on=starts, ends_on=ends)
    audit_record(action="supervision.campaign_round.added", actor=by, obj=row, request=request, data={"number": number})
    return row


@transaction.atomic
def group_add(*, round: CampaignRound, member_ids: list[Any], by: Any = None, request: Any = None) -> CampaignGroup:
    """A group of ≥ 2 distinct active inspectors of the district, each in one group per round."""
    errors = FieldErrors()
    ids: set[int] = set()
    for value in member_ids or []:
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            errors.add("members", _("Choose one of the listed values."))
    members = list(
        Inspector.objects.filter(pk__in=ids, district_id=round.campaign.district_id, active=True).order_by("pk")
    )
    if len(members) != len(ids):
        errors.add("members", _("Choose one of the listed values."))
    if len(members) < MIN_MEMBERS:
        errors.add("members", _("An inspection group needs at least two inspectors."))
    busy = CampaignGroup.members.through.objects.filter(campaigngroup__round=round, inspector_id__in=ids)
    if busy.exists():
        errors.add("members", _("An inspector is already in another group of this round."))
    errors.raise_if_any()
    CampaignRound.objects.select_for_update().get(pk=round.pk)
    number = (round.groups.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    group = CampaignGroup.objects.create(round=round, number=number)
    group.members.set(members)
    audit_record(
        action="supervision.campaign_group.added",
        actor=by,
        obj=group,
        request=request,
        data={"round": round.number, "members": [m.pk for m in members]},
    )
    return group


@transaction.atomic
def visit_record(
    *, group: CampaignGroup, institution_id: Any, visited_on: Any, note: str = "", by: Any = None, request: Any = None
) -> CampaignVisit:
    errors = FieldErrors()
    campaign = group.round.campaign
    institutions = Institution.objects.filter(district_id=campaign.district_id)
    if campaign.kinds:
        institutions = institutions.filter(kind__in=campaign.kinds)
    try:
        institution = institutions.filter(pk=int(institution_id)).first()
    except (TypeError, ValueError):
        institution = None
    if institution is None:
        errors.add("institution", _("Choose one of the listed values."))
    day = _date(visited_on, "visited_on", errors)
    if day and not (group.round.starts_on <= day <= group.round.ends_on):
        errors.add("visited_on", _("A visit lies within its round's dates."))
    if institution is not None and Conflict.objects.filter(inspector__campaign_groups=group, institution=institution):
        errors.add("institution", _("A member of this group has a declared conflict of interest with it."))
    errors.raise_if_any()
    if CampaignVisit.objects.filter(group=group, institution=institution, visited_on=day).exists():
        errors.add("institution", _("This visit is already recorded."))
        errors.raise_if_any()
    visit = CampaignVisit.objects.create(
        group=group, institution=institution, visited_on=day, note=clean_text(note, max_length=200)
    )
    audit_record(
        action="supervision.campaign_visit.added",
        actor=by,
        obj=visit,
        request=request,
        data={"institution": institution.pk, "date": day.isoformat()},
    )
    return visit
