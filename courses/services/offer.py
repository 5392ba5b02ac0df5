"""Writes for a school's courses and sections (a section's seats are changed by enrollment.capacity)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.errors import DomainError
from core.validation import FieldErrors, assign, clean_text, save_or_conflict
from courses.models import (
    ROOM_FEATURE_KEYS,
    Course,
    School,
    SchoolClass,
    Section,
    Teacher,
    Term,
)
from courses.services.common import (
    MAX_SEATS,
    fee_cap,
    in_use,
    room_features_clean,
)

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
    errors = FieldErrors()
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
    homework_in_home_room: Any = True,
) -> dict[str, Any]:
    """The cleaned, validated field values shared by create and update."""
    title, grade_list, feats = clean_text(title, max_length=100), _grades(grades), room_features_clean(room_features)
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
        "homework_in_home_room": bool(homework_in_home_room),
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
    homework_in_home_room: bool = True,
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
        homework_in_home_room=homework_in_home_room,
    )
    course = save_or_conflict(Course(school=school, **fields))
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
    homework_in_home_room: bool = True,
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
        homework_in_home_room=homework_in_home_room,
    )
    save_or_conflict(assign(course, fields))
    audit_record(action="courses.course.updated", actor=by, obj=course, school_id=course.school_id)
    return course


@transaction.atomic
def course_delete(*, course: Course, by: Any = None) -> None:
    """Only a course nobody has chosen or been placed in yet; otherwise close it another way."""
    sections = list(course.sections.all())
    if in_use(course, ignore=[(Section, "course")]) or any(in_use(section) for section in sections):
        raise DomainError(
            "conflict", _("Pupils have chosen or joined this course, or it is timetabled; it cannot be deleted.")
        )
    school_id, title = course.school_id, course.title
    course.delete()
    audit_record(action="courses.course.deleted", actor=by, school_id=school_id, data={"title": title})


def section_errors(
    *,
    course: Course,
    term: Term,
    code: str,
    capacity: Any,
    teacher: Teacher | None,
    school_class: SchoolClass | None,
    section: Section | None,
) -> FieldErrors:
    """Every problem with these section fields (an object of another school is `not_found` at once).

    The seats held in an existing section are not checked here: changing a section's capacity goes
    through `enrollment.capacity.capacity_set`, which knows them.
    """
    errors = FieldErrors()
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
    if course.kind == Course.Kind.HOMEWORK and school_class is None:
        errors.add("school_class", _("Homework help takes place in a class: choose the class."))
    if school_class is not None and school_class.grade not in (course.grades or []):
        errors.add("school_class", _("The class is not in a grade this course is for."))
    return errors


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
    code = clean_text(code, max_length=30) or _next_code(course, term)
    capacity = course.seats_per_section if capacity is None else capacity
    section_errors(
        course=course, term=term, code=code, capacity=capacity, teacher=teacher, school_class=school_class, section=None
    ).raise_if_any()
    section = save_or_conflict(
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
    teacher: Teacher | None = None,
    school_class: SchoolClass | None = None,
    by: Any = None,
) -> Section:
    """Change a section's term, code, teacher or class. Its seats are changed only by
    `enrollment.capacity.capacity_set` (through `enrollment.services.section_update`), which knows
    the seats held; this service never writes `capacity`."""
    code = clean_text(code, max_length=30)
    section_errors(
        course=section.course,
        term=term,
        code=code,
        capacity=section.capacity,
        teacher=teacher,
        school_class=school_class,
        section=section,
    ).raise_if_any()
    section.term, section.code = term, code
    section.teacher, section.school_class = teacher, school_class
    save_or_conflict(section, update_fields=["term", "code", "teacher", "school_class"])
    audit_record(action="courses.section.updated", actor=by, obj=section, school_id=section.course.school_id)
    return section


@transaction.atomic
def section_delete(*, section: Section, by: Any = None) -> None:
    if in_use(section):
        raise DomainError(
            "conflict", _("Pupils have chosen or joined this section, or it is timetabled; it cannot be deleted.")
        )
    school_id, label = section.course.school_id, str(section)
    section.delete()
    audit_record(action="courses.section.deleted", actor=by, school_id=school_id, data={"section": label})
