"""Writes for a school's set-up: term and calendar, time grid, rooms, teachers, courses, sections.

Every service takes keyword arguments only, runs in one transaction and validates the domain
rules itself (a form in front of it is a convenience, not the guard). A refusal is a
`DomainError("validation_error", fields={field: [message, ...]})` or `DomainError("conflict")`;
the caller passes objects it has already scoped to the coordinator's school, and the services
check again that every object they link belongs to that same school.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from accounts.services import audit_record
from config.errors import DomainError
from courses.models import (
    ROOM_FEATURE_KEYS,
    CalendarException,
    Course,
    Room,
    School,
    SchoolClass,
    Section,
    Slot,
    Teacher,
    Term,
)

# The 5+2 template: two sessions on each of the five school days.
TEMPLATE_SESSIONS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(15, 30), dt.time(16, 30)),
    (dt.time(16, 40), dt.time(17, 40)),
)
MAX_SESSIONS = 4
M = TypeVar("M", bound=Model)
MAX_SEATS = 500
MAX_TEACHER_PERIODS = 40
PHONE_RE = re.compile(r"^1\d{10}$")


def fee_cap() -> Decimal:
    """The most a course may charge per pupil per class hour (policy: about 3–3.5 yuan)."""
    return Decimal(str(settings.KEHOU_FEE_CAP_PER_CLASS_HOUR))


class _Errors:
    """Collects field errors and raises them together, so a form shows every problem at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(str(message))

    def raise_if_any(self) -> None:
        if self.fields:
            raise DomainError("validation_error", fields=self.fields)


def _in_use(obj: Model, *, ignore: Iterable[tuple[type[Model], str]] = ()) -> bool:
    """True when any other row points at obj (placements, pins, …), whatever app added them."""
    skip = set(ignore)
    for rel in obj._meta.related_objects:
        if (rel.related_model, rel.field.name) in skip:
            continue
        if rel.related_model._default_manager.filter(**{rel.field.name: obj}).exists():
            return True
    return False


def _clean_text(value: Any, *, max_length: int) -> str:
    return " ".join(str(value or "").split())[:max_length] if value is not None else ""


def _assign(obj: M, fields: dict[str, Any]) -> M:
    """Set validated field values on an existing row (update = the same fields as create)."""
    for name, value in fields.items():
        setattr(obj, name, value)
    return obj


def _save(obj: Model) -> Model:
    """Save, turning a unique-constraint race into a conflict instead of a server error."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise DomainError("conflict") from exc
    return obj


# --- Term and calendar ---------------------------------------------------------------------------


def _term_validate(*, school: School, name: str, start: Any, end: Any, term: Term | None = None) -> None:
    errors = _Errors()
    if not name:
        errors.add("name", _("Give the term a name."))
    elif school.terms.filter(name=name).exclude(pk=getattr(term, "pk", None)).exists():
        errors.add("name", _("This school already has a term with this name."))
    if not isinstance(start, dt.date):
        errors.add("start", _("Enter a valid date."))
    if not isinstance(end, dt.date):
        errors.add("end", _("Enter a valid date."))
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        if end <= start:
            errors.add("end", _("The term must end after it starts."))
        elif (end - start).days > 366:
            errors.add("end", _("A term cannot be longer than a year."))
        elif term is not None and term.exceptions.exclude(date__range=(start, end)).exists():
            errors.add("end", _("Some calendar exceptions would fall outside the term; remove them first."))
    errors.raise_if_any()


@transaction.atomic
def term_create(*, school: School, name: str, start: dt.date, end: dt.date, by: Any = None) -> Term:
    name = _clean_text(name, max_length=50)
    _term_validate(school=school, name=name, start=start, end=end)
    term = _save(Term(school=school, name=name, start=start, end=end))
    audit_record(action="courses.term.created", actor=by, obj=term, school_id=school.pk)
    return term


@transaction.atomic
def term_update(*, term: Term, name: str, start: dt.date, end: dt.date, by: Any = None) -> Term:
    name = _clean_text(name, max_length=50)
    _term_validate(school=term.school, name=name, start=start, end=end, term=term)
    term.name, term.start, term.end = name, start, end
    _save(term)
    audit_record(action="courses.term.updated", actor=by, obj=term, school_id=term.school_id)
    return term


@transaction.atomic
def calendar_exception_add(
    *,
    term: Term,
    date: dt.date,
    kind: str,
    follows_weekday: int | None = None,
    note: str = "",
    by: Any = None,
) -> CalendarException:
    """A holiday on a school day, or a swapped working day (调休) on a weekend that follows a weekday."""
    errors = _Errors()
    if not isinstance(date, dt.date):
        errors.add("date", _("Enter a valid date."))
    elif not term.start <= date <= term.end:
        errors.add("date", _("The date is outside the term."))
    elif term.exceptions.filter(date=date).exists():
        errors.add("date", _("This date already has an exception."))
    if kind == CalendarException.Kind.HOLIDAY:
        follows_weekday = None
        if isinstance(date, dt.date) and date.weekday() >= 5:
            errors.add("date", _("This date is a weekend: there is no after-school service anyway."))
    elif kind == CalendarException.Kind.WORKDAY:
        if follows_weekday is None or not 0 <= int(follows_weekday) <= 4:
            errors.add("follows_weekday", _("Choose which weekday's timetable the swapped working day follows."))
        if isinstance(date, dt.date) and date.weekday() < 5:
            errors.add("date", _("A swapped working day falls on a weekend; this date is already a school day."))
    else:
        errors.add("kind", _("Choose holiday or swapped working day."))
    errors.raise_if_any()
    exception = _save(
        CalendarException(
            term=term,
            date=date,
            kind=kind,
            follows_weekday=follows_weekday,
            note=_clean_text(note, max_length=100),
        )
    )
    audit_record(
        action="courses.calendar.exception_added",
        actor=by,
        obj=exception,
        school_id=term.school_id,
        data={"date": date.isoformat(), "kind": kind},
    )
    return exception


@transaction.atomic
def calendar_exception_delete(*, exception: CalendarException, by: Any = None) -> None:
    school_id = exception.term.school_id
    data = {"date": exception.date.isoformat(), "kind": exception.kind}
    exception.delete()
    audit_record(action="courses.calendar.exception_deleted", actor=by, school_id=school_id, data=data)


# --- Time grid -------------------------------------------------------------------------------------


def _sessions_validate(
    sessions: Sequence[tuple[Any, Any] | None], *, prefix: str
) -> list[tuple[int, dt.time, dt.time]]:
    """[(session, start, end)] for the filled sessions; errors name the field `<prefix><n>`."""
    errors = _Errors()
    filled: list[tuple[int, dt.time, dt.time]] = []
    if len(sessions) > MAX_SESSIONS:
        errors.add(f"{prefix}1", _("At most %(n)s sessions a day.") % {"n": MAX_SESSIONS})
    for number, pair in enumerate(sessions[:MAX_SESSIONS], start=1):
        if pair is None or (pair[0] is None and pair[1] is None):
            continue
        start, end = pair
        if not isinstance(start, dt.time) or not isinstance(end, dt.time):
            errors.add(f"{prefix}{number}", _("Give both a start and an end time."))
            continue
        if end <= start:
            errors.add(f"{prefix}{number}", _("A session must end after it starts."))
            continue
        if filled and start < filled[-1][2]:
            errors.add(f"{prefix}{number}", _("A session must start after the previous one ends."))
            continue
        filled.append((number, start, end))
    if not filled and not errors.fields:
        errors.add(f"{prefix}1", _("Keep at least one session: after-school service runs on every school day."))
    errors.raise_if_any()
    return filled


def _weekday_apply(*, school: School, weekday: int, filled: list[tuple[int, dt.time, dt.time]]) -> list[Slot]:
    existing = {s.session: s for s in Slot.objects.select_for_update().filter(school=school, weekday=weekday)}
    wanted = {number for number, _start, _end in filled}
    for number, slot in existing.items():
        if number not in wanted:
            if _in_use(slot, ignore=[(Teacher, "unavailable_slots")]):
                raise DomainError(
                    "conflict",
                    _("%(slot)s is used by a timetable and cannot be removed.") % {"slot": slot},
                )
            slot.delete()
    result = []
    for number, start, end in filled:
        slot = existing.get(number) or Slot(school=school, weekday=weekday, session=number)
        if slot.pk is None or (slot.start, slot.end) != (start, end):
            slot.start, slot.end = start, end
            _save(slot)
        result.append(slot)
    return result


@transaction.atomic
def slot_weekday_save(
    *, school: School, weekday: int, sessions: Sequence[tuple[Any, Any] | None], by: Any = None
) -> list[Slot]:
    """Set one weekday's sessions (index 0 is session 1; None removes that session)."""
    if weekday not in range(5):
        raise DomainError("validation_error", fields={"weekday": [_("Choose a weekday from Monday to Friday.")]})
    filled = _sessions_validate(sessions, prefix="session_")
    slots = _weekday_apply(school=school, weekday=weekday, filled=filled)
    audit_record(
        action="courses.grid.weekday_saved",
        actor=by,
        school_id=school.pk,
        data={"weekday": weekday, "sessions": [[f"{s:%H:%M}", f"{e:%H:%M}"] for _n, s, e in filled]},
    )
    return slots


@transaction.atomic
def slot_grid_apply_template(
    *,
    school: School,
    sessions: Sequence[tuple[Any, Any] | None] = TEMPLATE_SESSIONS,
    friday_sessions: Sequence[tuple[Any, Any] | None] | None = None,
    by: Any = None,
) -> list[Slot]:
    """The 5+2 grid: the same sessions Monday to Friday, Friday optionally different."""
    filled = _sessions_validate(sessions, prefix="session_")
    friday = _sessions_validate(friday_sessions, prefix="friday_") if friday_sessions else filled
    slots: list[Slot] = []
    for weekday in range(5):
        slots += _weekday_apply(school=school, weekday=weekday, filled=friday if weekday == 4 else filled)
    audit_record(action="courses.grid.template_applied", actor=by, school_id=school.pk, data={"slots": len(slots)})
    return slots


# --- Rooms -----------------------------------------------------------------------------------------


def _room_validate(*, school: School, name: str, capacity: Any, features: list[str], room: Room | None) -> None:
    errors = _Errors()
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


def _features(values: Iterable[str] | None) -> list[str]:
    return sorted({str(v).strip() for v in values or () if str(v).strip()})


@transaction.atomic
def room_create(*, school: School, name: str, capacity: int, features: Iterable[str] = (), by: Any = None) -> Room:
    name, feats = _clean_text(name, max_length=50), _features(features)
    _room_validate(school=school, name=name, capacity=capacity, features=feats, room=None)
    room = _save(Room(school=school, name=name, capacity=capacity, features=feats))
    audit_record(action="courses.room.created", actor=by, obj=room, school_id=school.pk)
    return room


@transaction.atomic
def room_update(*, room: Room, name: str, capacity: int, features: Iterable[str] = (), by: Any = None) -> Room:
    name, feats = _clean_text(name, max_length=50), _features(features)
    _room_validate(school=room.school, name=name, capacity=capacity, features=feats, room=room)
    room.name, room.capacity, room.features = name, capacity, feats
    _save(room)
    audit_record(action="courses.room.updated", actor=by, obj=room, school_id=room.school_id)
    return room


@transaction.atomic
def room_delete(*, room: Room, by: Any = None) -> None:
    if _in_use(room):
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
    errors = _Errors()
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
        _clean_text(name, max_length=50),
        _clean_text(staff_no, max_length=30),
        _clean_text(phone, max_length=20),
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
    teacher = _save(Teacher(school=school, **fields))
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
    _save(_assign(teacher, fields))
    audit_record(action="courses.teacher.updated", actor=by, obj=teacher, school_id=teacher.school_id)
    return teacher


@transaction.atomic
def teacher_delete(*, teacher: Teacher, by: Any = None) -> None:
    if teacher.sections.exists():
        raise DomainError("conflict", _("The teacher still teaches sections; give them to someone else first."))
    if _in_use(teacher, ignore=[(Section, "teacher"), (SchoolClass, "head_teacher")]):
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


# --- Courses and sections --------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _course_validate(
    *,
    school: School,
    kind: str,
    title: str,
    grades: list[int],
    seats_per_section: Any,
    meetings_per_week: Any,
    room_features: list[str],
    fee: Decimal | None,
    course: Course | None,
) -> None:
    errors = _Errors()
    own_kinds = {Course.Kind.HOMEWORK, Course.Kind.TUTORING, Course.Kind.CLUB}
    if course is not None and course.kind == Course.Kind.PARTNER:
        if kind != Course.Kind.PARTNER:
            errors.add("kind", _("A partner course stays a partner course."))
    elif kind not in own_kinds:
        errors.add(
            "kind", _("Choose homework help, tutoring or club (partner courses come from the partner catalogue).")
        )
    if not title:
        errors.add("title", _("Give the course a title."))
    elif school.courses.filter(title=title).exclude(pk=getattr(course, "pk", None)).exists():
        errors.add("title", _("This school already has a course with this title."))
    school_grades = set(school.grades)
    if not grades:
        errors.add("grades", _("Choose at least one grade."))
    elif not set(grades) <= school_grades:
        errors.add("grades", _("Choose grades this school teaches."))
    if (
        not isinstance(seats_per_section, int)
        or isinstance(seats_per_section, bool)
        or not 1 <= seats_per_section <= MAX_SEATS
    ):
        errors.add("seats_per_section", _("Seats must be a whole number from 1 to %(max)s.") % {"max": MAX_SEATS})
    elif course is not None and course.sections.filter(capacity__gt=seats_per_section).exists():
        errors.add("seats_per_section", _("Some sections have more seats than this; reduce them first."))
    if not isinstance(meetings_per_week, int) or isinstance(meetings_per_week, bool) or not 1 <= meetings_per_week <= 5:
        errors.add("meetings_per_week", _("Meetings a week must be from 1 to 5."))
    unknown = [f for f in room_features if f not in ROOM_FEATURE_KEYS]
    if unknown:
        errors.add("room_features", _("Unknown room features: %(list)s.") % {"list": ", ".join(unknown)})
    cap = fee_cap()
    if fee is None:
        errors.add("fee_per_class_hour", _("Enter the fee as a number of yuan, e.g. 3.00."))
    elif fee < 0:
        errors.add("fee_per_class_hour", _("The fee cannot be negative."))
    elif fee > cap:
        errors.add(
            "fee_per_class_hour",
            _("The fee may be at most %(cap)s yuan per class hour.") % {"cap": f"{cap:.2f}"},
        )
    elif fee != fee.quantize(Decimal("0.01")):
        errors.add("fee_per_class_hour", _("Give the fee in yuan and fen (two decimals at most)."))
    errors.raise_if_any()


def _grades(values: Iterable[Any] | None) -> list[int]:
    result = set()
    for value in values or ():
        try:
            result.add(int(value))
        except (TypeError, ValueError):
            result.add(-1)  # reported as a grade the school does not teach
    return sorted(result)


def _course_fields(
    *,
    school: School,
    kind: str,
    title: Any,
    grades: Any,
    seats_per_section: Any,
    meetings_per_week: Any,
    room_features: Any,
    fee_per_class_hour: Any,
    description: Any,
    course: Course | None,
) -> dict[str, Any]:
    """The cleaned, validated field values shared by create and update."""
    title, grade_list, feats = _clean_text(title, max_length=100), _grades(grades), _features(room_features)
    fee = _decimal(fee_per_class_hour)
    _course_validate(
        school=school,
        kind=kind,
        title=title,
        grades=grade_list,
        seats_per_section=seats_per_section,
        meetings_per_week=meetings_per_week,
        room_features=feats,
        fee=fee,
        course=course,
    )
    return {
        "kind": kind,
        "title": title,
        "description": str(description or "")[:2000],
        "grades": grade_list,
        "seats_per_section": seats_per_section,
        "meetings_per_week": meetings_per_week,
        "room_features": feats,
        "fee_per_class_hour": fee,
    }


@transaction.atomic
def course_create(
    *,
    school: School,
    kind: str,
    title: str,
    grades: Iterable[int],
    seats_per_section: int,
    meetings_per_week: int = 1,
    room_features: Iterable[str] = (),
    fee_per_class_hour: Decimal | str | int = Decimal("0"),
    description: str = "",
    by: Any = None,
) -> Course:
    fields = _course_fields(
        school=school,
        kind=kind,
        title=title,
        grades=grades,
        seats_per_section=seats_per_section,
        meetings_per_week=meetings_per_week,
        room_features=room_features,
        fee_per_class_hour=fee_per_class_hour,
        description=description,
        course=None,
    )
    course = _save(Course(school=school, **fields))
    audit_record(action="courses.course.created", actor=by, obj=course, school_id=school.pk)
    return course


@transaction.atomic
def course_update(
    *,
    course: Course,
    kind: str,
    title: str,
    grades: Iterable[int],
    seats_per_section: int,
    meetings_per_week: int = 1,
    room_features: Iterable[str] = (),
    fee_per_class_hour: Decimal | str | int = Decimal("0"),
    description: str = "",
    by: Any = None,
) -> Course:
    fields = _course_fields(
        school=course.school,
        kind=kind,
        title=title,
        grades=grades,
        seats_per_section=seats_per_section,
        meetings_per_week=meetings_per_week,
        room_features=room_features,
        fee_per_class_hour=fee_per_class_hour,
        description=description,
        course=course,
    )
    _save(_assign(course, fields))
    audit_record(action="courses.course.updated", actor=by, obj=course, school_id=course.school_id)
    return course


@transaction.atomic
def course_delete(*, course: Course, by: Any = None) -> None:
    """Only a course nobody has chosen or been placed in yet; otherwise close it another way."""
    sections = list(course.sections.all())
    if _in_use(course, ignore=[(Section, "course")]) or any(_in_use(section) for section in sections):
        raise DomainError(
            "conflict", _("Pupils have chosen or joined this course, or it is timetabled; it cannot be deleted.")
        )
    school_id, title = course.school_id, course.title
    course.delete()
    audit_record(action="courses.course.deleted", actor=by, school_id=school_id, data={"title": title})


def _section_validate(
    *,
    course: Course,
    term: Term,
    code: str,
    capacity: Any,
    teacher: Teacher | None,
    school_class: SchoolClass | None,
    section: Section | None,
) -> None:
    errors = _Errors()
    if term.school_id != course.school_id:
        raise DomainError("not_found")
    if school_class is not None and school_class.school_id != course.school_id:
        raise DomainError("not_found")
    if teacher is not None:
        own = teacher.school_id == course.school_id
        partner = (
            course.partner_course_id is not None
            and teacher.provider_id is not None
            and teacher.provider_id == course.partner_course.provider_id
        )
        if not (own or partner):
            raise DomainError("not_found")
    if not code:
        errors.add("code", _("Give the section a code, e.g. 1 or A."))
    elif course.sections.filter(term=term, code=code).exclude(pk=getattr(section, "pk", None)).exists():
        errors.add("code", _("This course already has a section with this code in this term."))
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        errors.add("capacity", _("A section needs at least one seat."))
    elif capacity > course.seats_per_section:
        errors.add(
            "capacity",
            _("At most %(n)s seats: the course's seats per section.") % {"n": course.seats_per_section},
        )
    elif section is not None:
        enrolled = section.enrollments.filter(status="enrolled").count()
        if capacity < enrolled:
            errors.add("capacity", _("%(n)s pupils already have a seat; keep at least that many.") % {"n": enrolled})
    if course.kind == Course.Kind.HOMEWORK and school_class is None:
        errors.add("school_class", _("Homework help takes place in a class: choose the class."))
    if school_class is not None and school_class.grade not in (course.grades or []):
        errors.add("school_class", _("The class is not in a grade this course is for."))
    errors.raise_if_any()


def _next_code(course: Course, term: Term) -> str:
    codes = set(course.sections.filter(term=term).values_list("code", flat=True))
    n = 1
    while str(n) in codes:
        n += 1
    return str(n)


@transaction.atomic
def section_create(
    *,
    course: Course,
    term: Term,
    code: str = "",
    capacity: int | None = None,
    teacher: Teacher | None = None,
    school_class: SchoolClass | None = None,
    by: Any = None,
) -> Section:
    code = _clean_text(code, max_length=30) or _next_code(course, term)
    capacity = course.seats_per_section if capacity is None else capacity
    _section_validate(
        course=course, term=term, code=code, capacity=capacity, teacher=teacher, school_class=school_class, section=None
    )
    section = _save(
        Section(course=course, term=term, code=code, capacity=capacity, teacher=teacher, school_class=school_class)
    )
    audit_record(action="courses.section.created", actor=by, obj=section, school_id=course.school_id)
    return section


@transaction.atomic
def section_update(
    *,
    section: Section,
    term: Term,
    code: str,
    capacity: int,
    teacher: Teacher | None = None,
    school_class: SchoolClass | None = None,
    by: Any = None,
) -> Section:
    code = _clean_text(code, max_length=30)
    _section_validate(
        course=section.course,
        term=term,
        code=code,
        capacity=capacity,
        teacher=teacher,
        school_class=school_class,
        section=section,
    )
    section.term, section.code, section.capacity = term, code, capacity
    section.teacher, section.school_class = teacher, school_class
    _save(section)
    audit_record(action="courses.section.updated", actor=by, obj=section, school_id=section.course.school_id)
    return section


@transaction.atomic
def section_delete(*, section: Section, by: Any = None) -> None:
    if _in_use(section):
        raise DomainError(
            "conflict", _("Pupils have chosen or joined this section, or it is timetabled; it cannot be deleted.")
        )
    school_id, label = section.course.school_id, str(section)
    section.delete()
    audit_record(action="courses.section.deleted", actor=by, school_id=school_id, data={"section": label})
