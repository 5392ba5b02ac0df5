"""Partner-course pages: partner teachers, host-school coordinators and the bureau.

Thin views: a selector resolves every id in the URL or the form within the actor's scope (404
otherwise), a service writes. Pages work without JavaScript (plain POST, then redirect); htmx
requests get the page's inline fragment back instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.validation import add_domain_error
from courses.models import School
from courses.selectors import school_get_for_coordinator
from partners import selectors, services
from partners.forms import (
    AcceptForm,
    DeclineForm,
    HostRequestForm,
    PartnerCourseForm,
    PhotoForm,
    QualificationForm,
    ReviewForm,
    TravelForm,
)
from partners.models import HostRequest, PartnerCourse


def _fragment(request: HttpRequest, template: str, fragment: str) -> str:
    return f"{template}#{fragment}" if request.htmx else template


# --- partner teacher ------------------------------------------------------------------------------------


def _home_context(request: HttpRequest) -> dict[str, Any]:
    actor = request.actor
    teachers = selectors.provider_teachers(actor=actor)
    return {
        "providers": selectors.provider_list_for_partner(actor=actor),
        "courses": selectors.partner_course_list_for_partner(actor=actor),
        "open_requests": selectors.host_request_list_for_partner(actor=actor, status=HostRequest.Status.OPEN),
        "answered": [
            r for r in selectors.host_request_list_for_partner(actor=actor) if r.status != HostRequest.Status.OPEN
        ][:20],
        "sections": selectors.section_list_for_partner(actor=actor),
        "teachers": teachers,
        "me": actor.teacher_id,
    }


@allow(Role.PARTNER_TEACHER)
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "partners/home.html", _home_context(request))


@allow(Role.PARTNER_TEACHER)
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest) -> HttpResponse:
    providers = selectors.provider_list_for_partner(actor=request.actor)
    form = PartnerCourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.partner_course_create(
                provider=providers[0], by=request.user, request=request, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Course saved as a draft. Add photos, then submit it for review."))
            return redirect("partners:course", course.pk)
    return render(request, "partners/course_form.html", {"form": form, "course": None})


def _course_context(request: HttpRequest, course: PartnerCourse, **extra: Any) -> dict[str, Any]:
    return {
        "course": course,
        "form": extra.pop("form", None) or PartnerCourseForm.for_course(course),
        "photo_form": extra.pop("photo_form", None) or PhotoForm(),
        "photos": selectors.photos_for(course=course),
        "history": selectors.review_history(course=course),
        "offered": course.offered_version(),
        **extra,
    }


@allow(Role.PARTNER_TEACHER)
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.partner_course_get_for_partner(actor=request.actor, course_id=course_id)
    form = PartnerCourseForm.for_course(course, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.partner_course_update(
                course=course, by=request.user, request=request, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            if course.status == PartnerCourse.Status.SUBMITTED:
                messages.success(
                    request,
                    _("Saved. The change goes to the bureau for review; schools still see the approved version."),
                )
            else:
                messages.success(request, _("Saved."))
            return redirect("partners:course", course.pk)
    return render(request, "partners/course_form.html", _course_context(request, course, form=form))


@allow(Role.PARTNER_TEACHER)
@require_POST
def course_submit(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.partner_course_get_for_partner(actor=request.actor, course_id=course_id)
    try:
        services.partner_course_submit(course=course, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, _("Submitted for review by the bureau."))
    return redirect("partners:course", course.pk)


@allow(Role.PARTNER_TEACHER)
@require_POST
def photo_add(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.partner_course_get_for_partner(actor=request.actor, course_id=course_id)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.partner_photo_add(
                course=course,
                upload=form.cleaned_data["photo"],
                caption=form.cleaned_data["caption"],
                by=request.user,
                request=request,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Photo added."))
            return redirect("partners:course", course.pk)
    return render(request, "partners/course_form.html", _course_context(request, course, photo_form=form), status=422)


@allow(Role.PARTNER_TEACHER)
@require_POST
def photo_delete(request: HttpRequest, course_id: int, photo_id: int) -> HttpResponse:
    course = selectors.partner_course_get_for_partner(actor=request.actor, course_id=course_id)
    photo = course.photos.filter(pk=photo_id).first()
    if photo is None:
        raise Http404
    services.partner_photo_delete(photo=photo, by=request.user, request=request)
    messages.success(request, _("Photo removed."))
    return redirect("partners:course", course.pk)


@allow(Role.PARTNER_TEACHER)
@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest) -> HttpResponse:
    teacher = selectors.partner_teacher_get(actor=request.actor)
    if request.method == "POST":
        cells = []
        for value in request.POST.getlist("cell"):
            weekday, _sep, session = value.partition("-")
            if weekday.isdigit() and session.isdigit():
                cells.append((int(weekday), int(session)))
        school_ids = [int(v) for v in request.POST.getlist("school") if v.isdigit()]
        services.partner_availability_set(
            teacher=teacher, cells=cells, school_ids=school_ids, by=request.user, request=request
        )
        messages.success(request, _("Your teaching times and host schools are saved."))
        return redirect("partners:availability")
    return render(request, "partners/availability.html", {"data": selectors.availability_for(teacher=teacher)})


def _requests_response(request: HttpRequest) -> HttpResponse:
    if request.htmx:
        return render(request, "partners/home.html#partner-dashboard", _home_context(request))
    return redirect("partners:home")


@allow(Role.PARTNER_TEACHER)
@require_POST
def request_accept(request: HttpRequest, request_id: int) -> HttpResponse:
    row = selectors.host_request_get_for_partner(actor=request.actor, request_id=request_id)
    form = AcceptForm(request.POST, teachers=selectors.provider_teachers(actor=request.actor))
    if not form.is_valid():
        messages.error(request, DomainError("validation_error").message())
        return _requests_response(request)
    teacher = selectors.provider_teacher_get(actor=request.actor, teacher_id=form.cleaned_data["teacher"])
    try:
        services.host_request_accept(
            host_request=row, by=request.user, teacher=teacher, note=form.cleaned_data["note"], request=request
        )
    except DomainError as error:
        messages.error(request, error.message() + _format_fields(error))
    else:
        messages.success(
            request,
            _("Accepted: %(course)s at %(school)s. The school can now schedule it.")
            % {"course": row.partner_course.title, "school": row.school.name},
        )
    return _requests_response(request)


def _format_fields(error: DomainError) -> str:
    parts = [str(m) for ms in error.fields.values() for m in (ms if isinstance(ms, list | tuple) else [ms])]
    return (" " + " ".join(parts)) if parts else ""


@allow(Role.PARTNER_TEACHER)
@require_POST
def request_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    row = selectors.host_request_get_for_partner(actor=request.actor, request_id=request_id)
    form = DeclineForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.host_request_decline(host_request=row, by=request.user, note=note, request=request)
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, _("Declined."))
    return _requests_response(request)


# --- host school coordinator -----------------------------------------------------------------------------


def _catalogue_context(school: School, kind: str = "") -> dict[str, Any]:
    return {
        "school": school,
        "offers": selectors.offered_courses_for_school(school=school, kind=kind),
        "requests": selectors.host_request_list_for_school(school=school),
        "kinds": PartnerCourse.Kind.choices,
        "kind": kind,
    }


@allow(Role.COORDINATOR)
@require_GET
def school_catalogue(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    kind = request.GET.get("kind", "")
    kind = kind if kind in PartnerCourse.Kind.values else ""
    template = _fragment(request, "partners/school_catalogue.html", "offer-list")
    return render(request, template, _catalogue_context(school, kind))


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def school_request(request: HttpRequest, school_id: int, course_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    offer = selectors.offered_course_get_for_school(school=school, course_id=course_id)
    terms = selectors.school_terms(school=school)
    form = HostRequestForm(request.POST or None, terms=terms)
    if request.method == "POST" and form.is_valid():
        term = selectors.term_get_for_school(school=school, term_id=form.cleaned_data["term"])
        try:
            services.host_request_create(
                school=school,
                term=term,
                partner_course=offer.course,
                sections=form.cleaned_data["sections"],
                preferred_weekdays=form.cleaned_data["preferred_weekdays"],
                note=form.cleaned_data["note"],
                by=request.user,
                request=request,
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Request sent to %(provider)s.") % {"provider": offer.provider.name})
            return redirect("partners:school_catalogue", school.pk)
    context = {"school": school, "offer": offer, "form": form, "photos": list(offer.course.photos.all())}
    return render(request, "partners/school_request.html", context)


@allow(Role.COORDINATOR)
@require_POST
def school_request_withdraw(request: HttpRequest, school_id: int, request_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    row = selectors.host_request_get_for_school(school=school, request_id=request_id)
    try:
        services.host_request_withdraw(host_request=row, by=request.user, request=request)
    except DomainError as error:
        messages.error(request, error.message())
    else:
        messages.success(request, _("Request withdrawn."))
    return redirect("partners:school_catalogue", school.pk)


# --- bureau ------------------------------------------------------------------------------------------------


@allow(Role.BUREAU)
@require_GET
def bureau_home(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    context = {
        "queue": selectors.partner_course_list_for_bureau(actor=actor, status=PartnerCourse.Status.SUBMITTED),
        "courses": selectors.partner_course_list_for_bureau(actor=actor),
        "providers": selectors.provider_list_for_bureau(actor=actor),
        "qualification_form": QualificationForm(),
    }
    return render(request, "partners/bureau_home.html", context)


@allow(Role.BUREAU)
@require_GET
def bureau_course(request: HttpRequest, course_id: int) -> HttpResponse:
    course = selectors.partner_course_get_for_bureau(actor=request.actor, course_id=course_id)
    context = {
        "course": course,
        "offered": course.offered_version(),
        "photos": selectors.photos_for(course=course),
        "history": selectors.review_history(course=course),
        "form": ReviewForm(),
    }
    return render(request, "partners/bureau_course.html", context)


@allow(Role.BUREAU)
@require_POST
def bureau_course_decide(request: HttpRequest, course_id: int, decision: str) -> HttpResponse:
    course = selectors.partner_course_get_for_bureau(actor=request.actor, course_id=course_id)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        if decision == "approve":
            services.partner_course_approve(course=course, by=request.user, comment=comment, request=request)
            messages.success(
                request, _("Approved: host schools can now request “%(title)s”.") % {"title": course.title}
            )
        else:
            services.partner_course_return(course=course, by=request.user, comment=comment, request=request)
            messages.success(request, _("Returned to the provider with your comments."))
    except DomainError as error:
        messages.error(request, error.message() + _format_fields(error))
        return redirect("partners:bureau_course", course.pk)
    return redirect("partners:bureau_home")


@allow(Role.BUREAU)
@require_POST
def bureau_provider_qualification(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = selectors.provider_get_for_bureau(actor=request.actor, provider_id=provider_id)
    form = QualificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, DomainError("validation_error").message())
        return redirect("partners:bureau_home")
    try:
        services.provider_qualification_set(
            provider=provider,
            status=form.cleaned_data["status"],
            expires=form.cleaned_data["expires"],
            by=request.user,
            request=request,
        )
    except DomainError as error:
        messages.error(request, error.message() + _format_fields(error))
    else:
        messages.success(request, _("Qualification of %(name)s saved.") % {"name": provider.name})
    return redirect("partners:bureau_home")


@allow(Role.BUREAU)
@require_http_methods(["GET", "POST"])
def bureau_travel(request: HttpRequest) -> HttpResponse:
    matrix = selectors.travel_matrix_for_bureau(actor=request.actor)
    form = TravelForm(request.POST or None, schools=matrix.schools)
    if request.method == "POST" and form.is_valid():
        a = selectors.school_get_for_bureau(actor=request.actor, school_id=form.cleaned_data["from_school"])
        b = selectors.school_get_for_bureau(actor=request.actor, school_id=form.cleaned_data["to_school"])
        try:
            services.travel_time_set(a=a, b=b, minutes=form.cleaned_data["minutes"], by=request.user, request=request)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            notice = _("Saved both ways: %(a)s ↔ %(b)s.") % {"a": a.name, "b": b.name}
            if not request.htmx:
                messages.success(request, notice)
                return redirect("partners:bureau_travel")
            matrix = selectors.travel_matrix_for_bureau(actor=request.actor)
            form = TravelForm(schools=matrix.schools, initial=form.cleaned_data)
            return render(
                request, "partners/travel.html#travel-panel", {"matrix": matrix, "form": form, "notice": notice}
            )
    template = _fragment(request, "partners/travel.html", "travel-panel")
    return render(request, template, {"matrix": matrix, "form": form})


# --- photos (never from a public media directory) ---------------------------------------------------------


@allow(Role.PARTNER_TEACHER, Role.BUREAU, Role.COORDINATOR)
@require_GET
def photo(request: HttpRequest, photo_id: int) -> HttpResponse:
    row = selectors.photo_get_for_actor(actor=request.actor, photo_id=photo_id)
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=row.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = "inline"
    return response
