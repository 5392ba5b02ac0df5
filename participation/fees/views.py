"""Fee pages: a family's statements (see, download, apply for an exemption), a school's fees (rule,
issue, totals and unpaid, exemptions, corrections, payment import), the bureau's totals and policy."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.exports import xlsx_response
from courses.models import District
from courses.selectors import school_get_for_coordinator, term_current
from courses.services import fee_cap
from enrollment import selectors as enrollment_selectors
from participation.fees import exports, payments, rules, services
from participation.fees import selectors as fee_selectors
from participation.models import DistrictPolicy, FeeRule, Payment, StatementLine


def _fail(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message())
    for field_messages in error.fields.values():
        for text in field_messages if isinstance(field_messages, list) else [field_messages]:
            messages.error(request, str(text))


def _month(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(f"{value[:7]}-01")
    except ValueError:
        raise Http404 from None


# --- families ---------------------------------------------------------------------------------------


@allow(Role.PARENT)
@require_GET
def family_statements(request: HttpRequest, student_id: int) -> HttpResponse:
    child = enrollment_selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    context = {
        "child": child,
        "statements": fee_selectors.statements_for_parent(actor=request.actor, student=child),
        "exemptions": fee_selectors.exemptions_for_parent(actor=request.actor, student=child),
        "term": term_current(school=child.school),
    }
    return render(request, "participation/fees_family.html", context)


@allow(Role.PARENT)
@require_GET
def family_statement_xlsx(request: HttpRequest, student_id: int, statement_id: int) -> HttpResponse:
    child = enrollment_selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    statement = fee_selectors.statement_get_for_parent(actor=request.actor, student=child, statement_id=statement_id)
    return xlsx_response(_statement_book(statement), f"statement-{statement.number}.xlsx")


def _statement_book(statement) -> bytes:
    kinds = dict(StatementLine.Kind.choices)
    rows = [
        [str(kinds[ln.kind]), ln.label, ln.meetings, ln.rate, ln.amount, ln.note]
        for ln in statement.lines.order_by("created_at", "id")
    ]
    rows.append(["", _("amount due (yuan)"), "", "", statement.total, ""])
    rows.append(["", _("paid (yuan)"), "", "", statement.paid, ""])
    title = (
        f"{statement.school.name} · {statement.student.name} · {statement.number} · "
        f"{statement.period_start:%Y-%m-%d}–{statement.period_end:%Y-%m-%d}"
    )
    header = [_("kind"), _("item"), _("meetings"), _("fee per class hour (yuan)"), _("amount (yuan)"), _("note")]
    return exports.table_xlsx(title=title, header=header, rows=rows, widths=(10, 24, 8, 12, 12, 40))


@allow(Role.PARENT)
@require_POST
def family_exemption(request: HttpRequest, student_id: int) -> HttpResponse:
    child = enrollment_selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    term = term_current(school=child.school)
    if term is None:
        raise Http404
    try:
        services.exemption_request(
            student=child, term=term, reason=request.POST.get("reason", ""), by=request.user, request=request
        )
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Your application is sent to the school."))
    return redirect("participation:family_statements", child.pk)


# --- schools ----------------------------------------------------------------------------------------


@allow(Role.COORDINATOR)
@require_GET
def school_fees(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    term = term_current(school=school)
    rule = rules.rule_for(school.pk)
    context = {
        "school": school,
        "term": term,
        "rule": rule,
        "periods": rule.Period.choices,
        "bases": rule.Basis.choices,
        "months": rules.months_of(term) if term else [],
        "totals": fee_selectors.fee_totals_for_school(school=school, term=term) if term else [],
        "unpaid": fee_selectors.unpaid_for_school(school=school, term=term, limit=300) if term else [],
        "exemptions": fee_selectors.exemptions_for_school(school=school, term=term) if term else [],
        "policy": rules.policy_for(school.district_id),
        "cap": fee_cap(),
    }
    return render(request, "participation/fees_school.html", context)


@allow(Role.COORDINATOR)
@require_POST
def school_fee_rule(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    try:
        services.fee_rule_save(
            school=school,
            period=request.POST.get("period"),
            basis=request.POST.get("basis"),
            trial_meetings=request.POST.get("trial_meetings", "0"),
            long_absence_meetings=request.POST.get("long_absence_meetings", "0"),
            by=request.user,
            request=request,
        )
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The fee rule is saved."))
    return redirect("participation:school_fees", school.pk)


@allow(Role.COORDINATOR)
@require_POST
def school_fees_issue(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    term = term_current(school=school)
    if term is None:
        _fail(request, DomainError("no_term"))
        return redirect("participation:school_fees", school.pk)
    try:
        report = services.statements_issue(
            school=school, term=term, month=_month(request.POST.get("month")), by=request.user, request=request
        )
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            _("Statements %(start)s–%(end)s: %(created)s issued, %(corrected)s corrected, %(unchanged)s unchanged.")
            % {
                "start": report.period_start.isoformat(),
                "end": report.period_end.isoformat(),
                "created": report.created,
                "corrected": report.corrected,
                "unchanged": report.unchanged,
            },
        )
    return redirect("participation:school_fees", school.pk)


@allow(Role.COORDINATOR)
@require_GET
def school_unpaid_xlsx(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    term = term_current(school=school)
    rows = fee_selectors.unpaid_for_school(school=school, term=term, limit=100_000) if term else []
    header = [
        _("statement number"),
        _("name"),
        _("class"),
        _("from"),
        _("to"),
        _("amount due (yuan)"),
        _("paid (yuan)"),
    ]
    book = exports.table_xlsx(
        title=f"{school.name} · {_('Unpaid statements')}",
        header=header,
        rows=(
            [s.number, s.student.name, str(s.student.school_class), s.period_start, s.period_end, s.total, s.paid]
            for s in rows
        ),
        widths=(22, 12, 14, 12, 12, 12, 12),
    )
    return xlsx_response(book, f"unpaid-{school.code}.xlsx")


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def school_statement(request: HttpRequest, school_id: int, statement_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    statement = fee_selectors.statement_get_for_school(school=school, statement_id=statement_id)
    if request.method == "POST":
        try:
            services.statement_correct(
                statement=statement,
                amount=request.POST.get("amount", ""),
                reason=request.POST.get("reason", ""),
                by=request.user,
                request=request,
            )
        except DomainError as error:
            _fail(request, error)
        else:
            messages.success(request, _("The correction is added."))
        return redirect("participation:school_statement", school.pk, statement.pk)
    context = {
        "school": school,
        "statement": statement,
        "lines": statement.lines.order_by("created_at", "id"),
        "payments": statement.payments.order_by("paid_at"),
    }
    return render(request, "participation/fees_statement.html", context)


@allow(Role.COORDINATOR)
@require_POST
def school_exemption_new(request: HttpRequest, school_id: int) -> HttpResponse:
    """The school records a family's application (made on paper) by 学籍号."""
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    term = term_current(school=school)
    student = enrollment_selectors.student_get_for_school(school=school, student_no=request.POST.get("student_no", ""))
    if student is None or term is None:
        _fail(request, DomainError("not_found"))
        return redirect("participation:school_fees", school.pk)
    try:
        services.exemption_request(
            student=student, term=term, reason=request.POST.get("reason", ""), by=request.user, request=request
        )
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The application is recorded."))
    return redirect("participation:school_fees", school.pk)


@allow(Role.COORDINATOR)
@require_POST
def school_exemption_decide(request: HttpRequest, school_id: int, exemption_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    exemption = fee_selectors.exemption_get_for_school(school=school, exemption_id=exemption_id)
    approve = request.POST.get("decision") == "approve"
    try:
        services.exemption_decide(
            exemption=exemption, approve=approve, note=request.POST.get("note", ""), by=request.user, request=request
        )
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("Approved.") if approve else _("Declined."))
    return redirect("participation:school_fees", school.pk)


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def school_payments(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    report = None
    if request.method == "POST":
        report = payments.payments_import(
            school=school, upload=request.FILES.get("file"), by=request.user, request=request
        )
        if report.ok:
            messages.success(
                request,
                _("%(rows)s payments imported, %(amount)s yuan.")
                % {"rows": report.rows, "amount": f"{report.amount:.2f}"},
            )
            return redirect("participation:school_payments", school.pk)
    context = {
        "school": school,
        "report": report,
        "columns": [names[0] for names in payments.COLUMNS.values()],
        "channels": Payment.Channel.choices,
        "recent": fee_selectors.payments_for_school(school=school),
    }
    return render(request, "participation/fees_payments.html", context, status=422 if report else 200)


@allow(Role.COORDINATOR)
@require_GET
def school_payments_template(request: HttpRequest, school_id: int) -> HttpResponse:
    school_get_for_coordinator(actor=request.actor, school_id=school_id)
    response = HttpResponse(payments.payment_template(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="payments-template.csv"'
    return response


# --- the bureau -------------------------------------------------------------------------------------


def _bureau_district(request: HttpRequest) -> District:
    district = District.objects.visible_to_bureau(request.actor).order_by("pk").first()
    if district is None:
        raise Http404
    return district


@allow(Role.BUREAU)
@require_GET
def bureau_fees(request: HttpRequest) -> HttpResponse:
    context = {
        "data": fee_selectors.fee_totals_for_bureau(actor=request.actor),
        "policy": rules.policy_for(_bureau_district(request).pk),
        "cap": fee_cap(),
    }
    return render(request, "participation/fees_bureau.html", context)


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def bureau_policy(request: HttpRequest) -> HttpResponse:
    district = _bureau_district(request)
    errors: dict = {}
    if request.method == "POST":
        try:
            services.district_policy_save(
                district=district,
                off_work_time=request.POST.get("off_work_time", ""),
                homework_fee=request.POST.get("homework_fee", ""),
                by=request.user,
                request=request,
            )
        except DomainError as error:
            errors = error.fields
        else:
            messages.success(request, _("The district's policy is saved."))
            return redirect("participation:bureau_policy")
    context = {
        "district": district,
        "policy": rules.policy_for(district.pk),
        "homework_fees": DistrictPolicy.HomeworkFee.choices,
        "errors": errors,
        "cap": fee_cap(),
        "bases": FeeRule.Basis.choices,
    }
    return render(request, "participation/bureau_policy.html", context, status=422 if errors else 200)
