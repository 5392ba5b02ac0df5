"""Expert course review (课程内容审核): the expert pool, an institution's courses with their
课程内容审核表 and materials, the review of each course by drawn experts, and the verdicts' history.

Scopes are read here once, in the `visible_to_*` QuerySet methods: the bureau sees its district's
experts and reviews, an expert their own row and the reviews they are assigned to, an institution
its own courses.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.models.register import Institution

if TYPE_CHECKING:
    from accounts.access import Actor


class SubjectArea(models.TextChoices):
    """The national curriculum's areas: the first nine are subjects (学科类), the rest are not."""

    MORALITY_LAW = "morality_law", _("morality and rule of law")
    CHINESE = "chinese", _("Chinese language")
    HISTORY = "history", _("history")
    GEOGRAPHY = "geography", _("geography")
    MATHEMATICS = "mathematics", _("mathematics")
    FOREIGN_LANGUAGE = "foreign_language", _("foreign language")
    PHYSICS = "physics", _("physics")
    CHEMISTRY = "chemistry", _("chemistry")
    BIOLOGY = "biology", _("biology")
    SPORTS = "sports", _("physical education")
    ARTS = "arts", _("arts")
    PRACTICE = "practice", _("integrated practice")
    OTHER = "other", _("other")


#: The areas the national curriculum manages as subjects (学科类).
CURRICULUM_SUBJECTS = frozenset(
    {
        "morality_law",
        "chinese",
        "history",
        "geography",
        "mathematics",
        "foreign_language",
        "physics",
        "chemistry",
        "biology",
    }
)
#: School years 1–12 (一年级 … 高三) and 0 for pre-school.
GRADE_CHOICES = [
    (0, _("pre-school")),
    (1, _("primary grade 1")),
    (2, _("primary grade 2")),
    (3, _("primary grade 3")),
    (4, _("primary grade 4")),
    (5, _("primary grade 5")),
    (6, _("primary grade 6")),
    (7, _("junior grade 1")),
    (8, _("junior grade 2")),
    (9, _("junior grade 3")),
    (10, _("senior grade 1")),
    (11, _("senior grade 2")),
    (12, _("senior grade 3")),
]


class ExpertQuerySet(models.QuerySet):
    def visible_to_expert(self, actor: Actor) -> ExpertQuerySet:
        """The actor's own expert row, in the district of their grant."""
        return self.filter(user_id=actor.user_id, district_id__in=actor.expert_district_ids)

    def visible_to_bureau(self, actor: Actor) -> ExpertQuerySet:
        """The district's expert pool (the bureau manages it)."""
        return self.filter(district_id__in=actor.district_ids)


class Expert(models.Model):
    """A member of the course-review expert committee (a 教研员 or teacher). `code` is public."""

    district = models.ForeignKey("courses.District", on_delete=models.PROTECT, related_name="review_experts")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="review_expert"
    )
    code = models.CharField(_("expert code"), max_length=20)
    name = models.CharField(_("name"), max_length=50)
    unit = models.CharField(_("work unit"), max_length=100, blank=True)
    subjects = models.JSONField(_("subjects"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ExpertQuerySet.as_manager()

    class Meta:
        verbose_name = _("review expert")
        verbose_name_plural = _("review expert")
        ordering = ["code", "id"]
        constraints = [models.UniqueConstraint(fields=["district", "code"], name="review_expert_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def subject_labels(self) -> list[str]:
        labels = dict(SubjectArea.choices)
        return [str(labels[s]) for s in self.subjects if s in labels]


class ExpertConflict(models.Model):
    """A conflict of interest (回避): this expert never reviews a course of this institution."""

    expert = models.ForeignKey(Expert, on_delete=models.CASCADE, related_name="conflicts")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="expert_conflicts")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("expert's conflict of interest")
        verbose_name_plural = _("expert's conflict of interest")
        constraints = [models.UniqueConstraint(fields=["expert", "institution"], name="expert_conflict_unique")]

    def __str__(self) -> str:
        return f"{self.expert_id} × {self.institution_id}"


class ReviewedCourseQuerySet(models.QuerySet):
    def visible_to_institution(self, actor: Actor) -> ReviewedCourseQuerySet:
        return self.filter(institution__in=Institution.objects.visible_to_institution(actor))

    def visible_to_bureau(self, actor: Actor) -> ReviewedCourseQuerySet:
        return self.filter(institution__in=Institution.objects.visible_to_bureau(actor))


class ReviewedCourse(models.Model):
    """A course of an institution as its 课程内容审核表 describes it; `kind` is the experts' verdict."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="review_courses")
    name = models.CharField(_("course name"), max_length=100)
    subject_area = models.CharField(_("subject area"), max_length=30, choices=SubjectArea.choices)
    grade_from = models.PositiveSmallIntegerField(_("from grade"), choices=GRADE_CHOICES)
    grade_to = models.PositiveSmallIntegerField(_("to grade"), choices=GRADE_CHOICES)
    hours = models.PositiveSmallIntegerField(
        _("class hours in total"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    lesson_minutes = models.PositiveSmallIntegerField(
        _("minutes per lesson"), default=45, validators=[MinValueValidator(10), MaxValueValidator(240)]
    )
    class_size = models.PositiveSmallIntegerField(
        _("pupils per class at most"), default=20, validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    schedule = models.CharField(_("when it is taught"), max_length=200, blank=True)
    objectives = models.TextField(_("course objectives"), blank=True)
    outline = models.TextField(_("content outline"))
    materials_list = models.TextField(_("teaching materials (textbooks, handouts)"))
    teacher = models.CharField(_("teacher"), max_length=50)
    teacher_certificate = models.CharField(_("teacher's certificate number"), max_length=40, blank=True)
    fee = models.DecimalField(_("fee per class hour (yuan)"), max_digits=7, decimal_places=2, default=0)
    kind = models.CharField(
        _("verdict"), max_length=20, choices=Institution.Kind.choices, blank=True
    )  # "" until judged
    judged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ReviewedCourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course for review")
        verbose_name_plural = _("course for review")
        ordering = ["institution", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    def grades_label(self) -> str:
        labels = dict(GRADE_CHOICES)
        if self.grade_from == self.grade_to:
            return str(labels.get(self.grade_from, self.grade_from))
        return f"{labels.get(self.grade_from, self.grade_from)} – {labels.get(self.grade_to, self.grade_to)}"


def _material_path(instance: ReviewMaterial, filename: str) -> str:
    ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(instance.content_type, "bin")
    return f"supervision/review-materials/{instance.course_id}/{uuid.uuid4().hex}.{ext}"


class ReviewMaterial(models.Model):
    """A teaching material (PDF or image), stored under MEDIA_ROOT, served only through a checked view."""

    course = models.ForeignKey(ReviewedCourse, on_delete=models.CASCADE, related_name="materials")
    file = models.FileField(upload_to=_material_path, max_length=200)
    title = models.CharField(_("title"), max_length=100)
    content_type = models.CharField(max_length=30)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["course", "id"]

    def __str__(self) -> str:
        return self.title


class CourseReviewQuerySet(models.QuerySet):
    def visible_to_bureau(self, actor: Actor) -> CourseReviewQuerySet:
        return self.filter(course__institution__in=Institution.objects.visible_to_bureau(actor))

    def visible_to_institution(self, actor: Actor) -> CourseReviewQuerySet:
        return self.filter(course__institution__in=Institution.objects.visible_to_institution(actor))

    def assigned_to(self, expert: Expert) -> CourseReviewQuerySet:
        """Reviews the expert was drawn for (also those they stepped aside from, shown as such)."""
        return self.filter(assignments__expert=expert).distinct()

    def judged_by(self, expert: Expert) -> CourseReviewQuerySet:
        """Reviews the expert is currently assigned to (not recused): these they may read and judge."""
        return self.filter(assignments__expert=expert, assignments__recused=False).distinct()


class CourseReview(models.Model):
    """One review of a course: submitted → committed (pool frozen, seed hash) → in review (experts
    drawn) → decided; the institution may withdraw it while it is submitted."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        COMMITTED = "committed", _("committed (seed hash published)")
        IN_REVIEW = "in_review", _("experts drawn, in review")
        DECIDED = "decided", _("decided")
        WITHDRAWN = "withdrawn", _("withdrawn by the institution")

    course = models.ForeignKey(ReviewedCourse, on_delete=models.CASCADE, related_name="reviews")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    n_experts = models.PositiveSmallIntegerField(
        _("experts to draw"), default=3, validators=[MinValueValidator(3), MaxValueValidator(9)]
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    commitment = models.CharField(_("seed commitment (SHA-256)"), max_length=64, blank=True)
    frozen = models.JSONField(default=dict, blank=True, editable=False)
    committed_at = models.DateTimeField(null=True, blank=True)
    seed = models.CharField(_("seed"), max_length=128, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=20, choices=Institution.Kind.choices, blank=True)
    tally = models.JSONField(default=dict, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CourseReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("course review")
        verbose_name_plural = _("course review")
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="coursereview_status")]

    def __str__(self) -> str:
        return f"review {self.pk} of {self.course_id}"


class ReviewAssignment(models.Model):
    """A drawn expert of a review and their opinion (学科类 / 非学科类 with the reason)."""

    class Why(models.TextChoices):
        DRAWN = "drawn", _("drawn")
        TIE = "tie", _("further expert after a tie")
        REPLACEMENT = "replacement", _("replacement after a recusal")

    review = models.ForeignKey(CourseReview, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(Expert, on_delete=models.PROTECT, related_name="assignments")
    rank = models.PositiveSmallIntegerField()
    score = models.CharField(max_length=64)
    why = models.CharField(max_length=20, choices=Why.choices, default=Why.DRAWN)
    recused = models.BooleanField(default=False)
    opinion = models.CharField(_("opinion"), max_length=20, choices=Institution.Kind.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    given_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "rank"]
        constraints = [models.UniqueConstraint(fields=["review", "expert"], name="reviewassignment_unique")]

    def __str__(self) -> str:
        return f"{self.review_id}: {self.expert_id}"


class CourseKindChange(models.Model):
    """The verdict history of a course: each decided review that set (or confirmed) its kind."""

    course = models.ForeignKey(ReviewedCourse, on_delete=models.CASCADE, related_name="kind_history")
    review = models.ForeignKey(CourseReview, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    before = models.CharField(max_length=20, blank=True)
    after = models.CharField(max_length=20, choices=Institution.Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.course_id}: {self.before} → {self.after}"

    def before_label(self) -> str:
        """The kind before this verdict in the reader's language ("" for a course never judged)."""
        return str(dict(Institution.Kind.choices).get(self.before, self.before))


__all__ = [
    "CURRICULUM_SUBJECTS",
    "GRADE_CHOICES",
    "CourseKindChange",
    "CourseReview",
    "Expert",
    "ExpertConflict",
    "ReviewAssignment",
    "ReviewMaterial",
    "ReviewedCourse",
    "SubjectArea",
]
