"""Fees and statements: rates, the school's refund rules, exemptions, frozen lines and corrections,
payments all-or-nothing, who sees what — and the demo's statements checked against its marks."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from core.errors import DomainError
from core.models import AuditEvent
from courses.models import Course, School, Term
from enrollment import services as enrollment_services
from enrollment.models import Enrollment, Student
from messaging.models import Message
from participation.fees import payments, rules
from participation.fees import selectors as fee_selectors
from participation.fees import services as fees
from participation.models import (
    Attendance,
    DistrictPolicy,
    FeeExemption,
    FeeRule,
    Payment,
    Statement,
    StatementLine,
)
from tests.enrollment import factories as f

pytestmark = pytest.mark.django_db
AFTER = dt.date(2027, 2, 1)  # the test term (2026-09-01 … 2027-01-22) is closed by then


def _mark(section, day, pupils, status="present"):
    Attendance.objects.bulk_create(Attendance(section=section, date=day, student=p, status=status) for p in pupils)


@pytest.fixture
def fees_world(world):
    """School A: a club at 3.00, a partner-like club at 5.00 (above the cap), homework help at 1.00."""
    a = world.school_a
    pupils = f.pupils(4, a, world.class_a, prefix="F", with_parent=True)
    club = world.section_a
    Course.objects.filter(pk=club.course_id).update(fee_per_class_hour=Decimal("3.00"))
    dear = f.section(a, "陶艺", fee="5.00")  # written directly: the service would refuse it
    homework = f.section(a, "作业辅导", kind=Course.Kind.HOMEWORK, fee="1.00")
    term = Term.objects.get(school=a)
    for p in pupils:
        Enrollment.objects.create(student=p, section=club, status="enrolled")
    days = [dt.date(2026, 9, d) for d in (7, 14, 21, 28)] + [dt.date(2026, 10, d) for d in (12, 19)]
    for day in days:
        _mark(club, day, pupils[:3])
        _mark(club, day, pupils[3:], "absent")
        _mark(dear, day, pupils[:1])
        _mark(homework, day, pupils[:2])
    return {"a": a, "term": term, "pupils": pupils, "club": club, "dear": dear, "homework": homework, "days": days}


def _lines(statement):
    return [(ln.kind, ln.label, ln.meetings, ln.rate, ln.amount) for ln in statement.lines.order_by("id")]


def test_rates_cap_and_homework_policy():
    free = DistrictPolicy(homework_fee="free")
    own = DistrictPolicy(homework_fee="course")
    cap = Decimal("3.50")
    assert rules.course_rate(kind="club", fee=Decimal("5.00"), policy=free, cap=cap) == Decimal("3.50")
    assert rules.course_rate(kind="club", fee=Decimal("3.20"), policy=free, cap=cap) == Decimal("3.20")
    assert rules.course_rate(kind="homework", fee=Decimal("1.00"), policy=free, cap=cap) == Decimal("0.00")
    assert rules.course_rate(kind="homework", fee=Decimal("1.00"), policy=own, cap=cap) == Decimal("1.00")


def test_long_absence_runs_are_counted_inside_the_period_only():
    d = [dt.date(2026, 9, 1) + dt.timedelta(days=i) for i in range(8)]
    marks = list(
        zip(d, ["present", "absent", "leave", "absent", "present", "absent", "absent", "present"], strict=True)
    )
    assert rules.missed_in_long_runs(marks, threshold=3, start=d[0]) == 3
    assert rules.missed_in_long_runs(marks, threshold=2, start=d[0]) == 5
    assert rules.missed_in_long_runs(marks, threshold=2, start=d[3]) == 3  # the run began before the period
    assert rules.missed_in_long_runs(marks, threshold=0, start=d[0]) == 0


def test_term_statement_from_the_registers_with_the_cap_and_free_homework(fees_world, world):
    w = fees_world
    report = fees.statements_issue(school=w["a"], term=w["term"], by=world.users.coordinator_a, today=AFTER)
    assert report.created == 3  # the absent-only pupil and nobody else owes nothing: no statement
    first = Statement.objects.get(student=w["pupils"][0])
    assert _lines(first) == [
        ("charge", "作业辅导", 6, Decimal("0.00"), Decimal("0.00")),  # homework help is free (district default)
        ("charge", "机器人社团", 6, Decimal("3.00"), Decimal("18.00")),
        ("charge", "陶艺", 6, Decimal("3.50"), Decimal("21.00")),  # 5.00 capped at 3.50
    ]
    assert first.total == Decimal("39.00") and first.paid == 0
    assert not Statement.objects.filter(student=w["pupils"][3]).exists()
    notice = Message.objects.get(about=f"student:{w['pupils'][0].pk}", kind="statement_issued")
    assert "39.00" in notice.title
    event = AuditEvent.objects.get(action="participation.statements.issued")
    assert event.data["created"] == 3
    # Issuing again with the same registers changes nothing.
    again = fees.statements_issue(school=w["a"], term=w["term"], by=world.users.coordinator_a, today=AFTER)
    assert (again.created, again.corrected, again.unchanged) == (0, 0, 3)


def test_a_period_not_closed_is_refused_with_409(fees_world, world):
    with pytest.raises(DomainError) as caught:
        fees.statements_issue(school=fees_world["a"], term=fees_world["term"], by=None, today=dt.date(2027, 1, 22))
    assert caught.value.code == "period_not_closed" and caught.value.status == 409
    assert "2027-01-22" in caught.value.message("en")
    assert not Statement.objects.exists()


def test_monthly_statements_and_month_bad_input(fees_world, world):
    w = fees_world
    FeeRule.objects.create(school=w["a"], period="month")
    with pytest.raises(DomainError) as caught:
        fees.statements_issue(school=w["a"], term=w["term"], by=None, today=AFTER)
    assert caught.value.fields == {"month": ["Choose the month."]} or "month" in caught.value.fields
    with pytest.raises(DomainError):
        fees.statements_issue(school=w["a"], term=w["term"], by=None, month=dt.date(2027, 3, 1), today=AFTER)
    with pytest.raises(DomainError) as caught:
        fees.statements_issue(
            school=w["a"], term=w["term"], by=None, month=dt.date(2026, 10, 1), today=dt.date(2026, 10, 31)
        )
    assert caught.value.code == "period_not_closed"
    sept = fees.statements_issue(
        school=w["a"], term=w["term"], by=None, month=dt.date(2026, 9, 15), today=dt.date(2026, 10, 1)
    )
    assert (sept.period_start, sept.period_end) == (dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert Statement.objects.get(student=w["pupils"][1], period_start=dt.date(2026, 9, 1)).total == Decimal("12.00")


def test_trial_refund_long_absence_refund_and_exemptions(fees_world, world):
    w = fees_world
    pupils = w["pupils"]
    # pupil 2 left the club after attending it; with a trial of 6 meetings the club is refunded
    row = Enrollment.objects.get(student=pupils[2], section=w["club"])
    enrollment_services.enrollment_withdraw(enrollment=row, by=None)
    FeeRule.objects.create(school=w["a"], trial_meetings=6)
    # pupil 1 applied and was approved; pupil 0 is low-income (automatic)
    with pytest.raises(DomainError) as caught:
        fees.exemption_request(student=pupils[1], term=w["term"], reason="  ", by=None)
    assert caught.value.code == "validation_error" and "reason" in caught.value.fields
    assert not FeeExemption.objects.exists()
    app = fees.exemption_request(student=pupils[1], term=w["term"], reason="父母失业", by=None)
    with pytest.raises(DomainError):
        fees.exemption_decide(exemption=app, approve=False, note="", by=world.users.coordinator_a)
    fees.exemption_decide(exemption=app, approve=True, note="", by=world.users.coordinator_a)
    Student.objects.filter(pk=pupils[0].pk).update(priority_groups=["low_income"])
    fees.statements_issue(school=w["a"], term=w["term"], by=None, today=AFTER)
    s0, s1, s2 = (Statement.objects.get(student=p) for p in pupils[:3])
    assert s0.total == 0 and s0.lines.get(kind="exemption").amount == Decimal("-39.00")
    assert s1.total == 0 and "父母失业" in s1.lines.get(kind="exemption").note
    assert s2.total == 0 and s2.lines.get(kind="refund").amount == Decimal("-18.00")


def test_enrolled_basis_refunds_long_absences():
    term = Term(start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 22))
    rule = FeeRule(basis="enrolled", long_absence_meetings=3)
    tally = rules.CourseTally(1, "机器人社团", Decimal("3.00"), attended=5, marked=9, long_absence=3)
    draft = rules.statement_draft([tally], rule=rule, exempt_reason=None)
    assert [(ln.kind, ln.meetings, ln.amount) for ln in draft.lines] == [
        ("charge", 9, Decimal("27.00")),
        ("refund", 3, Decimal("-9.00")),
    ]
    assert draft.total == Decimal("18.00")
    assert rules.period_for(rule=rule, term=term) == (term.start, term.end)


def test_lines_are_frozen_and_corrections_are_audited_lines(fees_world, world):
    w = fees_world
    coord = world.users.coordinator_a
    fees.statements_issue(school=w["a"], term=w["term"], by=coord, today=AFTER)
    statement = Statement.objects.get(student=w["pupils"][0])
    line = statement.lines.first()
    line.amount = Decimal("0")
    with pytest.raises(ValueError):
        line.save()
    # a register is corrected after issue: one meeting of the club was an absence
    Attendance.objects.filter(student=w["pupils"][0], section=w["club"], date=w["days"][0]).update(status="absent")
    report = fees.statements_issue(school=w["a"], term=w["term"], by=coord, today=AFTER)
    assert report.corrected == 1
    statement.refresh_from_db()
    correction = statement.lines.get(kind="correction")
    assert (correction.amount, correction.meetings, correction.label) == (Decimal("-3.00"), -1, "机器人社团")
    assert statement.total == Decimal("36.00")
    assert AuditEvent.objects.filter(action="participation.statement.corrected").count() == 1
    # a coordinator's own credit needs a reason and is kept when the registers are read again
    with pytest.raises(DomainError) as caught:
        fees.statement_correct(statement=statement, amount="-5", reason="", by=coord)
    assert "reason" in caught.value.fields
    with pytest.raises(DomainError) as caught:
        fees.statement_correct(statement=statement, amount="abc", reason="x", by=coord)
    assert "amount" in caught.value.fields
    fees.statement_correct(statement=statement, amount="-6.00", reason="两次停电", by=coord)
    statement.refresh_from_db()
    assert statement.total == Decimal("30.00")
    again = fees.statements_issue(school=w["a"], term=w["term"], by=coord, today=AFTER)
    assert again.corrected == 0
    statement.refresh_from_db()
    assert statement.total == Decimal("30.00")


def _csv(rows, header="账单号,金额,支付时间,渠道,流水号"):
    text = "\n".join([header, *rows]) + "\n"
    return SimpleUploadedFile("pay.csv", text.encode("utf-8"), content_type="text/csv")


def test_payment_import_is_all_or_nothing_with_row_errors(fees_world, world):
    w = fees_world
    fees.statements_issue(school=w["a"], term=w["term"], by=None, today=AFTER)
    s0, s1 = (Statement.objects.get(student=p) for p in w["pupils"][:2])
    other = f.section(world.school_b, "别校", fee="1.00")
    assert other  # another school's statement number is unknown to school A
    bad = _csv(
        [
            f"{s0.number},39.00,2026-12-01 10:00,微信,WX001",
            f"{s1.number},abc,2026-12-01 10:00,支付宝,AL001",
            "NOPE-1,1.00,2026-12-01 10:00,现金,C001",
            f"{s1.number},5.00,yesterday,现金,C002",
            f"{s1.number},5.00,2026-12-01 10:00,比特币,X1",
            f"{s0.number},1.00,2026-12-01 11:00,微信,WX001",
        ]
    )
    report = payments.payments_import(school=w["a"], upload=bad, by=world.users.coordinator_a)
    assert not report.ok
    assert sorted({p.row for p in report.problems}) == [3, 4, 5, 6, 7]
    assert not Payment.objects.exists()
    s0.refresh_from_db()
    assert s0.paid == 0
    too_much = _csv([f"{s1.number},10.00,2026-12-01 10:00,微信,WX9", f"{s1.number},10.00,2026-12-01 10:00,微信,WX10"])
    report = payments.payments_import(school=w["a"], upload=too_much, by=None)
    assert [p.row for p in report.problems] == [3] and not Payment.objects.exists()
    good = _csv([f"{s0.number},39.00,2026-12-01 10:00,微信,WX001", f"{s1.number},10.00,2026/12/02 09:30,银行,B77"])
    report = payments.payments_import(school=w["a"], upload=good, by=world.users.coordinator_a)
    assert report.ok and report.rows == 2 and report.amount == Decimal("49.00")
    s0.refresh_from_db()
    s1.refresh_from_db()
    assert (s0.paid, s1.paid, s1.balance) == (Decimal("39.00"), Decimal("10.00"), Decimal("8.00"))
    again = payments.payments_import(
        school=w["a"], upload=_csv([f"{s0.number},1.00,2026-12-01 10:00,微信,WX001"]), by=None
    )
    assert not again.ok and Payment.objects.count() == 2
    assert AuditEvent.objects.filter(action="participation.payments.imported").count() == 1


def test_payment_import_reads_excel(fees_world):
    from openpyxl import Workbook

    w = fees_world
    fees.statements_issue(school=w["a"], term=w["term"], by=None, today=AFTER)
    s0 = Statement.objects.get(student=w["pupils"][0])
    book = Workbook()
    book.active.append(["账单号", "金额", "支付时间", "渠道", "流水号"])
    book.active.append([s0.number, 39, dt.datetime(2026, 12, 1, 10, 0), "支付宝", 20270201001])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("pay.xlsx", buffer.getvalue())
    report = payments.payments_import(school=w["a"], upload=upload, by=None)
    assert report.ok, [str(p) for p in report.problems]
    assert Payment.objects.get().reference == "20270201001"


def test_who_sees_what(client, fees_world, world):
    w = fees_world
    fees.statements_issue(school=w["a"], term=w["term"], by=None, today=AFTER)
    statement = Statement.objects.get(student=w["pupils"][0])
    parent = w["pupils"][0].family.guardians.get().user
    client.force_login(parent)
    page = client.get(reverse("participation:family_statements", args=[w["pupils"][0].pk]))
    assert page.status_code == 200 and statement.number in page.content.decode()
    download = client.get(reverse("participation:family_statement_xlsx", args=[w["pupils"][0].pk, statement.pk]))
    assert download.status_code == 200 and "spreadsheetml" in download["Content-Type"]
    assert client.get(reverse("participation:family_statements", args=[w["pupils"][1].pk])).status_code == 404
    other = Statement.objects.get(student=w["pupils"][1])
    assert (
        client.get(reverse("participation:family_statement_xlsx", args=[w["pupils"][0].pk, other.pk])).status_code
        == 404
    )
    client.force_login(world.users.coordinator_b)
    assert client.get(reverse("participation:school_fees", args=[w["a"].pk])).status_code == 404
    client.force_login(world.users.coordinator_a)
    page = client.get(reverse("participation:school_fees", args=[w["a"].pk])).content.decode()
    assert "75.00" in page and w["pupils"][0].name in page  # due in total; unpaid pupils named
    client.force_login(world.users.bureau)
    page = client.get(reverse("participation:bureau_fees")).content.decode()
    assert "75.00" in page and w["pupils"][0].name not in page
    totals = fee_selectors.fee_totals_for_school(school=w["a"], term=w["term"])
    assert totals[0].due == Decimal("75.00") and totals[0].unpaid_count == 3


def test_the_api_gives_a_family_its_statements_and_the_bureau_totals(client, fees_world, world):
    w = fees_world
    fees.statements_issue(school=w["a"], term=w["term"], by=None, today=AFTER)
    client.force_login(w["pupils"][0].family.guardians.get().user)
    body = client.get(f"/api/v1/children/{w['pupils'][0].pk}/statements").json()
    assert [s["total"] for s in body] == ["39.00"] and len(body[0]["lines"]) == 3
    assert client.get(f"/api/v1/children/{w['pupils'][1].pk}/statements").status_code == 404
    client.force_login(world.users.bureau)
    [row] = client.get("/api/v1/fees/district").json()
    assert row["due"] == "75.00" and "name" not in row
    client.force_login(world.users.coordinator_a)
    assert client.get("/api/v1/fees/district").status_code == 403


# --- the demo: every school's statements against its attendance rows --------------------------------


def _expected_from_marks(school: School, term: Term) -> dict[int, Decimal]:
    """Independently of the fee code: per pupil, Σ over the marks of the rule's charged meetings ×
    min(fee, cap) (homework help free), minus trial and long-absence refunds, minus exemptions."""
    cap = Decimal("3.50")
    rule = FeeRule.objects.filter(school=school).first() or FeeRule()
    policy = DistrictPolicy.objects.filter(district=school.district).first() or DistrictPolicy()
    courses = {c.pk: c for c in Course.objects.filter(school=school)}

    def rate(cid):
        c = courses[cid]
        if c.kind == "homework" and policy.homework_fee == "free":
            return Decimal("0")
        return min(c.fee_per_class_hour, cap)

    seq = defaultdict(list)  # (pupil, section, course) -> [(date, status)]
    for sid, section_id, cid, day, status in (
        Attendance.objects.filter(section__term=term, section__course__school=school)
        .order_by("date")
        .values_list("student_id", "section_id", "section__course_id", "date", "status")
    ):
        seq[sid, section_id, cid].append((day, status))
    gross = defaultdict(Decimal)
    refunds = defaultdict(Decimal)
    attended = defaultdict(int)
    charged = defaultdict(int)
    for (sid, _sec, cid), marks in seq.items():
        present = sum(1 for _d, s in marks if s == "present")
        attended[sid, cid] += present
        n = len(marks) if rule.basis == "enrolled" else present
        charged[sid, cid] += n
        gross[sid] += n * rate(cid)
        if rule.basis == "enrolled" and rule.long_absence_meetings:
            run = 0
            for _d, s in [*marks, (None, "present")]:
                if s in ("absent", "leave"):
                    run += 1
                else:
                    if run >= rule.long_absence_meetings:
                        refunds[sid, cid] += run * rate(cid)
                    run = 0
    if rule.trial_meetings:
        left = set(
            Enrollment.objects.filter(
                section__term=term,
                section__course__school=school,
                status="withdrawn",
                end_reason__in=["family", "school"],
            ).values_list("student_id", "section__course_id")
        ) - set(
            Enrollment.objects.filter(
                section__term=term, section__course__school=school, status="enrolled"
            ).values_list("student_id", "section__course_id")
        )
        for key in left:
            if key in charged and attended[key] <= rule.trial_meetings:
                refunds[key] = charged[key] * rate(key[1])
    net = dict(gross)
    for (sid, _cid), amount in refunds.items():
        net[sid] -= amount
    exempt = {s.pk for s in Student.objects.filter(school=school) if "low_income" in (s.priority_groups or [])} | set(
        FeeExemption.objects.filter(term=term, status="approved").values_list("student_id", flat=True)
    )
    return {sid: (Decimal(0) if sid in exempt else amount) for sid, amount in net.items() if gross[sid] > 0}


def allocate_demo() -> None:
    """Publish every demo school's allocation (the seed writes homework help seats only) so that
    the history has paid clubs, tutoring and partner courses too."""
    from allocation import services as allocation_services
    from demo.district import demo_lottery_seed
    from enrollment.models import EnrollmentWindow

    for window in EnrollmentWindow.objects.filter(mode="preference").select_related("school"):
        run = allocation_services.allocation_run_request(
            window=window, seed=demo_lottery_seed(window.school.code), by=None
        )
        assert allocation_services.allocation_run_execute(run_id=run.pk) == "succeeded"
        run.refresh_from_db()
        allocation_services.allocation_publish(run=run, by=None)


def test_demo_statements_equal_the_marks_for_every_school_and_term(monkeypatch):
    from core import runs

    monkeypatch.setattr(runs.Heartbeat, "_loop", lambda self: None)  # no second thread on the test database
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    allocate_demo()
    call_command("seed_history", stdout=StringIO())
    schools = list(School.objects.filter(terms__isnull=False).distinct().order_by("code"))
    assert len(schools) >= 3
    # a different rule per school, a withdrawal within a trial, an approved application
    FeeRule.objects.create(school=schools[0], trial_meetings=40)
    FeeRule.objects.create(school=schools[1], basis="enrolled", long_absence_meetings=2)
    DistrictPolicy.objects.create(district=schools[0].district, homework_fee="course")
    leavers = Enrollment.objects.filter(section__course__school=schools[0], status="enrolled").exclude(
        section__course__kind="homework"
    )[:5]
    for row in leavers:
        enrollment_services.enrollment_withdraw(enrollment=row, by=None)
    term0 = Term.objects.get(school=schools[0])
    needy = Student.objects.filter(school=schools[0], priority_groups=[]).first()
    fees.exemption_decide(
        exemption=fees.exemption_request(student=needy, term=term0, reason="重病", by=None),
        approve=True,
        note="",
        by=None,
    )
    checked = 0
    for school in schools:
        for term in Term.objects.filter(school=school):
            fees.statements_issue(school=school, term=term, by=None, today=term.end + dt.timedelta(days=1))
            expected = _expected_from_marks(school, term)
            got = dict(Statement.objects.filter(school=school, term=term).values_list("student_id", "total"))
            assert got == {sid: amount.quantize(Decimal("0.01")) for sid, amount in expected.items()}
            lines = StatementLine.objects.filter(statement__school=school, statement__term=term)
            assert sum(ln.amount for ln in lines) == sum(got.values())
            checked += len(got)
    assert checked > 100
    assert StatementLine.objects.filter(kind="refund").exists()
    assert StatementLine.objects.filter(kind="exemption").exists()
