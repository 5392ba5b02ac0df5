"""Timetable pages: build (background solve with live progress), review, adjust, publish, export.

Thin views: selectors read (scoped to the actor), services write. Each page serves its htmx
fragment from the same template (`page.html#fragment`), and works without JavaScript.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from accounts.access import allow, public
from accounts.models import Role
from core.errors import DomainError
from core.exports import XLSX_CONTENT_TYPE
from courses.models import Room, Slot, Teacher
from courses.selectors import school_get_for_coordinator
from scheduling import exports, selectors, services
from scheduling.models import CalendarFeed, Pin, Timetable
from scheduling.publish_checks import publish_warnings

VIEWS = ("school", "class", "teacher", "room")


def _int(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not str(value).isdigit():
        raise Http404
    return int(value)


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _error(request: HttpRequest, error: DomainError, url: str) -> HttpResponse:
    messages.error(request, error.message())
    return _redirect(request, url)


# --- build ----------------------------------------------------------------------------------------


@allow(Role.COORDINATOR)
@require_GET
def timetable_home(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    term = selectors.school_term(school=school, term_id=_int(request.GET.get("term")))
    context = {"school": school, "term": term, "terms": list(school.terms.all())}
    if term is not None:
        versions = selectors.timetable_list(school=school, term=term)
        runs = selectors.solve_run_list(school=school, term=term)
        context.update(
            versions=versions,
            published=next((t for t in versions if t.status == Timetable.Status.PUBLISHED), None),
            runs=runs,
            active_run=next((r for r in runs if r.active), None),
            pins=Pin.objects.filter(section__term=term, section__course__school=school).count(),
        )
    return render(request, "scheduling/home.html", context)


@allow(Role.COORDINATOR)
@require_POST
def solve_start(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    home = reverse("scheduling:home", args=[school.pk])
    term = selectors.school_term(school=school, term_id=_int(request.POST.get("term")))
    if term is None:
        return _error(request, DomainError("no_term"), home)
    try:
        time_limit = float(request.POST.get("time_limit") or 20)
        seed = int(request.POST.get("seed") or 0)
    except ValueError:
        return _error(request, DomainError("validation_error"), home)
    base_id = _int(request.POST.get("base"))
    base = (
        selectors.timetable_get_for_coordinator(actor=request.actor, school_id=school.pk, timetable_id=base_id)
        if base_id
        else None
    )
    try:
        run = services.solve_run_request(
            by=request.user, school=school, term=term, time_limit=time_limit, seed=seed, base=base, request=request
        )
    except DomainError as exc:
        return _error(request, exc, home)
    return _redirect(request, reverse("scheduling:run", args=[school.pk, run.pk]))


@allow(Role.COORDINATOR)
@require_GET
def run_detail(request: HttpRequest, school_id: int, run_id: int) -> HttpResponse:
    run = selectors.solve_run_get_for_coordinator(actor=request.actor, school_id=school_id, run_id=run_id)
    context = {"school": run.school, "run": run, "numbers": selectors.solve_numbers(run.trace)}
    template = "scheduling/run.html#run-progress" if request.htmx else "scheduling/run.html"
    return render(request, template, context)


@allow(Role.COORDINATOR)
@require_POST
def run_cancel(request: HttpRequest, school_id: int, run_id: int) -> HttpResponse:
    run = selectors.solve_run_get_for_coordinator(actor=request.actor, school_id=school_id, run_id=run_id)
    services.solve_run_cancel(run=run, by=request.user, request=request)
    run.refresh_from_db()
    if request.htmx:
        context = {"school": run.school, "run": run, "numbers": selectors.solve_numbers(run.trace)}
        return render(request, "scheduling/run.html#run-progress", context)
    return redirect("scheduling:run", school_id, run.pk)


# --- review -----------------------------------------------------------------------------------------


def _view_params(request: HttpRequest) -> tuple[str, int | None]:
    view = request.GET.get("view", "school")
    if view not in VIEWS:
        view = "school"
    return view, _int(request.GET.get("id"))


@allow(Role.COORDINATOR)
@require_GET
def timetable_detail(request: HttpRequest, school_id: int, timetable_id: int) -> HttpResponse:
    timetable = selectors.timetable_get_for_coordinator(
        actor=request.actor, school_id=school_id, timetable_id=timetable_id
    )
    view, obj_id = _view_params(request)
    placements = selectors.placements_for_view(timetable=timetable, view=view, obj_id=obj_id)
    context = {
        "school": timetable.school,
        "timetable": timetable,
        "view": view,
        "obj_id": obj_id,
        "grid": selectors.week_grid(school=timetable.school, placements=placements),
        "choices": selectors.view_choices(school=timetable.school),
        "versions": selectors.timetable_list(school=timetable.school, term=timetable.term),
    }
    if request.htmx and request.GET.get("fragment") == "week-grid":
        return render(request, "scheduling/timetable.html#week-grid", context)
    context["analysis"] = selectors.score_analysis(timetable=timetable)
    return render(request, "scheduling/timetable.html", context)


@allow(Role.COORDINATOR)
def placement_edit(request: HttpRequest, school_id: int, timetable_id: int, placement_id: int) -> HttpResponse:
    """GET: the move form (and, with a candidate, what the move breaks); POST: make the move."""
    timetable = selectors.timetable_get_for_coordinator(
        actor=request.actor, school_id=school_id, timetable_id=timetable_id
    )
    placement = selectors.placement_get_for_coordinator(timetable=timetable, placement_id=placement_id)
    back = reverse("scheduling:timetable", args=[school_id, timetable.pk])
    school = timetable.school
    data = request.POST if request.method == "POST" else request.GET
    slot_id = _int(data.get("slot")) or placement.slot_id
    room_id = _int(data.get("room")) or placement.room_id
    teacher_id = _int(data.get("teacher")) or placement.teacher_id
    slot = Slot.objects.filter(pk=slot_id, school=school).first()
    room = Room.objects.filter(pk=room_id, school=school).first()
    teachers = selectors.view_choices(school=school)["teachers"]
    teacher = next((t for t in teachers if t.pk == teacher_id), None) or (
        placement.teacher if placement.teacher_id == teacher_id else None
    )
    if slot is None or room is None or teacher is None:
        raise Http404
    if request.method == "POST":
        try:
            services.placement_move(
                placement=placement, slot=slot, room=room, teacher=teacher, by=request.user, request=request
            )
        except DomainError as exc:
            return _error(request, exc, back)
        messages.success(request, _("The meeting was moved."))
        return _redirect(request, back)
    if request.method != "GET":
        return HttpResponse(status=405)
    changed = (slot.pk, room.pk, teacher.pk) != (placement.slot_id, placement.room_id, placement.teacher_id)
    context = {
        "school": school,
        "timetable": timetable,
        "placement": placement,
        "slots": list(Slot.objects.filter(school=school).order_by("weekday", "session")),
        "rooms": list(school.rooms.order_by("name")),
        "teachers": teachers if placement.teacher in teachers else [placement.teacher, *teachers],
        "chosen": {"slot": slot.pk, "room": room.pk, "teacher": teacher.pk},
        "changed": changed,
        "preview": selectors.move_preview(
            timetable=timetable, placement=placement, slot_id=slot.pk, room_id=room.pk, teacher_id=teacher.pk
        )
        if changed
        else None,
    }
    if request.htmx:
        fragment = "move-preview" if request.GET.get("fragment") == "move-preview" else "move-panel"
        return render(request, f"scheduling/placement.html#{fragment}", context)
    return render(request, "scheduling/placement.html", context)


@allow(Role.COORDINATOR)
@require_POST
def placement_pin(request: HttpRequest, school_id: int, timetable_id: int, placement_id: int) -> HttpResponse:
    timetable = selectors.timetable_get_for_coordinator(
        actor=request.actor, school_id=school_id, timetable_id=timetable_id
    )
    placement = selectors.placement_get_for_coordinator(timetable=timetable, placement_id=placement_id)
    pinned = request.POST.get("pinned", "1") == "1"
    services.placement_pin(placement=placement, pinned=pinned, by=request.user, request=request)
    messages.success(request, _("Pinned: re-solving keeps this meeting where it is.") if pinned else _("Unpinned."))
    return _redirect(request, reverse("scheduling:timetable", args=[school_id, timetable.pk]))


@allow(Role.COORDINATOR)
@require_http_methods(["GET", "POST"])
def timetable_publish(request: HttpRequest, school_id: int, timetable_id: int) -> HttpResponse:
    """GET: the confirmation, with every warning of the checks registered before publishing (the
    5+2 rules, each with its sentence); POST: publish (warnings never block it, hard rules do)."""
    timetable = selectors.timetable_get_for_coordinator(
        actor=request.actor, school_id=school_id, timetable_id=timetable_id
    )
    url = reverse("scheduling:timetable", args=[school_id, timetable.pk])
    midterm = _midterm_change(timetable)
    if request.method == "GET":
        context = {
            "school": timetable.school,
            "timetable": timetable,
            "warnings": publish_warnings(timetable),
            "midterm": midterm,
        }
        return render(request, "scheduling/publish.html", context)
    if midterm and request.POST.get("midterm_confirmed") != "1":
        messages.error(request, _("The term has started: tick the box to confirm that the weeks of families change."))
        return _redirect(request, reverse("scheduling:publish", args=[school_id, timetable.pk]))
    try:
        services.timetable_publish(timetable=timetable, by=request.user, request=request)
    except DomainError as exc:
        return _error(request, exc, url)
    messages.success(request, _("Published. Families and teachers now see this timetable."))
    return _redirect(request, url)


def _midterm_change(timetable: Timetable) -> dict | None:
    """Publishing while the term runs replaces the week families already live by: what moves."""
    term = timetable.term
    if not (term.start <= timezone.localdate() <= term.end):
        return None
    current = services.timetable_published(school=timetable.school, term=term)
    if current is None or current.pk == timetable.pk:
        return None
    moved = selectors.timetable_compare(a=current, b=timetable)["moved"]
    return {"current": current, "meetings": len(moved), "sections": len({r["section"].pk for r in moved})}


@allow(Role.COORDINATOR)
@require_POST
def timetable_copy(request: HttpRequest, school_id: int, timetable_id: int) -> HttpResponse:
    timetable = selectors.timetable_get_for_coordinator(
        actor=request.actor, school_id=school_id, timetable_id=timetable_id
    )
    copy = services.timetable_copy(timetable=timetable, by=request.user, request=request)
    return _redirect(request, reverse("scheduling:timetable", args=[school_id, copy.pk]))


@allow(Role.COORDINATOR)
@require_GET
def timetable_compare(request: HttpRequest, school_id: int) -> HttpResponse:
    school = school_get_for_coordinator(actor=request.actor, school_id=school_id)
    a_id, b_id = _int(request.GET.get("a")), _int(request.GET.get("b"))
    if not a_id or not b_id:
        raise Http404
    a = selectors.timetable_get_for_coordinator(actor=request.actor, school_id=school.pk, timetable_id=a_id)
    b = selectors.timetable_get_for_coordinator(actor=request.actor, school_id=school.pk, timetable_id=b_id)
    if a.term_id != b.term_id:
        raise Http404
    context = {"school": school, "a": a, "b": b, "versions": selectors.timetable_list(school=school, term=a.term)}
    context.update(selectors.timetable_compare(a=a, b=b))
    return render(request, "scheduling/compare.html", context)


@allow(Role.COORDINATOR)
@require_GET
def timetable_export(request: HttpRequest, school_id: int, timetable_id: int) -> HttpResponse:
    timetable = selectors.timetable_get_for_coordinator(
        actor=request.actor, school_id=school_id, timetable_id=timetable_id
    )
    by = request.GET.get("by", "school")
    if by not in ("school", "class", "teacher"):
        raise Http404
    body = exports.timetable_xlsx(timetable=timetable, by=by)
    response = HttpResponse(body, content_type=XLSX_CONTENT_TYPE)
    name = f"timetable-{timetable.school.code}-v{timetable.version}-{by}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@allow(Role.COORDINATOR)
@require_GET
def timetable_print(request: HttpRequest, school_id: int, timetable_id: int) -> HttpResponse:
    timetable = selectors.timetable_get_for_coordinator(
        actor=request.actor, school_id=school_id, timetable_id=timetable_id
    )
    view, obj_id = _view_params(request)
    placements = selectors.placements_for_view(timetable=timetable, view=view, obj_id=obj_id)
    choices = selectors.view_choices(school=timetable.school)
    subject = None
    if view != "school" and obj_id:
        pool = {"class": choices["classes"], "teacher": choices["teachers"], "room": choices["rooms"]}[view]
        subject = next((o for o in pool if o.pk == obj_id), None)
    context = {
        "school": timetable.school,
        "timetable": timetable,
        "subject": subject,
        "grid": selectors.week_grid(school=timetable.school, placements=placements),
    }
    return render(request, "scheduling/print.html", context)


# --- teachers and families: published only -----------------------------------------------------------


@allow(Role.TEACHER, Role.PARTNER_TEACHER)
@require_GET
def teacher_timetable(request: HttpRequest) -> HttpResponse:
    data = selectors.teacher_timetable(actor=request.actor)
    context = {
        **data,
        "days": selectors.itinerary(data["placements"]),
        "feeds": selectors.feeds_for_teacher(teacher_id=data["teacher"].pk),
    }
    return render(request, "scheduling/teacher.html", context)


@allow(Role.TEACHER, Role.PARTNER_TEACHER)
@require_POST
def teacher_feed_issue(request: HttpRequest) -> HttpResponse:
    if request.actor.teacher_id is None:
        raise Http404
    teacher = Teacher.objects.get(pk=request.actor.teacher_id)
    services.calendar_feed_issue(by=request.user, teacher=teacher)
    return redirect("scheduling:teacher")


@allow(Role.TEACHER, Role.PARTNER_TEACHER)
@require_POST
def teacher_feed_revoke(request: HttpRequest, feed_id: int) -> HttpResponse:
    feed = CalendarFeed.objects.active().filter(pk=feed_id, teacher_id=request.actor.teacher_id).first()
    if feed is None or request.actor.teacher_id is None:
        raise Http404
    services.calendar_feed_revoke(feed=feed, by=request.user)
    messages.success(request, _("The calendar link was revoked."))
    return redirect("scheduling:teacher")


@public
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private iCalendar URL: public, but only with a live token (a revoked one is 404).

    A teacher's token is ours; any other token is offered to the feed sources of the apps above
    (a pupil's week lives in enrollment), so every private calendar keeps one URL shape.
    """
    feed = selectors.feed_find(token=token)
    if feed is not None:
        placements = list(selectors.published_placements(teacher_id=feed.teacher_id))
        name = f"{feed.teacher.name} · 课后服务"
    else:
        found = next((hit for source in selectors.FEED_SOURCES if (hit := source(token)) is not None), None)
        if found is None:
            raise Http404
        name, placements = found
    body = exports.ical_for_placements(name=name, placements=placements)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
