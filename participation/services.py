"""Writes for participation: registers (taking and correcting them), the daily aggregates, leave.

Saving a register writes the pupils' `Attendance` rows, the `Register` row (its counts) and adds
the *difference* it makes to `AttendanceDaily` (school × day × grade × course kind), so that the
dashboards read a few thousand aggregate rows instead of millions of marks. `daily_recount`
rebuilds the aggregates from the marks (tests check the two agree; `seed_history` uses it).
Every register taken or corrected is audited (marks drive fees), and so is every leave report.

Locking order (one transaction): the Register row (created if missing, then `select_for_update`),
then the section's marks, then the daily cells (`UPDATE … SET n = n + delta`, atomic per row).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import DomainError
from core.ids import get_or_404, id_or_404
from courses.models import Section
from enrollment.models import PriorityGroup, Student
from participation.models import Attendance, AttendanceDaily, AttendanceStatus, LeaveReport, Register
from participation.selectors import register_day_refusal, roster_ids, school_day_weekday

STATUSES = tuple(AttendanceStatus.values)


EXEMPT_GROUPS = frozenset({PriorityGroup.LOW_INCOME.value})  # 家庭困难: no fee


def _fee(student_groups: list[str] | None, fee: Decimal) -> Decimal:
    return Decimal(0) if EXEMPT_GROUPS.intersection(student_groups or []) else fee


@transaction.atomic
def register_save(
    *,
    section: Section,
    day: dt.date,
    changes: dict[int, str] | None = None,
    by: Any,
    request: HttpRequest | None = None,
) -> Register:
    """Take (or correct) a register: pupils not yet marked are present (or on leave if their family
    reported it), then `changes` {student id: status} apply. Returns the Register with its counts.

    Audited: `participation.register.taken` the first time, `participation.register.corrected` with
    every mark that changed (marks drive fees and the teachers' periods)."""
    changes = dict(changes or {})
    if any(status not in STATUSES for status in changes.values()):
        raise DomainError("validation_error")
    refusal = register_day_refusal(section, day, timezone.localdate())
    if refusal:
        raise DomainError(refusal)
    now = timezone.now()
    Register.objects.bulk_create(
        [Register(section=section, date=day, school_id=section.course.school_id, teacher_id=section.teacher_id)],
        ignore_conflicts=True,
    )
    register = Register.objects.select_for_update().get(section=section, date=day)
    first_time = register.taken_by_id is None and not Attendance.objects.filter(section=section, date=day).exists()
    old = dict(Attendance.objects.filter(section=section, date=day).values_list("student_id", "status"))
    roster = set(roster_ids(section, day)) | set(old)
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
    register.taken_by = (by if getattr(by, "pk", None) else None) if register.taken_by_id is None else register.taken_by
    register.updated_at = now
    register.save()
    corrected = {str(sid): [old[sid], new[sid]] for sid in sorted(old) if old[sid] != new[sid]}
    if first_time or corrected:
        audit_record(
            action="participation.register.taken" if first_time else "participation.register.corrected",
            actor=by,
            obj=register,
            school_id=section.course.school_id,
            request=request,
            data={
                "section": section.pk,
                "date": day.isoformat(),
                "counts": {"present": register.present, "absent": register.absent, "leave": register.leave},
                **({"changed": corrected} if corrected else {}),
            },
        )
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


@transaction.atomic
def leave_report(
    *, student: Student, day: dt.date, reason: str, by: Any, request: HttpRequest | None = None
) -> LeaveReport:
    """Report a day's leave (today or later). A register already taken that day marks the child
    absent → on leave (a child the teacher saw stays present)."""
    if day < timezone.localdate():
        raise DomainError("bad_request", _("Leave can only be reported for today or a later day."))
    if school_day_weekday(school_id=student.school_id, day=day) is None:
        raise DomainError("not_school_day")
    report, _created = LeaveReport.objects.update_or_create(
        student=student, date=day, defaults={"reason": reason[:100], "reported_by": by}
    )
    audit_record(
        action="participation.leave.reported",
        actor=by,
        obj=report,
        school_id=student.school_id,
        request=request,
        data={"student": student.pk, "date": day.isoformat()},
    )
    for mark in Attendance.objects.filter(student=student, date=day, status="absent").select_related(
        "section__course", "section__term"
    ):
        register_save(section=mark.section, day=day, changes={student.pk: "leave"}, by=by, request=request)
    return report


@transaction.atomic
def leave_cancel(*, student: Student, report_id: Any, by: Any = None, request: HttpRequest | None = None) -> None:
    """Withdraw a leave report of this child for today or later; any other id (another family's,
    a past day's) is 404 — nothing is said to have changed when nothing did."""
    report = get_or_404(
        LeaveReport.objects.select_for_update(),
        pk=id_or_404(report_id),
        student=student,
        date__gte=timezone.localdate(),
    )
    day = report.date
    report.delete()
    audit_record(
        action="participation.leave.withdrawn",
        actor=by,
        school_id=student.school_id,
        request=request,
        data={"student": student.pk, "date": day.isoformat()},
    )
