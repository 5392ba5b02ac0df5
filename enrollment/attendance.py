"""Registers: who may take them, which meetings fall on which school days, saving marks and leave.

Saving a register writes the pupils' `Attendance` rows, the `Register` row (its counts) and adds
the *difference* it makes to `AttendanceDaily` (school × day × grade × course kind), so that the
dashboards read a few thousand aggregate rows instead of millions of marks. `daily_recount`
rebuilds the aggregates from the marks (tests check the two agree; `seed_history` uses it).

Locking order (one transaction): the Register row (created if missing, then `select_for_update`),
then the section's marks, then the daily cells (`UPDATE … SET n = n + delta`, atomic per row).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import Actor
from accounts.models import Role
from config.errors import DomainError
from courses.models import School, Section, Term
from enrollment.models import (
    Attendance,
    AttendanceDaily,
    AttendanceStatus,
    Enrollment,
    LeaveReport,
    PriorityGroup,
    Register,
    Student,
)
from enrollment.selectors import id_or_404
from scheduling.selectors import published_meetings, term_days

STATUSES = tuple(AttendanceStatus.values)
EXEMPT_GROUPS = frozenset({PriorityGroup.LOW_INCOME.value})  # 家庭困难: no fee


# --- the calendar ----------------------------------------------------------------------------------


def school_days(term: Term, _cache: dict[int, dict[dt.date, int]] | None = None) -> dict[dt.date, int]:
    """{date: weekday whose timetable it follows} for every school day of the term (holidays left
    out, swapped working days in). The one calendar: `scheduling.selectors.term_days`."""
    if _cache is not None and term.pk in _cache:
        return _cache[term.pk]
    days = dict(term_days(term))
    if _cache is not None:
        _cache[term.pk] = days
    return days


def section_weekdays(section_ids: Iterable[int]) -> dict[int, set[int]]:
    """Weekdays on which each section meets in its published timetable (absent: not published)."""
    return {sid: {m.weekday for m in meetings} for sid, meetings in published_meetings(section_ids).items()}


def meets_on(section: Section, day: dt.date) -> bool:
    weekday = school_days(section.term).get(day)
    return weekday is not None and weekday in section_weekdays([section.pk]).get(section.pk, set())


# --- who may take which register --------------------------------------------------------------------


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
    if actor.coordinator_school_ids:
        scope |= Q(course__school_id__in=actor.coordinator_school_ids)
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


# --- the register -----------------------------------------------------------------------------------


@dataclass
class Mark:
    student: Student
    status: str
    saved: bool
    leave_reported: bool

    @property
    def label(self) -> str:
        return str(AttendanceStatus(self.status).label)


def _roster_ids(section: Section, day: dt.date) -> list[int]:
    """The section's pupils: those enrolled now (pupils already marked stay on that day's register)."""
    return list(
        Enrollment.objects.filter(section=section, status=Enrollment.Status.ENROLLED).values_list(
            "student_id", flat=True
        )
    )


def register_marks(*, section: Section, day: dt.date) -> list[Mark]:
    """Every pupil of the register: the saved mark, else leave if the family reported it, else present."""
    saved = dict(Attendance.objects.filter(section=section, date=day).values_list("student_id", "status"))
    ids = set(_roster_ids(section, day)) | set(saved)
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


def _fee(student_groups: list[str] | None, fee: Decimal) -> Decimal:
    return Decimal(0) if EXEMPT_GROUPS.intersection(student_groups or []) else fee


@transaction.atomic
def register_save(*, section: Section, day: dt.date, changes: dict[int, str] | None = None, by: Any) -> Register:
    """Take (or correct) a register: pupils not yet marked are present (or on leave if their family
    reported it), then `changes` {student id: status} apply. Returns the Register with its counts."""
    changes = dict(changes or {})
    if any(status not in STATUSES for status in changes.values()):
        raise DomainError("validation_error")
    if day > timezone.localdate() or not meets_on(section, day):
        raise DomainError("bad_request", _("There is no meeting of this section on that day."))
    now = timezone.now()
    Register.objects.bulk_create(
        [Register(section=section, date=day, school_id=section.course.school_id, teacher_id=section.teacher_id)],
        ignore_conflicts=True,
    )
    register = Register.objects.select_for_update().get(section=section, date=day)
    old = dict(Attendance.objects.filter(section=section, date=day).values_list("student_id", "status"))
    roster = set(_roster_ids(section, day)) | set(old)
    if set(changes) - roster:
        raise DomainError("not_found")
    leave = set(
        LeaveReport.objects.filter(student_id__in=roster - set(old), date=day).values_list("student_id", flat=True)
    )
    new = {sid: old.get(sid) or ("leave" if sid in leave else "present") for sid in roster}
    new.update(changes)
    create = [
        Attendance(section=section, date=day, student_id=sid, status=new[sid], marked_by=by, marked_at=now)
        for sid in roster
        if sid not in old
    ]
    Attendance.objects.bulk_create(create)
    for status in STATUSES:
        moved = [sid for sid in old if old[sid] != new[sid] and new[sid] == status]
        if moved:
            Attendance.objects.filter(section=section, date=day, student_id__in=moved).update(
                status=status, marked_by=by, marked_at=now
            )
    _daily_apply(section=section, day=day, old=old, new=new)
    counts = Counter(new.values())
    register.expected = len(new)
    register.present, register.absent, register.leave = counts["present"], counts["absent"], counts["leave"]
    register.taken_by = by if register.taken_by_id is None else register.taken_by
    register.updated_at = now
    register.save()
    return register


def _daily_apply(*, section: Section, day: dt.date, old: dict[int, str], new: dict[int, str]) -> None:
    """Add the register's change to the daily cells of its school (per pupil grade, course kind)."""
    touched = [sid for sid in new if old.get(sid) != new[sid]]
    if not touched:
        return
    pupils = dict(Student.objects.filter(pk__in=touched).values_list("pk", "grade"))
    groups = dict(Student.objects.filter(pk__in=touched).values_list("pk", "priority_groups"))
    fee = section.course.fee_per_class_hour
    kind = section.course.kind
    delta: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"expected": 0, **dict.fromkeys(STATUSES, 0), "fee": Decimal(0)}
    )
    for sid in touched:
        cell = delta[pupils[sid]]
        before, after = old.get(sid), new[sid]
        if before is None:
            cell["expected"] += 1
        else:
            cell[before] -= 1
        cell[after] += 1
        pay = _fee(groups[sid], fee)
        cell["fee"] += (pay if after == "present" else 0) - (pay if before == "present" else 0)
    school_id = section.course.school_id
    AttendanceDaily.objects.bulk_create(
        [AttendanceDaily(school_id=school_id, date=day, grade=g, kind=kind) for g in delta], ignore_conflicts=True
    )
    for grade, cell in delta.items():
        AttendanceDaily.objects.filter(school_id=school_id, date=day, grade=grade, kind=kind).update(
            expected=F("expected") + cell["expected"],
            present=F("present") + cell["present"],
            absent=F("absent") + cell["absent"],
            leave=F("leave") + cell["leave"],
            fee_due=F("fee_due") + cell["fee"],
        )


def exempt_student_ids(*, school_ids: Iterable[int] | None = None) -> list[int]:
    """Pupils exempt from fees (in Python: SQLite has no JSON `contains`)."""
    pupils = Student.objects.exclude(priority_groups=[])
    if school_ids is not None:
        pupils = pupils.filter(school_id__in=list(school_ids))
    return [
        pk for pk, groups in pupils.values_list("pk", "priority_groups") if EXEMPT_GROUPS.intersection(groups or [])
    ]


def daily_recount(*, school_ids: Iterable[int] | None = None) -> int:
    """Rebuild `AttendanceDaily` from the marks (all schools, or these); returns the rows written."""
    from django.db.models import Count, Sum
    from django.db.models.functions import Coalesce

    marks = Attendance.objects.all()
    cells = AttendanceDaily.objects.all()
    if school_ids is not None:
        school_ids = ids = list(school_ids)
        marks = marks.filter(section__course__school_id__in=ids)
        cells = cells.filter(school_id__in=ids)
    exempt = Q(student_id__in=exempt_student_ids(school_ids=school_ids))
    rows = (
        marks.values("section__course__school_id", "date", "student__grade", "section__course__kind")
        .annotate(
            expected=Count("id"),
            present=Count("id", filter=Q(status="present")),
            absent=Count("id", filter=Q(status="absent")),
            leave=Count("id", filter=Q(status="leave")),
            fee=Coalesce(
                Sum("section__course__fee_per_class_hour", filter=Q(status="present") & ~exempt),
                Decimal(0),
            ),
        )
        .order_by()
    )
    with transaction.atomic():
        cells.delete()
        objs = [
            AttendanceDaily(
                school_id=r["section__course__school_id"],
                date=r["date"],
                grade=r["student__grade"],
                kind=r["section__course__kind"],
                expected=r["expected"],
                present=r["present"],
                absent=r["absent"],
                leave=r["leave"],
                fee_due=r["fee"],
            )
            for r in rows.iterator(chunk_size=5000)
        ]
        AttendanceDaily.objects.bulk_create(objs, batch_size=2000)
    return len(objs)


# --- leave reported by families ---------------------------------------------------------------------


@transaction.atomic
def leave_report(*, student: Student, day: dt.date, reason: str, by: Any) -> LeaveReport:
    """Report a day's leave (today or later). A register already taken that day marks the child
    absent → on leave (a child the teacher saw stays present)."""
    if day < timezone.localdate():
        raise DomainError("bad_request", _("Leave can only be reported for today or a later day."))
    report, _created = LeaveReport.objects.update_or_create(
        student=student, date=day, defaults={"reason": reason[:100], "reported_by": by}
    )
    for mark in Attendance.objects.filter(student=student, date=day, status="absent").select_related(
        "section__course", "section__term"
    ):
        register_save(section=mark.section, day=day, changes={student.pk: "leave"}, by=by)
    return report


def leave_cancel(*, student: Student, report_id: Any) -> None:
    LeaveReport.objects.filter(pk=id_or_404(report_id), student=student, date__gte=timezone.localdate()).delete()


def leave_list(*, student: Student) -> list[LeaveReport]:
    return list(LeaveReport.objects.filter(student=student, date__gte=timezone.localdate()).order_by("date"))


def absences_on(*, school: School, day: dt.date) -> list[Attendance]:
    """Named: pupils absent or on leave at the school that day (coordinators only)."""
    return list(
        Attendance.objects.filter(section__course__school=school, date=day, status__in=["absent", "leave"])
        .select_related("student__school_class", "section__course")
        .order_by("status", "student__grade", "student__name")
    )
