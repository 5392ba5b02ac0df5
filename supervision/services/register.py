"""Register writes: create and change institutions (with their history), teachers, accounts, conflicts.

Every change is validated here (forms and the import are conveniences), written with an
`InstitutionChange` row (fields before and after) and an audit event, then the institution's grade
is recomputed in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import ERRORS, DomainError
from core.validation import FieldErrors, clean_text
from courses.models import District
from partners.models import Provider
from supervision import credit_code
from supervision.models import Conflict, Inspector, Institution, InstitutionChange, InstitutionTeacher

PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
CREDIT_CODE_MESSAGES = {
    "length": _("A unified social credit code has exactly 18 characters."),
    "alphabet": _("Only digits and capital letters other than I, O, S, V and Z."),
    "registrar": _("The first two characters are not a known registration authority and organisation type."),
    "region": _("Characters 3 to 8 must be the six digits of an administrative division code."),
    "org_check": _("The organisation code (characters 9 to 17) has a wrong check character."),
    "check": _("The check character (the 18th) is wrong: please check the code."),
}
# The register fields a form, the API and the import set (history compares exactly these).
FIELDS = (
    "name",
    "credit_code",
    "kind",
    "legal_form",
    "licence_no",
    "licence_expires",
    "status",
    "address",
    "township",
    "grid",
    "contact_name",
    "contact_phone",
    "prepaid",
    "provider_id",
)


def credit_code_error(value: str) -> Any:
    key = credit_code.problem(value)
    return CREDIT_CODE_MESSAGES[key] if key else None


def clean_institution(data: dict[str, Any], *, district: District, instance: Institution | None = None) -> dict:
    """The validated field values, or DomainError("validation_error") listing every problem; then
    404 `not_found` for a provider not of the district, 409 `credit_code_taken` / `provider_taken`
    for a code or a provider another institution of the register has (each with its field)."""
    errors = FieldErrors()
    unknown = taken = None  # refused after the field errors: 404 (not the district's), 409 (in use)
    out: dict[str, Any] = {}
    for name, length in (("name", 100), ("licence_no", 40), ("address", 200), ("township", 50), ("grid", 50)):
        out[name] = clean_text(data.get(name), max_length=length)
    out["contact_name"] = clean_text(data.get("contact_name"), max_length=50)
    if not out["name"]:
        errors.add("name", _("This field is required."))
    if not out["township"]:
        errors.add("township", _("This field is required."))
    code = credit_code.normalise(data.get("credit_code") or "")
    problem = credit_code_error(code)
    if problem:
        errors.add("credit_code", problem)
    elif (
        Institution.objects.filter(district=district, credit_code=code)
        .exclude(pk=instance.pk if instance else None)
        .exists()
    ):
        taken = DomainError("credit_code_taken", fields={"credit_code": [ERRORS["credit_code_taken"][1]]})
    out["credit_code"] = code
    for name, choices in (
        ("kind", Institution.Kind),
        ("legal_form", Institution.LegalForm),
        ("status", Institution.Status),
        ("prepaid", Institution.Prepaid),
    ):
        value = str(data.get(name) or (instance and getattr(instance, name)) or "")
        if name == "status" and not value:
            value = Institution.Status.OPERATING
        if name == "prepaid" and not value:
            value = Institution.Prepaid.NONE
        if value not in choices.values:
            errors.add(name, _("Choose one of the listed values."))
        out[name] = value
    phone = "".join(str(data.get("contact_phone") or "").split())
    if phone and not PHONE_RE.match(phone):
        errors.add("contact_phone", _("A mobile number (11 digits) or a landline with its area code."))
    out["contact_phone"] = phone
    expires = data.get("licence_expires")
    if isinstance(expires, str):
        try:
            expires = dt.date.fromisoformat(expires) if expires.strip() else None
        except ValueError:
            errors.add("licence_expires", _("Enter a date as YYYY-MM-DD."))
            expires = None
    out["licence_expires"] = expires
    provider_id = data.get("provider_id") or None
    if provider_id is not None:
        try:
            provider = Provider.objects.get(pk=int(provider_id), district=district)
        except (Provider.DoesNotExist, ValueError, TypeError):
            unknown = DomainError("not_found", fields={"provider_id": [_("No such provider in this district.")]})
            provider = None
        if (
            provider
            and Institution.objects.filter(provider=provider).exclude(pk=instance.pk if instance else None).exists()
        ):
            taken = DomainError("provider_taken", fields={"provider_id": [ERRORS["provider_taken"][1]]})
        provider_id = provider.pk if provider else None
    out["provider_id"] = provider_id
    errors.raise_if_any()
    if unknown or taken:
        raise unknown or taken
    return out


def snapshot(institution: Institution) -> dict[str, Any]:
    data = {name: getattr(institution, name) for name in FIELDS}
    if data["licence_expires"]:
        data["licence_expires"] = data["licence_expires"].isoformat()
    return data


def _after_change(institution: Institution, before: dict, by: Any, source: str, request: HttpRequest | None) -> None:
    from supervision.services.risk import grade_refresh

    after = snapshot(institution)
    changed = {k for k in after if before.get(k) != after[k]}
    if not changed:
        return
    InstitutionChange.objects.create(
        institution=institution,
        by=by if getattr(by, "pk", None) else None,
        source=source,
        before={k: before.get(k) for k in sorted(changed)},
        after={k: after[k] for k in sorted(changed)},
    )
    action = "supervision.institution.created" if not before else "supervision.institution.updated"
    if source != "import":
        audit_record(action=action, actor=by, obj=institution, request=request, data={"fields": sorted(changed)})
    grade_refresh(institution)


@transaction.atomic
def institution_create(
    *,
    district: District,
    data: dict[str, Any],
    by: Any = None,
    request: HttpRequest | None = None,
    source: str = "form",
) -> Institution:
    fields = clean_institution(data, district=district)
    institution = Institution.objects.create(district=district, **fields)
    _after_change(institution, {}, by, source, request)
    return institution


@transaction.atomic
def institution_update(
    *,
    institution: Institution,
    data: dict[str, Any],
    by: Any = None,
    request: HttpRequest | None = None,
    source: str = "form",
) -> Institution:
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    merged = {**snapshot(institution), **{k: v for k, v in data.items() if k in FIELDS}}
    fields = clean_institution(merged, district=institution.district, instance=institution)
    before = snapshot(institution)
    for name, value in fields.items():
        setattr(institution, name, value)
    if snapshot(institution) != before:
        institution.updated_at = timezone.now()
        institution.save()
        _after_change(institution, before, by, source, request)
    return institution


@transaction.atomic
def teacher_add(
    *,
    institution: Institution,
    name: str,
    subject: str = "",
    qualification: str = "none",
    certificate_no: str = "",
    by: Any = None,
    request: HttpRequest | None = None,
) -> InstitutionTeacher:
    from supervision.services.risk import grade_refresh

    errors = FieldErrors()
    name = clean_text(name, max_length=50)
    if not name:
        errors.add("name", _("This field is required."))
    if qualification not in InstitutionTeacher.Qualification.values:
        errors.add("qualification", _("Choose one of the listed values."))
    errors.raise_if_any()
    teacher = InstitutionTeacher.objects.create(
        institution=institution,
        name=name,
        subject=clean_text(subject, max_length=30),
        qualification=qualification,
        certificate_no=clean_text(certificate_no, max_length=40),
    )
    audit_record(
        action="supervision.teacher.added",
        actor=by,
        obj=institution,
        request=request,
        data={"teacher": teacher.pk, "qualification": qualification},
    )
    grade_refresh(institution)
    return teacher


@transaction.atomic
def conflict_add(
    *,
    inspector: Inspector,
    institution: Institution,
    reason: str = "",
    by: Any = None,
    request: HttpRequest | None = None,
) -> Conflict:
    """Declare a conflict of interest (回避); later draws exclude the pair."""
    if inspector.district_id != institution.district_id:
        raise DomainError("not_found")
    conflict, _created = Conflict.objects.get_or_create(
        inspector=inspector, institution=institution, defaults={"reason": clean_text(reason, max_length=200)}
    )
    audit_record(
        action="supervision.conflict.added",
        actor=by,
        obj=institution,
        request=request,
        data={"inspector": inspector.pk},
    )
    return conflict
