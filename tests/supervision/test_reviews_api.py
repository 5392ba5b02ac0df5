"""The course review API: the whole path by token, and its refusals with their codes and statuses."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import ApiToken
from supervision.draw import commitment_of
from supervision.models import CourseReview, ExpertConflict, ReviewedCourse, ReviewMaterial
from tests.supervision.test_reviews import COURSE, PDF, PNG, drawn, make_rv, panel, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def rv(sup, settings, tmp_path):
    return make_rv(sup, settings, tmp_path)


def auth(user) -> dict[str, str]:
    _token, raw = ApiToken.issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _user_of(rv, expert):
    return rv.users[[e.pk for e in rv.experts].index(expert.pk)]


def test_the_whole_path_by_api(client, sup, rv):
    institution = auth(sup.inst_user)
    response = client.post(
        "/api/v1/supervision/my/courses",
        {**COURSE, "materials": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.png", PNG)]},
        **institution,
    )
    assert response.status_code == 201, response.content
    course = response.json()
    assert [m["content_type"] for m in course["materials"]] == ["application/pdf", "image/png"]
    review_id = course["reviews"][0]["id"]
    bureau = auth(sup.bureau)
    listed = client.get("/api/v1/supervision/reviews?status=submitted", **bureau).json()
    assert [r["id"] for r in listed] == [review_id]
    committed = client.post(
        f"/api/v1/supervision/reviews/{review_id}/commit", {"n_experts": 3}, content_type="application/json", **bureau
    )
    assert committed.status_code == 200
    seed = committed.json()["generated_seed"]
    detail = client.post(
        f"/api/v1/supervision/reviews/{review_id}/draw", {"seed": seed}, content_type="application/json", **bureau
    ).json()
    assert detail["status"] == "in_review" and len(detail["assignments"]) == 3
    assert sorted(detail["frozen"]["pool"]) == sorted(e.pk for e in rv.experts)
    early = client.post(f"/api/v1/supervision/reviews/{review_id}/decide", **bureau)
    assert early.status_code == 409 and early.json()["code"] == "review_too_few_opinions"
    by_code = {e.code: e for e in rv.experts}
    for row, kind in zip(detail["assignments"], ("subject", "non_subject", "subject"), strict=True):
        expert = by_code[row["expert_code"]]
        mine = auth(_user_of(rv, expert))
        assert [r["id"] for r in client.get("/api/v1/supervision/expert/reviews", **mine).json()] == [review_id]
        given = client.post(
            f"/api/v1/supervision/expert/reviews/{review_id}/opinion",
            {"opinion": kind, "reason": "对照义务教育课程标准"},
            content_type="application/json",
            **mine,
        )
        assert given.status_code == 200 and given.json()["opinion"] == kind
    decided = client.post(f"/api/v1/supervision/reviews/{review_id}/decide", **bureau)
    assert decided.status_code == 200
    body = decided.json()
    assert body["outcome"] == "decided" and body["review"]["verdict"] == "subject"
    assert body["review"]["tally"] == {"subject": 2, "non_subject": 1}
    again = client.post(f"/api/v1/supervision/reviews/{review_id}/decide", **bureau)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    mine = client.get("/api/v1/supervision/my/courses", **institution).json()
    assert mine[0]["kind"] == "subject" and mine[0]["reviews"][0]["verdict"] == "subject"
    assert "assignments" not in mine[0]["reviews"][0]  # the institution does not learn who judged


def test_a_bad_file_by_api_is_400_and_nothing_is_saved(client, sup, rv):
    before = (ReviewedCourse.objects.count(), CourseReview.objects.count(), ReviewMaterial.objects.count())
    response = client.post(
        "/api/v1/supervision/my/courses",
        {**COURSE, "materials": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("x.png", b"GIF89a....")]},
        **auth(sup.inst_user),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "review_file_refused" and "materials" in response.json()["fields"]
    assert (ReviewedCourse.objects.count(), CourseReview.objects.count(), ReviewMaterial.objects.count()) == before
    assert not any(p.is_file() for p in rv.tmp.rglob("*"))


def test_refusals_by_api(client, sup, rv):
    review = drawn(sup, submit(sup))
    me = panel(review)[0]
    outsider = next(e for e in rv.experts if e not in panel(review))
    # another district's bureau: 404
    other = auth(sup.other_bureau)
    assert client.get(f"/api/v1/supervision/reviews/{review.pk}", **other).status_code == 404
    assert client.post(f"/api/v1/supervision/reviews/{review.pk}/decide", **other).status_code == 404
    assert client.get("/api/v1/supervision/reviews", **other).json() == []
    # an expert not assigned: 404
    response = client.get(f"/api/v1/supervision/expert/reviews/{review.pk}", **auth(_user_of(rv, outsider)))
    assert response.status_code == 404
    # an expert with a conflict: 403
    ExpertConflict.objects.create(expert=me, institution=sup.institutions[0])
    response = client.post(
        f"/api/v1/supervision/expert/reviews/{review.pk}/opinion",
        {"opinion": "subject", "reason": "x"},
        content_type="application/json",
        **auth(_user_of(rv, me)),
    )
    assert response.status_code == 403 and response.json()["code"] == "review_expert_conflict"
    # out of order: drawing a review that is in review
    response = client.post(
        f"/api/v1/supervision/reviews/{review.pk}/draw",
        {"seed": "s1"},
        content_type="application/json",
        **auth(sup.bureau),
    )
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    # a seed that does not match the commitment
    fresh = submit(sup, name="另一门")
    bureau = auth(sup.bureau)
    client.post(
        f"/api/v1/supervision/reviews/{fresh.pk}/commit",
        {"commitment": commitment_of("mine")},
        content_type="application/json",
        **bureau,
    )
    response = client.post(
        f"/api/v1/supervision/reviews/{fresh.pk}/draw", {"seed": "not mine"}, content_type="application/json", **bureau
    )
    assert response.status_code == 409 and response.json()["code"] == "review_seed_mismatch"
    # the other institution's account does not see the course
    assert client.get("/api/v1/supervision/my/courses", **auth(sup.inst_user2)).json() == []


def test_the_expert_pool_by_api(client, sup, rv):
    bureau = auth(sup.bureau)
    created = client.post(
        "/api/v1/supervision/experts",
        {"name": "语文教研员", "unit": "区教师发展中心", "subjects": ["chinese", "history"]},
        content_type="application/json",
        **bureau,
    )
    assert created.status_code == 201
    expert = created.json()
    patched = client.patch(
        f"/api/v1/supervision/experts/{expert['id']}", {"active": False}, content_type="application/json", **bureau
    )
    assert patched.json()["active"] is False
    conflict = client.post(
        f"/api/v1/supervision/experts/{expert['id']}/conflicts",
        {"institution_id": sup.institutions[3].pk, "reason": "兼职"},
        content_type="application/json",
        **bureau,
    )
    assert conflict.status_code == 201
    foreign = client.post(
        f"/api/v1/supervision/experts/{expert['id']}/conflicts",
        {"institution_id": sup.other_institution.pk},
        content_type="application/json",
        **bureau,
    )
    assert foreign.status_code == 404
    listed = {e["code"]: e for e in client.get("/api/v1/supervision/experts", **bureau).json()}
    assert listed[expert["code"]]["conflicts"] == [sup.institutions[3].pk]
    bad = client.post(
        "/api/v1/supervision/experts", {"name": "x", "subjects": ["magic"]}, content_type="application/json", **bureau
    )
    assert bad.status_code == 422
    theirs = client.get("/api/v1/supervision/experts", **auth(sup.other_bureau)).json()
    assert [e["id"] for e in theirs] == [rv.other.pk]
