"""转登 through the API and the pages: 409 codes (order, missing materials named), 404 for another
district, the institution's own case only, the summary equal to the list, the export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from supervision.models import ConversionCase, Institution
from supervision.models.conversion import MATERIALS, Step, Target, materials_of
from supervision.services import conversion as services
from tests.supervision.conftest import make_institution

pytestmark = pytest.mark.django_db
FOR_PROFIT = {"legal_form": Institution.LegalForm.FOR_PROFIT}
JSON = "application/json"


@pytest.fixture
def window(sup):
    """Four for-profit subject institutions here (one is the institution login's), one next door."""
    Institution.objects.filter(pk=sup.institutions[0].pk).update(legal_form="for_profit")
    mine = [sup.institutions[0]] + [make_institution(sup.district, 200 + n, **FOR_PROFIT) for n in range(3)]
    other = make_institution(sup.other, 400, name="邻区营利机构", **FOR_PROFIT)
    other_case = services.case_open(institution=other, target=Target.NON_PROFIT)
    return mine, other_case


def test_bureau_api_opens_advances_and_counts(client, sup, window):
    mine, other_case = window
    client.force_login(sup.bureau)
    opened = client.post("/api/v1/supervision/conversion/cases/open-all", {"target": "non_profit"}, content_type=JSON)
    assert opened.status_code == 200 and opened.json()["opened"] == 4
    again = client.post("/api/v1/supervision/conversion/cases/open-all", {}, content_type=JSON).json()
    assert again == {"opened": 0, "case_ids": []}
    case_id = ConversionCase.objects.get(institution=mine[1]).pk
    url = f"/api/v1/supervision/conversion/cases/{case_id}"
    # out of order
    skip = client.post(f"{url}/advance", {"to": "licence_reissued"}, content_type=JSON)
    assert skip.status_code == 409 and skip.json()["code"] == "invalid_transition"
    # missing materials, named in the answer
    missing = client.post(f"{url}/advance", {"to": "materials"}, content_type=JSON)
    assert missing.status_code == 409 and missing.json()["code"] == "conversion_materials_missing"
    body = missing.json()
    gate = materials_of(Target.NON_PROFIT, Step.MATERIALS)
    from django.utils import translation

    with translation.override("en"):  # each language's message names the materials in that language
        assert "营" not in body["message_en"] and all(str(m.label) in body["message_en"] for m in gate)
    with translation.override("zh-hans"):
        assert all(str(m.label) in body["message_zh"] for m in gate) and "、" in body["message_zh"]
    detail = client.get(url).json()
    assert detail["missing"] == [m.code for m in gate] and detail["holder"] == "education"
    for m in gate:
        assert client.post(f"{url}/materials", {"code": m.code}, content_type=JSON).status_code == 200
    bad_code = client.post(f"{url}/materials", {"code": "nonsense"}, content_type=JSON)
    assert bad_code.status_code == 422
    step = client.post(f"{url}/advance", {"to": "materials"}, content_type=JSON)
    assert step.status_code == 200 and step.json()["step"] == "materials"
    assert step.json()["missing"] == ["new_licence"]
    target = client.put(f"{url}/target", {"target": "deregister"}, content_type=JSON)
    assert target.status_code == 409 and target.json()["code"] == "conversion_target_locked"
    visit = client.post(
        f"{url}/visits", {"visited_on": dt.date.today().isoformat(), "purpose": "一次办结"}, content_type=JSON
    )
    assert visit.status_code == 200 and visit.json()["visits"] == 1
    # deadline, summary, list
    past = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    summary = client.put("/api/v1/supervision/conversion/deadline", {"deadline": past}, content_type=JSON).json()
    listing = client.get("/api/v1/supervision/conversion/cases").json()
    rows = listing["results"]
    assert summary["total"] == listing["total"] == len(rows) == 4
    assert summary["done"] == sum(r["step"] == "done" for r in rows) == 0
    assert summary["overdue"] == sum(r["overdue"] for r in rows) == 4
    assert summary["visits"] == sum(r["visits"] for r in rows) == 1
    assert summary["mean_visits"] == 0.25 and summary["share_within_one_visit"] == 100.0
    assert summary["deadline"] == past
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    extended = client.put(f"{url}/extension", {"extended_to": later, "reason": "等待清税证明"}, content_type=JSON)
    assert extended.status_code == 200 and extended.json()["deadline"] == later and not extended.json()["overdue"]
    no_reason = client.put(f"{url}/extension", {"extended_to": later}, content_type=JSON)
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["fields"]
    overdue = client.get("/api/v1/supervision/conversion/cases", {"state": "overdue"}).json()
    assert overdue["total"] == 3 == client.get("/api/v1/supervision/conversion/summary").json()["overdue"]
    assert client.get("/api/v1/supervision/conversion/cases", {"state": "done"}).json()["total"] == 0
    assert client.get("/api/v1/supervision/conversion/cases", {"state": "sideways"}).status_code == 422
    # another district's case: 404 everywhere
    foreign = f"/api/v1/supervision/conversion/cases/{other_case.pk}"
    assert client.get(foreign).status_code == 404
    assert client.post(f"{foreign}/advance", {"to": "materials"}, content_type=JSON).status_code == 404
    assert client.post(f"{foreign}/materials", {"code": "application"}, content_type=JSON).status_code == 404
    other = make_institution(sup.other, 401, **FOR_PROFIT)
    opened_there = client.post("/api/v1/supervision/conversion/cases", {"institution_id": other.pk}, content_type=JSON)
    assert opened_there.status_code == 404
    assert not other_case.materials.exists()


def test_institution_sees_only_its_own_case(client, sup, window):
    mine, _other_case = window
    client.force_login(sup.inst_user2)  # institutions[1]: non-profit, no case
    assert client.get("/api/v1/supervision/my/conversion").status_code == 404
    assert client.get(reverse("supervision:my_conversion")).status_code == 200
    own = services.case_open(institution=mine[0], target=Target.NON_SUBJECT)
    client.force_login(sup.inst_user)
    data = client.get("/api/v1/supervision/my/conversion").json()
    assert data["id"] == own.pk and data["target"] == "non_subject" and data["step"] == "intake"
    # the bureau's operations are not the institution's
    assert client.get(f"/api/v1/supervision/conversion/cases/{own.pk}").status_code == 403
    assert client.get("/api/v1/supervision/conversion/summary").status_code == 403
    page = client.get(reverse("supervision:institution_home"))
    assert page.status_code == 200 and 'id="conversion-card"' in page.content.decode()
    mine_page = client.get(reverse("supervision:my_conversion")).content.decode()
    missing_tags = mine_page.count('<span class="tag warn">')
    assert missing_tags == 2 * len(MATERIALS[Target.NON_SUBJECT]) + 1  # card + checklist + "next" step
    assert client.get(reverse("supervision:conversion_case", args=[own.pk])).status_code == 403


def test_bureau_pages_work_and_refuse_other_districts(client, sup, window):
    mine, other_case = window
    client.force_login(sup.bureau)
    page = client.get(reverse("supervision:conversion_cases"))
    assert page.status_code == 200
    response = client.post(reverse("supervision:conversion_open_all"), {"target": "deregister"})
    assert response.status_code == 302 and ConversionCase.objects.filter(district=sup.district).count() == 4
    case = ConversionCase.objects.get(institution=mine[2])
    assert case.target == Target.DEREGISTER
    url = reverse("supervision:conversion_case", args=[case.pk])
    assert client.get(url).status_code == 200
    client.post(reverse("supervision:conversion_advance", args=[case.pk]), {"to": "licence_cancelled"})
    case.refresh_from_db()
    assert case.step == Step.INTAKE
    for m in materials_of(Target.DEREGISTER, Step.MATERIALS):
        client.post(reverse("supervision:conversion_material", args=[case.pk]), {"code": m.code, "note": "原件核验"})
    client.post(reverse("supervision:conversion_advance", args=[case.pk]), {"to": "materials"})
    client.post(
        reverse("supervision:conversion_visit", args=[case.pk]), {"visited_on": "2026-01-05", "purpose": "递交"}
    )
    case.refresh_from_db()
    assert case.step == Step.MATERIALS and case.visits.count() == 1
    detail = client.get(url).content.decode()
    assert "原件核验" in detail and 'id="history"' in detail
    fragment = client.get(
        reverse("supervision:conversion_cases"), {"state": "in_progress"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert 'id="conversion-results"' in fragment.content.decode()
    client.post(reverse("supervision:conversion_deadline"), {"deadline": "2026-12-31", "title": "转登"})
    # the export holds every case of the district, and the same summary
    export = client.get(reverse("supervision:conversion_export"))
    assert export.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(export.content))
    assert book["转登案件"].max_row == 1 + 4
    assert [c.value for c in book["汇总"][2]][:4] == [4, 0, 4, 0 if dt.date.today() <= dt.date(2026, 12, 31) else 4]
    # another district's case: 404 for page and writes
    for name in ("conversion_case",):
        assert client.get(reverse(f"supervision:{name}", args=[other_case.pk])).status_code == 404
    for name in ("conversion_advance", "conversion_material", "conversion_visit", "conversion_target"):
        assert client.post(reverse(f"supervision:{name}", args=[other_case.pk]), {}).status_code == 404
    other_case.refresh_from_db()
    assert other_case.step == Step.INTAKE and not other_case.visits.exists()
