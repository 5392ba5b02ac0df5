"""A course's own page for a parent (description, teacher, times, room, seats left, fee, the
partner course's photos): the catalogue lists sections compactly and links here."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.access import allow
from accounts.models import Role
from enrollment import selectors


def _item(request: HttpRequest, student_id: int, section_id: int):
    """The child (the parent's own) and the catalogue item of that section: only what the child is offered."""
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    term = selectors.term_for_student(child)
    items = selectors.catalogue_for_student(student=child, term=term, now=timezone.now()) if term else []
    item = next((i for i in items if i.section.pk == section_id), None)
    if item is None:
        raise Http404
    return child, item


def _photos(item) -> list:
    from partners.selectors import photos_for

    course = item.course.partner_course
    return photos_for(course=course) if course is not None else []


@allow(Role.PARENT)
@require_GET
def course_detail(request: HttpRequest, student_id: int, section_id: int) -> HttpResponse:
    child, item = _item(request, student_id, section_id)
    context = {"child": child, "item": item, "photos": _photos(item)}
    return render(request, "enrollment/course_detail.html", context)


@allow(Role.PARENT)
@require_GET
def course_photo(request: HttpRequest, student_id: int, section_id: int, photo_id: int) -> HttpResponse:
    """A photo of the partner course behind a section the child is offered (else 404)."""
    _child, item = _item(request, student_id, section_id)
    photo = next((p for p in _photos(item) if p.pk == photo_id), None)
    if photo is None:
        raise Http404
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=photo.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response
