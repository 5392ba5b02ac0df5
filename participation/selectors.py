"""Reads for participation (not statistics): registers and their meetings, marks, leave; the bureau's summary.

Who may take which register: a teacher (or partner teacher) their own sections, a coordinator any
section of their school; anything else is 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from accounts.access import Actor
from accounts.models import Role
from core.ids import id_or_404
from courses.models import School, Section, Term
from enrollment.models import Enrollment, Student
from participation.models import Attendance, AttendanceStatus, LeaveReport, Register
from participation.stats import SMALL_CELL
from scheduling.selectors import published_meetings, term_days


def _suppress(value: int) -> int | None:
    return value if value >= SMALL_CELL else None


def district_summary_for_bureau(*, actor: Actor) -> dict[str, Any]:
    """District participation by school: aggregates only, small cells suppressed (None)."""
    visible = School.objects.visible_to_bureau(actor)
    if not visible.exists():
        raise Http404
    active = Enrollment.objects.filter(student=OuterRef("pk"), status="enrolled")
    pupils = Student.objects.filter(school__in=visible, on_roll=True).annotate(taking_part=Exists(active))
    rows = (
        pupils.values("school_id", "school__name", "school__kind")
        .annotate(on_roll=Count("id"), taking_part=Count("id", filter=Q(taking_part=True)))
        .order_by("school__kind", "school__name")
    )
    kinds = dict(School.Kind.choices)
    schools = []
    total_roll = total_part = 0
    for row in rows:
        total_roll += row["on_roll"]
        total_part += row["taking_part"]
        on_roll = _suppress(row["on_roll"])
        part = _suppress(row["taking_part"])
        schools.append(
            {
                "school_id": row["school_id"],
                "school": row["school__name"],
                "kind": str(kinds.get(row["school__kind"], row["school__kind"])),
                "on_roll": on_roll,
                "taking_part": part,
                "rate": round(100 * row["taking_part"] / row["on_roll"], 1) if on_roll and part else None,
            }
        )
    return {
        "schools": schools,
        "on_roll": total_roll,
        "taking_part": total_part,
        "rate": round(100 * total_part / total_roll, 1) if total_roll else None,
        "school_count": visible.count(),
    }


def bureau_school_ids(actor: Actor) -> list[int]:
    """Ids of the bureau's schools (404 for a bureau user without a district)."""
    ids = list(School.objects.visible_to_bureau(actor).values_list("pk", flat=True))
    if not ids:
        raise Http404
    return ids


# --- registers: the calendar, who may take which register, the meetings of a day, the marks --------


def school_days(term: Term, _cache: dict[int, dict[dt.date, int]] | None = None) -> dict[dt.date, int]:
    """{date: weekday whose timetable it follows} for every school day of the term (holidays left
    out, swapped working days in). The one calendar: `scheduling.selectors.term_days`."""
    if _cache is not None and term.pk in _cache:
        return _cache[term.pk]
    days = dict(term_days(term))
    if _cache is not None:
        _cache[term.pk] = days
    return days


def school_day_weekday(*, school_id: int, day: dt.date) -> int | None:
    """The weekday whose timetable `day` follows at this school, or None when it is no school day
    (a weekend, a holiday, or outside every term). THE question leave reports and registers ask."""
    term = Term.objects.filter(school_id=school_id, start__lte=day, end__gte=day).order_by("-start").first()
    return None if term is None else school_days(term).get(day)


def register_day_refusal(section: Section, day: dt.date, today: dt.date) -> str | None:
    """Why no register can be taken for this section on `day` (an error code), or None when it can:
    the term calendar decides school days, the published timetable the meetings, and a register
    is never taken in advance."""
    weekday = school_days(section.term).get(day)
    if weekday is None:
        return "not_school_day"
    if weekday not in section_weekdays([section.pk]).get(section.pk, set()):
        return "no_meeting_that_day"
    if day > today:
        return "day_in_future"
    return None


def section_weekdays(section_ids: Iterable[int]) -> dict[int, set[int]]:
    """Weekdays on which each section meets in its published timetable (absent: not published)."""
    return {sid: {m.weekday for m in meetings} for sid, meetings in published_meetings(section_ids).items()}


def meets_on(section: Section, day: dt.date) -> bool:
    weekday = school_days(section.term).get(day)
    return weekday is not None and weekday in section_weekdays([section.pk]).get(section.pk, set())


def _teacher_sections(teacher_id: int) -> Q:
    """The teacher's sections: named on the section, or placed with them in a published timetable."""
    return Q(teacher_id=teacher_id) | Q(placements__teacher_id=teacher_id, placements__timetable__status="published")


def section_get_for_register(*, actor: Actor, section_id: Any) -> Section:
    """A section whose register the actor may take: a teacher's (or partner teacher's) own section,
    or any section of a school the actor coordinates; otherwise 404."""
    pk = id_or_404(section_id)
    scope = Q(pk__in=[])
    if actor.teacher_id is not None and actor.has(Role.TEACHER, Role.PARTNER_TEACHER):
        scope |= _teacher_sections(actor.teacher_id)
    scope |= Q(course__school__in=School.objects.visible_to_coordinator(actor))
    section = (
        Section.objects.filter(scope, pk=pk)
        .select_related("course__school", "term", "teacher", "school_class")
        .distinct()
        .first()
    )
    if section is None:
        raise Http404
    return section


def section_list_for_teacher(*, actor: Actor) -> list[Section]:
    if actor.teacher_id is None:
        return []
    return list(
        Section.objects.filter(_teacher_sections(actor.teacher_id))
        .select_related("course__school", "term", "teacher")
        .distinct()
        .order_by("course__school__name", "course__title", "code")
    )


@dataclass
class MeetingDay:
    section: Section
    day: dt.date
    start: dt.time | None
    end: dt.time | None
    room: str
    register: Register | None

    @property
    def taken(self) -> bool:
        return self.register is not None


def meetings_on(*, sections: Iterable[Section], day: dt.date) -> list[MeetingDay]:
    """The meetings of these sections on `day` (a school day of their term), with their registers."""
    sections = list(sections)
    meetings = published_meetings([s.pk for s in sections])
    registers = {r.section_id: r for r in Register.objects.filter(section__in=sections, date=day)}
    cache: dict[int, dict[dt.date, int]] = {}
    out = []
    for section in sections:
        weekday = school_days(section.term, cache).get(day)
        if weekday is None:
            continue
        for m in meetings.get(section.pk, []):
            if m.weekday == weekday:
                out.append(MeetingDay(section, day, m.start, m.end, m.room, registers.get(section.pk)))
                break
    out.sort(key=lambda m: (m.start or dt.time.min, m.section.course.title, m.section.code))
    return out


def registers_missing(*, school: School, until: dt.date, days: int = 7) -> list[MeetingDay]:
    """Meetings of the school on school days in (until − days, until] whose register is not taken."""
    sections = list(
        Section.objects.filter(course__school=school).select_related("course", "term", "teacher").order_by("pk")
    )
    out: list[MeetingDay] = []
    for n in range(days):
        day = until - dt.timedelta(days=n)
        out += [m for m in meetings_on(sections=sections, day=day) if not m.taken]
    return out


def last_school_day(term: Term | None, today: dt.date) -> dt.date:
    """Today if it is a school day, else the latest school day before it (else today)."""
    if term is None:
        return today
    past = [d for d in school_days(term) if d <= today]
    return max(past) if past else today


@dataclass
class Mark:
    student: Student
    status: str
    saved: bool
    leave_reported: bool

    @property
    def label(self) -> str:
        return str(AttendanceStatus(self.status).label)


def roster_ids(section: Section, day: dt.date) -> list[int]:
    """The section's pupils: those enrolled now (pupils already marked stay on that day's register)."""
    return list(
        Enrollment.objects.filter(section=section, status=Enrollment.Status.ENROLLED).values_list(
            "student_id", flat=True
        )
    )


def register_marks(*, section: Section, day: dt.date) -> list[Mark]:
    """Every pupil of the register: the saved mark, else leave if the family reported it, else present."""
    saved = dict(Attendance.objects.filter(section=section, date=day).values_list("student_id", "status"))
    ids = set(roster_ids(section, day)) | set(saved)
    leave = set(LeaveReport.objects.filter(student_id__in=ids, date=day).values_list("student_id", flat=True))
    students = (
        Student.objects.filter(pk__in=ids).select_related("school_class").order_by("school_class__number", "name")
    )
    return [
        Mark(
            student=s,
            status=saved.get(s.pk) or ("leave" if s.pk in leave else "present"),
            saved=s.pk in saved,
            leave_reported=s.pk in leave,
        )
        for s in students
    ]


def leave_list(*, student: Student) -> list[LeaveReport]:
    return list(LeaveReport.objects.filter(student=student, date__gte=timezone.localdate()).order_by("date"))


def absences_on(*, school: School, day: dt.date) -> list[Attendance]:
    """Named: pupils absent or on leave at the school that day (coordinators only)."""
    return list(
        Attendance.objects.filter(section__course__school=school, date=day, status__in=["absent", "leave"])
        .select_related("student__school_class", "section__course")
        .order_by("status", "student__grade", "student__name")
    )
