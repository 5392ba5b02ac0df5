"""Expert course review pages: who sees what (an expert only their reviews, the bureau only its
district, an institution only its courses), the submission form with files, the materials."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from supervision.models import CourseReview, ExpertConflict, ReviewedCourse, ReviewMaterial
from supervision.services import reviews
from tests.supervision.test_reviews import COURSE, PDF, PNG, drawn, make_rv, panel, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def rv(sup, settings, tmp_path):
    return make_rv(sup, settings, tmp_path)


def _user_of(rv, expert):
    return rv.users[[e.pk for e in rv.experts].index(expert.pk)]


def test_an_expert_sees_only_the_reviews_assigned_to_them(client, sup, rv):
    review = drawn(sup, submit(sup))
    mine = panel(review)[0]
    outsider = next(e for e in rv.experts if e not in panel(review))
    client.force_login(_user_of(rv, mine))
    home = client.get(reverse("supervision:expert_home"))
    assert home.status_code == 200 and COURSE["name"] in home.content.decode()
    page = client.get(reverse("supervision:expert_review", args=[review.pk]))
    assert page.status_code == 200 and "opinion-form" in page.content.decode()
    material = review.course.materials.first()
    assert client.get(reverse("supervision:review_material", args=[material.pk])).status_code == 200
    client.force_login(_user_of(rv, outsider))
    assert COURSE["name"] not in client.get(reverse("supervision:expert_home")).content.decode()
    assert client.get(reverse("supervision:expert_review", args=[review.pk])).status_code == 404
    assert (
        client.post(
            reverse("supervision:expert_opinion", args=[review.pk]), {"opinion": "subject", "reason": "x"}
        ).status_code
        == 404
    )
    assert client.get(reverse("supervision:review_material", args=[material.pk])).status_code == 404


def test_the_expert_gives_an_opinion_on_the_phone_page(client, sup, rv):
    review = drawn(sup, submit(sup))
    me = panel(review)[0]
    client.force_login(_user_of(rv, me))
    response = client.post(
        reverse("supervision:expert_opinion", args=[review.pk]), {"opinion": "subject", "reason": "属于数学学科内容"}
    )
    assert response.status_code == 302
    row = review.assignments.get(expert=me)
    assert row.opinion == "subject" and row.reason == "属于数学学科内容"


def test_an_expert_with_a_conflict_is_refused_on_the_page(client, sup, rv):
    review = drawn(sup, submit(sup))
    me = panel(review)[0]
    ExpertConflict.objects.create(expert=me, institution=sup.institutions[0])
    client.force_login(_user_of(rv, me))
    client.post(reverse("supervision:expert_opinion", args=[review.pk]), {"opinion": "subject", "reason": "x"})
    assert not review.assignments.get(expert=me).opinion


def test_another_districts_bureau_gets_404(client, sup, rv):
    review = submit(sup)
    material = review.course.materials.first()
    client.force_login(sup.other_bureau)
    assert client.get(reverse("supervision:review", args=[review.pk])).status_code == 404
    assert client.post(reverse("supervision:review_commit", args=[review.pk]), {"n_experts": 3}).status_code == 404
    assert client.get(reverse("supervision:review_expert", args=[rv.experts[0].pk])).status_code == 404
    assert client.get(reverse("supervision:review_material", args=[material.pk])).status_code == 404
    assert review.course.name not in client.get(reverse("supervision:reviews")).content.decode()
    client.force_login(sup.bureau)
    assert client.get(reverse("supervision:review", args=[review.pk])).status_code == 200
    assert client.get(reverse("supervision:review_material", args=[material.pk])).status_code == 200


def test_the_bureau_commits_draws_and_decides_on_its_pages(client, sup, rv):
    review = submit(sup)
    client.force_login(sup.bureau)
    listing = client.get(reverse("supervision:reviews") + "?status=submitted")
    assert listing.status_code == 200 and COURSE["name"] in listing.content.decode()
    client.post(reverse("supervision:review_commit", args=[review.pk]), {"n_experts": 3, "commitment": ""})
    review.refresh_from_db()
    assert review.status == "committed"
    seed = next(str(m) for m in client.get(reverse("supervision:review", args=[review.pk])).context["messages"])
    assert seed  # the page showed the one-time seed as a message
    # the bureau's own seed path: a fresh review with a known commitment
    other = submit(sup, name="第二门")
    from supervision.draw import commitment_of

    client.post(
        reverse("supervision:review_commit", args=[other.pk]), {"n_experts": 3, "commitment": commitment_of("k")}
    )
    client.post(reverse("supervision:review_draw", args=[other.pk]), {"seed": "k"})
    other.refresh_from_db()
    assert other.status == "in_review"
    for expert, kind in zip(panel(other), ("subject", "subject", "non_subject"), strict=True):
        reviews.opinion_give(review=other, expert=expert, opinion=kind, reason="依据课标")
    page = client.post(reverse("supervision:review_decide", args=[other.pk]), follow=True)
    other.refresh_from_db()
    assert other.verdict == "subject" and 'id="verdict"' in page.content.decode()


def test_the_institution_submits_with_files_and_a_bad_file_saves_nothing(client, sup, rv):
    client.force_login(sup.inst_user)
    form = {k: v for k, v in COURSE.items()}
    before = (ReviewedCourse.objects.count(), CourseReview.objects.count(), ReviewMaterial.objects.count())
    bad = client.post(
        reverse("supervision:course_new"),
        {**form, "materials": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", b"MZ\x90\x00 exe")]},
    )
    assert bad.status_code == 400
    assert (ReviewedCourse.objects.count(), CourseReview.objects.count(), ReviewMaterial.objects.count()) == before
    assert not any(p.is_file() for p in rv.tmp.rglob("*"))
    good = client.post(
        reverse("supervision:course_new"),
        {**form, "materials": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.png", PNG)]},
    )
    assert good.status_code == 302
    course = ReviewedCourse.objects.get(institution=sup.institutions[0])
    assert course.materials.count() == 2 and course.reviews.get().status == "submitted"
    assert client.get(reverse("supervision:my_course", args=[course.pk])).status_code == 200
    # another institution's account sees neither the course nor its files
    client.force_login(sup.inst_user2)
    assert client.get(reverse("supervision:my_course", args=[course.pk])).status_code == 404
    assert client.get(reverse("supervision:review_material", args=[course.materials.first().pk])).status_code == 404


def test_roles_are_kept_apart(client, sup, rv):
    client.force_login(sup.inst_user)
    assert client.get(reverse("supervision:reviews")).status_code == 403
    assert client.get(reverse("supervision:expert_home")).status_code == 403
    client.force_login(rv.users[0])
    assert client.get(reverse("supervision:reviews")).status_code == 403
    assert client.get(reverse("supervision:my_courses")).status_code == 403


def test_the_expert_pool_pages(client, sup, rv):
    client.force_login(sup.bureau)
    response = client.post(
        reverse("supervision:review_experts"),
        {"name": "新专家", "unit": "实验小学", "subjects": ["arts"], "active": "on"},
    )
    assert response.status_code == 302
    expert = sup.district.review_experts.get(name="新专家")
    assert expert.subjects == ["arts"] and expert.code.startswith("ZJ")
    client.post(
        reverse("supervision:review_expert_conflict", args=[expert.pk]),
        {"institution": sup.institutions[2].pk, "reason": "配偶任职"},
    )
    assert ExpertConflict.objects.filter(expert=expert, institution=sup.institutions[2]).exists()
    foreign = client.post(
        reverse("supervision:review_expert_conflict", args=[expert.pk]), {"institution": sup.other_institution.pk}
    )
    assert foreign.status_code == 302 and not ExpertConflict.objects.filter(institution=sup.other_institution).exists()


def test_an_expert_who_stepped_aside_sees_the_review_as_such_but_not_its_materials(client, sup, rv):
    review = drawn(sup, submit(sup))
    me = panel(review)[0]
    client.force_login(_user_of(rv, me))
    response = client.post(reverse("supervision:expert_recuse", args=[review.pk]), {"reason": "近亲属在该机构任教"})
    assert response.status_code == 302 and review.assignments.get(expert=me).recused
    page = client.get(reverse("supervision:expert_review", args=[review.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="recused"' in body and "opinion-form" not in body and 'id="materials"' not in body
    material = review.course.materials.first()
    assert client.get(reverse("supervision:review_material", args=[material.pk])).status_code == 404
    assert len(panel(review)) == 3 and me not in panel(review)


def test_the_lists_take_the_same_queries_for_more_reviews(client, sup, rv):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(user, url):
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    expert_user = _user_of(rv, rv.experts[2])
    for n in range(2):
        drawn(sup, submit(sup, name=f"课程{n}"), seed=f"q{n}", n=7)  # all seven eligible experts drawn
    few = (count(sup.bureau, reverse("supervision:reviews")), count(expert_user, reverse("supervision:expert_home")))
    for n in range(2, 6):
        drawn(sup, submit(sup, name=f"课程{n}"), seed=f"q{n}", n=7)
    more = (count(sup.bureau, reverse("supervision:reviews")), count(expert_user, reverse("supervision:expert_home")))
    assert more == few
