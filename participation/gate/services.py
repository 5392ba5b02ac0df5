"""The school's gates (the coordinator's set-up of the gate list) and a family's pick-up persons."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import DomainError
from core.validation import FieldErrors, clean_text
from courses.models import School, SchoolClass
from participation.gate.models import ClassGate, Gate, PickupPerson

PHONE_DIGITS = range(7, 21)


def audit(
    action: str, *, by: Any, row: Gate | PickupPerson, school_id: int | None, request: HttpRequest | None, **data: Any
) -> None:
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


# --- pick-up persons (the family's) -----------------------------------------------------------------


@transaction.atomic
def pickup_person_add(
    *, family_id: int, name: Any, relation: Any, phone: Any, by: Any, request: HttpRequest | None = None
) -> PickupPerson:
    """Someone the family allows to pick its children up; name, relation and phone are all required."""
    errors = FieldErrors()
    name, relation = clean_text(name, max_length=50), clean_text(relation, max_length=20)
    digits = "".join(ch for ch in str(phone or "") if ch.isdigit())
    if not name:
        errors.add("name", _("Give the person's name."))
    if not relation:
        errors.add("relation", _("Say how the person is related to the child (e.g. grandmother)."))
    if len(digits) not in PHONE_DIGITS:
        errors.add("phone", _("Enter a phone number (7 to 20 digits)."))
    if PickupPerson.objects.filter(family_id=family_id).count() >= PickupPerson.MAX_PER_FAMILY:
        errors.add("name", _("A family may name at most %(n)s pick-up persons.") % {"n": PickupPerson.MAX_PER_FAMILY})
    errors.raise_if_any()
    person = PickupPerson.objects.create(family_id=family_id, name=name, relation=relation, phone=digits)
    audit("participation.pickup_person.added", by=by, row=person, school_id=None, request=request, family=family_id)
    return person


@transaction.atomic
def pickup_person_remove(*, person: PickupPerson, by: Any, request: HttpRequest | None = None) -> None:
    family_id = person.family_id
    audit("participation.pickup_person.removed", by=by, row=person, school_id=None, request=request, family=family_id)
    person.delete()
