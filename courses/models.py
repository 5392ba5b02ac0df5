"""Schools and what they offer: terms, the weekly grid, rooms, teachers, classes, courses, sections."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.access import Actor


# --- Scope: what each role may see. THE one place for each (a test keeps the actor's scope ids out of
# every other module): selectors start from these QuerySets, never from `actor.*_ids` themselves.


class DistrictQuerySet(models.QuerySet):
    def visible_to_bureau(self, actor: Actor) -> DistrictQuerySet:
        """The bureau's own district(s); nothing for anyone else."""
        return self.filter(pk__in=actor.district_ids)

    def visible_to_hotline(self, actor: Actor) -> DistrictQuerySet:
        """The district(s) whose complaints hotline staff take and handle."""
        return self.filter(pk__in=actor.hotline_district_ids)


class SchoolQuerySet(models.QuerySet):
    def visible_to_coordinator(self, actor: Actor) -> SchoolQuerySet:
        """The school(s) the actor coordinates; nothing for anyone else."""
        return self.filter(pk__in=actor.coordinator_school_ids)

    def visible_to_bureau(self, actor: Actor) -> SchoolQuerySet:
        """Every school of the bureau's district(s); nothing for anyone else."""
        return self.filter(district__in=District.objects.visible_to_bureau(actor))

    def visible_to_teacher(self, actor: Actor) -> SchoolQuerySet:
        """The school(s) where the actor teaches (their own school's pages: the gate list); nothing else."""
        return self.filter(pk__in=actor.teacher_school_ids)


class District(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    code = models.CharField(_("code"), max_length=20, unique=True)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("district")

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    class Kind(models.TextChoices):
        PRIMARY = "primary", _("primary school")
        JUNIOR = "junior", _("junior middle school")
        NINE_YEAR = "nine_year", _("nine-year school")
        VOCATIONAL = "vocational", _("vocational school")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="schools")
    name = models.CharField(_("school name"), max_length=100)
    code = models.CharField(_("school code"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("school")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="school_name_unique_in_district")]

    def __str__(self) -> str:
        return self.name

    @property
    def grades(self) -> range:
        """Grades taught: 1–6 primary, 7–9 junior, 1–9 nine-year; none for a vocational school."""
        return {
            self.Kind.PRIMARY: range(1, 7),
            self.Kind.JUNIOR: range(7, 10),
            self.Kind.NINE_YEAR: range(1, 10),
        }.get(self.kind, range(0))


class Term(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(_("term"), max_length=50)
    start = models.DateField(_("start date"))
    end = models.DateField(_("end date"))

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("term")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(name="term_end_after_start", condition=Q(end__gt=F("start"))),
            models.UniqueConstraint(fields=["school", "name"], name="term_name_unique_in_school"),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.name}"


class CalendarException(models.Model):
    """A holiday, or a swapped working day (调休) that follows another weekday's timetable."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("holiday")
        WORKDAY = "workday", _("swapped working day")

    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="exceptions")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    follows_weekday = models.PositiveSmallIntegerField(
        _("follows weekday"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(4)],
        help_text=_("which weekday's timetable a swapped working day follows (0=Mon … 4=Fri)"),
    )
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exception")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["term", "date"], name="calendar_exception_unique_date"),
            models.CheckConstraint(
                name="calendar_workday_has_weekday",
                condition=Q(kind="holiday", follows_weekday__isnull=True)
                | Q(kind="workday", follows_weekday__isnull=False, follows_weekday__lte=4),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"


WEEKDAY_CHOICES = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
]


class Slot(models.Model):
    """One (weekday, session) cell of a school's weekly after-school grid."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAY_CHOICES)
    session = models.PositiveSmallIntegerField(_("slot"), validators=[MinValueValidator(1), MaxValueValidator(4)])
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))

    class Meta:
        verbose_name = _("slot")
        verbose_name_plural = _("slot")
        ordering = ["school", "weekday", "session"]
        constraints = [
            models.UniqueConstraint(fields=["school", "weekday", "session"], name="slot_unique_cell"),
            models.CheckConstraint(name="slot_end_after_start", condition=Q(end__gt=F("start"))),
            models.CheckConstraint(name="slot_weekday_mon_fri", condition=Q(weekday__lte=4)),
            models.CheckConstraint(name="slot_session_range", condition=Q(session__gte=1, session__lte=4)),
        ]

    def __str__(self) -> str:
        return gettext("%(weekday)s session %(session)s %(start)s–%(end)s") % {
            "weekday": self.get_weekday_display(),
            "session": self.session,
            "start": f"{self.start:%H:%M}",
            "end": f"{self.end:%H:%M}",
        }


ROOM_FEATURES = [
    ("kitchen", _("kitchen")),
    ("lab", _("lab")),
    ("gym", _("gym")),
    ("water", _("water")),
    ("computer", _("computers")),
    ("music", _("music room")),
    ("art", _("art room")),
    ("field", _("sports field")),
]
ROOM_FEATURE_KEYS = frozenset(key for key, _label in ROOM_FEATURES)


class Room(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=50)
    capacity = models.PositiveSmallIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    features = models.JSONField(_("features"), default=list, blank=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("room")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="room_name_unique_in_school"),
            models.CheckConstraint(name="room_capacity_positive", condition=Q(capacity__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.capacity}）"


class Teacher(models.Model):
    """A school's own teacher, or a partner teacher who belongs to a provider."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="teacher"
    )
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="teachers", verbose_name=_("home school")
    )
    provider = models.ForeignKey(
        "partners.Provider",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="teachers",
        verbose_name=_("provider"),
    )
    name = models.CharField(_("name"), max_length=50)
    staff_no = models.CharField(_("staff number"), max_length=30)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    subjects = models.JSONField(_("subjects"), default=list, blank=True)
    unavailable_slots = models.ManyToManyField(Slot, blank=True, verbose_name=_("unavailable slots"))
    max_periods_week = models.PositiveSmallIntegerField(
        _("maximum after-school periods a week"), default=6, validators=[MaxValueValidator(40)]
    )

    class Meta:
        verbose_name = _("teacher")
        verbose_name_plural = _("teacher")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="teacher_has_home", condition=Q(school__isnull=False) | Q(provider__isnull=False)
            ),
            models.CheckConstraint(name="teacher_max_periods_range", condition=Q(max_periods_week__lte=40)),
            models.UniqueConstraint(
                fields=["school", "staff_no"],
                name="teacher_staff_no_unique_in_school",
                condition=Q(school__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["provider", "staff_no"],
                name="teacher_staff_no_unique_in_provider",
                condition=Q(provider__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    """A class (班级): the group homework help is given to, and the unit of many statistics."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    grade = models.PositiveSmallIntegerField(_("grade"), validators=[MinValueValidator(1), MaxValueValidator(9)])
    number = models.PositiveSmallIntegerField(_("class number"), validators=[MinValueValidator(1)])
    head_teacher = models.ForeignKey(
        Teacher, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("head teacher")
    )
    home_room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="home_classes",
        verbose_name=_("home room"),
        help_text=_("the class's own classroom: its homework help takes place there"),
    )

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("class")
        ordering = ["school", "grade", "number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "grade", "number"], name="class_unique_in_school"),
            models.CheckConstraint(name="class_grade_range", condition=Q(grade__gte=1, grade__lte=9)),
        ]

    def __str__(self) -> str:
        return gettext("%(grade)s Class %(number)s") % {"grade": grade_label(self.grade), "number": self.number}


GRADE_LABELS = [
    _("Grade 1"),
    _("Grade 2"),
    _("Grade 3"),
    _("Grade 4"),
    _("Grade 5"),
    _("Grade 6"),
    _("Grade 7"),
    _("Grade 8"),
    _("Grade 9"),
]


def grade_label(grade: int) -> str:
    return str(GRADE_LABELS[grade - 1]) if 1 <= grade <= 9 else str(grade)


# --- Order: THE key by which grades, courses and sections are listed --------------------------------
#
# Titles start with the grade in Chinese (一年级…, 三年级…, 二年级…), which the database sorts by
# character code (一 三 二 五 …); and codes run 1班, 10班, 2班 as text. Every list of courses or
# sections sorts with these keys instead: by kind, then the lowest grade the course is for, then
# the title and code with their numbers read as numbers.

_NUMBER = re.compile(r"(\d+)")


def grade_key(grades: Iterable[Any] | int | None) -> int:
    """The grade number a course (its `grades`) or a pupil (an int) sorts by; none sorts last."""
    if isinstance(grades, int):
        return grades
    numbers = [int(g) for g in grades or () if str(g).isdigit()]
    return min(numbers) if numbers else 99


def natural_key(text: str) -> tuple:
    """Text with its numbers compared as numbers: 2班 before 10班."""
    return tuple(int(part) if part.isdigit() else part for part in _NUMBER.split(str(text or "")))


def course_order_key(course: Course) -> tuple:
    return (course.kind, grade_key(course.grades), natural_key(course.title))


def section_order_key(section: Section) -> tuple:
    return (*course_order_key(section.course), natural_key(section.code))


class CourseQuerySet(models.QuerySet):
    def for_school(self, school_id: int) -> CourseQuerySet:
        return self.filter(school_id=school_id)


class Course(models.Model):
    """What is offered: kind, grades, seats per section, meetings a week, room needs, fee."""

    class Kind(models.TextChoices):
        HOMEWORK = "homework", _("homework help")
        TUTORING = "tutoring", _("tutoring")
        CLUB = "club", _("club")
        PARTNER = "partner", _("partner course")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="courses", verbose_name=_("school"))
    partner_course = models.ForeignKey(
        "partners.PartnerCourse",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="host_courses",
        verbose_name=_("partner course"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    grades = models.JSONField(_("grades"), default=list)
    seats_per_section = models.PositiveSmallIntegerField(_("seats per section"), validators=[MinValueValidator(1)])
    meetings_per_week = models.PositiveSmallIntegerField(
        _("meetings a week"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    room_features = models.JSONField(_("room needs"), default=list, blank=True)
    fee_per_class_hour = models.DecimalField(
        _("fee per class hour (yuan)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    homework_in_home_room = models.BooleanField(
        _("homework help in the class's own classroom"),
        default=True,
        help_text=_("homework help: each section meets in its class's home room (a hard rule of the timetable)"),
    )

    objects = CourseQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("course")
        ordering = ["school", "kind", "title"]
        constraints = [
            models.CheckConstraint(name="course_seats_positive", condition=Q(seats_per_section__gte=1)),
            models.CheckConstraint(
                name="course_meetings_range", condition=Q(meetings_per_week__gte=1, meetings_per_week__lte=5)
            ),
            models.CheckConstraint(name="course_fee_not_negative", condition=Q(fee_per_class_hour__gte=0)),
            models.CheckConstraint(
                name="course_partner_kind_has_partner_course",
                condition=Q(kind="partner", partner_course__isnull=False)
                | (~Q(kind="partner") & Q(partner_course__isnull=True)),
            ),
            models.UniqueConstraint(fields=["school", "title"], name="course_title_unique_in_school"),
        ]

    def __str__(self) -> str:
        return self.title


# --- Seats: THE rule of what holds a seat ------------------------------------------------------------
#
# A pupil's row in a section (`enrollment.Enrollment`) is enrolled, waitlisted or withdrawn. It
# HOLDS A SEAT when it is enrolled, or waitlisted with an offer that has not expired yet. The
# section's counts below and `Enrollment.objects.held(now)` are built from `seat_held_q`; the capacity
# calculator's plain SQL (`enrollment.capacity`) is held equal to them by a test on both databases;
# `seat_held` is the same rule for one row in memory (a test holds the two equal).


class SeatStatus(models.TextChoices):
    """The states of a pupil's row in a section (`Enrollment.Status` is this class)."""

    ENROLLED = "enrolled", _("enrolled")
    WAITLISTED = "waitlisted", _("waitlisted")
    WITHDRAWN = "withdrawn", _("withdrawn")


ACTIVE_SEAT_STATUSES = (SeatStatus.ENROLLED.value, SeatStatus.WAITLISTED.value)


def seat_held_q(now, prefix: str = "") -> Q:
    """Rows that hold a seat at `now`: enrolled, or waitlisted with a live offer."""
    return Q(**{f"{prefix}status": SeatStatus.ENROLLED}) | Q(
        **{f"{prefix}status": SeatStatus.WAITLISTED, f"{prefix}offer_expires_at__gt": now}
    )


def seat_offered_q(now, prefix: str = "") -> Q:
    """Waitlisted rows holding an offer that has not expired (a subset of `seat_held_q`)."""
    return Q(**{f"{prefix}status": SeatStatus.WAITLISTED, f"{prefix}offer_expires_at__gt": now})


def seat_waiting_q(prefix: str = "") -> Q:
    """Waitlisted rows still waiting for an offer (queue order: created_at, id)."""
    return Q(**{f"{prefix}status": SeatStatus.WAITLISTED, f"{prefix}offer_expires_at__isnull": True})


def seat_held(status: str, offer_expires_at, now) -> bool:
    """`seat_held_q` for one row in memory."""
    return status == SeatStatus.ENROLLED or (
        status == SeatStatus.WAITLISTED and offer_expires_at is not None and offer_expires_at > now
    )


class SectionQuerySet(models.QuerySet):
    def with_seat_counts(self, now) -> SectionQuerySet:
        """Each section with `seats_held` (enrolled + live offers), `enrolled`, `offered` and `waiting`.

        Seats left = capacity − seats_held. Read-only figures for pages: whether a seat is free is
        decided under the section lock by `enrollment.capacity`.
        """
        rows = "enrollments"
        return self.annotate(
            seats_held=models.Count(rows, filter=seat_held_q(now, f"{rows}__"), distinct=True),
            enrolled=models.Count(rows, filter=Q(**{f"{rows}__status": SeatStatus.ENROLLED}), distinct=True),
            offered=models.Count(rows, filter=seat_offered_q(now, f"{rows}__"), distinct=True),
            waiting=models.Count(rows, filter=seat_waiting_q(f"{rows}__"), distinct=True),
        )


class Section(models.Model):
    """One teaching group of a course in a term: the unit the timetable places."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sections")
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(_("code"), max_length=30)
    teacher = models.ForeignKey(
        Teacher, on_delete=models.SET_NULL, null=True, blank=True, related_name="sections", verbose_name=_("teacher")
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sections",
        verbose_name=_("class"),
        help_text=_("homework help takes place in this class"),
    )
    capacity = models.PositiveSmallIntegerField(_("seats"), validators=[MinValueValidator(1)])

    objects = SectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("section")
        ordering = ["course", "code"]
        constraints = [
            models.UniqueConstraint(fields=["course", "term", "code"], name="section_code_unique"),
            models.CheckConstraint(name="section_capacity_positive", condition=Q(capacity__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.course.title} {self.code}"
