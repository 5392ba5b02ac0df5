"""A partner teacher's ONE itinerary across host schools, from PUBLISHED timetables only.

Per weekday, the teacher's meetings in time order with the school, the room, the minutes free
since the previous meeting and the travel minutes between the two schools (the bureau's matrix).
A gap shorter than the travel time is flagged (`partner_travel`, which the timetabling engine
should already prevent); two meetings at once are a clash (`teacher_double_booked`).

Several host schools have their own Term rows for the same half-year: the itinerary shows the
published timetables of terms that overlap the anchor term (the latest-starting term not yet
over, else the latest one), so last year's timetables never mix with this year's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.utils import timezone

from accounts.access import Actor
from courses.models import WEEKDAY_CHOICES, School, Section, Teacher, Term
from partners.models import Provider, TravelTime
from scheduling.models import Placement, Timetable


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


@dataclass
class Stop:
    placement: Placement
    school: School
    start: dt.time
    end: dt.time
    title: str
    section_code: str
    room: str
    gap: int | None = None  # minutes free since the previous meeting that day (None: first of the day)
    travel: int | None = None  # minutes from the previous meeting's school (0: same school; None: not recorded)
    moved: bool = False  # a different school from the previous meeting
    problem: str = ""  # "", "partner_travel", "teacher_double_booked", "travel_unknown"

    @property
    def ok(self) -> bool:
        return not self.problem


@dataclass
class Day:
    weekday: int
    label: str
    stops: list[Stop] = field(default_factory=list)

    @property
    def schools(self) -> list[School]:
        seen: dict[int, School] = {}
        for s in self.stops:
            seen.setdefault(s.school.pk, s.school)
        return list(seen.values())


@dataclass
class Unscheduled:
    """The teacher's sections at one school that no published timetable places yet."""

    school: School
    sections: int


@dataclass
class Itinerary:
    teacher: Teacher
    days: list[Day]
    terms: list[Term]
    #: sections of this teacher with no meeting in a published timetable, per school (never dropped silently)
    unscheduled: list[Unscheduled] = field(default_factory=list)

    @property
    def unscheduled_sections(self) -> int:
        return sum(u.sections for u in self.unscheduled)

    @property
    def unscheduled_schools(self) -> str:
        return "、".join(u.school.name for u in self.unscheduled)

    @property
    def stops(self) -> list[Stop]:
        return [s for d in self.days for s in d.stops]

    @property
    def schools(self) -> list[School]:
        seen: dict[int, School] = {}
        for s in self.stops:
            seen.setdefault(s.school.pk, s.school)
        return sorted(seen.values(), key=lambda s: s.code)

    @property
    def problems(self) -> list[Stop]:
        return [s for s in self.stops if s.problem in {"partner_travel", "teacher_double_booked"}]

    @property
    def unknown(self) -> list[Stop]:
        return [s for s in self.stops if s.problem == "travel_unknown"]


def partner_teacher_for(*, actor: Actor) -> Teacher:
    if actor.teacher_id is None:
        raise Http404
    teacher = (
        Teacher.objects.select_related("provider")
        .filter(pk=actor.teacher_id, provider__in=Provider.objects.visible_to_partner(actor))
        .first()
    )
    if teacher is None:
        raise Http404
    return teacher


def _anchor(terms: list[Term], today: dt.date) -> Term | None:
    if not terms:
        return None
    running = [t for t in terms if t.end >= today]
    return max(running or terms, key=lambda t: (t.start, t.pk))


def itinerary_build(*, teacher: Teacher, today: dt.date | None = None) -> Itinerary:
    """The teacher's published week across host schools (a fixed number of queries)."""
    today = today or timezone.localdate()
    rows = list(
        Placement.objects.filter(teacher=teacher, timetable__status=Timetable.Status.PUBLISHED)
        .select_related("slot", "room", "section__course", "timetable__school", "timetable__term")
        .order_by("slot__weekday", "slot__start", "timetable__school__code", "section_id", "meeting")
    )
    terms = {p.timetable.term_id: p.timetable.term for p in rows}
    anchor = _anchor(list(terms.values()), today)
    if anchor is not None:
        rows = [p for p in rows if p.timetable.term.start <= anchor.end and p.timetable.term.end >= anchor.start]
    school_ids = {p.timetable.school_id for p in rows}
    travel = {
        (a, b): m
        for a, b, m in TravelTime.objects.filter(
            from_school_id__in=school_ids, to_school_id__in=school_ids
        ).values_list("from_school_id", "to_school_id", "minutes")
    }
    days = [Day(weekday=wd, label=str(label)) for wd, label in WEEKDAY_CHOICES]
    for p in rows:
        days[p.slot.weekday].stops.append(
            Stop(
                placement=p,
                school=p.timetable.school,
                start=p.slot.start,
                end=p.slot.end,
                title=p.section.course.title,
                section_code=p.section.code,
                room=p.room.name,
            )
        )
    for day in days:
        day.stops.sort(key=lambda s: (s.start, s.end, s.school.code))
        for prev, stop in zip(day.stops, day.stops[1:], strict=False):
            stop.gap = _minutes(stop.start) - _minutes(prev.end)
            a, b = prev.school.pk, stop.school.pk
            stop.moved = a != b
            stop.travel = 0 if a == b else travel.get((a, b), travel.get((b, a)))
            if stop.gap < 0 or stop.start < prev.end:
                stop.problem = "teacher_double_booked"
            elif stop.travel is None:
                stop.problem = "travel_unknown"
            elif stop.gap < stop.travel:
                stop.problem = "partner_travel"
    used_terms = sorted({p.timetable.term_id: p.timetable.term for p in rows}.values(), key=lambda t: t.school_id)
    return Itinerary(
        teacher=teacher, days=days, terms=used_terms, unscheduled=_unscheduled(teacher, anchor, rows, today)
    )


def _unscheduled(teacher: Teacher, anchor: Term | None, rows: list[Placement], today: dt.date) -> list[Unscheduled]:
    """The teacher's sections of the same half-year (terms overlapping the anchor, or not over yet)
    that the published timetables shown do not place, counted per school."""
    placed = {p.section_id for p in rows}
    sections = Section.objects.filter(teacher=teacher).exclude(pk__in=placed)
    if anchor is not None:
        sections = sections.filter(term__start__lte=anchor.end, term__end__gte=anchor.start)
    else:
        sections = sections.filter(term__end__gte=today)
    counts: dict[int, Unscheduled] = {}
    for section in sections.select_related("course__school").order_by("course__school__code", "pk"):
        school = section.course.school
        counts.setdefault(school.pk, Unscheduled(school, 0)).sections += 1
    return list(counts.values())


def itinerary_for_partner(*, actor: Actor, today: dt.date | None = None) -> Itinerary:
    return itinerary_build(teacher=partner_teacher_for(actor=actor), today=today)


def itinerary_as_dict(itinerary: Itinerary) -> dict[str, Any]:
    return {
        "teacher_id": itinerary.teacher.pk,
        "teacher": itinerary.teacher.name,
        "schools": [{"id": s.pk, "name": s.name} for s in itinerary.schools],
        "problems": len(itinerary.problems),
        "unscheduled_sections": itinerary.unscheduled_sections,
        "unscheduled": [
            {"school_id": u.school.pk, "school": u.school.name, "sections": u.sections} for u in itinerary.unscheduled
        ],
        "days": [
            {
                "weekday": d.weekday,
                "label": d.label,
                "stops": [
                    {
                        "placement_id": s.placement.pk,
                        "school_id": s.school.pk,
                        "school": s.school.name,
                        "start": f"{s.start:%H:%M}",
                        "end": f"{s.end:%H:%M}",
                        "course": s.title,
                        "section": s.section_code,
                        "room": s.room,
                        "gap_minutes": s.gap,
                        "travel_minutes": s.travel,
                        "problem": s.problem or None,
                    }
                    for s in d.stops
                ],
            }
            for d in itinerary.days
        ],
    }
