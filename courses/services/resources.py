"""Writes for a school's rooms and teachers (availability included)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import DomainError
from core.validation import FieldErrors, assign, clean_text, save_or_conflict
from courses.models import (
    ROOM_FEATURE_KEYS,
    Room,
    School,
    SchoolClass,
    Section,
    Slot,
    Teacher,
)
from courses.services.common import (
    MAX_SEATS,
    MAX_TEACHER_PERIODS,
    PHONE_RE,
    in_use,
    room_features_clean,
)

# --- Rooms -----------------------------------------------------------------------------------------


def _room_validate(*, school: School, name: str, capacity: Any, features: list[str], room: Room | None) -> None:
    errors = FieldErrors()
    if not name:
        errors.add("name", _("Give the room a name."))
    elif school.rooms.filter(name=name).exclude(pk=getattr(room, "pk", None)).exists():
        errors.add("name", _("This school already has a room with this name."))
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= MAX_SEATS:
        errors.add("capacity", _("Capacity must be a whole number from 1 to %(max)s.") % {"max": MAX_SEATS})
    unknown = [f for f in features if f not in ROOM_FEATURE_KEYS]
    if unknown:
        errors.add("features", _("Unknown room features: %(list)s.") % {"list": ", ".join(unknown)})
    errors.raise_if_any()


@transaction.atomic
def room_create(
    *,
    school: School,
    name: str,
    capacity: int,
    features: Iterable[str] = (),
    home_classes: Iterable[SchoolClass] | None = None,
    by: Any = None,
) -> Room:
    name, feats = clean_text(name, max_length=50), room_features_clean(features)
    _room_validate(school=school, name=name, capacity=capacity, features=feats, room=None)
    room = save_or_conflict(Room(school=school, name=name, capacity=capacity, features=feats))
    homes = _room_home_classes_set(room, home_classes)
    audit_record(action="courses.room.created", actor=by, obj=room, school_id=school.pk, data={"home_classes": homes})
    return room


@transaction.atomic
def room_update(
    *,
    room: Room,
    name: str,
    capacity: int,
    features: Iterable[str] = (),
    home_classes: Iterable[SchoolClass] | None = None,
    by: Any = None,
) -> Room:
    name, feats = clean_text(name, max_length=50), room_features_clean(features)
    _room_validate(school=room.school, name=name, capacity=capacity, features=feats, room=room)
    room.name, room.capacity, room.features = name, capacity, feats
    save_or_conflict(room)
    homes = _room_home_classes_set(room, home_classes)
    audit_record(
        action="courses.room.updated", actor=by, obj=room, school_id=room.school_id, data={"home_classes": homes}
    )
    return room


def _room_home_classes_set(room: Room, classes: Iterable[SchoolClass] | None) -> list[int]:
    """Make `room` the home room of exactly `classes` (None: leave them as they are). A class has one
    home room, so choosing it here moves it from its old room; the timetable's home-room rule
    (homework help in the class's own room) reads this at the next solve."""
    if classes is None:
        return sorted(room.home_classes.values_list("pk", flat=True))
    ids = sorted({c.pk for c in classes})
    if SchoolClass.objects.filter(pk__in=ids).exclude(school_id=room.school_id).exists():
        raise DomainError("validation_error", _("A class of another school cannot use this room."))
    room.home_classes.exclude(pk__in=ids).update(home_room=None)
    SchoolClass.objects.filter(pk__in=ids).update(home_room=room)
    return ids


@transaction.atomic
def room_delete(*, room: Room, by: Any = None) -> None:
    if in_use(room):
        raise DomainError("conflict", _("The room is used by a timetable and cannot be deleted."))
    school_id, name = room.school_id, room.name
    room.delete()
    audit_record(action="courses.room.deleted", actor=by, school_id=school_id, data={"name": name})


# --- Teachers --------------------------------------------------------------------------------------


def _subjects(values: Iterable[str] | str | None) -> list[str]:
    if isinstance(values, str):
        values = re.split(r"[,，、;；\s]+", values)
    seen: list[str] = []
    for value in values or ():
        text = str(value).strip()[:20]
        if text and text not in seen:
            seen.append(text)
    return seen[:10]


def _teacher_validate(
    *, school: School, name: str, staff_no: str, phone: str, max_periods_week: Any, teacher: Teacher | None
) -> None:
    errors = FieldErrors()
    if not name:
        errors.add("name", _("Enter the teacher's name."))
    if not staff_no:
        errors.add("staff_no", _("Enter the staff number."))
    elif school.teachers.filter(staff_no=staff_no).exclude(pk=getattr(teacher, "pk", None)).exists():
        errors.add("staff_no", _("Another teacher of this school has this staff number."))
    if phone and not PHONE_RE.match(phone):
        errors.add("phone", _("A mobile number has 11 digits and starts with 1."))
    if (
        not isinstance(max_periods_week, int)
        or isinstance(max_periods_week, bool)
        or not 0 <= max_periods_week <= MAX_TEACHER_PERIODS
    ):
        errors.add(
            "max_periods_week",
            _("The weekly limit must be a whole number from 0 to %(max)s.") % {"max": MAX_TEACHER_PERIODS},
        )
    errors.raise_if_any()


def _teacher_fields(
    *,
    school: School,
    name: Any,
    staff_no: Any,
    phone: Any,
    subjects: Any,
    max_periods_week: Any,
    teacher: Teacher | None,
) -> dict[str, Any]:
    """The cleaned, validated field values shared by create and update."""
    name, staff_no, phone = (
        clean_text(name, max_length=50),
        clean_text(staff_no, max_length=30),
        clean_text(phone, max_length=20),
    )
    _teacher_validate(
        school=school, name=name, staff_no=staff_no, phone=phone, max_periods_week=max_periods_week, teacher=teacher
    )
    return {
        "name": name,
        "staff_no": staff_no,
        "phone": phone,
        "subjects": _subjects(subjects),
        "max_periods_week": max_periods_week,
    }


@transaction.atomic
def teacher_create(
    *,
    school: School,
    name: str,
    staff_no: str,
    phone: str = "",
    subjects: Iterable[str] | str = (),
    max_periods_week: int = 6,
    by: Any = None,
) -> Teacher:
    fields = _teacher_fields(
        school=school,
        name=name,
        staff_no=staff_no,
        phone=phone,
        subjects=subjects,
        max_periods_week=max_periods_week,
        teacher=None,
    )
    teacher = save_or_conflict(Teacher(school=school, **fields))
    audit_record(action="courses.teacher.created", actor=by, obj=teacher, school_id=school.pk)
    return teacher


@transaction.atomic
def teacher_update(
    *,
    teacher: Teacher,
    name: str,
    staff_no: str,
    phone: str = "",
    subjects: Iterable[str] | str = (),
    max_periods_week: int = 6,
    by: Any = None,
) -> Teacher:
    if teacher.school_id is None:
        raise DomainError("forbidden")
    fields = _teacher_fields(
        school=teacher.school,
        name=name,
        staff_no=staff_no,
        phone=phone,
        subjects=subjects,
        max_periods_week=max_periods_week,
        teacher=teacher,
    )
    save_or_conflict(assign(teacher, fields))
    audit_record(action="courses.teacher.updated", actor=by, obj=teacher, school_id=teacher.school_id)
    return teacher


@transaction.atomic
def teacher_delete(*, teacher: Teacher, by: Any = None) -> None:
    if teacher.sections.exists():
        raise DomainError("conflict", _("The teacher still teaches sections; give them to someone else first."))
    if in_use(teacher, ignore=[(Section, "teacher"), (SchoolClass, "head_teacher")]):
        raise DomainError("conflict", _("The teacher is used by a timetable and cannot be deleted."))
    school_id, name = teacher.school_id, teacher.name
    teacher.delete()
    audit_record(action="courses.teacher.deleted", actor=by, school_id=school_id, data={"name": name})


@transaction.atomic
def teacher_availability_toggle(*, teacher: Teacher, slot: Slot, by: Any = None) -> bool:
    """Flip one cell of the teacher's availability; True when the teacher is now unavailable then."""
    if teacher.school_id is None or slot.school_id != teacher.school_id:
        raise DomainError("not_found")
    Teacher.objects.select_for_update().filter(pk=teacher.pk).first()  # serialise taps on one teacher
    through = Teacher.unavailable_slots.through
    removed, _detail = through.objects.filter(teacher_id=teacher.pk, slot_id=slot.pk).delete()
    if removed:
        return False
    through.objects.create(teacher_id=teacher.pk, slot_id=slot.pk)
    return True
