"""Enrollment windows, ranked preferences and seats (pupils and families: `pupils`, re-exported here)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import ACTIVE_SEAT_STATUSES, SeatStatus, seat_held, seat_held_q, seat_waiting_q
from pupils.models import Family, Guardian, PriorityGroup, Student, StudentQuerySet  # noqa: F401
from scheduling.models import new_feed_token

if TYPE_CHECKING:
    pass


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


class EnrollmentQuerySet(models.QuerySet):
    def held(self, now) -> EnrollmentQuerySet:
        """Rows holding a seat at `now` (the rule: `courses.models.seat_held_q`)."""
        return self.filter(seat_held_q(now))

    def active(self) -> EnrollmentQuerySet:
        """Rows still in play: a seat, an offer or a waitlist place."""
        return self.filter(status__in=ACTIVE_SEAT_STATUSES)

    def waiting(self) -> EnrollmentQuerySet:
        """Waitlisted rows still waiting for an offer."""
        return self.filter(seat_waiting_q())


class Enrollment(models.Model):
    """A child's seat in a section; at most one active (enrolled or waitlisted) row per pair.

    A waitlisted row with `offer_expires_at` set holds an offered seat until then: the capacity
    calculator (`enrollment.capacity`) counts it as taken. Waitlist order is (`created_at`, `id`).
    """

    Status = SeatStatus

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

    objects = EnrollmentQuerySet.as_manager()

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

    def holds_seat(self, now=None) -> bool:
        return seat_held(self.status, self.offer_expires_at, now or timezone.now())

    def offer_pending(self, now=None) -> bool:
        """Waitlisted with a live offer: the seat is held for this pupil until it expires."""
        return self.status == self.Status.WAITLISTED and self.holds_seat(now)


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


class PupilCalendarFeedQuerySet(models.QuerySet):
    def active(self) -> PupilCalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True)


class PupilCalendarFeed(models.Model):
    """A private, unguessable, revocable iCalendar URL for one pupil's after-school week.

    Served at the same `calendar/<token>.ics` as a teacher's feed (scheduling asks enrollment's
    feed source for tokens it does not know).
    """

    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="calendar_feeds")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PupilCalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pupil's calendar feed")
        verbose_name_plural = _("pupil's calendar feed")

    def __str__(self) -> str:
        return f"{self.token[:6]}… (pupil)"


# --- Voluntariness: a school's roster add is a proposal the family answers -----------------------


class RosterProposalQuerySet(models.QuerySet):
    def pending(self) -> RosterProposalQuerySet:
        return self.filter(status=RosterProposal.Status.PENDING)


class RosterProposal(models.Model):
    """The school proposes a seat for a pupil; the family accepts or declines (自愿参加).

    A proposal holds NO seat: the seat is claimed through `enrollment.capacity` only when the family
    accepts (and may then be refused as full). Participation is never written without the family.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for the family")
        ACCEPTED = "accepted", _("accepted by the family")
        DECLINED = "declined", _("declined by the family")
        WITHDRAWN = "withdrawn", _("withdrawn by the school")

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="proposals")
    section = models.ForeignKey("courses.Section", on_delete=models.CASCADE, related_name="proposals")
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("seat")
    )

    objects = RosterProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("roster proposal")
        verbose_name_plural = _("roster proposal")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "section"], condition=Q(status="pending"), name="proposal_one_pending_per_section"
            ),
            models.CheckConstraint(
                name="proposal_status_known",
                condition=Q(status__in=["pending", "accepted", "declined", "withdrawn"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} → {self.section_id} ({self.status})"


# --- Dismissal at the gate (弹性离校) -------------------------------------------------------------


class DismissalRules(models.Model):
    """A school's gate rules: until when families may change today's dismissal, and extended care."""

    DEFAULT_CUTOFF = dt.time(12, 0)

    school = models.OneToOneField("courses.School", on_delete=models.CASCADE, related_name="dismissal_rules")
    change_cutoff = models.TimeField(
        _("changes for today close at"),
        default=DEFAULT_CUTOFF,
        help_text=_("After this time a family's change for today is refused; the gate list is final."),
    )
    extended_until = models.TimeField(
        _("extended care until"),
        null=True,
        blank=True,
        help_text=_("Leave empty if the school offers no extended care."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("dismissal rules")
        verbose_name_plural = _("dismissal rules")

    def __str__(self) -> str:
        return f"{self.school_id} {self.change_cutoff:%H:%M}"


class DismissalChange(models.Model):
    """A family's change of one day's dismissal (before that day's cut-off); it beats the weekly choice."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="dismissal_changes")
    date = models.DateField(_("date"))
    choice = models.CharField(_("dismissal"), max_length=20, choices=Dismissal.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("dismissal change for a day")
        verbose_name_plural = _("dismissal change for a day")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["student", "date"], name="dismissal_change_one_per_day"),
            models.CheckConstraint(
                name="dismissal_change_choice_known", condition=Q(choice__in=["session_1", "session_2", "extended"])
            ),
        ]
        indexes = [models.Index(fields=["date", "student"], name="dismissal_change_day")]

    def __str__(self) -> str:
        return f"{self.student_id} {self.date} {self.choice}"
