"""The catalogue a family sees: what a child may take, its times, seats and fee (with the term total)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.utils import timezone

from core.hot import HotQuery
from core.ids import id_or_404
from courses.models import Course, Section, Term, section_order_key
from enrollment.models import (
    Enrollment,
    Preference,
    Student,
)
from enrollment.selectors.meetings import Meeting
from scheduling.selectors import term_days


def section_is_open_to(*, student: Student, section: Section) -> bool:
    """THE eligibility rule (catalogue, ranked choices, first-come, proposals, allocation and the API
    all ask this): the child's own school's courses for the child's grade (partner courses included:
    they are Course rows of kind `partner` at the host school), and homework help of a class only to
    that class's pupils (三（4）班's pupils are not offered 1班's homework help)."""
    course = section.course
    return (
        student.on_roll
        and course.school_id == student.school_id
        and section.term.school_id == student.school_id
        and student.grade in (course.grades or [])
        and (
            course.kind != Course.Kind.HOMEWORK
            or section.school_class_id is None
            or section.school_class_id == student.school_class_id
        )
    )


@dataclass(frozen=True)
class FeeQuote:
    """What a seat in a paid course costs this term: the fee per class hour (one meeting is one
    class hour), the meetings left in the term from the day of booking, and their total."""

    fee: Decimal
    meetings: int
    total: Decimal
    estimated: bool  # no published timetable yet: meetings a week × the school weeks left

    @property
    def paid(self) -> bool:
        return self.total > 0


def fee_quote(*, section: Section, today: dt.date) -> FeeQuote:
    """THE term total a family confirms before booking a paid course (page, service and API).

    Meetings are counted on the term calendar's school days from `today` (or the term's start)
    on which the section meets in the published timetable; without one, they are estimated as
    meetings a week × school weeks left."""
    if Decimal(section.course.fee_per_class_hour or 0) <= 0:
        return _quote(section.course, [], [])
    start = max(today, section.term.start)
    days = [(d, wd) for d, wd in term_days(section.term) if d >= start]
    from enrollment import selectors  # the package's name, as above

    return _quote(section.course, selectors.section_times([section.pk]).get(section.pk, []), days)


def _quote(course: Course, meetings: list[Meeting], days: list[tuple[dt.date, int]]) -> FeeQuote:
    fee = Decimal(course.fee_per_class_hour or 0)
    if fee <= 0:
        return FeeQuote(Decimal("0.00"), 0, Decimal("0.00"), False)
    if meetings:
        per_weekday: dict[int, int] = {}
        for m in meetings:
            per_weekday[m.weekday] = per_weekday.get(m.weekday, 0) + 1
        count, estimated = sum(per_weekday.get(wd, 0) for _d, wd in days), False
    else:
        count, estimated = course.meetings_per_week * math.ceil(len(days) / 5), True
    return FeeQuote(fee, count, (fee * count).quantize(Decimal("0.01")), estimated)


@dataclass
class CatalogueItem:
    section: Section
    meetings: list[Meeting]
    seats_left: int
    waiting: int
    mine: Enrollment | None = None
    rank: int | None = None
    #: the fee, meetings left this term and the term total (`fee_quote`), shown before booking
    quote: FeeQuote | None = None

    @property
    def course(self) -> Course:
        return self.section.course

    @property
    def rooms(self) -> list[str]:
        return sorted({m.room for m in self.meetings if m.room})


def catalogue_for_student(
    *,
    student: Student,
    term: Term,
    now: dt.datetime,
    kind: str = "",
    weekday: int | None = None,
) -> list[CatalogueItem]:
    """Sections the child may take this term, with seats left; filtered by course kind and weekday."""
    sections = (
        Section.objects.filter(term=term, term__school_id=student.school_id, course__school_id=student.school_id)
        .select_related("course", "teacher", "term")
        .with_seat_counts(now)
        .order_by("course__kind", "course__title", "code")
    )
    if kind:
        sections = sections.filter(course__kind=kind)
    open_sections = sorted(
        (s for s in sections if section_is_open_to(student=student, section=s)), key=section_order_key
    )
    from enrollment import selectors  # the package's name: one patch or replacement reaches every caller

    times = selectors.section_times([s.pk for s in open_sections])
    mine = {
        e.section_id: e
        for e in Enrollment.objects.active().filter(student=student, section__in=[s.pk for s in open_sections])
    }
    from enrollment.selectors import window_open  # the package's (defined after this module loads)

    window = window_open(school_id=student.school_id, term_id=term.pk, mode="preference", now=now)
    ranks = (
        dict(Preference.objects.filter(window=window, student=student).values_list("section_id", "rank"))
        if window
        else {}
    )
    today = timezone.localdate(now)
    days = [(d, wd) for d, wd in term_days(term) if d >= max(today, term.start)]
    items = []
    for section in open_sections:
        meetings = times.get(section.pk, [])
        if weekday is not None and not any(m.weekday == weekday for m in meetings):
            continue
        items.append(
            CatalogueItem(
                section=section,
                meetings=meetings,
                seats_left=max(0, section.capacity - section.seats_held),
                waiting=section.waiting,
                mine=mine.get(section.pk),
                rank=ranks.get(section.pk),
                quote=_quote(section.course, meetings, days),
            )
        )
    return items


def section_get_for_student(*, student: Student, section_id: Any) -> Section:
    """A section by id for this child; 404 if it does not exist (eligibility is the service's check).

    With its course and term, which the eligibility check and the answer read.
    """
    return section_get(section_id=section_id)


def section_get(*, section_id: Any) -> Section:
    """A section by id with its course and term, or 404 (whose it may be is the caller's check:
    `section_is_open_to`, which the first-come service asks under the pupil's lock). The statement
    is compiled once per process (`core.hot`): the first-come request reads it on every call."""
    rows = _SECTION.objects(section_id=id_or_404(section_id))
    if not rows:
        raise Http404
    return rows[0]


# by primary key: no ordering (the model's default would join the school only to sort one row)
_SECTION = HotQuery(
    lambda section_id: Section.objects.select_related("course", "term").filter(pk=section_id).order_by()[:2]
)
