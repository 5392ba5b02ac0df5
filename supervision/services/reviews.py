"""Expert course review: the expert pool, an institution's submission (审核表 + materials), the draw
of ≥ 3 experts, their opinions, the majority verdict and what it sets (course, institution, grade).

The draw is `supervision.draw_reviews` (pure); this module freezes its inputs at commit and writes
its result, as `services.plans` does for inspections. Refusals: a step out of order → 409
`invalid_transition`; a seed that does not match → 409 `review_seed_mismatch`; too few eligible
experts → 409 `review_too_few_experts`; deciding on fewer than three opinions → 409
`review_too_few_opinions`, with drawn experts still silent → 409 `review_opinions_pending`; an
expert with a declared conflict → 403 `review_expert_conflict`; a material of the wrong type or
size → 400 `review_file_refused` with nothing saved.
"""

from __future__ import annotations

import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import DomainError
from core.validation import FieldErrors, clean_text, save_or_conflict
from courses.models import District
from partners.services import photo_type
from supervision import draw as drawing
from supervision import draw_reviews
from supervision.models import (
    CourseKindChange,
    CourseReview,
    Expert,
    ExpertConflict,
    Institution,
    ReviewAssignment,
    ReviewedCourse,
    ReviewMaterial,
    SubjectArea,
)
from supervision.models.reviews import GRADE_CHOICES

MATERIAL_MAX_BYTES = 10 * 1024 * 1024
MATERIALS_PER_COURSE = 10
MATERIAL_TYPES = {"application/pdf", "image/png", "image/jpeg"}
HEX64 = re.compile(r"^[0-9a-f]{64}$")
OPEN = (CourseReview.Status.SUBMITTED, CourseReview.Status.COMMITTED, CourseReview.Status.IN_REVIEW)
KINDS = Institution.Kind


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


# --- the expert pool -------------------------------------------------------------------------


def _clean_expert(data: dict[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    name = clean_text(data.get("name"), max_length=50)
    if not name:
        errors.add("name", _("This field is required."))
    subjects = [s for s in SubjectArea.values if s in set(data.get("subjects") or [])]
    if not subjects:
        errors.add("subjects", _("Choose at least one subject."))
    if set(data.get("subjects") or []) - set(SubjectArea.values):
        errors.add("subjects", _("Choose one of the listed values."))
    errors.raise_if_any()
    return {
        "name": name,
        "unit": clean_text(data.get("unit"), max_length=100),
        "subjects": subjects,
        "active": bool(data.get("active", True)),
    }


@transaction.atomic
def expert_create(
    *, district: District, data: dict[str, Any], user: Any = None, by: Any = None, request: HttpRequest | None = None
) -> Expert:
    """A new member of the pool; the code (public, as an inspector's) is ZJ + the next number."""
    fields = _clean_expert(data)
    taken = set(Expert.objects.select_for_update().filter(district=district).values_list("code", flat=True))
    number = len(taken) + 1
    while f"ZJ{number:03d}" in taken:
        number += 1
    expert = save_or_conflict(Expert(district=district, code=f"ZJ{number:03d}", user=user, **fields))
    audit_record(action="supervision.expert.created", actor=by, obj=expert, request=request)
    return expert


@transaction.atomic
def expert_update(
    *, expert: Expert, data: dict[str, Any], by: Any = None, request: HttpRequest | None = None
) -> Expert:
    """Name, unit, subjects, active. A change applies to later draws; frozen pools keep their experts."""
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    merged = {"name": expert.name, "unit": expert.unit, "subjects": expert.subjects, "active": expert.active}
    merged.update({k: v for k, v in data.items() if k in merged and v is not None})
    fields = _clean_expert(merged)
    changed = sorted(k for k, v in fields.items() if getattr(expert, k) != v)
    for name, value in fields.items():
        setattr(expert, name, value)
    expert.save()
    if changed:
        audit_record(
            action="supervision.expert.updated", actor=by, obj=expert, request=request, data={"fields": changed}
        )
    return expert


@transaction.atomic
def expert_conflict_add(
    *, expert: Expert, institution: Institution, reason: str = "", by: Any = None, request: HttpRequest | None = None
) -> ExpertConflict:
    """Declare a conflict (回避). Later pools leave the pair out; the expert's assignments to undecided
    reviews of the institution's courses are recused (an opinion given stops counting) and each is
    replaced by the next expert of that review's ranking."""
    if expert.district_id != institution.district_id:
        raise DomainError("not_found")
    conflict, _created = ExpertConflict.objects.get_or_create(
        expert=expert, institution=institution, defaults={"reason": clean_text(reason, max_length=200)}
    )
    audit_record(
        action="supervision.expert_conflict.added",
        actor=by,
        obj=institution,
        request=request,
        data={"expert": expert.pk},
    )
    open_rows = ReviewAssignment.objects.filter(
        expert=expert,
        recused=False,
        review__status=CourseReview.Status.IN_REVIEW,
        review__course__institution=institution,
    ).select_related("review")  # an opinion already given by a conflicted expert does not count either
    for row in open_rows:
        _replace(row, by=by, request=request)
    return conflict


def _replace(row: ReviewAssignment, *, by: Any, request: HttpRequest | None) -> ReviewAssignment | None:
    """Recuse `row` and draw the next expert of its review's ranking (None when the pool is spent)."""
    review = CourseReview.objects.select_for_update().get(pk=row.review_id)
    ReviewAssignment.objects.filter(pk=row.pk).update(recused=True)
    added = _draw_further(review, why=ReviewAssignment.Why.REPLACEMENT)
    audit_record(
        action="supervision.review_expert.replaced",
        actor=by,
        obj=review,
        request=request,
        data={"recused": row.expert_id, "drawn": added.expert_id if added else None},
    )
    return added


# --- the institution's submission ----------------------------------------------------------------


def material_type(head: bytes) -> str | None:
    """PDF, PNG or JPEG from the file's first bytes (never from its name or the browser's word)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    kind = photo_type(head)
    return kind if kind in MATERIAL_TYPES else None


def _check_uploads(uploads: list[Any]) -> list[tuple[Any, str, int]]:
    """Every upload's (file, type, size), or 400 `review_file_refused` naming each refused file."""
    problems: list[str] = []
    checked: list[tuple[Any, str, int]] = []
    if len(uploads) > MATERIALS_PER_COURSE:
        problems.append(str(_("At most %(n)d files.") % {"n": MATERIALS_PER_COURSE}))
    for upload in uploads:
        name = clean_text(getattr(upload, "name", "") or "", max_length=100) or "?"
        size = int(getattr(upload, "size", 0) or 0)
        if size > MATERIAL_MAX_BYTES:
            problems.append(
                str(_("%(name)s: larger than %(mb)d MB.") % {"name": name, "mb": MATERIAL_MAX_BYTES // (1024 * 1024)})
            )
            continue
        upload.seek(0)
        kind = material_type(upload.read(16))
        upload.seek(0)
        if kind is None or size == 0:
            problems.append(str(_("%(name)s: not a PDF, PNG or JPEG file.") % {"name": name}))
            continue
        checked.append((upload, kind, size))
    if problems:
        raise DomainError("review_file_refused", fields={"materials": problems})
    return checked


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def clean_course(data: dict[str, Any]) -> dict[str, Any]:
    """The 课程内容审核表's fields, validated (every problem at once)."""
    errors = FieldErrors()
    out: dict[str, Any] = {
        "name": clean_text(data.get("name"), max_length=100),
        "teacher": clean_text(data.get("teacher"), max_length=50),
        "teacher_certificate": clean_text(data.get("teacher_certificate"), max_length=40),
        "schedule": clean_text(data.get("schedule"), max_length=200),
        "objectives": str(data.get("objectives") or "").strip()[:2000],
        "outline": str(data.get("outline") or "").strip()[:5000],
        "materials_list": str(data.get("materials_list") or "").strip()[:2000],
    }
    for name in ("name", "teacher", "outline", "materials_list"):
        if not out[name]:
            errors.add(name, _("This field is required."))
    subject = str(data.get("subject_area") or "")
    if subject not in SubjectArea.values:
        errors.add("subject_area", _("Choose one of the listed values."))
    out["subject_area"] = subject
    grades = {n for n, _label in GRADE_CHOICES}
    grade_from, grade_to = _int(data.get("grade_from")), _int(data.get("grade_to"))
    if grade_from not in grades:
        errors.add("grade_from", _("Choose one of the listed values."))
    if grade_to not in grades:
        errors.add("grade_to", _("Choose one of the listed values."))
    elif grade_from in grades and grade_to < grade_from:
        errors.add("grade_to", _("The last grade comes after the first."))
    out["grade_from"], out["grade_to"] = grade_from, grade_to
    for name, low, high, default in (
        ("hours", 1, 1000, None),
        ("lesson_minutes", 10, 240, 45),
        ("class_size", 1, 500, 20),
    ):
        raw = data.get(name)
        value = default if raw in (None, "") and default is not None else _int(raw)
        if value is None or not low <= value <= high:
            errors.add(name, _("A whole number from %(low)d to %(high)d.") % {"low": low, "high": high})
        out[name] = value
    try:
        fee = Decimal(str(data.get("fee") if data.get("fee") not in (None, "") else "0")).quantize(Decimal("0.01"))
        if not Decimal(0) <= fee <= Decimal("99999.99"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.add("fee", _("Yuan, like 80 or 80.50."))
        fee = Decimal(0)
    out["fee"] = fee
    errors.raise_if_any()
    return out


@transaction.atomic
def course_submit(
    *,
    institution: Institution,
    data: dict[str, Any],
    uploads: list[Any],
    by: Any = None,
    request: HttpRequest | None = None,
) -> CourseReview:
    """Submit a course for classification: its 审核表 and 1–10 materials, all or nothing.

    Files are checked (type from their bytes, size) before anything is written; a failure while
    writing removes the files already stored and the transaction removes the rows.
    """
    fields = clean_course(data)
    if not uploads:
        raise DomainError(
            "validation_error", fields={"materials": [_("Attach the teaching materials (PDF or images).")]}
        )
    checked = _check_uploads(list(uploads))
    titles = list(data.get("material_titles") or [])
    stored: list[ReviewMaterial] = []
    try:
        course = ReviewedCourse.objects.create(institution=institution, **fields)
        for n, (upload, kind, size) in enumerate(checked):
            title = clean_text(titles[n] if n < len(titles) else "", max_length=100) or clean_text(
                getattr(upload, "name", "") or "", max_length=100
            )
            material = ReviewMaterial(course=course, title=title or str(n + 1), content_type=kind, size=size)
            material.file.save("material", upload, save=False)
            stored.append(material)
            material.save()
        review = CourseReview.objects.create(course=course, submitted_by=_user(by))
        audit_record(
            action="supervision.course_review.submitted",
            actor=by,
            obj=review,
            request=request,
            data={"course": course.pk, "materials": len(stored), "subject_area": course.subject_area},
        )
    except Exception:
        for material in stored:
            material.file.storage.delete(material.file.name)
        raise
    return review


@transaction.atomic
def review_resubmit(*, course: ReviewedCourse, by: Any = None, request: HttpRequest | None = None) -> CourseReview:
    """Ask for a new review of a course whose last review was withdrawn or decided."""
    if CourseReview.objects.select_for_update().filter(course=course, status__in=OPEN).exists():
        raise DomainError("invalid_transition")
    review = CourseReview.objects.create(course=course, submitted_by=_user(by))
    audit_record(
        action="supervision.course_review.submitted", actor=by, obj=review, request=request, data={"course": course.pk}
    )
    return review


@transaction.atomic
def review_withdraw(*, review: CourseReview, by: Any = None, request: HttpRequest | None = None) -> CourseReview:
    """The institution takes back a submission no expert has been drawn for."""
    review = CourseReview.objects.select_for_update().get(pk=review.pk)
    if review.status not in (CourseReview.Status.SUBMITTED, CourseReview.Status.COMMITTED):
        raise DomainError("invalid_transition")
    review.status = CourseReview.Status.WITHDRAWN
    review.save(update_fields=["status"])
    audit_record(action="supervision.course_review.withdrawn", actor=by, obj=review, request=request)
    return review


# --- the bureau: commit, draw, decide ------------------------------------------------------------


def pool_for(review: CourseReview) -> tuple[list[list[Any]], list[int]]:
    """Today's eligible experts [[id, code]] for the course, and the conflicted ids left out."""
    course = review.course
    experts = list(
        Expert.objects.filter(district_id=course.institution.district_id, active=True)
        .order_by("id")
        .values_list("id", "code", "subjects")
    )
    conflicts = sorted(
        ExpertConflict.objects.filter(institution_id=course.institution_id).values_list("expert_id", flat=True)
    )
    ids = set(draw_reviews.eligible([(i, s) for i, _c, s in experts], course.subject_area, conflicts))
    return [[i, c] for i, c, _s in experts if i in ids], sorted(set(conflicts) & {e[0] for e in experts})


@transaction.atomic
def review_commit(
    *,
    review: CourseReview,
    commitment: str = "",
    n_experts: int = draw_reviews.MIN_EXPERTS,
    by: Any = None,
    request: HttpRequest | None = None,
) -> tuple[CourseReview, str]:
    """Freeze the pool and publish the seed's SHA-256. Returns the review and the seed when the site
    made it (shown once, never stored until the draw), else ""."""
    review = CourseReview.objects.select_for_update().select_related("course__institution").get(pk=review.pk)
    if review.status != CourseReview.Status.SUBMITTED:
        raise DomainError("invalid_transition")
    n = _int(n_experts) or 0
    if not draw_reviews.MIN_EXPERTS <= n <= 9:
        raise DomainError("validation_error", fields={"n_experts": [_("From 3 to 9 experts.")]})
    seed = ""
    commitment = (commitment or "").strip().lower()
    if not commitment:
        seed = secrets.token_hex(16)
        commitment = drawing.commitment_of(seed)
    elif not HEX64.match(commitment):
        raise DomainError("validation_error", fields={"commitment": [_("64 hexadecimal characters (a SHA-256).")]})
    pool, conflicts = pool_for(review)
    if len(pool) < n:
        raise DomainError("review_too_few_experts", detail=f"({len(pool)} < {n})")
    review.frozen = {
        "rule": draw_reviews.RULE,
        "subject_area": review.course.subject_area,
        "n": n,
        "pool": pool,
        "conflicts": conflicts,
    }
    review.n_experts = n
    review.commitment = commitment
    review.committed_at = timezone.now()
    review.status = CourseReview.Status.COMMITTED
    review.save()
    audit_record(
        action="supervision.course_review.committed",
        actor=by,
        obj=review,
        request=request,
        data={"commitment": commitment, "pool": len(pool), "n": n},
    )
    return review, seed


def _pool_ids(review: CourseReview) -> list[int]:
    return [row[0] for row in (review.frozen or {}).get("pool", [])]


@transaction.atomic
def review_draw(*, review: CourseReview, seed: str, by: Any = None, request: HttpRequest | None = None) -> CourseReview:
    """Reveal the seed, check it against the commitment and draw the experts by the published rule."""
    review = CourseReview.objects.select_for_update().get(pk=review.pk)
    if review.status != CourseReview.Status.COMMITTED:
        raise DomainError("invalid_transition")
    seed = (seed or "").strip()
    if not seed or len(seed) > 128 or not drawing.verify_commitment(seed, review.commitment):
        raise DomainError("review_seed_mismatch")
    try:
        picks = draw_reviews.draw_experts(
            seed=seed, review_id=review.pk, pool=_pool_ids(review), n=review.frozen.get("n", review.n_experts)
        )
    except drawing.DrawError as error:
        raise DomainError("review_too_few_experts") from error
    ReviewAssignment.objects.bulk_create(
        ReviewAssignment(review=review, expert_id=p.id, rank=rank, score=p.score)
        for rank, p in enumerate(picks, start=1)
    )
    review.seed = seed
    review.drawn_at = timezone.now()
    review.status = CourseReview.Status.IN_REVIEW
    review.save()
    audit_record(
        action="supervision.course_review.drawn",
        actor=by,
        obj=review,
        request=request,
        data={"seed": seed, "experts": [p.id for p in picks]},
    )
    return review


def _draw_further(review: CourseReview, *, why: str) -> ReviewAssignment | None:
    """The next expert of the review's ranking (from its frozen pool and revealed seed), or None."""
    rows = list(ReviewAssignment.objects.filter(review=review).order_by("rank"))
    try:
        pick = draw_reviews.next_expert(
            seed=review.seed, review_id=review.pk, pool=_pool_ids(review), taken=[r.expert_id for r in rows]
        )
    except drawing.DrawError:
        return None
    return ReviewAssignment.objects.create(
        review=review, expert_id=pick.id, rank=(rows[-1].rank if rows else 0) + 1, score=pick.score, why=why
    )


def _assignment(review: CourseReview, expert: Expert) -> ReviewAssignment:
    """The expert's assignment to the review (404 for an expert never drawn for it); an expert who
    stepped aside, or has a declared conflict with the institution, is refused (403)."""
    row = ReviewAssignment.objects.select_for_update().filter(review=review, expert=expert).order_by("recused").first()
    if row is None:
        raise DomainError("not_found")
    if row.recused or _has_conflict(expert, review):
        raise DomainError("review_expert_conflict")
    return row


def _has_conflict(expert: Expert, review: CourseReview) -> bool:
    return ExpertConflict.objects.filter(expert=expert, institution_id=review.course.institution_id).exists()


@transaction.atomic
def opinion_give(
    *,
    review: CourseReview,
    expert: Expert,
    opinion: str,
    reason: str,
    request: HttpRequest | None = None,
) -> ReviewAssignment:
    """An assigned expert's opinion (学科类 / 非学科类, with the reason); it may be revised until the
    review is decided."""
    review = CourseReview.objects.select_for_update().select_related("course").get(pk=review.pk)
    row = _assignment(review, expert)
    if review.status != CourseReview.Status.IN_REVIEW:
        raise DomainError("invalid_transition")
    errors = FieldErrors()
    if opinion not in KINDS.values:
        errors.add("opinion", _("Choose one of the listed values."))
    reason = str(reason or "").strip()[:2000]
    if not reason:
        errors.add("reason", _("Give the reason, against the national curriculum."))
    errors.raise_if_any()
    revised = bool(row.opinion)
    row.opinion, row.reason, row.given_at = opinion, reason, timezone.now()
    row.save(update_fields=["opinion", "reason", "given_at"])
    audit_record(
        action="supervision.review_opinion.submitted",
        actor=expert.user,
        obj=review,
        request=request,
        data={"expert": expert.pk, "opinion": opinion, "revised": revised},
    )
    return row


@transaction.atomic
def expert_recuse(
    *, review: CourseReview, expert: Expert, reason: str, request: HttpRequest | None = None
) -> ExpertConflict:
    """The drawn expert declares a conflict with the institution before giving an opinion (回避);
    the next expert of the ranking replaces them."""
    review = CourseReview.objects.select_for_update().select_related("course__institution").get(pk=review.pk)
    row = _assignment(review, expert)
    if review.status != CourseReview.Status.IN_REVIEW or row.opinion:
        raise DomainError("invalid_transition")
    if not clean_text(reason, max_length=200):
        raise DomainError("validation_error", fields={"reason": [_("Say what the conflict of interest is.")]})
    return expert_conflict_add(
        expert=expert, institution=review.course.institution, reason=reason, by=expert.user, request=request
    )


def tally(review: CourseReview) -> dict[str, int]:
    """Opinions of the current (not recused) experts, by kind."""
    counts = {k: 0 for k in KINDS.values}
    for opinion in review.assignments.filter(recused=False).exclude(opinion="").values_list("opinion", flat=True):
        counts[opinion] += 1
    return counts


@transaction.atomic
def review_decide(
    *, review: CourseReview, by: Any = None, request: HttpRequest | None = None
) -> tuple[CourseReview, ReviewAssignment | None]:
    """Decide by the majority of the opinions. A tie draws a further expert instead (returned; the
    review stays in review). The verdict sets the course's kind, and — once every course of the
    institution is judged — the institution's kind (any subject-type course makes it subject-type)."""
    review = CourseReview.objects.select_for_update().select_related("course__institution").get(pk=review.pk)
    if review.status != CourseReview.Status.IN_REVIEW:
        raise DomainError("invalid_transition")
    current = list(review.assignments.filter(recused=False))
    given = [r for r in current if r.opinion]
    if len(given) < draw_reviews.MIN_EXPERTS:
        raise DomainError("review_too_few_opinions", detail=f"({len(given)} < {draw_reviews.MIN_EXPERTS})")
    if len(given) < len(current):
        raise DomainError("review_opinions_pending", detail="、".join(r.expert.code for r in current if not r.opinion))
    counts = tally(review)
    subject, other = counts[KINDS.SUBJECT], counts[KINDS.NON_SUBJECT]
    if subject == other:
        added = _draw_further(review, why=ReviewAssignment.Why.TIE)
        if added is None:
            raise DomainError("review_too_few_experts")
        audit_record(
            action="supervision.course_review.escalated",
            actor=by,
            obj=review,
            request=request,
            data={"tally": counts, "expert": added.expert_id},
        )
        return review, added
    verdict = KINDS.SUBJECT if subject > other else KINDS.NON_SUBJECT
    now = timezone.now()
    review.verdict, review.tally, review.status = verdict, counts, CourseReview.Status.DECIDED
    review.decided_at, review.decided_by = now, _user(by)
    review.save()
    course = ReviewedCourse.objects.select_for_update().get(pk=review.course_id)
    CourseKindChange.objects.create(
        course=course, review=review, before=course.kind, after=verdict, at=now, by=_user(by)
    )
    course.kind, course.judged_at = verdict, now
    course.save(update_fields=["kind", "judged_at"])
    audit_record(
        action="supervision.course_review.decided",
        actor=by,
        obj=review,
        request=request,
        data={"verdict": verdict, "tally": counts, "course": course.pk},
    )
    institution_kind_follow(review.course.institution, by=by, request=request)
    return review, None


def institution_kind_follow(institution: Institution, *, by: Any = None, request: HttpRequest | None = None) -> str:
    """Once no course of the institution waits for a verdict, its kind follows its courses' (any
    subject-type course → subject-type), written as a register change (source "review") and
    re-graded. Returns the institution's kind."""
    from supervision.services.register import _after_change, snapshot

    courses = ReviewedCourse.objects.filter(institution=institution)
    if courses.filter(kind="", reviews__status__in=OPEN).exists():
        return institution.kind
    kinds = set(courses.exclude(kind="").values_list("kind", flat=True))
    if not kinds:
        return institution.kind
    kind = KINDS.SUBJECT if KINDS.SUBJECT in kinds else KINDS.NON_SUBJECT
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if institution.kind != kind:
        before = snapshot(institution)
        institution.kind = kind
        institution.updated_at = timezone.now()
        institution.save(update_fields=["kind", "updated_at"])
        _after_change(institution, before, by, "review", request)
    return kind
