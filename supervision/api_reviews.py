"""Expert course review API: the bureau's pool and reviews (commit, draw, decide), the institution's
courses (the 审核表 as multipart form fields with the materials), the expert's own reviews and opinion.

No `from __future__ import annotations` here: ninja reads the payload types through the role
decorator, which needs real classes rather than strings.
"""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, Status, UploadedFile

from accounts.api_access import api_allow
from accounts.models import Role
from accounts.schemas import ErrorOut
from core.validation import Id, Int, Text
from supervision import selectors
from supervision import selectors_reviews as sel
from supervision.models import CourseReview, Expert, ReviewAssignment, ReviewedCourse
from supervision.schemas_reviews import (
    CourseIn,
    DecideOut,
    ExpertConflictIn,
    ExpertConflictOut,
    ExpertIn,
    ExpertOut,
    ExpertPatch,
    ExpertReviewOut,
    MyCourseOut,
    OpinionIn,
    ReviewCommitIn,
    ReviewCommitOut,
    ReviewDetailOut,
    ReviewDrawIn,
    ReviewOut,
)
from supervision.services import reviews as services

router = Router(tags=["supervision: course review"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
PAGE = 100


def _expert(e: Expert) -> dict[str, Any]:
    return {
        "id": e.pk,
        "code": e.code,
        "name": e.name,
        "unit": e.unit,
        "subjects": list(e.subjects),
        "active": e.active,
        "conflicts": sorted(c.institution_id for c in e.conflicts.all()),
    }


def _course(c: ReviewedCourse) -> dict[str, Any]:
    names = (
        "name subject_area grade_from grade_to hours lesson_minutes class_size schedule objectives outline "
        "materials_list teacher teacher_certificate kind judged_at"
    ).split()
    return {name: getattr(c, name) for name in names} | {
        "id": c.pk,
        "institution_id": c.institution_id,
        "institution": c.institution.name,
        "fee": f"{c.fee:.2f}",
        "materials": [
            {
                "id": m.pk,
                "title": m.title,
                "content_type": m.content_type,
                "size": m.size,
                "url": reverse("supervision:review_material", args=[m.pk]),
            }
            for m in c.materials.all()
        ],
    }


def _review(r: CourseReview) -> dict[str, Any]:
    return {
        "id": r.pk,
        "course_id": r.course_id,
        "course": r.course.name,
        "institution": r.course.institution.name,
        "subject_area": r.course.subject_area,
        "status": r.status,
        "n_experts": r.n_experts,
        "rule": (r.frozen or {}).get("rule", ""),
        "commitment": r.commitment,
        "seed": r.seed,
        "submitted_at": r.submitted_at,
        "drawn_at": r.drawn_at,
        "verdict": r.verdict,
        "tally": services.tally(r) if r.status == CourseReview.Status.IN_REVIEW else (r.tally or {}),
        "decided_at": r.decided_at,
    }


def _assignment(a: ReviewAssignment) -> dict[str, Any]:
    return {
        "expert_id": a.expert_id,
        "expert_code": a.expert.code,
        "rank": a.rank,
        "score": a.score,
        "why": a.why,
        "recused": a.recused,
        "opinion": a.opinion,
        "reason": a.reason,
        "given_at": a.given_at,
    }


def _detail(r: CourseReview) -> dict[str, Any]:
    frozen = r.frozen or None
    return _review(r) | {
        "course_detail": _course(r.course),
        "frozen": {
            "rule": frozen["rule"],
            "subject_area": frozen["subject_area"],
            "n": frozen["n"],
            "pool": [row[0] for row in frozen["pool"]],
            "conflicts": frozen["conflicts"],
        }
        if frozen
        else None,
        "assignments": [_assignment(a) for a in r.assignments.select_related("expert").order_by("rank")],
    }


# --- bureau ---------------------------------------------------------------------------------


@router.get("/supervision/experts", response={200: list[ExpertOut], **ERRORS})
@api_allow(Role.BUREAU)
def expert_list(request: HttpRequest):
    """The district's expert pool with each expert's declared conflicts (institution ids)."""
    return [_expert(e) for e in sel.experts_for_bureau(request.actor).prefetch_related("conflicts")]


@router.post("/supervision/experts", response={201: ExpertOut, **ERRORS})
@api_allow(Role.BUREAU)
def expert_create(request: HttpRequest, payload: ExpertIn):
    expert = services.expert_create(
        district=selectors.bureau_district(request.actor), data=payload.dict(), by=request.auth, request=request
    )
    return Status(201, _expert(expert))


@router.patch("/supervision/experts/{expert_id}", response={200: ExpertOut, **ERRORS})
@api_allow(Role.BUREAU)
def expert_update(request: HttpRequest, expert_id: Id, payload: ExpertPatch):
    expert = sel.expert_for_bureau(request.actor, expert_id)
    expert = services.expert_update(
        expert=expert, data=payload.dict(exclude_unset=True), by=request.auth, request=request
    )
    return _expert(expert)


@router.post("/supervision/experts/{expert_id}/conflicts", response={201: ExpertConflictOut, **ERRORS})
@api_allow(Role.BUREAU)
def expert_conflict_add(request: HttpRequest, expert_id: Id, payload: ExpertConflictIn):
    """Declare a conflict of interest; an open assignment of the expert to the institution's course is
    replaced by the next expert of that review's ranking."""
    expert = sel.expert_for_bureau(request.actor, expert_id)
    institution = selectors.institution_for_bureau(request.actor, payload.institution_id)
    conflict = services.expert_conflict_add(
        expert=expert, institution=institution, reason=payload.reason, by=request.auth, request=request
    )
    return Status(201, {"expert_id": expert.pk, "institution_id": institution.pk, "reason": conflict.reason})


@router.get("/supervision/reviews", response={200: list[ReviewOut], **ERRORS})
@api_allow(Role.BUREAU)
def review_list(request: HttpRequest, status: Text(20) = "", page: Int(1, 10_000) = 1):
    """The district's reviews, newest first, 100 a page; `status` one of submitted, committed,
    in_review, decided, withdrawn (anything else: all)."""
    rows = sel.reviews_for_bureau(request.actor, status)[(page - 1) * PAGE : page * PAGE]
    return [_review(r) for r in rows]


@router.get("/supervision/reviews/{review_id}", response={200: ReviewDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def review_read(request: HttpRequest, review_id: Id):
    """A review with the 审核表, the materials, the frozen draw inputs (re-run the draw with
    supervision/draw_reviews.py) and every drawn expert's opinion."""
    return _detail(sel.review_for_bureau(request.actor, review_id))


@router.post("/supervision/reviews/{review_id}/commit", response={200: ReviewCommitOut, **ERRORS})
@api_allow(Role.BUREAU)
def review_commit(request: HttpRequest, review_id: Id, payload: ReviewCommitIn):
    """Freeze the expert pool and publish the seed's SHA-256. Without a commitment the site makes the
    seed and returns it once (`generated_seed`)."""
    review = sel.review_for_bureau(request.actor, review_id)
    review, seed = services.review_commit(
        review=review, commitment=payload.commitment, n_experts=payload.n_experts, by=request.auth, request=request
    )
    return {**_review(review), "generated_seed": seed}


@router.post("/supervision/reviews/{review_id}/draw", response={200: ReviewDetailOut, **ERRORS})
@api_allow(Role.BUREAU)
def review_draw(request: HttpRequest, review_id: Id, payload: ReviewDrawIn):
    review = sel.review_for_bureau(request.actor, review_id)
    review = services.review_draw(review=review, seed=payload.seed, by=request.auth, request=request)
    return _detail(review)


@router.post("/supervision/reviews/{review_id}/decide", response={200: DecideOut, **ERRORS})
@api_allow(Role.BUREAU)
def review_decide(request: HttpRequest, review_id: Id):
    """The majority of at least three opinions decides (409 `review_too_few_opinions` below three,
    409 `review_opinions_pending` while a drawn expert is silent); a tie draws a further expert."""
    review = sel.review_for_bureau(request.actor, review_id)
    review, further = services.review_decide(review=review, by=request.auth, request=request)
    return {
        "outcome": "further_expert_drawn" if further else "decided",
        "further_expert": further.expert.code if further else "",
        "review": _detail(sel.review_for_bureau(request.actor, review.pk)),
    }


# --- institution ----------------------------------------------------------------------------


def _my_course(c: ReviewedCourse) -> dict[str, Any]:
    return _course(c) | {
        "reviews": [
            {
                "id": r.pk,
                "status": r.status,
                "submitted_at": r.submitted_at,
                "verdict": r.verdict,
                "decided_at": r.decided_at,
            }
            for r in c.reviews.all()
        ]
    }


@router.get("/supervision/my/courses", response={200: list[MyCourseOut], **ERRORS})
@api_allow(Role.INSTITUTION)
def my_courses(request: HttpRequest):
    return [
        _my_course(c)
        for c in sel.courses_for_institution(request.actor).select_related("institution").prefetch_related("materials")
    ]


#: A material is a file (OpenAPI 3.1: `contentMediaType: application/octet-stream`, sent with a
#: filename) whose bytes are a PDF, PNG or JPEG: the format `material-file` names what no schema can
#: state (the type is read from the bytes; anything else is 400 `review_file_refused`).
MATERIAL_FILE_FORMAT = "material-file"
COURSE_FORM = {
    "schema": {
        # the grades run upwards (grade_to ≥ grade_from), one alternative per first grade
        "anyOf": [
            {
                "properties": {
                    "grade_from": {"type": "integer", "const": k},
                    "grade_to": {"type": "integer", "minimum": k, "maximum": 12},
                },
            }
            for k in range(13)
        ],
        "properties": {
            "materials": {
                "items": {
                    "format": MATERIAL_FILE_FORMAT,
                    "contentMediaType": "application/octet-stream",
                    "description": "a PDF, PNG or JPEG file of at most 10 MB (its type is read from its bytes)",
                }
            }
        },
    }
}


@router.post(
    "/supervision/my/courses",
    response={201: MyCourseOut, **ERRORS},
    openapi_extra={"requestBody": {"content": {"multipart/form-data": COURSE_FORM}}},
)
@api_allow(Role.INSTITUTION)
def my_course_submit(
    request: HttpRequest,
    payload: Form[CourseIn],
    materials: list[UploadedFile] = File(..., min_length=1, max_length=services.MATERIALS_PER_COURSE),
):
    """Submit a course for review: the 审核表 as form fields and 1–10 `materials` (PDF, PNG or JPEG,
    at most 10 MB each, the type read from the bytes). A refused file → 400 `review_file_refused`
    and nothing is saved."""
    institution = selectors.institution_for_account(request.actor)
    review = services.course_submit(
        institution=institution, data=payload.dict(), uploads=list(materials), by=request.auth, request=request
    )
    return Status(201, _my_course(sel.course_for_institution(request.actor, review.course_id)))


@router.post("/supervision/my/reviews/{review_id}/withdraw", response={200: MyCourseOut, **ERRORS})
@api_allow(Role.INSTITUTION)
def my_review_withdraw(request: HttpRequest, review_id: Id):
    review = sel.review_for_institution(request.actor, review_id)
    services.review_withdraw(review=review, by=request.auth, request=request)
    return _my_course(sel.course_for_institution(request.actor, review.course_id))


# --- expert ---------------------------------------------------------------------------------


def _expert_review(review: CourseReview, expert: Expert) -> dict[str, Any]:
    mine = sel.my_assignment(review, expert)
    return {
        "id": review.pk,
        "status": review.status,
        "recused": bool(mine and mine.recused),
        "course": _course(review.course),
        "opinion": mine.opinion if mine else "",
        "reason": mine.reason if mine else "",
        "given_at": mine.given_at if mine else None,
        "verdict": review.verdict,
    }


@router.get("/supervision/expert/reviews", response={200: list[ExpertReviewOut], **ERRORS})
@api_allow(Role.EXPERT)
def expert_reviews(request: HttpRequest):
    """The reviews the acting expert is assigned to (and has not stepped aside from)."""
    expert = sel.expert_for(request.actor)
    return [_expert_review(r, expert) for r in sel.reviews_for_expert(expert)]


@router.get("/supervision/expert/reviews/{review_id}", response={200: ExpertReviewOut, **ERRORS})
@api_allow(Role.EXPERT)
def expert_review(request: HttpRequest, review_id: Id):
    expert = sel.expert_for(request.actor)
    return _expert_review(sel.review_for_expert(expert, review_id), expert)


@router.post("/supervision/expert/reviews/{review_id}/opinion", response={200: ExpertReviewOut, **ERRORS})
@api_allow(Role.EXPERT)
def expert_opinion(request: HttpRequest, review_id: Id, payload: OpinionIn):
    """Give (or, until the decision, revise) the opinion; 403 `review_expert_conflict` for an expert
    with a declared conflict with the institution, 404 for a review not assigned to the expert."""
    expert = sel.expert_for(request.actor)
    review = sel.review_for_expert(expert, review_id)
    services.opinion_give(review=review, expert=expert, opinion=payload.opinion, reason=payload.reason, request=request)
    return _expert_review(sel.review_for_expert(expert, review.pk), expert)
