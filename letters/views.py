"""Letters to families (pages): the bureau's and a school's letters with their counts, writing one;
a family's message log. Thin: the service validates and scopes, the selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from courses.models import District, School, SchoolClass
from courses.selectors import school_get_for_coordinator
from letters import selectors, services
from messaging.models import DeliveryStatus

GRADES = list(range(1, 10))


def _posted(request: HttpRequest) -> dict[str, Any]:
    return {
        "title": request.POST.get("title", ""),
        "body": request.POST.get("body", ""),
        "school_ids": request.POST.getlist("schools"),
        "grades": request.POST.getlist("grades"),
        "class_ids": request.POST.getlist("classes"),
    }


def _write(request: HttpRequest, school: School | None) -> tuple[Any, DomainError | None]:
    data = _posted(request)
    try:
        letter = services.letter_write(actor=request.actor, by=request.user, school=school, request=request, **data)
    except DomainError as error:
        return None, error
    messages.success(request, _("The letter is queued: every guardian of its audience will receive it shortly."))
    return letter, None


def _page(request: HttpRequest, *, school: School | None, error: DomainError | None = None) -> HttpResponse:
    if school is None:
        schools = list(School.objects.visible_to_bureau(request.actor).order_by("code"))
        classes: list[SchoolClass] = []
        district = District.objects.visible_to_bureau(request.actor).order_by("pk").first()
    else:
        schools = []
        classes = list(SchoolClass.objects.filter(school=school).order_by("grade", "number"))
        district = None
    posted = _posted(request) if request.method == "POST" else {}
    context = {
        "school": school,
        "district": district,
        "schools": schools,
        "classes": classes,
        "grades": GRADES,
        "letters": selectors.letter_list(actor=request.actor, school=school),
        "posted": posted,
        "chosen": {
            "schools": set(posted.get("school_ids", [])),
            "grades": set(posted.get("grades", [])),
            "classes": set(posted.get("class_ids", [])),
        },
        "error": error,
        "field_errors": {
            k: [str(m) for m in (v if isinstance(v, list) else [v])] for k, v in (error.fields if error else {}).items()
        },
    }
    status = error.status if error else 200
    return render(request, "letters/letters.html", context, status=status)


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def bureau_letters(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        letter, error = _write(request, None)
        if error is None:
            return redirect("letters:letter_detail", letter.pk)
        return _page(request, school=None, error=error)
    return _page(request, school=None)


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def school_letters(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    if request.method == "POST":
        letter, error = _write(request, school)
        if error is None:
            return redirect("letters:letter_detail", letter.pk)
        return _page(request, school=school, error=error)
    return _page(request, school=school)


@allow(Role.BUREAU, Role.COORDINATOR)
@require_GET
def letter_detail(request: HttpRequest, letter_id: int) -> HttpResponse:
    letter = selectors.letter_get(actor=request.actor, letter_id=letter_id)
    settled = letter.status == letter.Status.SENT and all(row[DeliveryStatus.QUEUED] == 0 for row in letter.counts)
    context = {"letter": letter, "settled": settled}
    template = "letters/letter_detail.html#letter-counts" if request.htmx else "letters/letter_detail.html"
    return render(request, template, context)


@allow(Role.PARENT)
@require_GET
def family_messages(request: HttpRequest) -> HttpResponse:
    """The per-family log: what the system sent to the family's guardians, on which channel, how it went."""
    return render(request, "letters/family_messages.html", {"log": selectors.family_message_log(actor=request.actor)})
