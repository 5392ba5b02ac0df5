"""Coordinator and teacher pages for a school (thin: selectors read, services write).

The set-up pages follow one pattern: a page template holds its fragment inline
(`{% partialdef room-section inline %}`); a GET renders the page, an htmx request gets just the
fragment, and a plain form POST (no JavaScript) redirects back to the page. Every view first
resolves the school through `school_get_for_coordinator` (404 for another school) and every id
that arrives in the URL or in the form goes through a school-scoped selector (404 again)."""

from courses.views.calendar import (
    setup_exception_add,
    setup_exception_delete,
    setup_grid,
    setup_grid_template,
    setup_grid_weekday,
    setup_term,
    setup_terms,
)
from courses.views.helpers import (
    coordinator_school,
    create_flow,
    delete_flow,
    done_or_none,
    refused_or_none,
    render_page,
    setup_url,
)
from courses.views.homes import (
    school_home,
    teacher_home,
)
from courses.views.imports import (
    IMPORTS,
    import_titles,
    not_found,
    setup_import,
    setup_import_template,
)
from courses.views.offer import (
    setup_course,
    setup_course_delete,
    setup_courses,
    setup_section_add,
    setup_section_delete,
)
from courses.views.resources import (
    setup_room,
    setup_room_delete,
    setup_rooms,
    setup_teacher,
    setup_teacher_availability,
    setup_teacher_delete,
    setup_teachers,
)

__all__ = [
    "IMPORTS",
    "coordinator_school",
    "create_flow",
    "delete_flow",
    "done_or_none",
    "import_titles",
    "not_found",
    "refused_or_none",
    "render_page",
    "school_home",
    "setup_course",
    "setup_course_delete",
    "setup_courses",
    "setup_exception_add",
    "setup_exception_delete",
    "setup_grid",
    "setup_grid_template",
    "setup_grid_weekday",
    "setup_import",
    "setup_import_template",
    "setup_room",
    "setup_room_delete",
    "setup_rooms",
    "setup_section_add",
    "setup_section_delete",
    "setup_teacher",
    "setup_teacher_availability",
    "setup_teacher_delete",
    "setup_teachers",
    "setup_term",
    "setup_terms",
    "setup_url",
    "teacher_home",
]
