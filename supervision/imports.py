"""Excel import of the institution register: every row or none (the shared reader of courses.imports).

Rows are matched by 统一社会信用代码 within the district: a known code updates the entry (with a
history row), a new one creates it. One bad cell anywhere and nothing is written; each problem
names its spreadsheet row and column.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import DomainError
from core.sheets import Column, ImportResult, check_unique, choice_labels, choice_lookup, problem, read_sheet
from courses.models import District
from supervision import credit_code
from supervision.models import Institution
from supervision.services import register

MESSAGES = {
    "bad_credit_code": _("“%(value)s” is not a valid unified social credit code: %(why)s"),
    "bad_choice": _("“%(value)s” is not one of: %(choices)s."),
    "bad_value": _("%(why)s"),
}

COLUMNS = [
    Column(
        "name",
        "机构名称",
        "text",
        required=True,
        aliases=("name", "名称"),
        max_length=100,
        help=_("The registered name."),
        example="启明星培训学校",
    ),
    Column(
        "credit_code",
        "统一社会信用代码",
        "text",
        required=True,
        aliases=("credit code", "信用代码"),
        max_length=30,
        help=_("18 characters; the check character is verified. A known code updates the entry."),
        example="52320500MJ0000000X",
    ),
    Column(
        "kind",
        "类型",
        "text",
        required=True,
        aliases=("kind", "培训类型"),
        max_length=20,
        help=_("学科类 or 非学科类."),
        example="学科类",
    ),
    Column(
        "legal_form",
        "法人性质",
        "text",
        required=True,
        aliases=("legal form", "性质"),
        max_length=20,
        help=_("营利性 or 非营利性."),
        example="非营利性",
    ),
    Column(
        "licence_no",
        "办学许可证号",
        "text",
        aliases=("licence", "许可证号"),
        max_length=40,
        help=_("School licence number (optional)."),
        example="教民1234号",
    ),
    Column(
        "status",
        "状态",
        "text",
        aliases=("status",),
        max_length=20,
        help=_("正常营业, 停业整顿, 已注销 or 转型转登 (empty: operating)."),
        example="正常营业",
    ),
    Column("address", "地址", "text", aliases=("address",), max_length=200, help=_("Street address.")),
    Column(
        "township",
        "属地",
        "text",
        required=True,
        aliases=("township", "街道", "乡镇"),
        max_length=50,
        help=_("Township or street office responsible."),
        example="锦溪镇",
    ),
    Column(
        "grid",
        "网格",
        "text",
        aliases=("grid",),
        max_length=50,
        help=_("Grid within the township."),
        example="锦溪3网格",
    ),
    Column("contact_name", "联系人", "text", aliases=("contact",), max_length=50, help=_("Contact person.")),
    Column(
        "contact_phone",
        "联系电话",
        "text",
        aliases=("phone", "电话"),
        max_length=20,
        help=_("Mobile or landline with area code."),
        example="13912345678",
    ),
    Column(
        "prepaid",
        "预收费管理",
        "text",
        aliases=("prepaid",),
        max_length=20,
        help=_("资金监管账户, 风险保证金 or 无预收费 (empty: none)."),
        example="资金监管账户",
    ),
]

EXTRA_SPELLINGS = {
    "kind": {"学科类": "subject", "非学科类": "non_subject"},
    "legal_form": {"营利性": "for_profit", "非营利性": "non_profit"},
    "status": {
        "正常营业": "operating",
        "营业": "operating",
        "停业整顿": "suspended",
        "停业": "suspended",
        "已注销": "closed",
        "注销": "closed",
        "转型转登": "converting",
        "转登": "converting",
    },
    "prepaid": {
        "资金监管账户": "escrow",
        "监管账户": "escrow",
        "风险保证金": "deposit",
        "保证金": "deposit",
        "无预收费": "none",
        "无": "none",
    },
}
CHOICES = {
    "kind": Institution.Kind.choices,
    "legal_form": Institution.LegalForm.choices,
    "status": Institution.Status.choices,
    "prepaid": Institution.Prepaid.choices,
}


def parse(*, district: District, upload: Any):
    result = read_sheet(upload, COLUMNS)
    check_unique(result, "credit_code", "统一社会信用代码", normalise=credit_code.normalise)
    headers = {c.key: c.header for c in COLUMNS}
    for row in result.rows:
        number = row["_row"]
        code = credit_code.normalise(row.get("credit_code") or "")
        if row.get("credit_code"):
            why = register.credit_code_error(code)
            if why:
                result.add(
                    problem(
                        "bad_credit_code",
                        row=number,
                        column=headers["credit_code"],
                        messages=MESSAGES,
                        value=row["credit_code"],
                        why=why,
                    )
                )
            row["credit_code"] = code
        for key, choices in CHOICES.items():
            value = row.get(key)
            if not value:
                continue
            lookup = choice_lookup(choices, extra=EXTRA_SPELLINGS[key])
            chosen = lookup.get(str(value).lower())
            if chosen is None:
                result.add(
                    problem("bad_choice", row=number, column=headers[key], value=value, choices=choice_labels(choices))
                )
            row[key] = chosen
    return result


@transaction.atomic
def institutions_import(*, district: District, upload: Any, by: Any = None) -> ImportResult:
    """Parse, then create or update every row in one transaction, or write nothing at all."""
    parsed = parse(district=district, upload=upload)
    out = ImportResult(problems=list(parsed.problems), rows=len(parsed.rows))
    if not parsed.ok:
        if not out.problems:
            out.problems.append(problem("empty"))
        return out
    existing = {i.credit_code: i for i in Institution.objects.filter(district=district)}
    headers = {c.key: c.header for c in COLUMNS}
    try:
        with transaction.atomic():
            for row in parsed.rows:
                data = {k: v for k, v in row.items() if k != "_row" and v is not None}
                try:
                    current = existing.get(row["credit_code"])
                    if current is None:
                        register.institution_create(district=district, data=data, by=by, source="import")
                        out.created += 1
                    else:
                        before = register.snapshot(current)
                        updated = register.institution_update(institution=current, data=data, by=by, source="import")
                        out.updated += 1 if register.snapshot(updated) != before else 0
                except DomainError as error:
                    for field, messages in (error.fields or {"": [error.message()]}).items():
                        for message in messages:
                            out.problems.append(
                                problem(
                                    "bad_value",
                                    row=row["_row"],
                                    column=headers.get(field, field),
                                    messages=MESSAGES,
                                    why=message,
                                )
                            )
            if out.problems:
                raise _Rollback
    except _Rollback:
        out.created = out.updated = 0
        return out
    out.unchanged = out.rows - out.created - out.updated
    audit_record(
        action="supervision.institutions.imported",
        actor=by,
        obj=district,
        data={"rows": out.rows, "created": out.created, "updated": out.updated},
    )
    return out


class _Rollback(Exception):
    """Raised inside the import's savepoint to undo every row when any row failed."""
