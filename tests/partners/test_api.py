"""The partner-course API mirrors the pages' permissions and scopes."""

from __future__ import annotations

import json

import pytest

from courses.models import Course
from partners.models import HostRequest, PartnerCourse, TravelTime
from tests.partners.conftest import course_data

pytestmark = pytest.mark.django_db


def _post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def _put(client, url, body):
    return client.put(url, json.dumps(body), content_type="application/json")


def test_course_lifecycle_through_the_api(pw, login):
    partner = login(pw.partner)
    response = _post(partner, "/api/v1/partner-courses", course_data())
    assert response.status_code == 201, response.content
    course_id = response.json()["id"]
    assert response.json()["status"] == "draft"
    too_dear = _post(partner, "/api/v1/partner-courses", course_data(title="贵", fee_per_class_hour="9"))
    assert too_dear.status_code == 409 and "fee_per_class_hour" in too_dear.json()["fields"]
    assert _post(partner, f"/api/v1/partner-courses/{course_id}/submit").json()["status"] == "submitted"
    assert _post(partner, f"/api/v1/partner-courses/{course_id}/approve").json()["code"] == "forbidden"

    coord = login(pw.world.users.coordinator_a)
    assert _post(coord, "/api/v1/partner-courses", course_data(title="x")).json()["code"] == "forbidden"
    assert _post(coord, f"/api/v1/partner-courses/{course_id}/approve").status_code == 403
    offers = coord.get(f"/api/v1/schools/{pw.world.school_a.pk}/partner-offers").json()
    assert course_id not in {o["id"] for o in offers}

    bureau = login(pw.world.users.bureau)
    queue = bureau.get("/api/v1/partner-courses?status=submitted").json()
    assert [c["id"] for c in queue] == [course_id]
    body = _post(bureau, f"/api/v1/partner-courses/{course_id}/approve", {"comment": "同意"}).json()
    assert body["status"] == "approved" and [r["action"] for r in body["reviews"]] == ["approved", "submitted"]
    again = _post(bureau, f"/api/v1/partner-courses/{course_id}/return", {"comment": "x"})
    assert again.status_code == 409 and again.json()["code"] == "partner_course_not_submitted"

    offers = login(pw.world.users.coordinator_a).get(f"/api/v1/schools/{pw.world.school_a.pk}/partner-offers").json()
    assert course_id in {o["id"] for o in offers}


def test_other_providers_course_is_404_in_the_api(pw, login):
    client = login(pw.partner)
    assert client.get(f"/api/v1/partner-courses/{pw.lego.pk}").status_code == 404
    response = _put(client, f"/api/v1/partner-courses/{pw.lego.pk}", course_data(title="改"))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert _post(client, f"/api/v1/partner-courses/{pw.lego.pk}/submit").status_code == 404
    mine = {c["id"] for c in client.get("/api/v1/partner-courses").json()}
    assert mine == {pw.pastry.pk}
    assert [p["name"] for p in client.get("/api/v1/providers").json()] == ["工贸旅游学校"]
    assert client.get(f"/api/v1/schools/{pw.world.school_a.pk}/partner-offers").status_code == 403


def test_update_of_approved_course_goes_back_to_review(pw, login):
    client = login(pw.partner)
    body = _put(client, f"/api/v1/partner-courses/{pw.pastry.pk}", course_data(title="中点（新版）")).json()
    assert body["status"] == "submitted" and body["offered"] is True
    offers = login(pw.world.users.coordinator_a).get(f"/api/v1/schools/{pw.world.school_a.pk}/partner-offers").json()
    assert {o["title"] for o in offers if o["id"] == pw.pastry.pk} == {"中点"}
    pw.pastry.refresh_from_db()
    assert pw.pastry.offered["title"] == "中点"


def test_requests_through_the_api(pw, login):
    school = pw.world.school_a
    coord = login(pw.world.users.coordinator_a)
    url = f"/api/v1/schools/{school.pk}/host-requests"
    response = _post(coord, url, {"partner_course_id": pw.pastry.pk, "sections": 2, "preferred_weekdays": [2]})
    assert response.status_code == 201, response.content
    request_id = response.json()["id"]
    dup = _post(coord, url, {"partner_course_id": pw.pastry.pk})
    assert dup.status_code == 409 and dup.json()["code"] == "host_request_exists"
    assert HostRequest.objects.count() == 1
    assert (
        _post(coord, f"/api/v1/schools/{pw.world.school_b.pk}/host-requests", {"partner_course_id": 1}).status_code
        == 404
    )
    assert _post(coord, f"/api/v1/host-requests/{request_id}/accept").status_code == 403

    other = login(pw.other_user)
    assert other.get("/api/v1/host-requests").json() == []
    assert _post(other, f"/api/v1/host-requests/{request_id}/accept").status_code == 404

    partner = login(pw.partner)
    assert [r["id"] for r in partner.get("/api/v1/host-requests?status=open").json()] == [request_id]
    body = _post(partner, f"/api/v1/host-requests/{request_id}/accept", {"note": "好的"}).json()
    assert body["status"] == "accepted" and body["teacher_id"] == pw.teacher.pk
    course = Course.objects.get(pk=body["course_id"])
    assert course.school == school and course.kind == "partner" and course.sections.count() == 2
    again = _post(partner, f"/api/v1/host-requests/{request_id}/decline")
    assert again.status_code == 409 and again.json()["code"] == "host_request_not_open"


def test_travel_times_through_the_api(pw, login):
    a, b = pw.world.school_a, pw.world.school_b
    body = {"from_school_id": a.pk, "to_school_id": b.pk, "minutes": 18}
    assert _put(login(pw.world.users.coordinator_a), "/api/v1/travel-times", body).status_code == 403
    assert _put(login(pw.partner), "/api/v1/travel-times", body).status_code == 403
    bureau = login(pw.world.users.bureau)
    assert _put(bureau, "/api/v1/travel-times", body).status_code == 200
    assert {(t.from_school_id, t.to_school_id, t.minutes) for t in TravelTime.objects.all()} == {
        (a.pk, b.pk, 18),
        (b.pk, a.pk, 18),
    }
    listed = {(r["from_school_id"], r["to_school_id"]): r["minutes"] for r in bureau.get("/api/v1/travel-times").json()}
    assert listed[(a.pk, b.pk)] == listed[(b.pk, a.pk)] == 18
    providers = bureau.get("/api/v1/providers").json()
    assert {p["name"] for p in providers} == {"工贸旅游学校", "星辰科技教育"}


def test_unauthenticated_api_is_refused(client, pw):
    assert client.get("/api/v1/partner-courses").status_code == 401
    assert PartnerCourse.objects.count() == 2
