"""转登 one-stop window: open cases, receive materials, record visits, move a case step by step.

Locking order (every write): the case row (select_for_update), then check, then write — so two desks
pressing "next step" at once move the case once and the second gets `invalid_transition`. Opening
cases for a whole district locks the district row first, so two "open all" clicks open each case once.

A step is taken only as the next step of the case's target (`PATHS`), and only when every material
of that step is received (`MATERIALS`); otherwise 409 with a stable code (and the missing names).
At `done` the register follows through `register.institution_update` (an `InstitutionChange` row
with source "conversion", an audit event, a re-grade).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import ERRORS, DomainError, later_text, names_list
from core.validation import FieldErrors, clean_text
from courses.models import District
from supervision.models import (
    ConversionCase,
    ConversionEvent,
    ConversionMaterial,
    ConversionSetting,
    ConversionVisit,
    Institution,
)
from supervision.models.conversion import (
    ELIGIBLE,
    REGISTER_AT_DONE,
    Step,
    Target,
    eligible,
    material_label,
    materials_of,
    next_step,
)
from supervision.services import register


def _by(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _event(case: ConversionCase, kind: str, by: Any, at: dt.datetime | None = None, **data: Any) -> None:
    ConversionEvent.objects.create(case=case, kind=kind, by=_by(by), at=at or timezone.now(), data=data)


def _lock(case: ConversionCase, *, open_only: bool = True) -> ConversionCase:
    case = ConversionCase.objects.select_for_update().get(pk=case.pk)
    if open_only and case.step == Step.DONE:
        raise DomainError("conversion_case_done")
    return case


def _target(value: Any) -> str:
    if value not in Target.values:
        raise DomainError("validation_error", fields={"target": [_("Choose one of the listed values.")]})
    return str(value)


@transaction.atomic
def setting_update(
    *,
    district: District,
    deadline: dt.date | None,
    title: str = "",
    by: Any = None,
    request: HttpRequest | None = None,
) -> ConversionSetting:
    """Set the district's deadline (None clears it: no case is then overdue)."""
    if deadline is not None and not isinstance(deadline, dt.date):
        raise DomainError("validation_error", fields={"deadline": [_("Enter a date as YYYY-MM-DD.")]})
    setting, _created = ConversionSetting.objects.select_for_update().get_or_create(district=district)
    before = setting.deadline
    setting.deadline = deadline
    setting.title = clean_text(title, max_length=100) or setting.title
    setting.updated_by = _by(by)
    setting.updated_at = timezone.now()
    setting.save()
    audit_record(
        action="supervision.conversion_deadline.updated",
        actor=by,
        obj=setting,
        request=request,
        data={"before": before.isoformat() if before else None, "after": deadline.isoformat() if deadline else None},
    )
    return setting


def _open(institution: Institution, target: str, by: Any, request: HttpRequest | None, at: dt.datetime) -> Any:
    case = ConversionCase.objects.create(
        district_id=institution.district_id,
        institution=institution,
        target=target,
        step=Step.INTAKE,
        opened_at=at,
        step_at=at,
        opened_by=_by(by),
    )
    _event(case, ConversionEvent.Kind.OPENED, by, at, target=target)
    audit_record(
        action="supervision.conversion_case.created",
        actor=by,
        obj=case,
        request=request,
        data={"institution": institution.pk, "target": target},
    )
    return case


@transaction.atomic
def case_open(
    *,
    institution: Institution,
    target: str = Target.NON_PROFIT,
    by: Any = None,
    request: HttpRequest | None = None,
    at: dt.datetime | None = None,
) -> ConversionCase:
    """One case per for-profit subject-type institution (409 for any other, or a second case)."""
    target = _target(target)
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    if not eligible(institution):
        raise DomainError("conversion_not_eligible")
    if ConversionCase.objects.filter(institution=institution).exists():
        raise DomainError("conversion_case_exists")
    try:
        with transaction.atomic():
            return _open(institution, target, by, request, at or timezone.now())
    except IntegrityError as exc:  # a concurrent open of the same institution
        raise DomainError("conversion_case_exists") from exc


@transaction.atomic
def cases_open_all(
    *,
    district: District,
    target: str = Target.NON_PROFIT,
    by: Any = None,
    request: HttpRequest | None = None,
) -> list[ConversionCase]:
    """Open a case for every eligible institution of the district that has none yet (idempotent: a
    second call opens nothing). Returns the cases opened now."""
    target = _target(target)
    District.objects.select_for_update().filter(pk=district.pk).first()
    pending = Institution.objects.filter(ELIGIBLE, district=district, conversion_case__isnull=True).order_by(
        "name", "id"
    )
    now = timezone.now()
    return [_open(institution, target, by, request, now) for institution in pending]


@transaction.atomic
def case_set_target(
    *, case: ConversionCase, target: str, by: Any = None, request: HttpRequest | None = None
) -> ConversionCase:
    """Change the target while the case is at intake (its steps and materials change with it)."""
    target = _target(target)
    case = _lock(case)
    if case.step != Step.INTAKE:
        raise DomainError("conversion_target_locked")
    if case.target == target:
        return case
    before, case.target = case.target, target
    case.save(update_fields=["target"])
    _event(case, ConversionEvent.Kind.TARGET, by, before=before, after=target)
    audit_record(
        action="supervision.conversion_case.updated",
        actor=by,
        obj=case,
        request=request,
        data={"before": before, "after": target},
    )
    return case


@transaction.atomic
def material_receive(
    *,
    case: ConversionCase,
    code: str,
    note: str = "",
    by: Any = None,
    request: HttpRequest | None = None,
    at: dt.datetime | None = None,
) -> ConversionMaterial:
    """Mark one document of the target's checklist received (receiving it again changes nothing)."""
    case = _lock(case)
    if code not in {m.code for m in materials_of(case.target)}:
        # the list depends on the case's target (its state): 409, with the field
        raise DomainError("conversion_material_unknown", fields={"code": [ERRORS["conversion_material_unknown"][1]]})
    found = ConversionMaterial.objects.filter(case=case, code=code).first()
    if found is not None:
        return found
    material = ConversionMaterial.objects.create(
        case=case,
        code=code,
        note=clean_text(note, max_length=200),
        received_by=_by(by),
        received_at=at or timezone.now(),
    )
    _event(case, ConversionEvent.Kind.MATERIAL, by, material.received_at, code=code)
    audit_record(
        action="supervision.conversion_material.added", actor=by, obj=case, request=request, data={"code": code}
    )
    return material


@transaction.atomic
def visit_record(
    *,
    case: ConversionCase,
    visited_on: Any,
    purpose: str,
    by: Any = None,
    request: HttpRequest | None = None,
    today: dt.date | None = None,
) -> ConversionVisit:
    """One in-person visit of the institution to the window (counted against 最多跑一次); also on a
    done case, since the visit that fetches the last certificate counts too."""
    today = today or timezone.localdate()
    errors = FieldErrors()
    if isinstance(visited_on, str):
        try:
            visited_on = dt.date.fromisoformat(visited_on)
        except ValueError:
            visited_on = None
    refused = None  # a day judged against today and the case (state, not shape): 409 after the field errors
    if not isinstance(visited_on, dt.date):
        errors.add("visited_on", _("Enter a date as YYYY-MM-DD."))
    elif visited_on > today:
        refused = "conversion_visit_in_future"
    elif visited_on < case.opened_at.date() - dt.timedelta(days=366):
        refused = "conversion_visit_before_case"
    purpose = clean_text(purpose, max_length=200)
    if not purpose:
        errors.add("purpose", _("Say what the visit was for."))
    errors.raise_if_any()
    if refused:
        raise DomainError(refused, fields={"visited_on": [ERRORS[refused][1]]})
    case = _lock(case, open_only=False)
    visit = ConversionVisit.objects.create(case=case, visited_on=visited_on, purpose=purpose, recorded_by=_by(by))
    _event(case, ConversionEvent.Kind.VISIT, by, on=visited_on.isoformat(), purpose=purpose)
    audit_record(
        action="supervision.conversion_visit.added",
        actor=by,
        obj=case,
        request=request,
        data={"on": visited_on.isoformat()},
    )
    return visit


@transaction.atomic
def case_extend(
    *,
    case: ConversionCase,
    extended_to: dt.date | None,
    reason: str = "",
    by: Any = None,
    request: HttpRequest | None = None,
) -> ConversionCase:
    """Grant (or, with None, withdraw) an extension: the case's own deadline, with the reason."""
    reason = clean_text(reason, max_length=200)
    errors = FieldErrors()
    if extended_to is not None and not isinstance(extended_to, dt.date):
        errors.add("extended_to", _("Enter a date as YYYY-MM-DD."))
    if extended_to is not None and not reason:
        errors.add("reason", _("Say why the case gets more time."))
    errors.raise_if_any()
    case = _lock(case)
    case.extended_to, case.extension_reason = extended_to, reason if extended_to else ""
    case.save(update_fields=["extended_to", "extension_reason"])
    day = extended_to.isoformat() if extended_to else None
    _event(case, ConversionEvent.Kind.EXTENDED, by, to=day, reason=reason)
    audit_record(
        action="supervision.conversion_case.updated",
        actor=by,
        obj=case,
        request=request,
        data={"extended_to": day},
    )
    return case


def missing_materials(case: ConversionCase, step: str, received: set[str] | None = None) -> list[str]:
    """The codes of `step`'s materials not yet received (in checklist order)."""
    if received is None:
        received = set(case.materials.values_list("code", flat=True))
    return [m.code for m in materials_of(case.target, step) if m.code not in received]


@transaction.atomic
def case_advance(
    *,
    case: ConversionCase,
    to: str,
    by: Any = None,
    request: HttpRequest | None = None,
    at: dt.datetime | None = None,
) -> ConversionCase:
    """Take the next step `to` (naming it guards against a double click taking two steps)."""
    case = _lock(case)
    expected = next_step(case.target, case.step)
    if to != expected:
        raise DomainError("invalid_transition")
    missing = missing_materials(case, to)
    if missing:
        raise DomainError(
            "conversion_materials_missing", later_text(lambda: names_list(material_label(c) for c in missing))
        )
    at = at or timezone.now()
    before, case.step, case.step_at = case.step, to, at
    if to == Step.DONE:
        case.done_at = at
    case.save(update_fields=["step", "step_at", "done_at"])
    _event(case, ConversionEvent.Kind.STEP, by, at, before=before, after=to)
    audit_record(
        action="supervision.conversion_case.moved",
        actor=by,
        obj=case,
        request=request,
        data={"before": before, "after": to},
    )
    if to == Step.DONE:
        _register_follows(case, by, request)
    return case


def _register_follows(case: ConversionCase, by: Any, request: HttpRequest | None) -> None:
    """The register entry takes the case's outcome (an InstitutionChange row, source "conversion")."""
    institution = case.institution
    data: dict[str, Any] = dict(REGISTER_AT_DONE[case.target])
    if "status" not in data and institution.status == Institution.Status.CONVERTING:
        data["status"] = Institution.Status.OPERATING
    register.institution_update(institution=institution, data=data, by=by, request=request, source="conversion")
    audit_record(
        action="supervision.conversion_case.closed",
        actor=by,
        obj=case,
        request=request,
        data={"institution": institution.pk, "register": data},
    )
