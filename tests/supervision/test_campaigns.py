"""Special campaigns (专项检查): totals counted from the records, district scope, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.urls import reverse

from core.errors import DomainError
from core.models import AuditEvent
from supervision import selectors
from supervision.models import Campaign, CampaignGroup, CampaignVisit, Conflict
from supervision.services import campaigns, register
from tests.supervision.conftest import make_institution

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 2)


def _campaign(sup, **over):
    data = {
        "name": "学科类专项检查",
        "kinds": ["subject"],
        "check_items": ["教师资质", "培训时间", "预收费管理"],
        "starts_on": DAY,
        "ends_on": DAY + dt.timedelta(days=60),
    }
    data.update(over)
    return campaigns.campaign_create(district=sup.district, data=data, by=sup.bureau)


def test_totals_are_counted_from_rounds_groups_and_visits(sup):
    campaign = _campaign(sup)
    ins = sup.inspectors
    r1 = campaigns.round_add(campaign=campaign, data={"starts_on": DAY, "ends_on": DAY + dt.timedelta(days=6)})
    r2 = campaigns.round_add(campaign=campaign, data={"starts_on": "2026-03-16", "ends_on": "2026-03-20"})
    g1 = campaigns.group_add(round=r1, member_ids=[ins[0].pk, ins[1].pk])
    g2 = campaigns.group_add(round=r1, member_ids=[ins[2].pk, ins[3].pk, ins[4].pk])
    g3 = campaigns.group_add(round=r2, member_ids=[ins[0].pk, ins[2].pk])  # same people, another round
    for n in range(3):
        campaigns.visit_record(group=g1, institution_id=sup.institutions[n].pk, visited_on=DAY)
    for n in range(3, 5):
        campaigns.visit_record(group=g2, institution_id=sup.institutions[n].pk, visited_on=DAY)
    campaigns.visit_record(group=g3, institution_id=sup.institutions[0].pk, visited_on="2026-03-16")
    other = _campaign(sup, name="空的专项")
    totals = selectors.campaign_totals(Campaign.objects.filter(district=sup.district))
    t = totals[campaign.pk]
    assert (t.rounds, t.groups, t.visits, t.person_visits, t.institutions) == (2, 3, 6, 3 * 2 + 2 * 3 + 2, 5)
    assert totals[other.pk].groups == 0 and totals[other.pk].person_visits == 0
    assert [r1.number, r2.number, g1.number, g2.number, g3.number] == [1, 2, 1, 2, 1]
    assert AuditEvent.objects.filter(action="supervision.campaign_visit.added").count() == 6


def test_a_group_of_fewer_than_two_inspectors_is_a_field_error_and_nothing_is_saved(sup):
    campaign = _campaign(sup)
    r1 = campaigns.round_add(campaign=campaign, data={"starts_on": DAY, "ends_on": DAY})
    for ids in ([sup.inspectors[0].pk], [sup.inspectors[0].pk, sup.inspectors[0].pk], ["x", sup.inspectors[1].pk]):
        with pytest.raises(DomainError) as caught:
            campaigns.group_add(round=r1, member_ids=ids)
        assert "members" in caught.value.fields
    other_district = sup.other_institution.district
    from supervision.models import Inspector

    stranger = Inspector.objects.create(district=other_district, code="X1", name="外区", department="education")
    with pytest.raises(DomainError) as caught:
        campaigns.group_add(round=r1, member_ids=[sup.inspectors[0].pk, stranger.pk])
    assert "members" in caught.value.fields
    assert CampaignGroup.objects.count() == 0
    assert not AuditEvent.objects.filter(action="supervision.campaign_group.added").exists()
    campaigns.group_add(round=r1, member_ids=[sup.inspectors[0].pk, sup.inspectors[1].pk])
    with pytest.raises(DomainError) as caught:  # one group per inspector and round
        campaigns.group_add(round=r1, member_ids=[sup.inspectors[1].pk, sup.inspectors[2].pk])
    assert "members" in caught.value.fields and CampaignGroup.objects.count() == 1


def test_visits_refuse_other_districts_other_kinds_and_days_outside_the_round(sup):
    campaign = _campaign(sup)
    r1 = campaigns.round_add(campaign=campaign, data={"starts_on": DAY, "ends_on": DAY})
    group = campaigns.group_add(round=r1, member_ids=[sup.inspectors[0].pk, sup.inspectors[1].pk])
    art = make_institution(sup.district, 99, kind="non_subject")
    for institution_id, day, field in (
        (sup.other_institution.pk, DAY, "institution"),
        (art.pk, DAY, "institution"),
        ("abc", DAY, "institution"),
        (sup.institutions[0].pk, DAY + dt.timedelta(days=1), "visited_on"),
        (sup.institutions[0].pk, "not a date", "visited_on"),
    ):
        with pytest.raises(DomainError) as caught:
            campaigns.visit_record(group=group, institution_id=institution_id, visited_on=day)
        assert field in caught.value.fields
    register.conflict_add(inspector=sup.inspectors[1], institution=sup.institutions[3], reason="亲属", by=sup.bureau)
    with pytest.raises(DomainError) as caught:
        campaigns.visit_record(group=group, institution_id=sup.institutions[3].pk, visited_on=DAY)
    assert "institution" in caught.value.fields
    assert CampaignVisit.objects.count() == 0
    with pytest.raises(DomainError) as caught:
        _campaign(sup, name=" ", check_items=[], ends_on=DAY - dt.timedelta(days=1))
    assert {"name", "check_items", "ends_on"} <= set(caught.value.fields)


def test_the_bureau_sees_its_campaigns_and_another_district_gets_404(client, sup):
    campaign = _campaign(sup)
    r1 = campaigns.round_add(campaign=campaign, data={"starts_on": DAY, "ends_on": DAY})
    group = campaigns.group_add(round=r1, member_ids=[sup.inspectors[0].pk, sup.inspectors[1].pk])
    campaigns.visit_record(group=group, institution_id=sup.institutions[0].pk, visited_on=DAY)
    client.force_login(sup.bureau)
    page = client.get(reverse("supervision:bureau_home")).content.decode()
    assert campaign.name in page
    detail = client.get(reverse("supervision:campaign", args=[campaign.pk]))
    assert detail.status_code == 200 and sup.institutions[0].name in detail.content.decode()
    export = client.get(reverse("supervision:campaign_export", args=[campaign.pk]))
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(export.content))
    assert list(book["汇总"].iter_rows(min_row=2, values_only=True)) == [(campaign.name, 1, 1, 1, 2, 1)]
    assert [r[3] for r in book["检查记录"].iter_rows(min_row=2, values_only=True)] == [sup.institutions[0].name]
    client.force_login(sup.other_bureau)
    assert client.get(reverse("supervision:campaign", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("supervision:campaign_export", args=[campaign.pk])).status_code == 404
    assert campaign.name not in client.get(reverse("supervision:bureau_home")).content.decode()
    client.force_login(sup.inspector_user)
    assert client.get(reverse("supervision:campaign", args=[campaign.pk])).status_code in (403, 404)


def test_the_pages_create_a_campaign_round_group_and_visit_and_refuse_a_group_of_one(client, sup):
    client.force_login(sup.bureau)
    bad = client.post(reverse("supervision:campaign_new"), {"name": "", "starts_on": "2026-03-01"})
    assert bad.status_code == 400 and not Campaign.objects.exists()
    made = client.post(
        reverse("supervision:campaign_new"),
        {
            "name": "周末开课专项",
            "kinds": ["subject"],
            "check_items": "周末开课\n培训时间",
            "starts_on": "2026-03-01",
            "ends_on": "2026-04-30",
        },
    )
    campaign = Campaign.objects.get()
    assert made.status_code == 302 and campaign.check_items == ["周末开课", "培训时间"]
    url = reverse("supervision:campaign", args=[campaign.pk])
    client.post(url, {"form": "round", "round-starts_on": "2026-03-02", "round-ends_on": "2026-03-06"})
    r1 = campaign.rounds.get()
    one = client.post(url, {"form": "group", "group-round": r1.pk, "group-members": [sup.inspectors[0].pk]})
    assert one.status_code == 400
    assert any(m in one.content.decode() for m in ("至少需要两名", "at least two inspectors"))
    assert not CampaignGroup.objects.exists()
    two = [sup.inspectors[0].pk, sup.inspectors[1].pk]
    assert client.post(url, {"form": "group", "group-round": r1.pk, "group-members": two}).status_code == 302
    group = CampaignGroup.objects.get()
    visit = {"form": "visit", "visit-group": group.pk, "visit-visited_on": "2026-03-03"}
    stranger = client.post(url, dict(visit, **{"visit-institution": sup.other_institution.credit_code}))
    assert stranger.status_code == 400 and not CampaignVisit.objects.exists()
    ok = client.post(url, dict(visit, **{"visit-institution": sup.institutions[2].credit_code.lower()}))
    assert ok.status_code == 302 and CampaignVisit.objects.get().institution == sup.institutions[2]
    t = selectors.campaign_totals(Campaign.objects.all())[campaign.pk]
    assert (t.rounds, t.groups, t.person_visits, t.institutions) == (1, 1, 2, 1)
    client.force_login(sup.other_bureau)
    assert (
        client.post(url, {"form": "round", "round-starts_on": "2026-03-09", "round-ends_on": "2026-03-10"}).status_code
        == 404
    )
    assert campaign.rounds.count() == 1


def test_the_demo_campaign_reproduces_the_report(client):
    from io import StringIO

    from django.core.management import call_command

    from accounts.models import User

    call_command("seed_demo", "--size", "small", stdout=StringIO())
    campaign = Campaign.objects.get(district__code="demo")
    t = selectors.campaign_totals(Campaign.objects.filter(pk=campaign.pk))[campaign.pk]
    assert (t.groups, t.person_visits, t.rounds, t.institutions) == (47, 1100, 5, 103)
    assert campaign.check_items == ["教师资质", "培训时间", "预收费管理", "用工人数", "薪资发放", "周末开课"]
    assert min(g.members.count() for g in CampaignGroup.objects.filter(round__campaign=campaign)) >= 2
    conflicted = Conflict.objects.filter(
        inspector__campaign_groups__visits__institution=F("institution"),
        inspector__campaign_groups__round__campaign=campaign,
    )
    assert Conflict.objects.exists() and not conflicted.exists()
    client.force_login(User.objects.get(username="bureau"))
    page = client.get(reverse("supervision:bureau_home")).content.decode()
    assert campaign.name in page and "1100" in page
    assert client.get(reverse("supervision:campaign", args=[campaign.pk])).status_code == 200
