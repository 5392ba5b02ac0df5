"""Reads for timetabling, always scoped to the acting user.

Coordinators read their own school's versions and runs (404 for any other school). Teachers,
partner teachers and families only ever read published timetables.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q
from django.http import Http404

from accounts.access import Actor
from core.extensions import ExtensionPoint
from courses.models import WEEKDAY_CHOICES, CalendarException, School, SchoolClass, Slot, Teacher, Term
from courses.selectors import school_get_for_coordinator, term_current
from scheduling import adapters
from scheduling.models import CalendarFeed, Placement, SolveRun, Timetable
from scheduling.solver import domain as d
from scheduling.solver.rules import RULES

WEEKDAYS = [(n, str(label)) for n, label in WEEKDAY_CHOICES]


# --- scoping ---------------------------------------------------------------------------------------


def timetable_get_for_coordinator(*, actor: Actor, school_id: int, timetable_id: int) -> Timetable:
    school = school_get_for_coordinator(actor=actor, school_id=school_id)
    try:
        return Timetable.objects.select_related("school", "term", "published_by", "created_by", "base").get(
            pk=timetable_id, school=school
        )
    except Timetable.DoesNotExist:
        raise Http404 from None


def solve_run_get_for_coordinator(*, actor: Actor, school_id: int, run_id: int) -> SolveRun:
    """The run as it is (a run whose worker fell silent shows `is_stale()` until the worker reaps it)."""
    school = school_get_for_coordinator(actor=actor, school_id=school_id)
    try:
        run = SolveRun.objects.select_related("result_timetable", "base_timetable", "term").get(
            pk=run_id, school=school
        )
    except SolveRun.DoesNotExist:
        raise Http404 from None
    return run


def placement_get_for_coordinator(*, timetable: Timetable, placement_id: int) -> Placement:
    try:
        return Placement.objects.select_related("section__course", "slot", "room", "teacher").get(
            pk=placement_id, timetable=timetable
        )
    except Placement.DoesNotExist:
        raise Http404 from None


def school_term(*, school: School, term_id: int | None = None) -> Term | None:
    if term_id is not None:
        return school.terms.filter(pk=term_id).first()
    return term_current(school=school)


def timetable_list(*, school: School, term: Term) -> list[Timetable]:
    return list(
        Timetable.objects.for_school_term(school.pk, term.pk)
        .select_related("created_by", "published_by")
        .order_by("-version")
    )


SOLVE_MARKS = (10.0, 20.0)  # the times at which the benchmark and the run page read the cost


def solve_numbers(trace: list[list[float | None]], *, marks: tuple[float, ...] = SOLVE_MARKS) -> dict[str, Any]:
    """What a solve reached and when, from its trace ``[[elapsed, cost, bound], ...]`` (the run's
    row, or ``services.SolveProgress`` in ``bench/timetable.py``): the time to the first timetable,
    the last cost and bound, the best cost at each mark, and when the bound proved it optimal."""
    first = trace[0][0] if trace else None
    cost = trace[-1][1] if trace else None
    bounds = [b for _, _, b in trace if b is not None]
    cost_at = []
    for mark in marks:
        seen = [c for t, c, _ in trace if t is not None and c is not None and t <= mark]
        cost_at.append((mark, min(seen) if seen else None))
    proven = next((t for t, c, b in trace if c is not None and b is not None and c <= b + 1e-6), None)
    return {
        "first_feasible_at": first,
        "cost": cost,
        "bound": max(bounds) if bounds else None,
        "cost_at": cost_at,
        "proven_optimal_at": proven,
    }


def solve_run_list(*, school: School, term: Term, limit: int = 10) -> list[SolveRun]:
    return list(SolveRun.objects.filter(school=school, term=term).select_related("result_timetable")[:limit])


# --- the week grid ---------------------------------------------------------------------------------


@dataclass
class Cell:
    weekday: int
    session: int
    placements: list[Placement]


def _placements(timetable: Timetable):
    return timetable.placements.select_related(
        "section__course", "section__school_class", "slot", "room", "teacher"
    ).order_by("slot__weekday", "slot__session", "section__course__title", "section__code", "meeting")


def placements_for_view(*, timetable: Timetable, view: str, obj_id: int | None) -> list[Placement]:
    """Placements shown by the week view of a class, a teacher, a room or the whole school."""
    rows = _placements(timetable)
    if view == "class" and obj_id:
        klass = SchoolClass.objects.filter(pk=obj_id, school_id=timetable.school_id).first()
        if klass is None:
            raise Http404
        rows = [
            p
            for p in rows
            if p.section.school_class_id == klass.pk
            or (p.section.school_class_id is None and klass.grade in (p.section.course.grades or []))
        ]
        return rows
    if view == "teacher" and obj_id:
        return list(rows.filter(teacher_id=obj_id))
    if view == "room" and obj_id:
        return list(rows.filter(room__school_id=timetable.school_id, room_id=obj_id))
    return list(rows)


def week_grid(*, school: School, placements: Iterable[Placement]) -> dict[str, Any]:
    """Rows = sessions, columns = weekdays, each cell the placements in that slot."""
    slots = list(Slot.objects.filter(school=school).order_by("session", "weekday"))
    sessions: dict[int, tuple[dt.time, dt.time]] = {}
    for s in slots:
        sessions.setdefault(s.session, (s.start, s.end))
    cells: dict[tuple[int, int], list[Placement]] = defaultdict(list)
    for p in placements:
        cells[p.slot.weekday, p.slot.session].append(p)
    slot_at = {(s.weekday, s.session): s for s in slots}
    rows = []
    for session, (start, end) in sorted(sessions.items()):
        rows.append(
            {
                "session": session,
                "start": start,
                "end": end,
                "cells": [
                    {"weekday": wd, "slot": slot_at.get((wd, session)), "placements": cells.get((wd, session), [])}
                    for wd, _label in WEEKDAYS
                ],
            }
        )
    return {"weekdays": WEEKDAYS, "rows": rows}


def view_choices(*, school: School) -> dict[str, list]:
    return {
        "classes": list(SchoolClass.objects.filter(school=school).order_by("grade", "number")),
        "teachers": list(
            Teacher.objects.filter(Q(school=school) | Q(placements__timetable__school=school))
            .distinct()
            .order_by("name")
        ),
        "rooms": list(school.rooms.order_by("name")),
    }


# --- score analysis --------------------------------------------------------------------------------


def score_analysis(*, timetable: Timetable, built: adapters.Built | None = None) -> dict[str, Any]:
    """Every broken hard rule and every violated soft rule, as plain sentences, grouped by rule."""
    built = built or adapters.problem_build(school=timetable.school, term=timetable.term)
    result = adapters.score(built, adapters.timetable_placements(timetable))
    return _analysis(result, built)


def _analysis(result: Any, built: adapters.Built) -> dict[str, Any]:
    groups: dict[str, dict[str, Any]] = {}
    for v in result.violations:
        rule = RULES[v.rule_id]
        g = groups.setdefault(
            v.rule_id,
            {"rule_id": v.rule_id, "kind": rule.kind, "zh": rule.zh, "en": rule.en, "cost": 0, "items": []},
        )
        g["cost"] += v.cost if rule.kind == "soft" else 0
        g["items"].append(
            {
                "zh": adapters.humanize(v.message_zh, built.labels),
                "en": adapters.humanize(v.message_en, built.labels),
                "cost": v.cost,
                "sections": [built.labels.get(s, s) for s in v.subjects if s.startswith("section:")],
            }
        )
    ordered = sorted(groups.values(), key=lambda g: (g["kind"] != "hard", -g["cost"], g["rule_id"]))
    return {"hard": result.hard, "cost": result.cost, "rules": ordered}


def move_preview(
    *, timetable: Timetable, placement: Placement, slot_id: int, room_id: int, teacher_id: int
) -> dict[str, Any]:
    """What a move would break (and fix), re-checked with the independent checker."""
    built = adapters.problem_build(school=timetable.school, term=timetable.term)
    now = adapters.timetable_placements(timetable)
    key = (adapters.sid("section", placement.section_id), placement.meeting)
    moved = [
        d.Placement(
            q.section,
            q.meeting,
            adapters.sid("slot", slot_id),
            adapters.sid("room", room_id),
            adapters.sid("teacher", teacher_id),
        )
        if (q.section, q.meeting) == key
        else q
        for q in now
    ]
    before = adapters.score(built, now)
    after = adapters.score(built, moved)

    def keyed(res):
        return Counter((v.rule_id, v.message_en) for v in res.violations)

    b, a = keyed(before), keyed(after)
    new = a - b
    fixed = b - a

    def sentences(counter, res):
        out, seen = [], set()
        for v in res.violations:
            k = (v.rule_id, v.message_en)
            if counter.get(k) and k not in seen:
                seen.add(k)
                out.append(
                    {
                        "rule_id": v.rule_id,
                        "kind": RULES[v.rule_id].kind,
                        "rule_zh": RULES[v.rule_id].zh,
                        "rule_en": RULES[v.rule_id].en,
                        "zh": adapters.humanize(v.message_zh, built.labels),
                        "en": adapters.humanize(v.message_en, built.labels),
                    }
                )
        return out

    return {
        "breaks": sentences(new, after),
        "fixes": sentences(fixed, before),
        "hard_before": before.hard,
        "hard_after": after.hard,
        "cost_before": before.cost,
        "cost_after": after.cost,
    }


# --- compare two versions --------------------------------------------------------------------------


def timetable_compare(*, a: Timetable, b: Timetable) -> dict[str, Any]:
    """Meeting by meeting: where it was in ``a`` and where it is in ``b``; what moved."""
    pa = {(p.section_id, p.meeting): p for p in _placements(a)}
    pb = {(p.section_id, p.meeting): p for p in _placements(b)}
    rows = []
    for key in sorted(set(pa) | set(pb), key=lambda k: (
        (pa.get(k) or pb.get(k)).section.course.title, (pa.get(k) or pb.get(k)).section.code, k[1])):  # fmt: skip
        x, y = pa.get(key), pb.get(key)
        changed = {
            "slot": bool(x and y and x.slot_id != y.slot_id) or (x is None) != (y is None),
            "room": bool(x and y and x.room_id != y.room_id),
            "teacher": bool(x and y and x.teacher_id != y.teacher_id),
        }
        rows.append({"section": (x or y).section, "meeting": key[1], "a": x, "b": y, "changed": changed,
                     "moved": any(changed.values())})  # fmt: skip
    moved = [r for r in rows if r["moved"]]
    return {"rows": rows, "moved": moved, "same": len(rows) - len(moved)}


# --- published timetables: enrollment, teachers, families ------------------------------------------


@dataclass(frozen=True)
class Meeting:
    section_id: int
    meeting: int
    weekday: int
    session: int
    start: dt.time
    end: dt.time
    room: str
    teacher: str
    school_id: int


def published_meetings(section_ids: Iterable[int]) -> dict[int, list[Meeting]]:
    """Slot times of each section in its school's published timetable (for time clashes and the
    child's week). Sections without a published timetable are absent."""
    ids = list(section_ids)
    out: dict[int, list[Meeting]] = defaultdict(list)
    if not ids:
        return {}
    rows = (
        Placement.objects.filter(section_id__in=ids, timetable__status=Timetable.Status.PUBLISHED)
        .filter(timetable__term_id=F("section__term_id"))
        .select_related("slot", "room", "teacher")
        .order_by("slot__weekday", "slot__start")
    )
    for p in rows:
        out[p.section_id].append(
            Meeting(
                p.section_id,
                p.meeting,
                p.slot.weekday,
                p.slot.session,
                p.slot.start,
                p.slot.end,
                p.room.name,
                p.teacher.name,
                p.slot.school_id,
            )
        )
    return dict(out)


def published_placements(*, teacher_id: int | None = None, section_ids: Iterable[int] | None = None):
    qs = Placement.objects.filter(timetable__status=Timetable.Status.PUBLISHED).select_related(
        "section__course", "slot", "room", "teacher", "timetable__school", "timetable__term"
    )
    if teacher_id is not None:
        qs = qs.filter(teacher_id=teacher_id)
    if section_ids is not None:
        qs = qs.filter(section_id__in=list(section_ids))
    return qs.order_by("slot__weekday", "slot__start", "timetable__school__name")


def term_days(term: Term) -> list[tuple[dt.date, int]]:
    """Every school day of the term with the weekday whose timetable it follows.

    Monday–Friday count unless they are holidays; a swapped working day (调休, often a weekend
    day) counts and follows the weekday it names.
    """
    exceptions = {e.date: e for e in CalendarException.objects.filter(term=term)}
    days = []
    day = term.start
    while day <= term.end:
        ex = exceptions.get(day)
        if ex is not None and ex.kind == CalendarException.Kind.HOLIDAY:
            pass
        elif ex is not None and ex.kind == CalendarException.Kind.WORKDAY:
            days.append((day, int(ex.follows_weekday)))
        elif day.weekday() < 5:
            days.append((day, day.weekday()))
        day += dt.timedelta(days=1)
    return days


def term_weekday_counts(term: Term) -> Counter[int]:
    return Counter(wd for _day, wd in term_days(term))


def teacher_timetable(*, actor: Actor) -> dict[str, Any]:
    """The acting teacher's published after-school week (all host schools) and load."""
    if actor.teacher_id is None:
        raise Http404
    teacher = Teacher.objects.select_related("school", "provider").get(pk=actor.teacher_id)
    placements = list(published_placements(teacher_id=teacher.pk))
    return {"teacher": teacher, "placements": placements, **teacher_load(placements)}


def teacher_load(placements: list[Placement]) -> dict[str, Any]:
    """Periods a week and the term total after holidays and swapped days, per term."""
    counts: dict[int, Counter[int]] = {}
    terms: dict[int, dict[str, Any]] = {}
    for p in placements:
        term = p.timetable.term
        if term.pk not in counts:
            counts[term.pk] = term_weekday_counts(term)
            terms[term.pk] = {"term": term, "school": p.timetable.school, "weekly": 0, "total": 0}
        terms[term.pk]["weekly"] += 1
        terms[term.pk]["total"] += counts[term.pk][p.slot.weekday]
    return {
        "weekly": len(placements),
        "term_total": sum(t["total"] for t in terms.values()),
        "by_term": list(terms.values()),
    }


def itinerary(placements: list[Placement]) -> list[dict[str, Any]]:
    """Per weekday, the teacher's meetings in time order across schools."""
    days = []
    for wd, label in WEEKDAYS:
        items = sorted((p for p in placements if p.slot.weekday == wd), key=lambda p: p.slot.start)
        days.append({"weekday": wd, "label": label, "placements": items})
    return days


def feeds_for_teacher(*, teacher_id: int) -> list[CalendarFeed]:
    return list(CalendarFeed.objects.active().filter(teacher_id=teacher_id).order_by("-created_at"))


def feed_find(*, token: str) -> CalendarFeed | None:
    """A live teacher feed with this token, or None."""
    return CalendarFeed.objects.active().filter(token=token[:64]).select_related("teacher").first()


#: Other private calendars at `calendar/<token>.ics`: `(token) -> (name, published placements) | None`.
#: A pupil's week is kept by enrollment (it knows pupils), which registers its source in `ready()`.
FEED_SOURCES: ExtensionPoint = ExtensionPoint(
    "scheduling.feed_sources", "Private calendar feeds of apps above timetabling (a pupil's week)."
)
