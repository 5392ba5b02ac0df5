"""Writes for a school's set-up: term and calendar, time grid, rooms, teachers, courses, sections.

Every service takes keyword arguments only, runs in one transaction and validates the domain
rules itself (a form in front of it is a convenience, not the guard). A refusal is a
`DomainError("validation_error", fields={field: [message, ...]})` or `DomainError("conflict")`;
the caller passes objects it has already scoped to the coordinator's school, and the services
check again that every object they link belongs to that same school."""

from courses.services.calendar import (
    calendar_exception_add,
    calendar_exception_delete,
    slot_grid_apply_template,
    slot_weekday_save,
    term_create,
    term_update,
)
from courses.services.common import (
    MAX_SEATS,
    MAX_SESSIONS,
    MAX_TEACHER_PERIODS,
    PHONE_RE,
    TEMPLATE_SESSIONS,
    fee_cap,
)
from courses.services.offer import (
    course_create,
    course_delete,
    course_update,
    section_create,
    section_delete,
    section_errors,
    section_update,
)
from courses.services.resources import (
    room_create,
    room_delete,
    room_update,
    teacher_availability_toggle,
    teacher_create,
    teacher_delete,
    teacher_update,
)

__all__ = [
    "MAX_SEATS",
    "MAX_SESSIONS",
    "MAX_TEACHER_PERIODS",
    "PHONE_RE",
    "TEMPLATE_SESSIONS",
    "calendar_exception_add",
    "calendar_exception_delete",
    "course_create",
    "course_delete",
    "course_update",
    "fee_cap",
    "room_create",
    "room_delete",
    "room_update",
    "section_create",
    "section_delete",
    "section_errors",
    "section_update",
    "slot_grid_apply_template",
    "slot_weekday_save",
    "teacher_availability_toggle",
    "teacher_create",
    "teacher_delete",
    "teacher_update",
    "term_create",
    "term_update",
]
