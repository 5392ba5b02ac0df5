"""Reads for families, pupils and participation, always scoped to the acting user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404

from accounts.access import Actor
from core.hot import HotQuery
from core.ids import get_or_404, id_or_404
from courses.models import WEEKDAY_CHOICES, School, SchoolClass, Section, Term, section_order_key
from courses.selectors import term_current
from enrollment.models import (
    Dismissal,
    DismissalChoice,
    Enrollment,
    EnrollmentWindow,
    Notice,
    Preference,
    PupilCalendarFeed,
    RosterProposal,
    Student,
)
from enrollment.selectors.catalogue import (  # noqa: F401
    CatalogueItem,
    FeeQuote,
    catalogue_for_student,
    fee_quote,
    section_get,
    section_get_for_student,
    section_is_open_to,
)
from enrollment.selectors.dismissal import (  # noqa: F401  (the package's public reads)
    LAST_SESSION,
    DismissalConflict,
    dismissal_changes_ahead,
    dismissal_conflicts,
    dismissal_misses,
    dismissal_on,
    dismissal_rules_for,
)
from enrollment.selectors.meetings import Meeting, meetings_clash, section_times
from enrollment.selectors.proposals import (  # noqa: F401
    proposal_get_for_parent,
    proposal_get_for_school,
    proposals_for_section,
    proposals_for_student,
)
from messaging import selectors as messaging_selectors
from messaging.models import Message
from partners.models import Provider
from scheduling.selectors import itinerary, published_placements


def about_student(student_id: int) -> str:
    """The tag a message about one pupil carries (`enrollment.notify` writes it, the child's page reads it)."""
    return f"student:{student_id}"


def student_list_for_parent(*, actor: Actor) -> list[Student]:
    """The acting parent's children with their seats, in a fixed number of queries."""
    seats = Enrollment.objects.active().select_related("section__course")
    return list(
        Student.objects.visible_to_parent(actor)
        .select_related("school", "school_class")
        .prefetch_related(Prefetch("enrollments", queryset=seats, to_attr="active_seats"))
        .order_by("grade", "name")
    )


def student_get_for_parent(*, actor: Actor, student_id: int, with_school: bool = True) -> Student:
    """One of the parent's own children, or 404 — never another family's child.

    `with_school=False` skips joining the school and class, for callers that use only the pupil's
    own columns (the first-come API: one lean read on its hot path).
    """
    students = Student.objects.visible_to_parent(actor)
    if with_school:
        students = students.select_related("school", "school_class")
    return get_or_404(students, pk=id_or_404(student_id))


def school_class_get(*, school: School, class_id: int) -> SchoolClass:
    """A class of this school; a class id from another school is simply not found."""
    try:
        return SchoolClass.objects.get(pk=class_id, school=school)
    except SchoolClass.DoesNotExist:
        raise Http404 from None


def student_list_for_school(*, school: School, school_class: SchoolClass | None = None, query: str = ""):
    students = Student.objects.filter(school=school, on_roll=True).select_related("school_class")
    if school_class is not None:
        students = students.filter(school_class=school_class)
    if query:
        students = students.filter(Q(name__contains=query) | Q(student_no__startswith=query))
    return students.annotate(seats=Count("enrollments", filter=Q(enrollments__status="enrolled"))).order_by(
        "grade", "school_class__number", "name"
    )


# --- Enrollment: catalogue, windows, seats, the week --------------------------------------------

ACTIVE = ("enrolled", "waitlisted")


def _held_in_terms(*, student_id: int, term_ids: Iterable[int], now: dt.datetime):
    """The seats (and live offers) a child holds in these terms: (section, its term, course title)."""
    return (
        Enrollment.objects.held(now)
        .filter(student_id=student_id, section__term_id__in=set(term_ids))
        .values_list("section_id", "section__term_id", "section__course__title")
    )


_HELD_IN_TERM = HotQuery(
    lambda student_id, term_id, now: _held_in_terms(student_id=student_id, term_ids=[term_id], now=now)
)


def seat_clashes(
    *,
    student: Student,
    sections: Iterable[Section],
    now: dt.datetime,
    exclude_id: int | None = None,
    held: list[tuple[int, int, str]] | None = None,
) -> dict[int, list[tuple[int, str]]]:
    """THE time-clash rule, for pages and the service alike: {section id: [(other section id, its
    course title)]} for each of `sections` meeting at the same time as a seat (or live offer) the
    child holds in that term. Sections without published times clash with nothing. A child holding
    nothing else costs one indexed read and no timetable read (the common case in a rush)."""
    sections = list(sections)
    terms = {s.term_id for s in sections}
    if held is not None:  # read by the caller under the pupil's lock (the first-come claim on PostgreSQL)
        held = [h for h in held if h[1] in terms]
    elif len(terms) == 1 and exclude_id is None:  # a request for one seat: the statement compiled once
        held = _HELD_IN_TERM.rows(student_id=student.pk, term_id=next(iter(terms)), now=now)
    else:
        held = list(_held_in_terms(student_id=student.pk, term_ids=terms, now=now).exclude(pk=exclude_id))
    if not held:
        return {}
    times = section_times({s.pk for s in sections} | {h[0] for h in held})
    out: dict[int, list[tuple[int, str]]] = {}
    for section in sections:
        mine = times.get(section.pk)
        if not mine:
            continue
        hits = [
            (other, title)
            for other, term_id, title in held
            if other != section.pk and term_id == section.term_id and meetings_clash(mine, times.get(other, []))
        ]
        if hits:
            out[section.pk] = hits
    return out


def term_for_student(student: Student) -> Term | None:
    return term_current(school=student.school)


def windows_for(*, school_id: int, term_id: int) -> list[EnrollmentWindow]:
    return list(EnrollmentWindow.objects.filter(school_id=school_id, term_id=term_id).order_by("opens_at", "id"))


def _windows_open(*, school_id: Any, term_id: int, mode: str, now: dt.datetime):
    """THE open window of a school, term and mode: open at `now`, the latest opened first."""
    return (
        EnrollmentWindow.objects.open_at(now)
        .filter(school_id=school_id, term_id=term_id, mode=mode)
        .order_by("-opens_at", "-id")
    )


def window_open(*, school_id: int, term_id: int, mode: str, now: dt.datetime) -> EnrollmentWindow | None:
    return _windows_open(school_id=school_id, term_id=term_id, mode=mode, now=now).first()


def student_for_first_come(*, family_id: int, student_id: int, term_id: int, now: dt.datetime):
    """The pupil `student_id` if a child of `family_id` (the parent's scope, `visible_to_parent`,
    for an actor with that family), with `first_come_offer_hours`: the offer hours of the first-come
    window open now at the child's school in `term_id` (None if none is open). For the API's
    first-come request, which reads the pupil, locks it and learns whether the window is open in one
    statement (`capacity.student_lock_from`); its arguments are plain values so that the statement
    is compiled once (`core.hot`)."""
    window = _windows_open(
        school_id=OuterRef("school_id"), term_id=term_id, mode=EnrollmentWindow.Mode.FIRST_COME, now=now
    )
    return (
        Student.objects.of_family(family_id)
        .filter(pk=student_id)
        .annotate(first_come_offer_hours=Subquery(window.values("offer_hours")[:1]))
    )


_FIRST_COME_PUPIL = HotQuery(lambda **args: student_for_first_come(**args).order_by()[:2])  # one pupil: no sort


def student_for_first_come_get(*, family_id: int, student_id: int, term_id: int, now: dt.datetime) -> Student | None:
    """`student_for_first_come` read without a lock (the one-statement claim locks the pupil itself,
    `capacity.claim_alone`), compiled once per process; None if not a child of `family_id`."""
    rows = _FIRST_COME_PUPIL.objects(family_id=family_id, student_id=student_id, term_id=term_id, now=now)
    return rows[0] if rows else None


def window_shown(windows: list[EnrollmentWindow], now: dt.datetime) -> EnrollmentWindow | None:
    """The window a family should see: an open one, else the next one, else the last one."""
    open_ = [w for w in windows if w.is_open(now)]
    if open_:
        return open_[-1]
    upcoming = [w for w in windows if w.phase(now) == EnrollmentWindow.Phase.UPCOMING]
    if upcoming:
        return upcoming[0]
    return windows[-1] if windows else None


def offer_hours_for(*, school_id: int, term_id: int) -> int:
    """Hours to accept an offer: the latest window's setting for this school and term, else 24."""
    hours = (
        EnrollmentWindow.objects.filter(school_id=school_id, term_id=term_id)
        .order_by("-opens_at", "-id")
        .values_list("offer_hours", flat=True)
        .first()
    )
    return hours or 24


def waitlist_position(enrollment: Enrollment) -> int | None:
    """1-based place among those still waiting for an offer, or None if not waiting."""
    if enrollment.status != Enrollment.Status.WAITLISTED or enrollment.offer_expires_at is not None:
        return None
    ahead = (
        Enrollment.objects.waiting()
        .filter(section_id=enrollment.section_id)
        .filter(Q(created_at__lt=enrollment.created_at) | Q(created_at=enrollment.created_at, id__lt=enrollment.pk))
    )
    return ahead.count() + 1


@dataclass
class WeekItem:
    enrollment: Enrollment
    meeting: Meeting | None

    @property
    def section(self) -> Section:
        return self.enrollment.section


@dataclass
class WeekDay:
    weekday: int
    label: str
    items: list[WeekItem]
    dismissal: str


@dataclass
class ChildWeek:
    """The child's after-school week: per weekday the seats that meet then, plus seats without times."""

    days: list[WeekDay]
    unscheduled: list[WeekItem]

    @property
    def published(self) -> bool:
        return any(day.items for day in self.days)


def dismissal_for(*, student: Student, term: Term | None) -> dict[int, str]:
    choices = {d: Dismissal.AFTER_SESSION_2.value for d in range(5)}
    if term is not None:
        choices.update(DismissalChoice.objects.filter(student=student, term=term).values_list("weekday", "choice"))
    return choices


def child_week(student: Student, term: Term | None = None) -> ChildWeek:
    """The weekly after-school timetable of one child (enrolled seats only).

    Times come from `section_times` (the published timetable); until a section is placed it is
    listed under `unscheduled` with its course, so families still see what the child takes.
    """
    term = term or term_for_student(student)
    seats = list(
        Enrollment.objects.filter(student=student, status="enrolled", section__term=term)
        .select_related("section__course", "section__teacher")
        .order_by("section__course__title")
    )
    times = section_times([s.section_id for s in seats])
    dismissal = dismissal_for(student=student, term=term)
    labels = dict(WEEKDAY_CHOICES)
    days = [WeekDay(d, str(labels[d]), [], dismissal[d]) for d in range(5)]
    unscheduled = []
    for seat in seats:
        meetings = times.get(seat.section_id, [])
        if not meetings:
            unscheduled.append(WeekItem(seat, None))
        for meeting in meetings:
            if 0 <= meeting.weekday <= 4:
                days[meeting.weekday].items.append(WeekItem(seat, meeting))
    for day in days:
        day.items.sort(key=lambda i: (i.meeting.start or dt.time.min, i.meeting.session or 0))
    return ChildWeek(days=days, unscheduled=unscheduled)


def notices_for_student(*, student: Student, limit: int = 5) -> list[Notice]:
    active_sections = Enrollment.objects.active().filter(student=student).values("section_id")
    return list(
        Notice.objects.filter(school_id=student.school_id)
        .filter(
            Q(grade__isnull=True, section__isnull=True) | Q(grade=student.grade) | Q(section_id__in=active_sections)
        )
        .select_related("section__course")
        .order_by("-created_at", "-id")[:limit]
    )


@dataclass
class ChildPanel:
    """Everything the parent sees for one child this term."""

    child: Student
    term: Term | None
    windows: list[EnrollmentWindow]
    window: EnrollmentWindow | None
    preferences: list[Preference]
    seats: list[Enrollment]
    offers: list[Enrollment]
    waiting: list[Enrollment]
    week: ChildWeek
    notices: list[Notice]
    dismissal_choices: list[tuple[str, str]]
    proposals: list[RosterProposal] = field(default_factory=list)
    #: the weekly choices that leave before a course that day (the rule: `dismissal_misses`)
    dismissal_conflicts: list[DismissalConflict] = field(default_factory=list)
    family_notices: list[Message] = field(default_factory=list)

    @property
    def first_come_open(self) -> bool:
        return self.window is not None and self.window.mode == "first_come" and self.window.is_open()

    @property
    def preference_open(self) -> bool:
        return self.window is not None and self.window.mode == "preference" and self.window.is_open()


def child_panel(*, student: Student, now: dt.datetime, reader_id: int | None = None) -> ChildPanel:
    """One child's panel; `reader_id`: the guardian reading it (their own copies of the family's messages)."""
    term = term_for_student(student)
    windows = windows_for(school_id=student.school_id, term_id=term.pk) if term else []
    window = window_shown(windows, now)
    pref_window = next((w for w in reversed(windows) if w.mode == "preference" and w.phase(now) != "upcoming"), None)
    preferences = (
        list(
            Preference.objects.filter(window=pref_window, student=student)
            .select_related("section__course")
            .order_by("rank")
        )
        if pref_window
        else []
    )
    rows = list(
        Enrollment.objects.active()
        .filter(student=student, section__term=term)
        .select_related("section__course", "section__teacher")
        .order_by("created_at", "id")
    )
    offers, waiting = [], []
    for row in rows:
        if row.status == "waitlisted":
            if row.offer_pending(now):
                offers.append(row)
            elif row.offer_expires_at is None:
                row.position = waitlist_position(row)
                waiting.append(row)
    return ChildPanel(
        child=student,
        term=term,
        windows=windows,
        window=window,
        preferences=preferences,
        seats=[r for r in rows if r.status == "enrolled"],
        offers=offers,
        waiting=waiting,
        week=child_week(student, term),
        notices=notices_for_student(student=student),
        dismissal_choices=list(Dismissal.choices),
        proposals=proposals_for_student(student=student),
        dismissal_conflicts=_weekly_conflicts(student, term),
        family_notices=(
            messaging_selectors.inbox_for_user(user_id=reader_id, limit=5, about=about_student(student.pk))
            if reader_id is not None
            else []
        ),
    )


def _weekly_conflicts(student: Student, term: Term | None) -> list[DismissalConflict]:
    if term is None:
        return []
    choices = {(student.pk, wd): c for wd, c in dismissal_for(student=student, term=term).items()}
    found = dismissal_conflicts(term_id=term.pk, choices=choices)
    return [c for key in sorted(found) for c in found[key]]


def enrollment_get_for_parent(*, actor: Actor, student: Student, enrollment_id: Any) -> Enrollment:
    """One of this child's rows, or 404."""
    try:
        return Enrollment.objects.select_related("section__course", "section__term").get(
            pk=id_or_404(enrollment_id), student=student, student__in=Student.objects.visible_to_parent(actor)
        )
    except Enrollment.DoesNotExist:
        raise Http404 from None


def enrollment_get_for_family(*, actor: Actor, enrollment_id: Any) -> Enrollment:
    """A row of any of the acting parent's children (API), or 404."""
    try:
        return Enrollment.objects.select_related("student", "section__course", "section__term").get(
            pk=id_or_404(enrollment_id), student__in=Student.objects.visible_to_parent(actor)
        )
    except Enrollment.DoesNotExist:
        raise Http404 from None


# --- Coordinator ---------------------------------------------------------------------------------


def section_list_for_school(*, school: School, term: Term | None, now: dt.datetime) -> list[Section]:
    if term is None:
        return []
    rows = Section.objects.filter(term=term, course__school=school).select_related("course", "teacher")
    return sorted(rows.with_seat_counts(now), key=section_order_key)


def section_get_for_school(*, school: School, section_id: Any) -> Section:
    """A section of this school; another school's section is not found."""
    try:
        return Section.objects.select_related("course", "term", "teacher").get(
            pk=id_or_404(section_id), course__school=school
        )
    except Section.DoesNotExist:
        raise Http404 from None


def roster_for_section(*, section: Section) -> dict[str, list[Enrollment]]:
    rows = list(
        Enrollment.objects.active()
        .filter(section=section)
        .select_related("student__school_class")
        .order_by("created_at", "id")
    )
    return {
        "enrolled": sorted(
            (r for r in rows if r.status == "enrolled"), key=lambda r: (r.student.grade, r.student.name)
        ),
        "waitlisted": [r for r in rows if r.status == "waitlisted"],
    }


def enrollment_get_for_school(*, school: School, section: Section, enrollment_id: Any) -> Enrollment:
    try:
        return Enrollment.objects.select_related("student").get(
            pk=id_or_404(enrollment_id), section=section, section__course__school=school
        )
    except Enrollment.DoesNotExist:
        raise Http404 from None


def student_get_for_school(*, school: School, student_no: str) -> Student | None:
    return Student.objects.filter(school=school, student_no=student_no.strip()[:30], on_roll=True).first()


def student_search_for_school(*, school: School, query: str, limit: int = 20) -> list[Student]:
    """Pupils on the school's roll whose name contains `query`, or whose student number is it
    (a coordinator adding a pupil by hand knows the name more often than the number)."""
    query = query.strip()[:50]
    if not query:
        return []
    rows = (
        Student.objects.filter(school=school, on_roll=True)
        .filter(Q(name__contains=query) | Q(student_no=query))
        .select_related("school_class")
        .order_by("school_class__grade", "school_class__number", "name", "pk")
    )
    return list(rows[:limit])


def window_list_for_school(*, school: School) -> list[EnrollmentWindow]:
    return list(EnrollmentWindow.objects.filter(school=school).select_related("term").order_by("-opens_at", "-id"))


def window_get_for_school(*, school: School, window_id: Any) -> EnrollmentWindow:
    try:
        return EnrollmentWindow.objects.get(pk=id_or_404(window_id), school=school)
    except EnrollmentWindow.DoesNotExist:
        raise Http404 from None


def notice_list_for_school(*, school: School, limit: int = 20) -> list[Notice]:
    return list(Notice.objects.filter(school=school).select_related("section__course").order_by("-created_at")[:limit])


# --- the pupil's published week and private calendar feed ----------------------------------------


def student_week(*, student: Student) -> dict[str, Any]:
    """The child's enrolled sections as placed in their schools' published timetables, by weekday."""
    section_ids = Enrollment.objects.filter(student=student, status="enrolled").values_list("section_id", flat=True)
    placements = list(published_placements(section_ids=list(section_ids)))
    return {"placements": placements, "days": itinerary(placements)}


def feeds_for_student(*, student: Student) -> list[PupilCalendarFeed]:
    return list(PupilCalendarFeed.objects.active().filter(student=student).order_by("-created_at"))


def feed_get_for_parent(*, student: Student, feed_id: Any) -> PupilCalendarFeed:
    """A live feed of this child (already scoped to the acting parent), or 404."""
    return get_or_404(
        PupilCalendarFeed.objects.active().select_related("student"), pk=id_or_404(feed_id), student=student
    )


def pupil_feed(token: str) -> tuple[str, list[Any]] | None:
    """The calendar at `calendar/<token>.ics` when the token is a pupil's live feed (else None).

    Registered with `scheduling.selectors.FEED_SOURCES`. A read: nothing is written.
    """
    feed = PupilCalendarFeed.objects.active().filter(token=token[:64]).select_related("student").first()
    if feed is None:
        return None
    return "课后服务", student_week(student=feed.student)["placements"]


def sections_held_together(section_ids: list[int]) -> dict[int, set[int]]:
    """{pupil: the sections among these where they hold a seat} — the timetable's shared pupils
    (registered with `scheduling.adapters.SHARED_PUPILS`)."""
    out: dict[int, set[int]] = {}
    for student_id, section_id in Enrollment.objects.filter(section_id__in=section_ids, status="enrolled").values_list(
        "student_id", "section_id"
    ):
        out.setdefault(student_id, set()).add(section_id)
    return out


# --- partner teachers ---------------------------------------------------------------------------


def roster_for_partner(*, actor: Actor, section_id: Any) -> tuple[Section, list[Enrollment]]:
    """The roster of one of the partner teacher's OWN sections (at any host school): names and classes only."""
    if actor.teacher_id is None:
        raise Http404
    section = get_or_404(
        Section.objects.select_related("course", "course__school", "term"),
        pk=id_or_404(section_id),
        teacher_id=actor.teacher_id,
        teacher__provider__in=Provider.objects.visible_to_partner(actor),
    )
    rows = list(
        Enrollment.objects.filter(section=section, status="enrolled")
        .select_related("student", "student__school_class")
        .order_by("student__grade", "student__name")
    )
    return section, rows
