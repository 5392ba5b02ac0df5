"""Writes for fees: issuing statements, corrections, exemptions, the school's rule, the district's policy.

Issuing statements for a period (the whole term, or a month — the school's rule) is allowed only
once the period has ended (`period_not_closed`, 409). Issuing reads the marks of the period, builds
every pupil's lines (`rules.statement_draft`) and writes, in one transaction under the term's lock:

* a new statement with frozen lines for a pupil who has none for the period, and a notice to the
  family (`participation.fees.notify.statement_issued`);
* for a pupil who has one, nothing if the registers still say the same, else CORRECTION lines (a
  debit or a credit per course, or for the exemption) that bring it to what they say now — audited.

Lines are never changed or deleted; a coordinator's own correction (`statement_correct`) is a line
with a reason, kept as it is when the registers are read again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import DomainError
from core.validation import FieldErrors, clean_text
from courses.models import Course, District, School, Term
from enrollment.models import Enrollment, PriorityGroup, Student
from messaging.services import site_language
from participation.fees import notify
from participation.fees.rules import (
    CENT,
    ZERO,
    CourseTally,
    Draft,
    course_rate,
    missed_in_long_runs,
    period_for,
    policy_for,
    rule_for,
    statement_draft,
)
from participation.models import (
    Attendance,
    DistrictPolicy,
    FeeExemption,
    FeeRule,
    Statement,
    StatementLine,
)

AUTO_EXEMPT_GROUPS = frozenset({PriorityGroup.LOW_INCOME.value})  # 低保/建档立卡: exempt without applying
MAX_CORRECTION = Decimal("10000")


@dataclass
class IssueReport:
    period_start: dt.date
    period_end: dt.date
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    total: Decimal = ZERO


# --- reading the marks --------------------------------------------------------------------------


def exempt_reasons(*, school: School, term: Term) -> dict[int, str]:
    """{pupil: why they pay nothing this term}: 低保/建档立卡 families, then approved applications."""
    out: dict[int, str] = {}
    auto = gettext("low-income family (subsistence allowance or registered as in poverty): exempt without applying")
    for pk, groups in (
        Student.objects.filter(school=school).exclude(priority_groups=[]).values_list("pk", "priority_groups")
    ):
        if AUTO_EXEMPT_GROUPS.intersection(groups or []):
            out[pk] = auto
    for pk, reason in FeeExemption.objects.filter(term=term, status=FeeExemption.Status.APPROVED).values_list(
        "student_id", "reason"
    ):
        out.setdefault(pk, gettext("approved application: %(reason)s") % {"reason": reason})
    return out


def tallies_for(
    *, school: School, term: Term, start: dt.date, end: dt.date, rule: FeeRule, policy: DistrictPolicy
) -> dict[int, list[CourseTally]]:
    """{pupil: one tally per course} from the marks of the school's sections of the term in [start, end]."""
    cap = _cap()
    courses = {c.pk: c for c in Course.objects.filter(school=school).only("pk", "title", "kind", "fee_per_class_hour")}
    rates = {
        pk: course_rate(kind=c.kind, fee=c.fee_per_class_hour, policy=policy, cap=cap) for pk, c in courses.items()
    }
    marks = Attendance.objects.filter(section__term=term, section__course__school=school)
    rows = (
        marks.filter(date__gte=start, date__lte=end)
        .values("student_id", "section__course_id")
        .annotate(attended=Count("id", filter=Q(status="present")), marked=Count("id"))
        .order_by()
    )
    out: dict[int, dict[int, CourseTally]] = defaultdict(dict)
    for r in rows.iterator(chunk_size=10_000):
        cid = r["section__course_id"]
        out[r["student_id"]][cid] = CourseTally(
            cid, courses[cid].title, rates[cid], attended=r["attended"], marked=r["marked"]
        )
    if rule.basis == FeeRule.Basis.ENROLLED and rule.long_absence_meetings:
        _long_absences(out, marks.filter(date__lte=end), threshold=rule.long_absence_meetings, start=start)
    if rule.trial_meetings:
        _trials(out, school=school, term=term, end=end, marks=marks, limit=rule.trial_meetings)
    return {sid: list(by_course.values()) for sid, by_course in out.items()}


def _long_absences(out, marks, *, threshold: int, start: dt.date) -> None:
    """Runs of missed meetings per pupil and section (date order), summed per course."""
    current, statuses = None, []

    def flush() -> None:
        if current is None:
            return
        sid, _section, cid = current
        tally = out.get(sid, {}).get(cid)
        if tally is not None:
            tally.long_absence += missed_in_long_runs(statuses, threshold=threshold, start=start)

    rows = marks.order_by("student_id", "section_id", "date").values_list(
        "student_id", "section_id", "section__course_id", "date", "status"
    )
    for sid, section_id, cid, day, status in rows.iterator(chunk_size=20_000):
        key = (sid, section_id, cid)
        if key != current:
            flush()
            current, statuses = key, []
        statuses.append((day, status))
    flush()


def _trials(out, *, school: School, term: Term, end: dt.date, marks, limit: int) -> None:
    """Pupils who left a course (family or school) and attended it at most `limit` times in the term."""
    left = set(
        Enrollment.objects.filter(
            section__term=term,
            section__course__school=school,
            status=Enrollment.Status.WITHDRAWN,
            end_reason__in=[Enrollment.EndReason.FAMILY, Enrollment.EndReason.SCHOOL],
        ).values_list("student_id", "section__course_id")
    )
    if not left:
        return
    still = set(
        Enrollment.objects.filter(
            section__term=term, section__course__school=school, status=Enrollment.Status.ENROLLED
        ).values_list("student_id", "section__course_id")
    )
    left -= still
    attended = dict(
        ((r["student_id"], r["section__course_id"]), r["n"])
        for r in marks.filter(date__lte=end, status="present", student_id__in={s for s, _c in left})
        .values("student_id", "section__course_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for sid, cid in left:
        tally = out.get(sid, {}).get(cid)
        if tally is not None and attended.get((sid, cid), 0) <= limit:
            tally.trial = True


def _cap() -> Decimal:
    from courses.services import fee_cap

    return fee_cap()


# --- issuing -------------------------------------------------------------------------------------


def statement_number(*, school: School, start: dt.date, student_id: int) -> str:
    return f"{school.code}-{start:%Y%m%d}-{student_id}"


def statements_issue(
    *,
    school: School,
    term: Term,
    by: Any,
    month: dt.date | None = None,
    request: HttpRequest | None = None,
    today: dt.date | None = None,
) -> IssueReport:
    """Issue (or bring up to date) the statements of one closed period of the school's term."""
    if term.school_id != school.pk:
        raise DomainError("not_found")
    rule = rule_for(school.pk)
    if rule.period == FeeRule.Period.MONTH and month is None:
        raise DomainError("validation_error", fields={"month": [gettext("Choose the month.")]})
    if month is not None and not (term.start.replace(day=1) <= month <= term.end):
        raise DomainError("validation_error", fields={"month": [gettext("That month is not in the term.")]})
    start, end = period_for(rule=rule, term=term, month=month)
    today = today or timezone.localdate()
    if end >= today:
        raise DomainError(
            "period_not_closed",
            detail=lazy(lambda e=end: gettext("The period ends on %(date)s.") % {"date": e.isoformat()}, str)(),
        )
    report = IssueReport(start, end)
    now = timezone.now()
    with transaction.atomic(), site_language():
        Term.objects.select_for_update().filter(pk=term.pk).first()  # one issuer per term at a time
        policy = policy_for(school.district_id)
        drafts = {
            sid: statement_draft(tallies, rule=rule, exempt_reason=reasons.get(sid))
            for reasons in [exempt_reasons(school=school, term=term)]
            for sid, tallies in tallies_for(
                school=school, term=term, start=start, end=end, rule=rule, policy=policy
            ).items()
        }
        existing = {
            s.student_id: s
            for s in Statement.objects.filter(term=term, period_start=start, school=school).prefetch_related("lines")
        }
        fresh = [sid for sid, d in drafts.items() if sid not in existing and d.gross > 0]
        report.created = _create(school, term, start, end, fresh, drafts, by=by, now=now)
        for sid, statement in existing.items():
            if _correct(statement, drafts.get(sid, Draft()), by=by, now=now, request=request):
                report.corrected += 1
            else:
                report.unchanged += 1
        report.total = (
            Statement.objects.filter(term=term, period_start=start, school=school).aggregate(t=Sum("total"))["t"]
            or ZERO
        )
        audit_record(
            action="participation.statements.issued",
            actor=by,
            obj=term,
            school_id=school.pk,
            request=request,
            data={
                "period": [start.isoformat(), end.isoformat()],
                "created": report.created,
                "corrected": report.corrected,
                "unchanged": report.unchanged,
                "total": str(report.total),
                "rule": {"basis": rule.basis, "trial": rule.trial_meetings, "long_absence": rule.long_absence_meetings},
                "homework_fee": policy.homework_fee,
                "cap": str(_cap()),
            },
        )
    return report


def _create(school, term, start, end, pupils, drafts, *, by, now) -> int:
    if not pupils:
        return 0
    issuer = by if getattr(by, "pk", None) else None
    statements = Statement.objects.bulk_create(
        [
            Statement(
                school=school,
                term=term,
                student_id=sid,
                period_start=start,
                period_end=end,
                number=statement_number(school=school, start=start, student_id=sid),
                total=drafts[sid].total,
                issued_at=now,
                issued_by=issuer,
            )
            for sid in sorted(pupils)
        ],
        batch_size=2000,
    )
    if any(s.pk is None for s in statements):  # a backend that does not return ids
        ids = dict(
            Statement.objects.filter(term=term, period_start=start, student_id__in=pupils).values_list(
                "student_id", "pk"
            )
        )
        for s in statements:
            s.pk = ids[s.student_id]
    StatementLine.objects.bulk_create(
        (
            StatementLine(
                statement_id=s.pk,
                kind=ln.kind,
                course_id=ln.course_id,
                label=ln.label[:120],
                meetings=ln.meetings,
                rate=ln.rate,
                amount=ln.amount,
                note=ln.note[:200],
                created_at=now,
                created_by=issuer,
            )
            for s in statements
            for ln in drafts[s.student_id].lines
        ),
        batch_size=5000,
    )
    notify.statement_issued(statements)
    return len(statements)


def _key(line: Any) -> int | None:
    """Corrections are compared per course (charges and refunds) and for the exemption (None)."""
    return line.course_id if line.kind != StatementLine.Kind.EXEMPTION else None


def _correct(statement: Statement, draft: Draft, *, by: Any, now, request) -> bool:
    """Add credit/debit lines so the statement says what the registers say now; False if it already does."""
    old: dict[int | None, list[Decimal]] = defaultdict(lambda: [ZERO, 0])
    titles: dict[int | None, str] = {}
    for line in statement.lines.all():
        if line.manual:
            continue
        key = _key(line)
        old[key][0] += line.amount
        if line.kind in (StatementLine.Kind.CHARGE, StatementLine.Kind.CORRECTION):
            old[key][1] += line.meetings
        titles.setdefault(key, line.label)
    new: dict[int | None, list[Decimal]] = defaultdict(lambda: [ZERO, 0])
    rates: dict[int | None, Decimal] = {}
    for ln in draft.lines:
        key = ln.course_id if ln.kind != StatementLine.Kind.EXEMPTION else None
        new[key][0] += ln.amount
        if ln.kind == StatementLine.Kind.CHARGE:
            new[key][1] += ln.meetings
            rates[key] = ln.rate
        titles[key] = ln.label if key is not None else gettext("Fee exemption")
    added = []
    for key in sorted(set(old) | set(new), key=lambda k: (k is None, k or 0)):
        diff = (new[key][0] - old[key][0]).quantize(CENT)
        if diff == 0:
            continue
        added.append(
            StatementLine(
                statement=statement,
                kind=StatementLine.Kind.CORRECTION,
                course_id=key,
                label=titles.get(key, "")[:120],
                meetings=int(new[key][1] - old[key][1]),
                rate=rates.get(key, ZERO),
                amount=diff,
                note=gettext("registers changed after the statement was issued"),
                created_at=now,
                created_by=by if getattr(by, "pk", None) else None,
            )
        )
    if not added:
        return False
    StatementLine.objects.bulk_create(added)
    _retotal(statement, now=now)
    audit_record(
        action="participation.statement.corrected",
        actor=by,
        obj=statement,
        school_id=statement.school_id,
        request=request,
        data={
            "number": statement.number,
            "lines": [{"course": ln.course_id, "amount": str(ln.amount), "meetings": ln.meetings} for ln in added],
            "total": str(statement.total),
        },
    )
    return True


def _retotal(statement: Statement, *, now) -> None:
    statement.total = statement.lines.aggregate(t=Sum("amount"))["t"] or ZERO
    statement.corrected_at = now
    statement.save(update_fields=["total", "corrected_at"])


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number != number.quantize(CENT):
        return None
    return number


@transaction.atomic
def statement_correct(
    *, statement: Statement, amount: Any, reason: Any, by: Any, request: HttpRequest | None = None
) -> StatementLine:
    """A coordinator's credit (negative) or debit (positive) line with a reason; audited."""
    errors = FieldErrors()
    value = _decimal(amount)
    reason = clean_text(reason, max_length=200)
    if value is None or value == 0 or abs(value) > MAX_CORRECTION:
        errors.add("amount", _("Enter an amount in yuan with at most two decimals, not zero (negative: a credit)."))
    if not reason:
        errors.add("reason", _("Give a reason."))
    errors.raise_if_any()
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.total + value < 0:
        raise DomainError(
            "validation_error", fields={"amount": [gettext("A credit cannot make the statement negative.")]}
        )
    now = timezone.now()
    line = StatementLine.objects.create(
        statement=statement,
        kind=StatementLine.Kind.CORRECTION,
        label=gettext("Correction by the school"),
        amount=value,
        note=reason,
        manual=True,
        created_at=now,
        created_by=by if getattr(by, "pk", None) else None,
    )
    _retotal(statement, now=now)
    audit_record(
        action="participation.statement.corrected",
        actor=by,
        obj=statement,
        school_id=statement.school_id,
        request=request,
        data={"number": statement.number, "amount": str(value), "reason": reason, "total": str(statement.total)},
    )
    return line


# --- exemptions -----------------------------------------------------------------------------------


@transaction.atomic
def exemption_request(
    *, student: Student, term: Term, reason: Any, by: Any, request: HttpRequest | None = None
) -> FeeExemption:
    """A family (or the school for it) applies for a fee exemption for the term; the reason is required."""
    reason = clean_text(reason, max_length=200)
    if not reason:
        raise DomainError(
            "validation_error", fields={"reason": [gettext("Say why the family should be exempt from fees.")]}
        )
    if term.school_id != student.school_id:
        raise DomainError("not_found")
    if FeeExemption.objects.filter(
        student=student, term=term, status__in=[FeeExemption.Status.PENDING, FeeExemption.Status.APPROVED]
    ).exists():
        raise DomainError("conflict", detail=_("An application for this term is already waiting or approved."))
    row = FeeExemption.objects.create(student=student, term=term, reason=reason, requested_by=by)
    audit_record(
        action="participation.exemption.requested",
        actor=by,
        obj=row,
        school_id=student.school_id,
        request=request,
        data={"student": student.pk, "term": term.pk, "reason": reason},
    )
    return row


@transaction.atomic
def exemption_decide(
    *, exemption: FeeExemption, approve: bool, note: Any, by: Any, request: HttpRequest | None = None
) -> FeeExemption:
    """The school approves or declines an application (a decline needs a note for the family).

    An approval counts from the next issue of statements: statements already issued get a
    correction line when the school issues the period again."""
    note = clean_text(note, max_length=200)
    row = FeeExemption.objects.select_for_update().select_related("student").get(pk=exemption.pk)
    if row.status != FeeExemption.Status.PENDING:
        raise DomainError("conflict", detail=_("This application has already been answered."))
    if not approve and not note:
        raise DomainError("validation_error", fields={"note": [gettext("Tell the family why it is declined.")]})
    row.status = FeeExemption.Status.APPROVED if approve else FeeExemption.Status.DECLINED
    row.decided_by = by if getattr(by, "pk", None) else None
    row.decided_at = timezone.now()
    row.decision_note = note
    row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        action="participation.exemption.approved" if approve else "participation.exemption.declined",
        actor=by,
        obj=row,
        school_id=row.student.school_id,
        request=request,
        data={"student": row.student_id, "term": row.term_id, "note": note},
    )
    return row


# --- the school's rule and the district's policy ----------------------------------------------------


@transaction.atomic
def fee_rule_save(
    *,
    school: School,
    period: Any,
    basis: Any,
    trial_meetings: Any,
    long_absence_meetings: Any,
    by: Any,
    request: HttpRequest | None = None,
) -> FeeRule:
    errors = FieldErrors()
    if period not in FeeRule.Period.values:
        errors.add("period", _("Choose per term or per month."))
    if basis not in FeeRule.Basis.values:
        errors.add("basis", _("Choose what is charged."))
    numbers = {}
    for name, value in (("trial_meetings", trial_meetings), ("long_absence_meetings", long_absence_meetings)):
        try:
            numbers[name] = int(str(value).strip() or 0)
        except ValueError:
            numbers[name] = -1
        if not 0 <= numbers[name] <= FeeRule.MAX_MEETINGS:
            errors.add(name, _("Enter a whole number from 0 to %(n)s.") % {"n": FeeRule.MAX_MEETINGS})
    errors.raise_if_any()
    rule, _created = FeeRule.objects.update_or_create(
        school=school, defaults={"period": period, "basis": basis, **numbers}
    )
    audit_record(
        action="participation.fee_rule.updated",
        actor=by,
        obj=rule,
        school_id=school.pk,
        request=request,
        data={"period": period, "basis": basis, **numbers},
    )
    return rule


@transaction.atomic
def district_policy_save(
    *, district: District, off_work_time: Any, homework_fee: Any, by: Any, request: HttpRequest | None = None
) -> DistrictPolicy:
    errors = FieldErrors()
    when = off_work_time if isinstance(off_work_time, dt.time) else None
    if when is None:
        try:
            when = dt.time.fromisoformat(str(off_work_time or "").strip()[:5])
        except ValueError:
            errors.add("off_work_time", _("Enter a time such as 17:30."))
    if homework_fee not in DistrictPolicy.HomeworkFee.values:
        errors.add("homework_fee", _("Choose whether homework help is free."))
    errors.raise_if_any()
    policy, _created = DistrictPolicy.objects.update_or_create(
        district=district, defaults={"off_work_time": when, "homework_fee": homework_fee}
    )
    audit_record(
        action="participation.district_policy.updated",
        actor=by,
        obj=policy,
        data={"district": district.pk, "off_work_time": f"{when:%H:%M}", "homework_fee": homework_fee},
    )
    return policy
