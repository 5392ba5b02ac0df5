"""What a statement says: rates, periods and the lines of one pupil's statement.

One pupil, one course, one period: the registers give how many meetings the pupil ATTENDED and how
many were MARKED (attended, absent or on leave). The school's `FeeRule` says what is charged:

* basis `attended` — the meetings attended × the course's rate (settled by days attended);
* basis `enrolled` — every marked meeting × the rate, and a LONG ABSENCE (at least
  `long_absence_meetings` meetings of the course missed in a row) refunded meeting by meeting;
* either basis, a TRIAL: a pupil who left the course (withdrawn by the family or removed by the
  school) having attended at most `trial_meetings` of its meetings in the term is refunded all of it.

The rate is the course's fee per class hour (one meeting = one class hour), never above the
district cap (`courses.services.fee_cap()`, 3.50 元 today); homework help is free or charged at its
own course's rate as the district decides (`DistrictPolicy.homework_fee`). A pupil exempt for the
term (低保/建档立卡 automatically, other needy families by approved application) gets one exemption
line that brings the statement to zero.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext

from courses.models import Course, Term
from courses.services import fee_cap
from participation.models import DistrictPolicy, FeeRule, StatementLine

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
MISSED = frozenset({"absent", "leave"})


def course_rate(*, kind: str, fee: Decimal, policy: DistrictPolicy, cap: Decimal | None = None) -> Decimal:
    """The fee per class hour a course charges: its own fee, capped; homework help free if the district says so."""
    if kind == Course.Kind.HOMEWORK and policy.homework_fee == DistrictPolicy.HomeworkFee.FREE:
        return ZERO
    cap = fee_cap() if cap is None else cap
    return min(Decimal(fee or 0), cap).quantize(CENT)


def policy_for(district_id: int) -> DistrictPolicy:
    """The district's policy, or the defaults (off-work 17:30, homework help free) if it set none."""
    return DistrictPolicy.objects.filter(district_id=district_id).first() or DistrictPolicy(district_id=district_id)


def rule_for(school_id: int) -> FeeRule:
    """The school's fee rule, or the default (per term, meetings attended, no refunds) if it set none."""
    return FeeRule.objects.filter(school_id=school_id).first() or FeeRule(school_id=school_id)


def period_for(*, rule: FeeRule, term: Term, month: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The statement period: the whole term, or one calendar month of it (`month`: any day in it)."""
    if rule.period == FeeRule.Period.TERM or month is None:
        return term.start, term.end
    first = month.replace(day=1)
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    return max(first, term.start), min(last, term.end)


def months_of(term: Term) -> list[dt.date]:
    """The first day of every calendar month the term touches."""
    out, day = [], term.start.replace(day=1)
    while day <= term.end:
        out.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return out


def missed_in_long_runs(statuses: Sequence[tuple[dt.date, str]], *, threshold: int, start: dt.date) -> int:
    """Meetings from `start` on that belong to a run of at least `threshold` missed meetings in a row
    (absent or on leave), in date order. A run is measured over all the marks given (so a run that
    began before the period still counts), refunded only for its meetings inside the period."""
    if threshold <= 0:
        return 0
    refunded = 0
    run: list[dt.date] = []
    for day, status in [*statuses, (dt.date.max, "present")]:
        if status in MISSED:
            run.append(day)
            continue
        if len(run) >= threshold:
            refunded += sum(1 for d in run if d >= start)
        run = []
    return refunded


@dataclass
class CourseTally:
    """One pupil's meetings of one course in the period, read from the marks."""

    course_id: int
    title: str
    rate: Decimal
    attended: int = 0
    marked: int = 0
    long_absence: int = 0  # missed meetings in long runs (basis `enrolled` only)
    trial: bool = False  # left the course within the trial: everything charged is refunded


@dataclass
class LineDraft:
    kind: str
    course_id: int | None
    label: str
    meetings: int
    rate: Decimal
    amount: Decimal
    note: str = ""


@dataclass
class Draft:
    """The lines one pupil's statement should have (before anything is written)."""

    lines: list[LineDraft] = field(default_factory=list)

    @property
    def gross(self) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.kind == StatementLine.Kind.CHARGE), ZERO)

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)


def statement_draft(tallies: Iterable[CourseTally], *, rule: FeeRule, exempt_reason: str | None) -> Draft:
    """The lines of one pupil's statement: per course a charge and its refunds, then an exemption."""
    draft = Draft()
    enrolled_basis = rule.basis == FeeRule.Basis.ENROLLED
    for t in sorted(tallies, key=lambda t: (t.title, t.course_id)):
        meetings = t.marked if enrolled_basis else t.attended
        if meetings <= 0:
            continue
        charge = (t.rate * meetings).quantize(CENT)
        draft.lines.append(LineDraft(StatementLine.Kind.CHARGE, t.course_id, t.title, meetings, t.rate, charge))
        if t.trial:
            draft.lines.append(
                LineDraft(
                    StatementLine.Kind.REFUND,
                    t.course_id,
                    t.title,
                    meetings,
                    t.rate,
                    -charge,
                    gettext("left the course within the trial (at most %(n)s meetings attended)")
                    % {"n": rule.trial_meetings},
                )
            )
        elif enrolled_basis and t.long_absence:
            n = min(t.long_absence, meetings)
            draft.lines.append(
                LineDraft(
                    StatementLine.Kind.REFUND,
                    t.course_id,
                    t.title,
                    n,
                    t.rate,
                    -(t.rate * n).quantize(CENT),
                    gettext("long absence: %(n)s or more meetings missed in a row") % {"n": rule.long_absence_meetings},
                )
            )
    net = draft.total
    if exempt_reason is not None and net > 0:
        draft.lines.append(
            LineDraft(StatementLine.Kind.EXEMPTION, None, gettext("Fee exemption"), 0, ZERO, -net, exempt_reason)
        )
    return draft
