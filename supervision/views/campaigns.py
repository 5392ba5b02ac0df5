"""Special campaigns (专项检查) for the bureau: create one, then on its page add rounds, form groups
and record visits (one page, three small forms; the services check every rule again)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.exports import xlsx_response
from core.validation import add_domain_error
from supervision import exports, selectors
from supervision.forms import CampaignForm, CampaignGroupForm, CampaignRoundForm, CampaignVisitForm
from supervision.models import Campaign, CampaignGroup, CampaignVisit, Inspector, Institution
from supervision.services import campaigns as campaign_services


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    district = selectors.bureau_district(request.actor)
    form = CampaignForm(request.POST or None, initial={"kinds": ["subject"]})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data, check_items=form.cleaned_data["check_items"].splitlines())
        try:
            campaign = campaign_services.campaign_create(district=district, data=data, by=request.user, request=request)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("supervision:campaign", campaign.pk)
    return render(request, "supervision/campaign_form.html", {"form": form}, status=400 if form.errors else 200)


def _forms(campaign: Campaign, request: HttpRequest, which: str) -> dict[str, Any]:
    data = request.POST if request.method == "POST" else None
    rounds = campaign.rounds.all()
    inspectors = Inspector.objects.filter(district_id=campaign.district_id, active=True).order_by("department", "code")
    groups = CampaignGroup.objects.filter(round__campaign=campaign).select_related("round")
    return {
        "round_form": CampaignRoundForm(data if which == "round" else None, prefix="round"),
        "group_form": CampaignGroupForm(
            data if which == "group" else None, prefix="group", rounds=rounds, inspectors=inspectors
        ),
        "visit_form": CampaignVisitForm(data if which == "visit" else None, prefix="visit", groups=groups),
    }


def _save(request: HttpRequest, campaign: Campaign, which: str, form: Any) -> None:
    """Hand a valid form to its service (raises DomainError for the form to show)."""
    data, by = form.cleaned_data, request.user
    if which == "round":
        campaign_services.round_add(campaign=campaign, data=data, by=by, request=request)
    elif which == "group":
        campaign_services.group_add(
            round=data["round"], member_ids=[m.pk for m in data["members"]], by=by, request=request
        )
    else:
        code = data["institution"].strip().upper()
        found = Institution.objects.visible_to_bureau(request.actor).filter(credit_code=code).values_list("pk")
        campaign_services.visit_record(
            group=data["group"],
            institution_id=(found.first() or (None,))[0],
            visited_on=data["visited_on"],
            note=data["note"],
            by=by,
            request=request,
        )


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """One special campaign: its totals, each round's groups (members, visits), and the forms."""
    found = selectors.campaign_for_bureau(request.actor, campaign_id)
    which = request.POST.get("form", "") if request.method == "POST" else ""
    forms = _forms(found, request, which)
    form = forms.get(f"{which}_form")
    if form is not None:
        if form.is_valid():
            try:
                _save(request, found, which, form)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                return redirect("supervision:campaign", found.pk)
    totals = selectors.campaign_totals(Campaign.objects.filter(pk=found.pk))[found.pk]
    groups = CampaignGroup.objects.annotate(n_visits=Count("visits")).prefetch_related("members")
    rounds = found.rounds.prefetch_related(Prefetch("groups", queryset=groups))
    recent = (
        CampaignVisit.objects.filter(group__round__campaign=found)
        .select_related("institution", "group__round")
        .order_by("-visited_on", "-id")[:50]
    )
    return render(
        request,
        "supervision/campaign.html",
        {"campaign": found, "totals": totals, "rounds": rounds, "recent": recent, **forms},
        status=400 if form is not None and form.errors else 200,
    )


@allow(Role.BUREAU)
@require_GET
def campaign_export(request: HttpRequest, campaign_id: int) -> HttpResponse:
    found = selectors.campaign_for_bureau(request.actor, campaign_id)
    totals = selectors.campaign_totals(Campaign.objects.filter(pk=found.pk))[found.pk]
    return xlsx_response(exports.campaign_workbook(found, totals), f"专项检查_{found.pk}.xlsx")
