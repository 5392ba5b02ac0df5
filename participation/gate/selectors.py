"""The gate list (弹性离校) of one school day: who goes home when, by which gate, with whom.

From the published timetable (who has a course that day), the families' choices (a change for the
day beats the weekly choice, which beats "after session 2"), the school's gates and rules, the
families' pick-up persons, and the day's leave reports and absences. Batches: after session 1,
after session 2, extended care — each at the time the session (or extended care) ends that day.
A pupil whose choice leaves before one of their courses that day is flagged; the rule is
`enrollment.selectors.dismissal_misses`, the one copy.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Actor
from core.ids import get_or_404, id_or_404
from courses.models import School, SchoolClass, Slot, Term
from enrollment.models import Dismissal, Enrollment, Student
from enrollment.selectors import (
    DismissalConflict,
    dismissal_conflicts,
    dismissal_on,
    dismissal_rules_for,
)
from participation.gate.models import ClassGate, Gate, PickupPerson
from participation.models import Attendance, LeaveReport
from participation.selectors import school_days
from scheduling.selectors import published_meetings

BATCHES = [Dismissal.AFTER_SESSION_1.value, Dismissal.AFTER_SESSION_2.value, Dismissal.EXTENDED.value]


def school_get_for_gate(*, actor: Actor, school_id: Any) -> School:
    """A school whose gate list the actor may see: one they coordinate or teach at; else 404."""
    scope = School.objects.visible_to_coordinator(actor) | School.objects.visible_to_teacher(actor)
    return get_or_404(scope.distinct(), pk=id_or_404(school_id))


@dataclass
class GatePupil:
    student: Student
    choice: str
    changed: bool
    pickups: list[PickupPerson]
    conflicts: list[DismissalConflict]
    on_leave: bool = False
    absent: bool = False

    @property
    def away(self) -> bool:
        return self.on_leave or self.absent


@dataclass
class ClassBatch:
    school_class: SchoolClass
    pupils: list[GatePupil] = field(default_factory=list)


@dataclass
class Batch:
    key: str
    label: str
    time: dt.time | None
    classes: list[ClassBatch] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(c.pupils) for c in self.classes)


@dataclass
class GateGroup:
    gate_id: int | None
    name: str
    batches: list[Batch] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(b.count for b in self.batches)


@dataclass
class GateDay:
    school: School
    day: dt.date
    term: Term | None
    weekday: int | None
    cutoff: dt.time
    closed: bool
    gates: list[GateGroup] = field(default_factory=list)
    times: dict[str, dt.time | None] = field(default_factory=dict)

    @property
    def school_day(self) -> bool:
        return self.weekday is not None

    @property
    def count(self) -> int:
        return sum(g.count for g in self.gates)

    @property
    def flagged(self) -> list[GatePupil]:
        return [p for g in self.gates for b in g.batches for c in b.classes for p in c.pupils if p.conflicts]


def batch_label(key: str) -> str:
    return {
        Dismissal.AFTER_SESSION_1.value: _("after session 1"),
        Dismissal.AFTER_SESSION_2.value: _("after session 2"),
        Dismissal.EXTENDED.value: _("extended care"),
    }[key]


def gate_day(*, school: School, day: dt.date, gate_id: int | None = None, now: dt.datetime | None = None) -> GateDay:
    """The day's gate list for the school (one gate, or all)."""
    now = now or timezone.now()
    rules = dismissal_rules_for(school.pk)
    local = timezone.localtime(now)
    closed = day < local.date() or (day == local.date() and local.time() >= rules.change_cutoff)
    term = Term.objects.filter(school=school, start__lte=day, end__gte=day).order_by("-start").first()
    weekday = school_days(term).get(day) if term else None
    result = GateDay(school, day, term, weekday, rules.change_cutoff, closed)
    if term is None or weekday is None:
        return result
    ends: dict[int, dt.time] = {}
    for session, end in Slot.objects.filter(school=school, weekday=weekday).values_list("session", "end"):
        ends[session] = max(end, ends.get(session, end))
    result.times = {
        Dismissal.AFTER_SESSION_1.value: ends.get(1),
        Dismissal.AFTER_SESSION_2.value: ends.get(2) or ends.get(1),
        Dismissal.EXTENDED.value: rules.extended_until,
    }
    section_ids = list(
        Enrollment.objects.filter(section__term=term, section__course__school=school, status=Enrollment.Status.ENROLLED)
        .values_list("section_id", flat=True)
        .distinct()
    )
    meeting_today = {
        sid for sid, meetings in published_meetings(section_ids).items() if any(m.weekday == weekday for m in meetings)
    }
    pupil_ids = set(
        Enrollment.objects.filter(section_id__in=meeting_today, status=Enrollment.Status.ENROLLED).values_list(
            "student_id", flat=True
        )
    )
    choices = dismissal_on(student_ids=pupil_ids, term=term, day=day, weekday=weekday)
    conflicts = dismissal_conflicts(term_id=term.pk, choices={(sid, weekday): c for sid, (c, _x) in choices.items()})
    leave = set(LeaveReport.objects.filter(student_id__in=pupil_ids, date=day).values_list("student_id", flat=True))
    absent = set(
        Attendance.objects.filter(student_id__in=pupil_ids, date=day, status="absent").values_list(
            "student_id", flat=True
        )
    )
    pupils = list(
        Student.objects.filter(pk__in=pupil_ids, on_roll=True).select_related("school_class").order_by("name")
    )
    pickups = pickup_persons_for(family_ids={p.family_id for p in pupils})
    gates = class_gates(school=school)
    if gate_id is not None:
        gate = get_or_404(Gate.objects.filter(school=school), pk=gate_id)
        pupils = [p for p in pupils if gates.get(p.school_class_id) == gate]
    tree: dict[tuple[int | None, str], dict[str, dict[int, ClassBatch]]] = defaultdict(lambda: defaultdict(dict))
    for p in pupils:
        choice, changed = choices[p.pk]
        gate = gates.get(p.school_class_id)
        key = (gate.pk, gate.name) if gate else (None, str(_("Main gate")))
        cls = tree[key][choice].setdefault(p.school_class_id, ClassBatch(p.school_class))
        cls.pupils.append(
            GatePupil(
                p,
                choice,
                changed,
                pickups.get(p.family_id, []),
                conflicts.get((p.pk, weekday), []),
                on_leave=p.pk in leave,
                absent=p.pk in absent,
            )
        )
    for (gid, name), by_batch in sorted(tree.items(), key=lambda kv: (kv[0][0] is not None, kv[0][1])):
        group = GateGroup(gid, name)
        for key in BATCHES:
            if key not in by_batch:
                continue
            classes = sorted(by_batch[key].values(), key=lambda c: (c.school_class.grade, c.school_class.number))
            group.batches.append(Batch(key, batch_label(key), result.times.get(key), classes))
        result.gates.append(group)
    return result


def gates_for_school(*, school: School) -> list[Gate]:
    return list(Gate.objects.filter(school=school).prefetch_related("class_links__school_class").order_by("name"))


def class_gates(*, school: School) -> dict[int, Gate]:
    """{class id: its gate} for the school's classes that have one."""
    return {
        link.school_class_id: link.gate for link in ClassGate.objects.filter(gate__school=school).select_related("gate")
    }


def gate_get_for_school(*, school: School, gate_id: Any) -> Gate:
    return get_or_404(Gate.objects.filter(school=school), pk=id_or_404(gate_id))


def classes_for_school(*, school: School) -> list[SchoolClass]:
    return list(SchoolClass.objects.filter(school=school).order_by("grade", "number"))


def day_or_404(value: str | None, default: dt.date) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise Http404 from None


def pickup_persons_for(*, family_ids: Iterable[int]) -> dict[int, list[PickupPerson]]:
    out: dict[int, list[PickupPerson]] = {}
    for person in PickupPerson.objects.filter(family_id__in=list(family_ids)).order_by("created_at", "id"):
        out.setdefault(person.family_id, []).append(person)
    return out


def pickup_person_get_for_parent(*, actor: Actor, person_id: Any) -> PickupPerson:
    families = Student.objects.visible_to_parent(actor).values("family_id")
    return get_or_404(PickupPerson.objects.filter(family_id__in=families), pk=id_or_404(person_id))
