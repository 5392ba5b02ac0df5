"""Parent, coordinator and bureau pages (thin: selectors read, services write, permissions here)."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import allow
from accounts.models import Role
from core.errors import DomainError
from core.exports import xlsx_bytes, xlsx_response, xlsx_row
from core.ids import id_or_404
from core.validation import add_domain_error
from courses.forms import SectionForm
from courses.selectors import school_get_for_coordinator, term_current
from enrollment import forms, selectors, services
from enrollment.models import Enrollment, EnrollmentWindow
from enrollment.selectors.choices import catalogue_groups, choice_options


def _fail(request: HttpRequest, error: DomainError) -> None:
    messages.error(request, error.message())


def _child_url(child) -> str:
    return reverse("enrollment:child_detail", args=[child.pk])


def remove_question(name: str) -> str:
    """Asked before a pupil is removed from a section: in the dialog and on the confirmation page."""
    return _("Remove %(name)s from this section? The seat goes to the waitlist and the family is told.") % {
        "name": name
    }


def _catalogue_url(child, data, section_id: int | None = None) -> str:
    """The catalogue with the filters the family had (from the posted form), at the card they used."""
    query = forms.CatalogueFilterForm({"kind": data.get("kind", ""), "weekday": data.get("weekday", "")}).query()
    url = reverse("enrollment:catalogue", args=[child.pk])
    if query:
        url += "?" + urlencode(query)
    return url + (f"#section-{section_id}" if section_id else "")


# --- Families ------------------------------------------------------------------------------------


@allow(Role.PARENT)
@require_GET
def parent_home(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    children = selectors.student_list_for_parent(actor=request.actor)
    panels = [selectors.child_panel(student=child, now=now, reader_id=request.user.pk) for child in children]
    return render(request, "enrollment/parent_home.html", {"children": children, "panels": panels})


@allow(Role.PARENT)
@require_GET
def child_detail(request: HttpRequest, student_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    panel = selectors.child_panel(student=child, now=timezone.now(), reader_id=request.user.pk)
    return render(request, "enrollment/child_detail.html", {"child": child, "panel": panel})


@allow(Role.PARENT)
@require_GET
def catalogue(request: HttpRequest, student_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    now = timezone.now()
    term = selectors.term_for_student(child)
    filter_form = forms.CatalogueFilterForm(request.GET or None)
    items = selectors.catalogue_for_student(student=child, term=term, now=now, **filter_form.filters()) if term else []
    windows = selectors.windows_for(school_id=child.school_id, term_id=term.pk) if term else []
    window = selectors.window_shown(windows, now)
    context = {
        "child": child,
        "term": term,
        "items": items,
        "groups": catalogue_groups(items),
        "filter_form": filter_form,
        "filter_query": filter_form.query(),
        "window": window,
        "first_come_open": bool(window and window.mode == "first_come" and window.is_open(now)),
        "preference_open": bool(window and window.mode == "preference" and window.is_open(now)),
        "form_key": uuid.uuid4().hex,
    }
    template = "enrollment/catalogue.html#catalogue" if request.htmx else "enrollment/catalogue.html"
    return render(request, template, context)


@allow(Role.PARENT)
@require_POST
def enroll(request: HttpRequest, student_id: int) -> HttpResponse:
    """First-come: one tap takes a seat if free; if full, the family is asked whether to wait."""
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    form = forms.EnrollForm(request.POST)
    if not form.is_valid():
        _fail(request, DomainError("bad_request"))
        return redirect(_catalogue_url(child, request.POST))
    section = selectors.section_get_for_student(student=child, section_id=form.cleaned_data["section"])
    try:
        result = services.enrollment_request(
            student=child,
            section=section,
            by=request.user,
            request=request,
            waitlist=form.cleaned_data["waitlist"],
            request_key=form.cleaned_data["key"] or "",
            confirmed_total=form.cleaned_data["confirmed_total"],
        )
    except DomainError as error:
        if error.code == "fee_not_confirmed":  # a paid course: the fee, meetings and total, then confirm
            quote = selectors.fee_quote(section=section, today=timezone.localdate())
            context = {
                "child": child,
                "section": section,
                "quote": quote,
                "form": form.cleaned_data,
                "filter_query": forms.CatalogueFilterForm(request.POST).query(),
                "back_url": _catalogue_url(child, request.POST, section.pk),
            }
            return render(request, "enrollment/confirm_fee.html", context)
        _fail(request, error)
        # back to the same card of the same filtered list, not the top of a long list (issue 13 item 13)
        return redirect(_catalogue_url(child, request.POST, section.pk))
    row = result.enrollment
    title = section.course.title
    if result.replayed:
        messages.info(request, _("This was already done: nothing was changed."))
    elif row.status == Enrollment.Status.ENROLLED:
        messages.success(request, _("%(child)s has a seat in “%(course)s”.") % {"child": child.name, "course": title})
    else:
        messages.success(
            request,
            _("%(child)s is on the waitlist for “%(course)s”. You will be offered a seat when one is free.")
            % {"child": child.name, "course": title},
        )
    return redirect(_child_url(child))


@allow(Role.PARENT)
@require_POST
def withdraw(request: HttpRequest, student_id: int, enrollment_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    row = selectors.enrollment_get_for_parent(actor=request.actor, student=child, enrollment_id=enrollment_id)
    was_active = row.is_active
    services.enrollment_withdraw(enrollment=row, by=request.user, request=request)
    if was_active:
        messages.success(request, _("“%(course)s” was given up.") % {"course": row.section.course.title})
    else:
        messages.info(request, _("This was already done: nothing was changed."))
    return redirect(_child_url(child))


@allow(Role.PARENT)
@require_POST
def offer_accept(request: HttpRequest, student_id: int, enrollment_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    row = selectors.enrollment_get_for_parent(actor=request.actor, student=child, enrollment_id=enrollment_id)
    try:
        services.offer_accept(enrollment=row, by=request.user, request=request)
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            _("%(child)s has a seat in “%(course)s”.") % {"child": child.name, "course": row.section.course.title},
        )
    return redirect(_child_url(child))


@allow(Role.PARENT)
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest, student_id: int) -> HttpResponse:
    """Rank up to N choices while the preference window is open; change them until it closes."""
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    now = timezone.now()
    term = selectors.term_for_student(child)
    window = (
        selectors.window_open(
            school_id=child.school_id, term_id=term.pk, mode=EnrollmentWindow.Mode.PREFERENCE, now=now
        )
        if term
        else None
    )
    if window is None:
        if request.method == "POST":
            _fail(request, DomainError("window_closed"))
            return redirect(_child_url(child))
        return render(request, "enrollment/preferences.html", {"child": child, "window": None})
    items = selectors.catalogue_for_student(student=child, term=term, now=now)
    options = choice_options(student=child, items=items)
    current = list(window.preferences.filter(student=child).order_by("rank").values_list("section_id", flat=True))
    form = forms.PreferenceForm(
        request.POST or None,
        sections=[i.section for i in items],
        max_choices=window.max_choices,
        initial_ids=current,
        labels={o.section.pk: o.label for o in options},
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.preferences_replace(
                    student=child, window=window, section_ids=form.section_ids(), by=request.user, request=request
                )
            except DomainError as error:
                _fail(request, error)
            else:
                messages.success(request, _("Your choices for %(child)s are saved.") % {"child": child.name})
                return redirect(_child_url(child))
        else:
            _fail(request, DomainError("not_eligible"))
    clashes = [o for o in options if o.clashes_with]
    context = {"child": child, "window": window, "form": form, "clashes": clashes}
    return render(request, "enrollment/preferences.html", context)


@allow(Role.PARENT)
@require_POST
def dismissal(request: HttpRequest, student_id: int) -> HttpResponse:
    """Flexible dismissal per weekday, saved with htmx (the fragment) or a plain form (redirect)."""
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    term = selectors.term_for_student(child)
    form = forms.DismissalForm(request.POST)
    saved = False
    pending = None  # a choice that leaves before a course: asked again, naming the course
    if term is None or not form.is_valid():
        _fail(request, DomainError("bad_request"))
    else:
        try:
            services.dismissal_set(
                student=child,
                term=term,
                weekday=form.cleaned_data["weekday"],
                choice=form.cleaned_data["choice"],
                by=request.user,
                request=request,
                accept_missing=request.POST.get("accept_missing") == "1",
            )
            saved = True
        except DomainError as error:
            if error.code != "dismissal_misses_course":
                raise
            pending = {**form.cleaned_data, "message": error.message()}
            if not request.htmx:
                _fail(request, error)
    if not request.htmx:
        if saved:
            messages.success(request, _("Saved."))
        return redirect(_child_url(child))
    panel = selectors.child_panel(student=child, now=timezone.now(), reader_id=request.user.pk)
    context = {"panel": panel, "child": child, "saved": saved, "pending": pending}
    return render(request, "enrollment/_panel.html#dismissal", context)


# --- The child's published week and private calendar link -----------------------------------------


@allow(Role.PARENT)
@require_GET
def child_timetable(request: HttpRequest, student_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    context = {
        "child": child,
        **selectors.student_week(student=child),
        "feeds": selectors.feeds_for_student(student=child),
    }
    return render(request, "enrollment/child_timetable.html", context)


@allow(Role.PARENT)
@require_POST
def child_feed_issue(request: HttpRequest, student_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    services.calendar_feed_issue(student=child, by=request.user, request=request)
    return redirect("enrollment:child_timetable", child.pk)


@allow(Role.PARENT)
@require_POST
def child_feed_revoke(request: HttpRequest, student_id: int, feed_id: int) -> HttpResponse:
    child = selectors.student_get_for_parent(actor=request.actor, student_id=student_id)
    feed = selectors.feed_get_for_parent(student=child, feed_id=feed_id)
    services.calendar_feed_revoke(feed=feed, by=request.user, request=request)
    messages.success(request, _("The calendar link was revoked."))
    return redirect("enrollment:child_timetable", child.pk)


# --- Partner teachers: the rosters of their own sections at host schools ---------------------------


@allow(Role.PARTNER_TEACHER)
@require_GET
def partner_roster(request: HttpRequest, section_id: int) -> HttpResponse:
    section, rows = selectors.roster_for_partner(actor=request.actor, section_id=section_id)
    return render(request, "enrollment/partner_roster.html", {"section": section, "rows": rows})


# --- Coordinators ----------------------------------------------------------------------------------


@allow(Role.COORDINATOR)
@require_GET
def school_enrollment(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    term = term_current(school=school)
    now = timezone.now()
    sections = selectors.section_list_for_school(school=school, term=term, now=now)
    context = {
        "school": school,
        "term": term,
        "sections": sections,
        "windows": selectors.window_list_for_school(school=school),
        "notices": selectors.notice_list_for_school(school=school),
        "notice_form": forms.NoticeForm(school=school, sections=sections),
        "now": now,
    }
    return render(request, "enrollment/school_enrollment.html", context)


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def window_edit(request: HttpRequest, school_id: int, window_id: int | None = None) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    window = selectors.window_get_for_school(school=school, window_id=window_id) if window_id is not None else None
    form = forms.WindowForm(request.POST or None, instance=window, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            services.window_save(school=school, by=request.user, data=form.cleaned_data, window=window, request=request)
        except DomainError as error:
            form.add_error(None, error.message())
        else:
            messages.success(request, _("The enrollment window is saved."))
            return redirect("enrollment:school_enrollment", school.pk)
    return render(request, "enrollment/window_form.html", {"school": school, "window": window, "form": form})


@allow(Role.COORDINATOR)
@require_POST
def notice_new(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    sections = selectors.section_list_for_school(school=school, term=term_current(school=school), now=timezone.now())
    form = forms.NoticeForm(request.POST, school=school, sections=sections)
    if form.is_valid():
        grade, section = form.audience_value()
        services.notice_publish(
            school=school,
            by=request.user,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            grade=grade,
            section=section,
            request=request,
        )
        messages.success(request, _("The notice is published."))
    else:
        _fail(request, DomainError("validation_error"))
    return redirect("enrollment:school_enrollment", school.pk)


@allow(Role.COORDINATOR)
@require_GET
def section_roster(request: HttpRequest, school_id: int, section_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    section = selectors.section_get_for_school(school=school, section_id=section_id)
    context = {
        "school": school,
        "section": section,
        "roster": selectors.roster_for_section(section=section),
        "proposals": selectors.proposals_for_section(section=section),
        "add_form": forms.RosterAddForm(),
        "now": timezone.now(),
        "find": request.GET.get("find", "").strip()[:50],
    }
    context["found"] = selectors.student_search_for_school(school=school, query=context["find"])
    template = (
        "enrollment/roster.html#roster" if request.htmx and not request.htmx.boosted else "enrollment/roster.html"
    )
    return render(request, template, context)


@allow(Role.COORDINATOR)
@require_GET
def roster_export(request: HttpRequest, school_id: int, section_id: int) -> HttpResponse:
    """The section's roster and waitlist as an Excel workbook."""
    from openpyxl import Workbook

    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    section = selectors.section_get_for_school(school=school, section_id=section_id)
    roster = selectors.roster_for_section(section=section)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Roster")[:31]
    xlsx_row(sheet, [f"{school.name} · {section.course.title} · {section.code}"])
    xlsx_row(sheet, [_("status"), _("name"), _("student number"), _("class"), _("since"), _("note")])
    for rows in (roster["enrolled"], roster["waitlisted"]):
        for row in rows:
            xlsx_row(
                sheet,
                [
                    str(row.get_status_display()),
                    row.student.name,
                    row.student.student_no,
                    str(row.student.school_class),
                    timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M"),
                    row.note,
                ],
            )
    for column, width in zip("ABCDEF", (10, 12, 14, 14, 18, 30), strict=True):
        sheet.column_dimensions[column].width = width
    return xlsx_response(xlsx_bytes(book), f"roster-{section.pk}.xlsx")


@allow(Role.COORDINATOR)
@require_POST
def roster_add(request: HttpRequest, school_id: int, section_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    section = selectors.section_get_for_school(school=school, section_id=section_id)
    form = forms.RosterAddForm(request.POST)
    if not form.is_valid():
        _fail(request, DomainError("validation_error"))
        return redirect("enrollment:section_roster", school.pk, section.pk)
    student = selectors.student_get_for_school(school=school, student_no=form.cleaned_data["student_no"])
    if student is None:
        _fail(request, DomainError("not_found"))
        return redirect("enrollment:section_roster", school.pk, section.pk)
    try:
        services.roster_add(
            school=school,
            section=section,
            student=student,
            by=request.user,
            reason=form.cleaned_data["reason"],
            request=request,
        )
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(
            request,
            _("A proposal is sent to the family of %(child)s; the seat is taken only if the family accepts.")
            % {"child": student.name},
        )
    return redirect("enrollment:section_roster", school.pk, section.pk)


@allow(Role.COORDINATOR)
@require_POST
def roster_remove(request: HttpRequest, school_id: int, section_id: int, enrollment_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    section = selectors.section_get_for_school(school=school, section_id=section_id)
    row = selectors.enrollment_get_for_school(school=school, section=section, enrollment_id=enrollment_id)
    form = forms.ReasonForm(request.POST)
    if not form.is_valid():
        _fail(request, DomainError("validation_error"))
    elif request.POST.get("confirmed") != "yes":  # asked first, also without JavaScript (issue 13 item 17)
        context = {
            "title": _("Remove from the section"),
            "question": remove_question(row.student.name),
            "action": request.path,
            "fields": [("reason", form.cleaned_data["reason"])],
            "confirm_label": _("Remove"),
            "cancel_url": reverse("enrollment:section_roster", args=[school.pk, section.pk]),
        }
        return render(request, "components/confirm_action.html", context)
    else:
        services.roster_remove(enrollment=row, by=request.user, reason=form.cleaned_data["reason"], request=request)
        messages.success(request, _("%(child)s was removed.") % {"child": row.student.name})
    return redirect("enrollment:section_roster", school.pk, section.pk)


# --- A section's seats and set-up (the seats are enrollment's: changed through enrollment.capacity) ---


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def section_edit(request: HttpRequest, school_id: int, section_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    section = selectors.section_get_for_school(school=school, section_id=section_id)
    initial = {
        "term": section.term_id,
        "code": section.code,
        "capacity": section.capacity,
        "teacher": section.teacher_id or "",
        "school_class": section.school_class_id or "",
    }
    form = SectionForm(request.POST or None, school=school, course=section.course, initial=initial)
    course_url = reverse("courses:setup_course", args=[school.pk, section.course_id])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data.get("capacity") is None:
            data["capacity"] = section.capacity
        try:
            services.section_update(section=section, **data, by=request.user, request=request)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Section %(code)s saved.") % {"code": section.code})
            return redirect(course_url)
    context = {
        "school": school,
        "active": "courses",
        "form": form,
        "title": _("Edit section %(section)s") % {"section": section},
        "back_url": course_url,
        "delete_url": reverse("courses:setup_section_delete", args=[school.pk, section.pk]),
    }
    return render(request, "courses/setup_edit.html", context)


# --- The school's pupils -----------------------------------------------------------


@allow(Role.COORDINATOR)
def school_pupils(request: HttpRequest, school_id: int) -> HttpResponse:
    """The roster; the class filter is a form value, checked against the coordinator's school."""
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    school_class = None
    raw_class = request.GET.get("class", "").strip()
    if raw_class:
        if not raw_class.isdigit():
            raise Http404
        school_class = selectors.school_class_get(school=school, class_id=id_or_404(raw_class))
    query = request.GET.get("q", "").strip()[:30]
    pupils = selectors.student_list_for_school(school=school, school_class=school_class, query=query)
    context = {
        "school": school,
        "classes": school.classes.all(),
        "school_class": school_class,
        "query": query,
        "pupils": pupils[:500],
        "total": pupils.count(),
    }
    template = "enrollment/school_pupils.html#pupil-table" if request.htmx else "enrollment/school_pupils.html"
    return render(request, template, context)
