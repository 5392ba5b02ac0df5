"""THE one place where database rows become the solver's Problem, and its Solution becomes rows.

Ids in the solver are strings naming the row: ``slot:12``, ``room:5``, ``teacher:3``,
``section:40``, ``school:1``. Pupil groups (sets of sections that must never meet at once):

* ``class:<id>`` — homework help sections of one class;
* ``band:<school>:g<grade>`` — a grade's club band (only when the grade's club meetings fit in the
  week's slots; otherwise a hard band would be impossible and is left out, see ``BAND_MAX_FILL``);
* ``pupils:<student id>`` — the sections that pupils already enrolled in several sections take
  (one group per distinct set of sections, dominated sets dropped).

A partner teacher who also serves other schools brings their meetings there (from those
schools' published timetables) into the problem as pinned sections, with the travel minutes
between the schools, so the solver leaves them time to travel. Only this school's placements are
ever written back.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max, Q

from core.extensions import ExtensionPoint
from courses.models import Course, Room, School, Section, Slot, Teacher, Term, grade_label
from partners.models import TravelTime
from scheduling.models import Pin, Placement, Timetable
from scheduling.solver import domain as d

#: Which pupils hold seats in which of these sections: `(section_ids) -> {pupil id: {section ids}}`.
#: Seats live in `enrollment`, above timetabling; it registers the one source in its `ready()`.
SHARED_PUPILS: ExtensionPoint = ExtensionPoint(
    "scheduling.shared_pupils", "Sections pupils hold together (they must never meet at once)."
)


def sections_by_pupil(section_ids: list[int]) -> dict[int, set[int]]:
    """{pupil: the sections among `section_ids` they hold}, from every registered source."""
    out: dict[int, set[int]] = defaultdict(set)
    for source in SHARED_PUPILS:
        for pupil, sections in source(section_ids).items():
            out[pupil] |= set(sections)
    return dict(out)


# A grade's club band becomes a hard group only if its club meetings fill at most this share of
# the week's slots (a band of 25 club meetings in 10 slots could never be met).
BAND_MAX_FILL = 1.0


def sid(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def pk_of(solver_id: str) -> int:
    """The row id in ``"room:5"`` → 5."""
    return int(solver_id.split(":", 1)[1])


def _minutes(t) -> int:
    return t.hour * 60 + t.minute


@dataclass
class Built:
    """A Problem plus what is needed to read it back and to show it to people."""

    problem: d.Problem
    school: School
    term: Term
    local_sections: frozenset[str]
    labels: dict[str, str] = field(default_factory=dict)
    external: tuple[d.Placement, ...] = ()

    def with_previous(self, placements: Iterable[d.Placement] | None) -> d.Problem:
        from dataclasses import replace

        if placements is None:
            return replace(self.problem, previous=None)
        prev = d.Solution(tuple(placements), "feasible")
        return replace(self.problem, previous=prev)


def timetable_placements(timetable: Timetable) -> list[d.Placement]:
    """A timetable's rows as solver placements."""
    return [
        d.Placement(
            sid("section", p["section_id"]),
            p["meeting"],
            sid("slot", p["slot_id"]),
            sid("room", p["room_id"]),
            sid("teacher", p["teacher_id"]),
        )
        for p in timetable.placements.values("section_id", "meeting", "slot_id", "room_id", "teacher_id")
    ]


def _term_overlaps(term: Term) -> Q:
    return Q(term__start__lte=term.end, term__end__gte=term.start)


def _home_room(section: Section) -> str | None:
    """The room homework help of a class must use (rule homework_in_home_room), or None.

    Only homework help of a class with a home room, and only while its course keeps the rule on
    (a school switches it off per course).
    """
    course, klass = section.course, section.school_class
    if course.kind != Course.Kind.HOMEWORK or not course.homework_in_home_room or klass is None:
        return None
    return sid("room", klass.home_room_id) if klass.home_room_id else None


def problem_build(
    *,
    school: School,
    term: Term,
    previous: Timetable | None = None,
    extra_pins: Iterable[d.Pin] = (),
    use_pins: bool = True,
) -> Built:
    """Read one school's term into a solver Problem (a fixed number of queries)."""
    school_key = sid("school", school.pk)
    labels: dict[str, str] = {school_key: school.name}

    slots = list(Slot.objects.filter(school=school).order_by("weekday", "session"))
    rooms = list(Room.objects.filter(school=school).order_by("name"))
    sections = list(
        Section.objects.filter(term=term, course__school=school)
        .select_related("course", "course__partner_course", "teacher", "school_class")
        .order_by("course__kind", "course__title", "code")
    )
    section_ids = [s.pk for s in sections]
    school_teachers = list(Teacher.objects.filter(school=school))
    assigned = {s.teacher_id for s in sections if s.teacher_id}
    pins = list(Pin.objects.filter(section_id__in=section_ids)) if use_pins else []
    pinned_teachers = {p.teacher_id for p in pins if p.teacher_id}
    partner_providers = {s.course.partner_course.provider_id for s in sections if s.course.partner_course_id}
    teachers = {t.pk: t for t in school_teachers}
    extra_ids = (assigned | pinned_teachers) - set(teachers)
    extra = Teacher.objects.filter(Q(pk__in=extra_ids) | Q(provider_id__in=partner_providers)).exclude(
        pk__in=list(teachers)
    )
    for t in extra:
        teachers[t.pk] = t
    provider_teachers: dict[int, set[int]] = defaultdict(set)
    for t in teachers.values():
        if t.provider_id:
            provider_teachers[t.provider_id].add(t.pk)

    # Meetings of this school's visiting teachers at other schools (published, overlapping terms).
    visitors = [pk for pk, t in teachers.items() if t.school_id != school.pk]
    ext_rows = list(
        Placement.objects.filter(
            teacher_id__in=visitors,
            timetable__status=Timetable.Status.PUBLISHED,
        )
        .exclude(timetable__school=school)
        .filter(Q(timetable__term__start__lte=term.end, timetable__term__end__gte=term.start))
        .select_related("slot", "room", "section__course", "timetable__school")
    )
    ext_slots = {p.slot_id: p.slot for p in ext_rows}
    ext_rooms = {p.room_id: p.room for p in ext_rows}
    ext_schools = {p.timetable.school_id: p.timetable.school for p in ext_rows}
    for sc in ext_schools.values():
        labels[sid("school", sc.pk)] = sc.name

    teacher_schools: dict[int, set[str]] = defaultdict(set)
    for t in teachers.values():
        if t.school_id == school.pk or t.pk in assigned or t.provider_id in partner_providers:
            teacher_schools[t.pk].add(school_key)
    for p in ext_rows:
        teacher_schools[p.teacher_id].add(sid("school", p.timetable.school_id))

    unavailable: dict[int, set[str]] = defaultdict(set)
    through = Teacher.unavailable_slots.through
    for row in through.objects.filter(teacher_id__in=list(teachers)).values("teacher_id", "slot_id"):
        unavailable[row["teacher_id"]].add(sid("slot", row["slot_id"]))

    # --- groups ----------------------------------------------------------------------------
    groups: dict[int, set[str]] = defaultdict(set)
    band_meetings: dict[int, int] = defaultdict(int)
    for s in sections:
        if s.course.kind == Course.Kind.HOMEWORK and s.school_class_id:
            groups[s.pk].add(f"class:{s.school_class_id}")
            labels[f"class:{s.school_class_id}"] = str(s.school_class)
        if s.course.kind == Course.Kind.CLUB:
            for g in s.course.grades or []:
                band_meetings[int(g)] += s.course.meetings_per_week
    slot_count = max(1, len(slots))
    # 5+2 in practice: session 1 homework help in the pupil's class, session 2 tutoring and clubs,
    # so a pupil holding a homework seat can still take a club (rule session_by_kind).
    two_sessions = len({s.session for s in slots}) >= 2
    for s in sections:
        if s.course.kind == Course.Kind.CLUB:
            for g in s.course.grades or []:
                if band_meetings[int(g)] <= BAND_MAX_FILL * slot_count:
                    key = f"band:{school.pk}:g{int(g)}"
                    groups[s.pk].add(key)
                    labels[key] = f"{grade_label(int(g))}社团"
    by_student = sections_by_pupil(list(section_ids))
    sets: dict[frozenset[int], int] = {}
    for student_id, secs in sorted(by_student.items()):
        if len(secs) >= 2:
            sets.setdefault(frozenset(secs), student_id)
    kept = [k for k in sets if not any(k < other for other in sets)]
    for k in kept:
        key = f"pupils:{sets[k]}"
        labels[key] = "同一批已报名学生"
        for section_pk in k:
            groups[section_pk].add(key)

    # --- solver data -----------------------------------------------------------------------
    d_slots = [
        d.Slot(sid("slot", s.pk), s.weekday, s.session - 1, _minutes(s.start), _minutes(s.end), school_key)
        for s in slots
    ] + [
        d.Slot(
            sid("slot", s.pk), s.weekday, s.session - 1, _minutes(s.start), _minutes(s.end), sid("school", s.school_id)
        )
        for s in ext_slots.values()
    ]
    d_rooms = [d.Room(sid("room", r.pk), school_key, r.capacity, frozenset(r.features or ())) for r in rooms] + [
        d.Room(sid("room", r.pk), sid("school", r.school_id), r.capacity, frozenset(r.features or ()))
        for r in ext_rooms.values()
    ]
    d_teachers = [
        d.Teacher(
            id=sid("teacher", t.pk),
            name=t.name,
            schools=frozenset(teacher_schools[t.pk] or {sid("school", t.school_id or 0)}),
            subjects=frozenset(t.subjects or ()),
            unavailable=frozenset(unavailable[t.pk]),
            max_periods_week=t.max_periods_week,
        )
        for t in sorted(teachers.values(), key=lambda t: t.pk)
    ]
    school_teacher_ids = frozenset(sid("teacher", t.pk) for t in school_teachers)
    d_sections: list[d.SectionDemand] = []
    for s in sections:
        course = s.course
        if s.teacher_id:
            eligible = frozenset({sid("teacher", s.teacher_id)})
        elif course.partner_course_id:
            eligible = frozenset(sid("teacher", k) for k in provider_teachers[course.partner_course.provider_id])
        else:
            eligible = school_teacher_ids
        features = course.room_features or (course.partner_course.room_features if course.partner_course_id else [])
        name = f"{course.title} {s.code}"
        labels[sid("section", s.pk)] = name
        d_sections.append(
            d.SectionDemand(
                id=sid("section", s.pk),
                course=course.title,
                school=school_key,
                meetings_per_week=course.meetings_per_week,
                expected_size=s.capacity,
                features=frozenset(features or ()),
                eligible_teachers=eligible,
                groups=frozenset(groups[s.pk]),
                kind=course.kind,
                name=name,
                session=(0 if course.kind == Course.Kind.HOMEWORK else 1) if two_sessions else None,
                home_room=_home_room(s),
            )
        )
    # Other schools' meetings of visiting teachers: pinned where they are.
    ext_meetings: dict[int, list[Placement]] = defaultdict(list)
    for p in ext_rows:
        ext_meetings[p.section_id].append(p)
    d_pins: list[d.Pin] = []
    external: list[d.Placement] = []
    for section_pk, rows in sorted(ext_meetings.items()):
        first = rows[0]
        name = f"{first.section.course.title} {first.section.code}（{first.timetable.school.name}）"
        labels[sid("section", section_pk)] = name
        d_sections.append(
            d.SectionDemand(
                id=sid("section", section_pk),
                course=first.section.course.title,
                school=sid("school", first.timetable.school_id),
                meetings_per_week=max(p.meeting for p in rows) + 1,
                expected_size=0,
                eligible_teachers=frozenset({sid("teacher", first.teacher_id)}),
                kind="external",
                name=name,
            )
        )
        for p in rows:
            q = d.Placement(sid("section", section_pk), p.meeting, sid("slot", p.slot_id), sid("room", p.room_id),
                            sid("teacher", p.teacher_id))  # fmt: skip
            external.append(q)
            d_pins.append(d.Pin(q.section, q.meeting, slot=q.slot, room=q.room, teacher=q.teacher))
    for pin in pins:
        d_pins.append(
            d.Pin(
                sid("section", pin.section_id),
                pin.meeting,
                slot=sid("slot", pin.slot_id) if pin.slot_id else None,
                room=sid("room", pin.room_id) if pin.room_id else None,
                teacher=sid("teacher", pin.teacher_id) if pin.teacher_id else None,
            )
        )
    d_pins.extend(extra_pins)

    all_schools = [school.pk, *ext_schools]
    travel: dict[tuple[str, str], int] = {}
    if len(all_schools) > 1:
        for row in TravelTime.objects.filter(from_school_id__in=all_schools, to_school_id__in=all_schools).values(
            "from_school_id", "to_school_id", "minutes"
        ):
            travel[sid("school", row["from_school_id"]), sid("school", row["to_school_id"])] = row["minutes"]

    for s in [*slots, *ext_slots.values()]:
        labels[sid("slot", s.pk)] = str(s)
    for r in [*rooms, *ext_rooms.values()]:
        labels[sid("room", r.pk)] = r.name
    for t in teachers.values():
        labels[sid("teacher", t.pk)] = t.name

    problem = d.Problem(
        slots=tuple(d_slots),
        rooms=tuple(d_rooms),
        teachers=tuple(d_teachers),
        sections=tuple(d_sections),
        pins=tuple(d_pins),
        travel_minutes=travel,
    )
    built = Built(
        problem=problem,
        school=school,
        term=term,
        local_sections=frozenset(sid("section", pk) for pk in section_ids),
        labels=labels,
        external=tuple(external),
    )
    if previous is not None:
        built.problem = built.with_previous(timetable_placements(previous))
    return built


_ID = re.compile(r"\b(?:slot|room|teacher|section|school|class|band|pupils):[\w:]+")


def humanize(text: str, labels: dict[str, str]) -> str:
    """Replace solver ids in a checker sentence by the names people know."""
    return _ID.sub(lambda m: labels.get(m.group(0), m.group(0)), text)


def score(built: Built, placements: Iterable[d.Placement]):
    """The checker's verdict on a timetable (its own quality: no minimal-change term)."""
    from scheduling.solver.check import check

    placements = list(placements)
    return check(built.with_previous(None), tuple(placements) + built.external)


def solution_write(
    *,
    built: Built,
    solution: d.Solution,
    by=None,
    base: Timetable | None = None,
    note: str = "",
) -> Timetable:
    """A new draft Timetable with all its Placements, in ONE transaction (all or nothing)."""
    local = [p for p in solution.placements if p.section in built.local_sections]
    result = score(built, local)
    with transaction.atomic():
        # Lock the term row so two runs finishing together get distinct version numbers.
        Term.objects.select_for_update().filter(pk=built.term.pk).first()
        last = Timetable.objects.for_school_term(built.school.pk, built.term.pk).aggregate(v=Max("version"))["v"]
        timetable = Timetable.objects.create(
            school=built.school,
            term=built.term,
            version=(last or 0) + 1,
            status=Timetable.Status.DRAFT,
            base=base,
            note=note,
            created_by=by,
            cost=result.cost,
            hard_violations=result.hard,
            cost_by_rule=result.cost_by_rule,
            hard_by_rule={k: v for k, v in result.hard_by_rule.items() if v},
        )
        pinned = {(p.section, p.meeting) for p in built.problem.pins}
        Placement.objects.bulk_create(
            [
                Placement(
                    timetable=timetable,
                    section_id=pk_of(p.section),
                    meeting=p.meeting,
                    slot_id=pk_of(p.slot),
                    room_id=pk_of(p.room),
                    teacher_id=pk_of(p.teacher),
                    pinned=(p.section, p.meeting) in pinned,
                )
                for p in local
            ]
        )
    return timetable
