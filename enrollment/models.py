"""Pupils and families, enrollment windows, ranked preferences and seats."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PriorityGroup(models.TextChoices):
    """Policy priority groups; the keys are shared with `enrollment.allocation`."""

    LEFT_BEHIND = "left_behind", _("left-behind child")
    MIGRANT = "migrant", _("migrant worker's child")
    DISABLED = "disabled", _("disabled")
    LOW_INCOME = "low_income", _("low-income family")
    DUAL_EARNER = "dual_earner", _("dual-earner family")


class Family(models.Model):
    """A household: guardians and the children they may act for (siblings share one family)."""

    label = models.CharField(_("family"), max_length=50)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("family")

    def __str__(self) -> str:
        return self.label


class Guardian(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardian")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20)
    relation = models.CharField(_("relation"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardian")

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）" if self.relation else self.name


class StudentQuerySet(models.QuerySet):
    def of_family(self, family_id: int) -> StudentQuerySet:
        return self.filter(family_id=family_id)


class Student(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    school = models.ForeignKey("courses.School", on_delete=models.PROTECT, related_name="students")
    school_class = models.ForeignKey("courses.SchoolClass", on_delete=models.PROTECT, related_name="students")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="children")
    student_no = models.CharField(_("student number"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    grade = models.PositiveSmallIntegerField(_("grade"), validators=[MinValueValidator(1), MaxValueValidator(9)])
    priority_groups = models.JSONField(_("priority groups"), default=list, blank=True)
    on_roll = models.BooleanField(_("on roll"), default=True)

    objects = StudentQuerySet.as_manager()

    class Meta:
        verbose_name = _("pupil")
        verbose_name_plural = _("pupil")
        ordering = ["school", "grade", "name"]
        indexes = [models.Index(fields=["school", "grade"])]
        constraints = [models.CheckConstraint(name="student_grade_range", condition=Q(grade__gte=1, grade__lte=9))]

    def __str__(self) -> str:
        return self.name


class EnrollmentWindowQuerySet(models.QuerySet):
    def open_at(self, now) -> EnrollmentWindowQuerySet:
        return self.filter(opens_at__lte=now, closes_at__gt=now)


class EnrollmentWindow(models.Model):
    """When and how families of one school choose: ranked preferences, then first-come.

    A school usually has a preference window (families rank up to `max_choices` sections; the
    time of submission gives no advantage), then the allocation, then a first-come window for the
    seats left over. A school may also run first-come only. `offer_hours` is how long a family
    has to accept a seat offered from the waitlist before it passes on to the next family.
    """

    class Mode(models.TextChoices):
        PREFERENCE = "preference", _("ranked preferences, then allocation")
        FIRST_COME = "first_come", _("first come, first served")

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", _("not yet open")
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="windows")
    term = models.ForeignKey("courses.Term", on_delete=models.CASCADE, related_name="windows")
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    opens_at = models.DateTimeField(_("start"))
    closes_at = models.DateTimeField(_("closes"))
    max_choices = models.PositiveSmallIntegerField(
        _("maximum choices"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    lottery_seed_hash = models.CharField(_("lottery seed commitment (SHA-256)"), max_length=64, blank=True)
    lottery_seed = models.CharField(_("lottery seed"), max_length=128, blank=True)
    offer_hours = models.PositiveSmallIntegerField(
        _("hours to accept a waitlist offer"), default=24, validators=[MinValueValidator(1), MaxValueValidator(168)]
    )
    # --- Allocation settings (set by the school before the window opens) -----------------------
    max_seats = models.PositiveSmallIntegerField(
        _("seats per pupil from the allocation"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Everyone's first seat is given before anyone's second seat."),
    )
    priority_order = models.JSONField(
        _("priority group order"),
        default=list,
        blank=True,
        help_text=_("Policy groups, highest priority first; empty means the district's default order."),
    )
    priority_weights = models.JSONField(
        _("priority group weights"),
        default=dict,
        blank=True,
        help_text=_("If set, replaces the order: a pupil's standing is the sum of their groups' weights."),
    )
    missed_first_choice_bonus = models.BooleanField(
        _("pupils who missed their first choice last term stand first within their group"), default=True
    )
    head_start_hours = models.PositiveSmallIntegerField(
        _("head start for unplaced pupils (hours)"),
        default=24,
        validators=[MaxValueValidator(168)],
        help_text=_("After publishing, pupils left without a seat may take leftover seats this long before everyone."),
    )

    objects = EnrollmentWindowQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment window")
        verbose_name_plural = _("enrollment window")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(name="window_closes_after_opens", condition=Q(closes_at__gt=F("opens_at"))),
            models.CheckConstraint(
                name="window_max_choices_range", condition=Q(max_choices__gte=1, max_choices__lte=5)
            ),
            models.CheckConstraint(
                name="window_offer_hours_range", condition=Q(offer_hours__gte=1, offer_hours__lte=168)
            ),
            models.CheckConstraint(name="window_max_seats_range", condition=Q(max_seats__gte=1, max_seats__lte=5)),
            models.CheckConstraint(name="window_head_start_range", condition=Q(head_start_hours__lte=168)),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.get_mode_display()} {self.opens_at:%m-%d}"

    def phase(self, now=None) -> str:
        now = now or timezone.now()
        if now < self.opens_at:
            return self.Phase.UPCOMING
        return self.Phase.OPEN if now < self.closes_at else self.Phase.CLOSED

    def is_open(self, now=None) -> bool:
        return self.phase(now) == self.Phase.OPEN


class Preference(models.Model):
    """A family's ranked choice for a child in a preference window (rank 1 is the first choice)."""

    window = models.ForeignKey(EnrollmentWindow, on_delete=models.CASCADE, related_name="preferences")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="preferences")
    section = models.ForeignKey("courses.Section", on_delete=models.CASCADE, related_name="preferences")
    rank = models.PositiveSmallIntegerField(_("rank"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    submitted_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preference")
        ordering = ["window", "student", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["window", "student", "rank"], name="preference_rank_unique"),
            models.UniqueConstraint(fields=["window", "student", "section"], name="preference_section_unique"),
            models.CheckConstraint(name="preference_rank_range", condition=Q(rank__gte=1, rank__lte=5)),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} #{self.rank} → {self.section_id}"


class Enrollment(models.Model):
    """A child's seat in a section; at most one active (enrolled or waitlisted) row per pair.

    A waitlisted row with `offer_expires_at` set holds an offered seat until then: the capacity
    calculator (`enrollment.capacity`) counts it as taken. Waitlist order is (`created_at`, `id`).
    """

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("enrolled")
        WAITLISTED = "waitlisted", _("waitlisted")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class Source(models.TextChoices):
        FIRST_COME = "first_come", _("first come")
        ALLOCATION = "allocation", _("allocation")
        SCHOOL = "school", _("added by the school")

    class EndReason(models.TextChoices):
        FAMILY = "family", _("withdrawn by the family")
        SCHOOL = "school", _("removed by the school")
        OFFER_EXPIRED = "offer_expired", _("offer not accepted in time")

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrollments")
    section = models.ForeignKey("courses.Section", on_delete=models.CASCADE, related_name="enrollments")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.FIRST_COME)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    offered_at = models.DateTimeField(_("seat offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end_reason = models.CharField(_("reason it ended"), max_length=20, choices=EndReason.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    request_key = models.CharField(
        _("idempotency key"), max_length=64, blank=True, help_text=_("the client's key; a retry returns this row")
    )

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollment")
        indexes = [
            models.Index(fields=["section", "status"]),
            models.Index(fields=["status", "offer_expires_at"], name="enrollment_offer_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "section"],
                condition=Q(status__in=["enrolled", "waitlisted"]),
                name="enrollment_one_active_per_section",
            ),
            models.UniqueConstraint(
                fields=["student", "request_key"], condition=~Q(request_key=""), name="enrollment_request_key_unique"
            ),
            models.CheckConstraint(
                name="enrollment_offer_only_when_waiting",
                condition=Q(offer_expires_at__isnull=True) | ~Q(status="enrolled"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} → {self.section_id} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.ENROLLED, self.Status.WAITLISTED)

    def offer_pending(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.WAITLISTED and self.offer_expires_at is not None and self.offer_expires_at > now
        )


class Dismissal(models.TextChoices):
    """Flexible dismissal (弹性离校): when a pupil goes home on a weekday."""

    AFTER_SESSION_1 = "session_1", _("leaves after session 1")
    AFTER_SESSION_2 = "session_2", _("leaves after session 2")
    EXTENDED = "extended", _("extended care")


class DismissalChoice(models.Model):
    """A family's dismissal choice for one child, term and weekday (the default is after session 2)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="dismissals")
    term = models.ForeignKey("courses.Term", on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("weekday"), validators=[MaxValueValidator(4)])
    choice = models.CharField(_("dismissal"), max_length=20, choices=Dismissal.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dismissal choice")
        verbose_name_plural = _("dismissal choice")
        constraints = [
            models.UniqueConstraint(fields=["student", "term", "weekday"], name="dismissal_one_per_weekday"),
            models.CheckConstraint(name="dismissal_weekday_mon_fri", condition=Q(weekday__lte=4)),
            models.CheckConstraint(
                name="dismissal_choice_known", condition=Q(choice__in=["session_1", "session_2", "extended"])
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} {self.weekday} {self.choice}"


class Notice(models.Model):
    """A school's notice to families: the whole school, one grade, or one section."""

    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="notices")
    grade = models.PositiveSmallIntegerField(
        _("grade"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(9)]
    )
    section = models.ForeignKey(
        "courses.Section", on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notice")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="notice_grade_range", condition=Q(grade__isnull=True) | Q(grade__gte=1, grade__lte=9)
            ),
            models.CheckConstraint(
                name="notice_one_audience", condition=Q(grade__isnull=True) | Q(section__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AllocationRun(models.Model):
    """One run of the seat allocation for a closed preference window, and (once published) its result.

    The run is computed by the worker (`enrollment.tasks.allocation_run`) from the revealed lottery
    seed; nothing is written to `Enrollment` until a coordinator publishes it, and publishing writes
    every seat in one transaction. `seats` holds the result ({student id: [section ids]}) and
    `fingerprint` its sha256, so `manage.py allocation_replay` can re-run and compare. `stats` holds
    the figures of our allocation and of the three baselines on the same data.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("ready for review")
        FAILED = "failed", _("failed")
        PUBLISHED = "published", _("published")

    window = models.ForeignKey(EnrollmentWindow, on_delete=models.CASCADE, related_name="allocation_runs")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    seed = models.CharField(_("lottery seed"), max_length=128, blank=True)
    commitment = models.CharField(_("lottery seed commitment (SHA-256)"), max_length=64, blank=True)
    commitment_ok = models.BooleanField(_("seed matches the commitment"), null=True, blank=True)
    problem = models.JSONField(_("input snapshot"), default=dict, blank=True)
    problem_digest = models.CharField(_("input fingerprint"), max_length=64, blank=True)
    fingerprint = models.CharField(_("result fingerprint"), max_length=64, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0, validators=[MaxValueValidator(100)])
    progress_text = models.CharField(_("progress"), max_length=200, blank=True)
    seats = models.JSONField(_("seats"), default=dict, blank=True)
    levels = models.JSONField(_("objective levels"), default=list, blank=True)
    stats = models.JSONField(_("statistics"), default=dict, blank=True)
    timings = models.JSONField(_("timings (seconds)"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation run")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["window"], condition=Q(status="published"), name="allocation_one_published_per_window"
            ),
            models.UniqueConstraint(
                fields=["window"],
                condition=Q(status__in=["queued", "running"]),
                name="allocation_one_active_per_window",
            ),
            models.CheckConstraint(name="allocation_progress_range", condition=Q(progress__lte=100)),
        ]

    def __str__(self) -> str:
        return f"{self.window_id} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class AllocationOutcome(models.Model):
    """One pupil's result in an allocation run: the seats and the explanation shown to the family.

    The sentences come from `enrollment.allocation.explain` and are checked against the problem by
    `verify_explanations` before the run may be published.
    """

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="outcomes")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="allocation_outcomes")
    sections = models.JSONField(_("seats"), default=list, blank=True)
    best_rank = models.PositiveSmallIntegerField(_("best choice given"), null=True, blank=True)
    text_zh = models.TextField(_("explanation (Chinese)"))
    text_en = models.TextField(_("explanation (English)"))
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("allocation outcome")
        verbose_name_plural = _("allocation outcome")
        ordering = ["run", "student"]
        constraints = [models.UniqueConstraint(fields=["run", "student"], name="allocation_outcome_one_per_pupil")]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.student_id} → {self.sections}"


# --- Attendance (registers, leave reports, daily aggregates) ----------------------------------------


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("present")
    ABSENT = "absent", _("absent")
    LEAVE = "leave", _("on leave")


class Register(models.Model):
    """One section's register on one school day; the row exists once the register is taken.

    The counts repeat the section's `Attendance` rows for that day (kept in step by
    `enrollment.attendance.register_save`); `teacher` is who taught the meeting (the subsidy counts
    registers per teacher).
    """

    section = models.ForeignKey("courses.Section", on_delete=models.CASCADE, related_name="registers")
    date = models.DateField(_("date"))
    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="+")
    teacher = models.ForeignKey(
        "courses.Teacher", on_delete=models.SET_NULL, null=True, blank=True, related_name="registers"
    )
    expected = models.PositiveIntegerField(_("expected"), default=0)
    present = models.PositiveIntegerField(_("present"), default=0)
    absent = models.PositiveIntegerField(_("absent"), default=0)
    leave = models.PositiveIntegerField(_("on leave"), default=0)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("register")
        verbose_name_plural = _("register")
        ordering = ["-date", "section"]
        constraints = [models.UniqueConstraint(fields=["section", "date"], name="register_one_per_section_day")]
        indexes = [
            models.Index(fields=["school", "date"], name="register_school_date"),
            models.Index(fields=["teacher", "date"], name="register_teacher_date"),
        ]

    def __str__(self) -> str:
        return f"{self.section_id} {self.date}"


class Attendance(models.Model):
    """One pupil's mark in one section's register on one day."""

    section = models.ForeignKey("courses.Section", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["section", "date", "student"], name="attendance_one_per_pupil_day"),
            models.CheckConstraint(
                name="attendance_status_known", condition=Q(status__in=["present", "absent", "leave"])
            ),
        ]
        indexes = [models.Index(fields=["student", "date"], name="attendance_student_date")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.section_id} {self.date} {self.status}"


class LeaveReport(models.Model):
    """A family reports ahead of time that a child will miss after-school service on a day."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="leave_reports")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=100, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("leave report")
        verbose_name_plural = _("leave report")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["student", "date"], name="leave_report_one_per_day")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date}"


class AttendanceDaily(models.Model):
    """Pupil-meetings per school × day × grade × course kind, updated as registers are saved.

    The dashboards read these rows, never the raw marks; `fee_due` is present × the course's fee per
    class hour for pupils not exempt (low-income families pay nothing).
    """

    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    grade = models.PositiveSmallIntegerField(_("grade"))
    kind = models.CharField(_("kind"), max_length=20)
    expected = models.IntegerField(_("expected"), default=0)
    present = models.IntegerField(_("present"), default=0)
    absent = models.IntegerField(_("absent"), default=0)
    leave = models.IntegerField(_("on leave"), default=0)
    fee_due = models.DecimalField(_("fees due (yuan)"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("daily attendance")
        verbose_name_plural = _("daily attendance")
        constraints = [
            models.UniqueConstraint(fields=["school", "date", "grade", "kind"], name="attendance_daily_cell"),
        ]
        indexes = [models.Index(fields=["date"], name="attendance_daily_date")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.date} {self.grade} {self.kind}"
