"""Expert course review (issue 17, item 3): submission with materials, the reproducible draw, the
opinions, the majority verdict (a tie draws a further expert) and what the verdict sets."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role
from core.errors import DomainError
from supervision import draw_reviews
from supervision.draw import commitment_of
from supervision.models import (
    CourseKindChange,
    CourseReview,
    ExpertConflict,
    Institution,
    InstitutionChange,
    ReviewAssignment,
    ReviewedCourse,
    ReviewMaterial,
)
from supervision.services import reviews
from tests.supervision.conftest import _user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
COURSE = {
    "name": "小学数学思维拓展",
    "subject_area": "mathematics",
    "grade_from": 3,
    "grade_to": 5,
    "hours": 32,
    "lesson_minutes": 60,
    "class_size": 20,
    "schedule": "周六上午",
    "objectives": "培养数学思维",
    "outline": "第1讲 数的认识\n第2讲 四则运算",
    "materials_list": "自编讲义《数学思维》",
    "teacher": "王老师",
    "teacher_certificate": "20263205830001",
    "fee": "80",
}


def pdf(name: str = "讲义.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def rv(sup, settings, tmp_path):
    return make_rv(sup, settings, tmp_path)


def make_rv(sup, settings, tmp_path) -> SimpleNamespace:
    """Seven mathematics/physics experts with logins, one arts expert, one of the other district."""
    settings.MEDIA_ROOT = tmp_path
    experts = [
        reviews.expert_create(
            district=sup.district,
            data={"name": f"数学专家{n}", "unit": "区教研室", "subjects": ["mathematics", "physics"]},
            by=sup.bureau,
        )
        for n in range(7)
    ]
    arts = reviews.expert_create(district=sup.district, data={"name": "美术专家", "subjects": ["arts"]}, by=sup.bureau)
    other = reviews.expert_create(district=sup.other, data={"name": "邻区专家", "subjects": ["mathematics"]})
    users = []
    for n, expert in enumerate(experts):
        user = _user(f"sv_expert{n}", Role.EXPERT, sup.district)
        expert.user = user
        expert.save()
        users.append(user)
    return SimpleNamespace(experts=experts, arts=arts, other=other, users=users, tmp=tmp_path)


def submit(sup, institution=None, **over) -> CourseReview:
    return reviews.course_submit(
        institution=institution or sup.institutions[0],
        data={**COURSE, **over},
        uploads=[pdf(), SimpleUploadedFile("page.png", PNG)],
        by=sup.inst_user,
    )


def drawn(sup, review: CourseReview, seed: str = "s1", n: int = 3) -> CourseReview:
    reviews.review_commit(review=review, commitment=commitment_of(seed), n_experts=n, by=sup.bureau)
    return reviews.review_draw(review=review, seed=seed, by=sup.bureau)


def panel(review: CourseReview):
    return [a.expert for a in review.assignments.filter(recused=False).select_related("expert").order_by("rank")]


def opine(review: CourseReview, experts, opinions: str) -> None:
    for expert, letter in zip(experts, opinions, strict=True):
        kind = "subject" if letter == "S" else "non_subject"
        reviews.opinion_give(review=review, expert=expert, opinion=kind, reason="对照课程标准")


def test_two_subject_opinions_and_one_non_subject_give_subject_and_the_institution_follows(sup, rv):
    institution = sup.institutions[0]
    Institution.objects.filter(pk=institution.pk).update(kind="non_subject")
    review = drawn(sup, submit(sup))
    assert review.status == "in_review" and review.assignments.count() == 3
    opine(review, panel(review), "SSN")
    review, further = reviews.review_decide(review=review, by=sup.bureau)
    assert further is None
    assert review.status == "decided" and review.verdict == "subject"
    assert review.tally == {"subject": 2, "non_subject": 1}
    course = review.course
    course.refresh_from_db()
    assert course.kind == "subject" and course.judged_at
    assert CourseKindChange.objects.filter(course=course, before="", after="subject", review=review).exists()
    institution.refresh_from_db()
    assert institution.kind == "subject"
    change = InstitutionChange.objects.filter(institution=institution, source="review").get()
    assert change.before == {"kind": "non_subject"} and change.after == {"kind": "subject"}


def test_one_subject_and_two_non_subject_give_non_subject(sup, rv):
    review = drawn(sup, submit(sup))
    opine(review, panel(review), "NSN")
    review, _further = reviews.review_decide(review=review, by=sup.bureau)
    assert review.verdict == "non_subject"


def test_the_institution_waits_until_every_course_is_judged_and_any_subject_course_makes_it_subject(sup, rv):
    institution = sup.institutions[0]
    first, second = submit(sup), submit(sup, name="科学实验")
    drawn(sup, first, "a")
    opine(first, panel(first), "NNN")
    reviews.review_decide(review=first, by=sup.bureau)
    institution.refresh_from_db()
    assert institution.kind == "subject"  # unchanged: a course still waits for its verdict
    drawn(sup, second, "b")
    opine(second, panel(second), "NNN")
    reviews.review_decide(review=second, by=sup.bureau)
    institution.refresh_from_db()
    assert institution.kind == "non_subject"
    assert institution.grade_reasons is not None  # re-graded through the register's change path


def test_a_tie_draws_a_further_expert_and_the_next_opinion_decides(sup, rv):
    review = drawn(sup, submit(sup), seed="tie", n=4)
    four = panel(review)
    opine(review, four, "SSNN")
    review, further = reviews.review_decide(review=review, by=sup.bureau)
    assert review.status == "in_review" and further is not None
    assert further.why == ReviewAssignment.Why.TIE and further.rank == 5
    # the further expert is the next of the published ranking: anyone can recompute it
    ranking = draw_reviews.ranking(seed="tie", review_id=review.pk, pool=[row[0] for row in review.frozen["pool"]])
    assert further.expert_id == ranking[4].id
    with pytest.raises(DomainError) as pending:
        reviews.review_decide(review=review, by=sup.bureau)
    assert pending.value.code == "review_opinions_pending"
    opine(review, [further.expert], "N")
    review, again = reviews.review_decide(review=review, by=sup.bureau)
    assert again is None and review.verdict == "non_subject" and review.tally == {"subject": 2, "non_subject": 3}


def test_fewer_than_three_opinions_cannot_be_decided(sup, rv):
    review = drawn(sup, submit(sup))
    opine(review, panel(review)[:2], "SS")
    with pytest.raises(DomainError) as refused:
        reviews.review_decide(review=review, by=sup.bureau)
    assert refused.value.code == "review_too_few_opinions" and refused.value.status == 409
    review.refresh_from_db()
    assert review.status == "in_review" and not review.verdict


def test_an_expert_with_a_conflict_is_refused_with_403(sup, rv):
    review = drawn(sup, submit(sup))
    expert = panel(review)[0]
    ExpertConflict.objects.create(expert=expert, institution=sup.institutions[0], reason="曾在该机构兼职")
    with pytest.raises(DomainError) as refused:
        reviews.opinion_give(review=review, expert=expert, opinion="subject", reason="x")
    assert refused.value.code == "review_expert_conflict" and refused.value.status == 403


def test_conflicted_and_inactive_experts_and_other_subjects_are_never_drawn(sup, rv):
    conflicted, inactive = rv.experts[0], rv.experts[1]
    reviews.expert_conflict_add(expert=conflicted, institution=sup.institutions[0], reason="亲属", by=sup.bureau)
    reviews.expert_update(expert=inactive, data={"active": False}, by=sup.bureau)
    for seed in ("a", "b", "c", "d", "e"):
        review = drawn(sup, submit(sup), seed=seed)
        ids = {e.pk for e in panel(review)}
        assert not ids & {conflicted.pk, inactive.pk, rv.arts.pk, rv.other.pk}
        assert {row[0] for row in review.frozen["pool"]} == {e.pk for e in rv.experts[2:]}


def test_a_recusal_replaces_the_expert_with_the_next_of_the_ranking(sup, rv):
    review = drawn(sup, submit(sup), seed="r")
    first = panel(review)[0]
    reviews.expert_recuse(review=review, expert=first, reason="近亲属在该机构任教")
    now = panel(review)
    assert first not in now and len(now) == 3
    assert review.assignments.get(expert=first).recused
    assert CourseReview.objects.assigned_to(first).filter(pk=review.pk).exists()  # shown as stepped aside
    assert not CourseReview.objects.judged_by(first).filter(pk=review.pk).exists()
    with pytest.raises(DomainError) as refused:
        reviews.opinion_give(review=review, expert=first, opinion="subject", reason="x")
    assert refused.value.code == "review_expert_conflict" and refused.value.status == 403


def test_a_conflict_declared_after_an_opinion_voids_it_and_draws_a_replacement(sup, rv):
    review = drawn(sup, submit(sup), seed="late")
    first, second, third = panel(review)
    opine(review, [first], "S")
    reviews.expert_conflict_add(expert=first, institution=sup.institutions[0], reason="后查明曾任该机构顾问")
    now = panel(review)
    assert first not in now and len(now) == 3 and {second, third} <= set(now)
    assert reviews.tally(review) == {"subject": 0, "non_subject": 0}
    with pytest.raises(DomainError) as refused:
        reviews.opinion_give(review=review, expert=first, opinion="subject", reason="x")
    assert refused.value.status == 403
    opine(review, now, "NNS")
    review, _further = reviews.review_decide(review=review, by=sup.bureau)
    assert review.verdict == "non_subject"


def test_a_verdict_that_changes_the_kind_regrades_the_institution(sup, rv):
    """The risk rule operating_without_licence reads the kind: a non-subject institution without a
    licence is green until its course is judged subject-type, then red with that reason."""
    from supervision.services.risk import grade_refresh

    institution = sup.institutions[0]
    Institution.objects.filter(pk=institution.pk).update(kind="non_subject", licence_no="")
    institution.refresh_from_db()
    assert grade_refresh(institution) == "green"
    review = drawn(sup, submit(sup), seed="grade")
    opine(review, panel(review), "SSN")
    reviews.review_decide(review=review, by=sup.bureau)
    institution.refresh_from_db()
    assert institution.kind == "subject" and institution.grade == "red"
    assert "operating_without_licence" in [r["id"] for r in institution.grade_reasons]


def test_the_draw_is_reproducible_from_the_published_inputs(sup, rv):
    review = drawn(sup, submit(sup), seed="repeat")
    frozen = review.frozen
    again = draw_reviews.draw_experts(
        seed=review.seed, review_id=review.pk, pool=[row[0] for row in frozen["pool"]], n=frozen["n"]
    )
    assert [p.id for p in again] == [e.pk for e in panel(review)]
    assert [p.score for p in again] == list(review.assignments.order_by("rank").values_list("score", flat=True))
    assert commitment_of(review.seed) == review.commitment
    other = draw_reviews.draw_experts(seed="another", review_id=review.pk, pool=[row[0] for row in frozen["pool"]])
    assert len(other) == 3


def test_draw_rule_pure():
    pool = list(range(1, 21))
    first = draw_reviews.draw_experts(seed="x", review_id=7, pool=pool, n=3)
    assert first == draw_reviews.draw_experts(seed="x", review_id=7, pool=list(reversed(pool)), n=3)
    assert first != draw_reviews.draw_experts(seed="x", review_id=8, pool=pool, n=3)
    assert (
        draw_reviews.next_expert(seed="x", review_id=7, pool=pool, taken=[p.id for p in first])
        == (draw_reviews.ranking(seed="x", review_id=7, pool=pool)[3])
    )
    assert draw_reviews.eligible([(1, ["arts"]), (2, ["mathematics"]), (3, ["mathematics"])], "mathematics", [3]) == [2]
    with pytest.raises(Exception, match="too_few_experts"):
        draw_reviews.draw_experts(seed="x", review_id=7, pool=[1, 2], n=3)


def test_a_wrong_file_or_a_large_one_is_refused_with_400_and_nothing_is_saved(sup, rv):
    before = (ReviewedCourse.objects.count(), CourseReview.objects.count(), ReviewMaterial.objects.count())
    for bad in (
        SimpleUploadedFile("讲义.pdf", b"<html><script>alert(1)</script></html>"),  # a name is not a type
        SimpleUploadedFile("big.pdf", PDF + b"\x00" * (10 * 1024 * 1024)),
        SimpleUploadedFile("empty.pdf", b""),
    ):
        with pytest.raises(DomainError) as refused:
            reviews.course_submit(institution=sup.institutions[0], data=COURSE, uploads=[pdf(), bad], by=sup.inst_user)
        assert refused.value.code == "review_file_refused" and refused.value.status == 400
        assert "materials" in refused.value.fields
    after = (ReviewedCourse.objects.count(), CourseReview.objects.count(), ReviewMaterial.objects.count())
    assert after == before
    assert not any(p.is_file() for p in rv.tmp.rglob("*"))


def test_a_good_submission_keeps_each_file_with_the_type_read_from_its_bytes(sup, rv):
    review = reviews.course_submit(
        institution=sup.institutions[0],
        data=COURSE,
        uploads=[SimpleUploadedFile("scan.jpg", PNG), pdf()],
        by=sup.inst_user,
    )
    types = sorted(review.course.materials.values_list("content_type", flat=True))
    assert types == ["application/pdf", "image/png"]
    assert all(m.file.storage.exists(m.file.name) for m in review.course.materials.all())


def test_the_form_fields_are_validated_together(sup, rv):
    with pytest.raises(DomainError) as refused:
        reviews.course_submit(
            institution=sup.institutions[0],
            data={**COURSE, "name": " ", "grade_from": 6, "grade_to": 2, "hours": 0, "subject_area": "magic"},
            uploads=[pdf()],
            by=sup.inst_user,
        )
    assert refused.value.code == "validation_error"
    assert {"name", "grade_to", "hours", "subject_area"} <= set(refused.value.fields)


def test_out_of_order_steps_are_invalid_transitions(sup, rv):
    review = submit(sup)
    with pytest.raises(DomainError) as early:
        reviews.review_draw(review=review, seed="s", by=sup.bureau)
    assert early.value.code == "invalid_transition" and early.value.status == 409
    with pytest.raises(DomainError) as not_drawn:
        reviews.review_decide(review=review, by=sup.bureau)
    assert not_drawn.value.code == "invalid_transition"
    review = drawn(sup, review)
    for step in (
        lambda: reviews.review_commit(review=review, by=sup.bureau),
        lambda: reviews.review_draw(review=review, seed="s1", by=sup.bureau),
        lambda: reviews.review_withdraw(review=review, by=sup.inst_user),
    ):
        with pytest.raises(DomainError) as refused:
            step()
        assert refused.value.code == "invalid_transition"
    opine(review, panel(review), "SSS")
    reviews.review_decide(review=review, by=sup.bureau)
    with pytest.raises(DomainError) as late:
        reviews.opinion_give(review=review, expert=panel(review)[0], opinion="non_subject", reason="改变主意")
    assert late.value.code == "invalid_transition"


def test_a_wrong_seed_and_too_small_a_pool_are_refused(sup, rv):
    review = submit(sup)
    reviews.review_commit(review=review, commitment=commitment_of("right"), by=sup.bureau)
    with pytest.raises(DomainError) as wrong:
        reviews.review_draw(review=review, seed="wrong", by=sup.bureau)
    assert wrong.value.code == "review_seed_mismatch"
    arts = submit(sup, subject_area="arts", name="儿童画")
    with pytest.raises(DomainError) as few:
        reviews.review_commit(review=arts, by=sup.bureau)
    assert few.value.code == "review_too_few_experts"


def test_a_site_made_seed_is_returned_once_and_draws(sup, rv):
    review, seed = reviews.review_commit(review=submit(sup), by=sup.bureau)
    assert seed and commitment_of(seed) == review.commitment and not review.seed
    review = reviews.review_draw(review=review, seed=seed, by=sup.bureau)
    assert review.seed == seed and len(panel(review)) == 3


def test_review_verify_re_derives_the_draw_and_catches_a_swap(sup, rv):
    from io import StringIO

    from django.core.management import CommandError, call_command

    review = drawn(sup, submit(sup), seed="verify", n=4)
    opine(review, panel(review), "SSNN")
    reviews.review_decide(review=review, by=sup.bureau)  # a tie: a fifth expert from the same ranking
    out = StringIO()
    call_command("review_verify", str(review.pk), stdout=out)
    assert "verified, 5 experts" in out.getvalue()
    row = review.assignments.order_by("rank").first()
    spare = next(e for e in rv.experts if e.pk not in set(review.assignments.values_list("expert_id", flat=True)))
    ReviewAssignment.objects.filter(pk=row.pk).update(expert=spare)
    with pytest.raises(CommandError, match="experts differ"):
        call_command("review_verify", str(review.pk), stdout=StringIO())
