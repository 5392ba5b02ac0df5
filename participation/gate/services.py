"""The school's gates (the coordinator's set-up of the gate list): add, remove, assign classes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext

from core.audit import audit_record
from core.errors import DomainError
from core.validation import clean_text
from courses.models import School, SchoolClass
from participation.gate.models import ClassGate, Gate


def audit(action: str, *, by: Any, row: Gate, school_id: int, request: HttpRequest | None, **data: Any) -> None:
    audit_record(action=action, actor=by, obj=row, school_id=school_id, request=request, data=data)


@transaction.atomic
def gate_create(*, school: School, name: Any, by: Any, request: HttpRequest | None = None) -> Gate:
    name = clean_text(name, max_length=50)
    if not name:
        raise DomainError("validation_error", fields={"name": [gettext("Give the gate a name.")]})
    if Gate.objects.filter(school=school, name=name).exists():
        raise DomainError(
            "validation_error", fields={"name": [gettext("This school already has a gate of that name.")]}
        )
    gate = Gate.objects.create(school=school, name=name)
    audit("participation.gate.created", by=by, row=gate, school_id=school.pk, request=request, name=name)
    return gate


@transaction.atomic
def gate_delete(*, gate: Gate, by: Any, request: HttpRequest | None = None) -> None:
    """Remove a gate; its classes leave by the main gate again."""
    audit("participation.gate.deleted", by=by, row=gate, school_id=gate.school_id, request=request, name=gate.name)
    gate.delete()


@transaction.atomic
def gate_classes_set(
    *, gate: Gate, class_ids: list[int], by: Any, request: HttpRequest | None = None
) -> list[SchoolClass]:
    """The classes that leave by this gate (moved from any other gate); other schools' classes are 404."""
    classes = list(SchoolClass.objects.filter(school_id=gate.school_id, pk__in=class_ids))
    if len(classes) != len(set(class_ids)):
        raise DomainError("not_found")
    ClassGate.objects.filter(gate=gate).exclude(school_class__in=classes).delete()
    for klass in classes:
        ClassGate.objects.update_or_create(school_class=klass, defaults={"gate": gate})
    audit(
        "participation.gate.updated",
        by=by,
        row=gate,
        school_id=gate.school_id,
        request=request,
        classes=sorted(k.pk for k in classes),
    )
    return classes
