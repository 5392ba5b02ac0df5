"""API shapes of the expert course review (every input bounded by core.validation)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from core.validation import Bool, Id, Int, Money, Text

SUBJECT_AREAS = Literal[
    "morality_law",
    "chinese",
    "history",
    "geography",
    "mathematics",
    "foreign_language",
    "physics",
    "chemistry",
    "biology",
    "sports",
    "arts",
    "practice",
    "other",
]
KIND = Literal["subject", "non_subject"]


class ExpertIn(Schema):
    name: Text(50, required=True)
    unit: Text(100) = ""
    subjects: list[SUBJECT_AREAS] = Field(..., min_length=1, max_length=13)
    active: Bool = True


class ExpertPatch(Schema):
    name: Text(50, required=True) | None = None
    unit: Text(100) | None = None
    subjects: list[SUBJECT_AREAS] | None = Field(None, min_length=1, max_length=13)
    active: Bool | None = None


class ExpertOut(Schema):
    id: int
    code: str
    name: str
    unit: str
    subjects: list[str]
    active: bool
    conflicts: list[int]  # institution ids


class ExpertConflictIn(Schema):
    institution_id: Id
    reason: Text(200) = ""


class ExpertConflictOut(Schema):
    expert_id: int
    institution_id: int
    reason: str


class CourseIn(Schema):
    """The 课程内容审核表 (sent as multipart form fields with the `materials` files)."""

    name: Text(100, required=True)
    subject_area: SUBJECT_AREAS
    grade_from: Int(0, 12)
    grade_to: Int(0, 12)
    hours: Int(1, 1000)
    lesson_minutes: Int(10, 240) = 45
    class_size: Int(1, 500) = 20
    schedule: Text(200) = ""
    objectives: Text(2000) = ""
    outline: Text(5000, required=True)
    materials_list: Text(2000, required=True)
    teacher: Text(50, required=True)
    teacher_certificate: Text(40) = ""
    fee: Money(5, form=True) = Decimal("0")


class ReviewMaterialOut(Schema):
    id: int
    title: str
    content_type: str
    size: int
    url: str


class CourseOut(Schema):
    id: int
    institution_id: int
    institution: str
    name: str
    subject_area: str
    grade_from: int
    grade_to: int
    hours: int
    lesson_minutes: int
    class_size: int
    schedule: str
    objectives: str
    outline: str
    materials_list: str
    teacher: str
    teacher_certificate: str
    fee: str
    kind: str  # "" until judged
    judged_at: datetime | None
    materials: list[ReviewMaterialOut]


class MyReviewOut(Schema):
    """A review as its institution sees it: state and verdict, not the experts."""

    id: int
    status: str
    submitted_at: datetime
    verdict: str
    decided_at: datetime | None


class MyCourseOut(CourseOut):
    reviews: list[MyReviewOut]


class AssignmentOut(Schema):
    expert_id: int
    expert_code: str
    rank: int
    score: str
    why: str
    recused: bool
    opinion: str
    reason: str
    given_at: datetime | None


class ReviewOut(Schema):
    id: int
    course_id: int
    course: str
    institution: str
    subject_area: str
    status: str
    n_experts: int
    rule: str
    commitment: str
    seed: str
    submitted_at: datetime
    drawn_at: datetime | None
    verdict: str
    tally: dict[str, int]
    decided_at: datetime | None


class FrozenOut(Schema):
    rule: str
    subject_area: str
    n: int
    pool: list[int]  # expert ids, as the draw reads them
    conflicts: list[int]


class ReviewDetailOut(ReviewOut):
    course_detail: CourseOut
    frozen: FrozenOut | None
    assignments: list[AssignmentOut]


class ReviewCommitIn(Schema):
    commitment: Text(64) = ""
    n_experts: Int(3, 9) = 3


class ReviewCommitOut(ReviewOut):
    generated_seed: str


class ReviewDrawIn(Schema):
    seed: Text(128, required=True)


class DecideOut(Schema):
    outcome: Literal["decided", "further_expert_drawn"]
    further_expert: str
    review: ReviewDetailOut


class OpinionIn(Schema):
    opinion: KIND
    reason: Text(2000, required=True)


class ExpertReviewOut(Schema):
    id: int
    status: str
    recused: bool  # stepped aside (conflict of interest): the opinion no longer counts
    course: CourseOut
    opinion: str
    reason: str
    given_at: datetime | None
    verdict: str
