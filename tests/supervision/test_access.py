"""Every role sees only its own: the bureau its district, an institution its own record and notices,
an inspector their own tasks; the public pages and API need no login and hold no inspector's name."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from supervision.draw import commitment_of
from supervision.models import CheckList, Inspection
from supervision.services import notices, plans

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(sup):
    plan = plans.plan_create(
        district=sup.district,
        by=sup.bureau,
        data={
            "title": "公开抽查",
            "kinds": ["subject"],
            "statuses": ["operating"],
            "n_targets": 20,
            "per_target": 2,
            "departments": ["education", "market", "civil", "fire"],
            "checklists": list(CheckList.objects.filter(version=1, department="fire")),
        },
    )
    plans.plan_commit(plan=plan, commitment=commitment_of("pub"), by=sup.bureau)
    return plans.plan_draw(plan=plan, seed="pub", by=sup.bureau)


def test_bureau_pages_answer_and_other_district_is_404(client, sup, drawn):
    client.force_login(sup.bureau)
    mine = sup.institutions[0]
    for name, args in [
        ("bureau_home", []),
        ("register", []),
        ("institution", [mine.pk]),
        ("plans", []),
        ("plan", [drawn.pk]),
        ("notices", []),
        ("checklists", []),
        ("register_import", []),
        ("institution_edit", [mine.pk]),
        ("plan_new", []),
    ]:
        assert client.get(reverse(f"supervision:{name}", args=args)).status_code == 200, name
    assert client.get(reverse("supervision:register"), {"q": "机构00", "kind": "subject"}).status_code == 200
    assert client.get(reverse("supervision:register_export")).status_code == 200
    assert client.get(reverse("supervision:institution", args=[sup.other_institution.pk])).status_code == 404
    assert client.get(f"/api/v1/supervision/institutions/{sup.other_institution.pk}").status_code == 404
    listing = client.get("/api/v1/supervision/institutions", {"q": "邻区"}).json()
    assert listing["total"] == 0
    client.force_login(sup.other_bureau)
    assert client.get(reverse("supervision:plan", args=[drawn.pk])).status_code == 404
    assert client.get(reverse("supervision:institution", args=[mine.pk])).status_code == 404
    response = client.post(
        f"/api/v1/supervision/plans/{drawn.pk}/draw", {"seed": "pub"}, content_type="application/json"
    )
    assert response.status_code == 404


def test_institution_sees_only_its_own_notices(client, sup, drawn):
    today = timezone.localdate()
    own = notices.notice_issue(
        institution=sup.institutions[0], deadline=today + dt.timedelta(days=5), extra=["消防通道堵塞"], by=sup.bureau
    )
    other = notices.notice_issue(
        institution=sup.institutions[1], deadline=today + dt.timedelta(days=5), extra=["广告违规"], by=sup.bureau
    )
    client.force_login(sup.inst_user)
    home = client.get(reverse("supervision:institution_home")).content.decode()
    assert sup.institutions[0].name in home and own.label in home and other.label not in home
    assert client.get(reverse("supervision:my_notice", args=[own.pk])).status_code == 200
    assert client.get(reverse("supervision:my_notice", args=[other.pk])).status_code == 404
    refused = client.post(reverse("supervision:my_notice", args=[other.pk]), {"response": "改了"})
    assert refused.status_code == 404
    other.refresh_from_db()
    assert other.response == ""
    assert [n["id"] for n in client.get("/api/v1/supervision/my/notices").json()] == [own.pk]
    assert client.get(reverse("supervision:register")).status_code == 403
    assert client.get(reverse("supervision:inspector_home")).status_code == 403


def test_inspector_reaches_only_assigned_tasks(client, sup, drawn):
    client.force_login(sup.inspector_user)
    me = sup.inspectors[0]
    mine = Inspection.objects.filter(target__assignments__inspector=me)
    others = Inspection.objects.filter(target__plan=drawn).exclude(target__assignments__inspector=me)
    assert mine.exists() and others.exists()
    home = client.get(reverse("supervision:inspector_home"))
    assert home.status_code == 200
    # the after-school voluntariness line is not about training institutions (issue 13 walk)
    assert "课后服务自愿参加" not in home.content.decode()
    assert client.get(reverse("supervision:task", args=[mine.first().pk])).status_code == 200
    assert client.get(reverse("supervision:task", args=[others.first().pk])).status_code == 404
    item = plans.plan_items(drawn)[0]
    response = client.post(reverse("supervision:record", args=[others.first().pk, item.pk]), {"result": "ok"})
    assert response.status_code == 404 and not others.first().results.exists()
    assert {t["inspection_id"] for t in client.get("/api/v1/supervision/tasks").json()} == set(
        mine.values_list("pk", flat=True)
    )
    assert client.get(reverse("supervision:register")).status_code == 403


def test_public_pages_and_api_need_no_login_and_name_no_inspector(client, sup, drawn):
    page = client.get(reverse("supervision:public_plan", args=[drawn.pk]))
    assert page.status_code == 200
    data = client.get(f"/api/v1/public/supervision/plans/{drawn.pk}").json()
    assert data["seed"] == "pub" and data["commitment"] == commitment_of("pub")
    text = page.content.decode() + str(data) + client.get(reverse("supervision:public_plans")).content.decode()
    for inspector in sup.inspectors:
        assert inspector.name not in text and inspector.code not in text
    assert client.get("/api/v1/public/supervision/rectifications").status_code == 200
    draft = plans.plan_create(
        district=sup.district,
        by=sup.bureau,
        data={
            "title": "草稿",
            "n_targets": 1,
            "departments": ["education", "fire"],
            "checklists": list(CheckList.objects.filter(version=1, department="fire")),
        },
    )
    assert client.get(f"/api/v1/public/supervision/plans/{draft.pk}").status_code == 404
    assert client.get(reverse("supervision:public_plan", args=[draft.pk])).status_code == 404


def test_api_codes_for_bad_plans(client, sup):
    client.force_login(sup.bureau)
    fire = CheckList.objects.get(version=1, department="fire").pk
    body = {"title": "API", "n_targets": 3, "departments": ["education", "fire"], "checklists": [fire]}
    plan = client.post("/api/v1/supervision/plans", body, content_type="application/json").json()
    early = client.post(f"/api/v1/supervision/plans/{plan['id']}/draw", {"seed": "x"}, content_type="application/json")
    assert early.status_code == 409 and early.json()["code"] == "plan_not_committed"
    big = client.post("/api/v1/supervision/plans", {**body, "n_targets": 999}, content_type="application/json").json()
    too_many = client.post(f"/api/v1/supervision/plans/{big['id']}/commit", {}, content_type="application/json")
    assert too_many.status_code == 409 and too_many.json()["code"] == "plan_too_many_targets"
    committed = client.post(f"/api/v1/supervision/plans/{plan['id']}/commit", {}, content_type="application/json")
    seed = committed.json()["generated_seed"]
    edit = client.put(f"/api/v1/supervision/plans/{plan['id']}", body, content_type="application/json")
    assert edit.status_code == 409 and edit.json()["code"] == "plan_not_draft"
    drawn = client.post(f"/api/v1/supervision/plans/{plan['id']}/draw", {"seed": seed}, content_type="application/json")
    assert drawn.status_code == 200 and drawn.json()["seed"] == seed
    bad_code = client.post(
        "/api/v1/supervision/institutions",
        {
            "name": "X",
            "credit_code": "91350100M000100Y44",
            "kind": "subject",
            "legal_form": "non_profit",
            "township": "锦溪镇",
        },
        content_type="application/json",
    )
    assert bad_code.status_code == 422 and "credit_code" in bad_code.json()["fields"]
