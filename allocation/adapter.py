"""The one place database rows become an allocation `Problem` for one preference window.

What goes into the problem (and why):

* **Pupils**: every on-roll pupil of the window's school with ranked choices in the window (rank
  order), their policy groups, family, grade, and `missed_first_choice_last_term` derived from the
  pupil's latest earlier preference window (its published allocation result if there is one, else
  whether the pupil ever held a seat in that window's first choice).
* **Capacity** of a ranked section = its capacity minus the seats already *held* in it
  (`Section.objects.with_seat_counts`: enrolled rows and offers not yet expired — the one rule). Homework-help
  seats sit in their own class sections, so they never reduce a club's capacity, and they do not
  use up a pupil's allocation seats either.
* **A pupil's own seats**: a section the pupil already holds or waits for is dropped from its
  choices, choices that meet at the same time as a seat it holds are dropped, and its non-homework
  seats this term count against the window's `max_seats`.
* **Times** come from the published timetable (`scheduling.selectors.published_meetings`);
  sections without published times have no meetings, so they clash with nothing.
* **Siblings** in the same window are simply pupils of the same family. A sibling elsewhere (the
  junior school next door, or a sibling without choices) who already holds seats with published
  times is added as a *fixed* pupil: a private copy of each held section (negative id, capacity =
  the fixed siblings holding it) as its only choices, so the sibling level can align the window's
  pupils with the times the family already has to come. Fixed pupils are never written back and
  are left out of statistics and explanations shown to anyone.

The problem is also stored on the run as canonical JSON (`problem_to_json`): anyone can re-run
the allocation from that snapshot and the revealed seed, and publishing refuses a run whose input
has changed since it was computed (`problem_digest`).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from allocation.engine import POLICY_GROUPS, PriorityPolicy, Problem, Pupil
from allocation.engine import Section as ASection
from allocation.models import AllocationOutcome, AllocationRun
from courses.models import Course, Section, seat_held
from enrollment.models import Enrollment, EnrollmentWindow, Preference, Student


@dataclass
class Built:
    """A problem plus what the Django side needs to read and write its result."""

    problem: Problem
    window_id: int
    pupil_ids: frozenset[int]  # the window's pupils (fixed siblings excluded)
    fixed_ids: frozenset[int] = frozenset()  # siblings outside the window, added with their held seats
    notes: dict[str, int] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        return problem_digest(self.problem)

    def window_problem(self) -> Problem:
        """The problem without fixed siblings and their private sections (for figures shown to people)."""
        pupils = tuple(p for p in self.problem.pupils if p.id in self.pupil_ids)
        sections = tuple(s for s in self.problem.sections if s.id > 0)
        return Problem(
            pupils=pupils,
            sections=sections,
            policy=self.problem.policy,
            school_policies=self.problem.school_policies,
            titles=self.problem.titles,
            max_choices=self.problem.max_choices,
        )


def _minutes(value) -> int:
    return value.hour * 60 + value.minute


def policy_for(window: EnrollmentWindow) -> PriorityPolicy:
    order = tuple(g for g in (window.priority_order or []) if g in POLICY_GROUPS)
    order = order + tuple(g for g in POLICY_GROUPS if g not in order) if order else POLICY_GROUPS
    weights = {g: int(w) for g, w in (window.priority_weights or {}).items() if g in POLICY_GROUPS} or None
    return PriorityPolicy(order=order, weights=weights, missed_first_choice_bonus=window.missed_first_choice_bonus)


def _meetings(section_ids: list[int]) -> dict[int, frozenset[tuple[int, int, int]]]:
    from scheduling.selectors import published_meetings

    return {
        sid: frozenset((m.weekday, _minutes(m.start), _minutes(m.end)) for m in rows)
        for sid, rows in published_meetings(section_ids).items()
    }


def _missed_last_term(window: EnrollmentWindow, student_ids: list[int]) -> set[int]:
    """Pupils whose first choice in their latest earlier preference window was not given."""
    earlier = (
        Preference.objects.filter(
            student_id__in=student_ids,
            rank=1,
            window__mode=EnrollmentWindow.Mode.PREFERENCE,
            window__closes_at__lte=window.opens_at,
        )
        .exclude(window_id=window.pk)
        .order_by("student_id", "-window__closes_at", "-window_id")
        .values_list("student_id", "window_id", "section_id")
    )
    latest: dict[int, tuple[int, int]] = {}
    for sid, wid, section_id in earlier:
        latest.setdefault(sid, (wid, section_id))
    if not latest:
        return set()
    window_ids = {w for w, _s in latest.values()}
    published = {
        run.window_id: run.pk
        for run in AllocationRun.objects.filter(window_id__in=window_ids, status=AllocationRun.Status.PUBLISHED)
    }
    got_first = set(
        AllocationOutcome.objects.filter(run_id__in=published.values(), student_id__in=latest, best_rank=1).values_list(
            "student_id", flat=True
        )
    )
    unpublished = [(sid, s) for sid, (w, s) in latest.items() if w not in published]
    if unpublished:
        held_q = Q()
        for sid, section_id in unpublished:
            held_q |= Q(student_id=sid, section_id=section_id)
        had_seat = Enrollment.objects.filter(held_q).filter(
            Q(status=Enrollment.Status.ENROLLED)
            # a seat given up later was still given (a waitlist place left is not a seat: first-come rows
            # that ended are not counted, allocation and school rows always were seats)
            | Q(status=Enrollment.Status.WITHDRAWN, source__in=[Enrollment.Source.ALLOCATION, Enrollment.Source.SCHOOL])
        )
        got_first |= set(had_seat.values_list("student_id", flat=True))
    return {sid for sid in latest if sid not in got_first}


def problem_build(window: EnrollmentWindow, *, now: datetime | None = None) -> Built:
    """Read the window's preferences, capacities, times and families into an allocation Problem."""
    now = now or timezone.now()
    prefs = list(
        Preference.objects.filter(
            window=window,
            student__school_id=window.school_id,
            student__on_roll=True,
            section__term_id=window.term_id,
            section__course__school_id=window.school_id,
        )
        .order_by("student_id", "rank")
        .values_list("student_id", "section_id", "submitted_at")
    )
    choices: dict[int, list[int]] = defaultdict(list)
    submitted: dict[int, datetime] = {}
    for sid, section_id, at in prefs:
        choices[sid].append(section_id)
        submitted[sid] = max(submitted.get(sid, at), at)
    student_ids = sorted(choices)
    students = {
        s["id"]: s
        for s in Student.objects.filter(pk__in=student_ids).values(
            "id", "school_id", "grade", "family_id", "priority_groups"
        )
    }
    ranked = sorted({s for cs in choices.values() for s in cs})
    sections = {
        s["id"]: s
        for s in Section.objects.filter(pk__in=ranked).values("id", "capacity", "code", "course__title", "course__kind")
    }
    taken = {
        row["pk"]: row["seats_held"]
        for row in Section.objects.filter(pk__in=ranked).with_seat_counts(now).values("pk", "seats_held")
    }

    # The pupils' own rows this term: held seats (times, seat count) and any active row (not offered again).
    own = list(
        Enrollment.objects.active()
        .filter(student_id__in=student_ids, section__term_id=window.term_id)
        .values("student_id", "section_id", "status", "offer_expires_at", "section__course__kind")
    )
    own_active: dict[int, set[int]] = defaultdict(set)
    own_held: dict[int, list[int]] = defaultdict(list)
    own_seats: dict[int, int] = defaultdict(int)
    for row in own:
        own_active[row["student_id"]].add(row["section_id"])
        if seat_held(row["status"], row["offer_expires_at"], now):
            own_held[row["student_id"]].append(row["section_id"])
            if row["section__course__kind"] != Course.Kind.HOMEWORK:
                own_seats[row["student_id"]] += 1

    # Siblings outside the window who hold seats: their seats' times, for the sibling level.
    family_ids = sorted({s["family_id"] for s in students.values()})
    closing_day = timezone.localdate(window.closes_at)  # the school's calendar day (Asia/Shanghai), not UTC's
    kin = list(
        Enrollment.objects.held(now)
        .filter(student__family_id__in=family_ids, student__on_roll=True)
        .exclude(student_id__in=student_ids)
        .exclude(section__course__kind=Course.Kind.HOMEWORK)
        .filter(section__term__start__lte=closing_day, section__term__end__gte=closing_day)
        .values_list("student_id", "student__school_id", "student__grade", "student__family_id", "section_id")
    )
    kin_sections = sorted({row[4] for row in kin})
    times = _meetings(sorted(set(ranked) | {s for rows in own_held.values() for s in rows} | set(kin_sections)))

    a_sections: list[ASection] = []
    titles: dict[int, str] = {}
    for section_id in ranked:
        s = sections[section_id]
        a_sections.append(
            ASection(
                id=section_id,
                capacity=max(0, s["capacity"] - taken[section_id]),
                meetings=times.get(section_id, frozenset()),
                school=window.school_id,
            )
        )
        titles[section_id] = f"{s['course__title']}（{s['code']}）" if s["code"] else s["course__title"]
    by_id = {s.id: s for s in a_sections}

    opens = window.opens_at
    missed = _missed_last_term(window, student_ids)
    pupils: list[Pupil] = []
    dropped = 0
    full = 0
    for sid in student_ids:
        info = students[sid]
        max_seats = max(0, window.max_seats - own_seats.get(sid, 0))
        if max_seats == 0:  # already holds all the seats the window allows: nothing to allocate
            full += 1
            continue
        mine = own_active.get(sid, set())
        held_times = [ASection(id=0, capacity=0, meetings=times.get(h, frozenset())) for h in own_held.get(sid, [])]
        keep = []
        for c in choices[sid]:
            if c in mine or any(by_id[c].overlaps(h) for h in held_times):
                dropped += 1
                continue
            keep.append(c)
        pupils.append(
            Pupil(
                id=sid,
                school=info["school_id"],
                grade=info["grade"],
                choices=tuple(keep),
                family=info["family_id"],
                groups=frozenset(g for g in (info["priority_groups"] or []) if g in POLICY_GROUPS),
                missed_first_choice_last_term=sid in missed,
                max_seats=max_seats,
                submitted_at=round(max(0.0, (submitted[sid] - opens).total_seconds()), 3),
            )
        )

    # Fixed siblings: private copies of the seats they hold (only those with known times matter).
    fixed: dict[int, dict[str, Any]] = {}
    holders: dict[int, int] = defaultdict(int)
    for sid, school_id, grade, family_id, section_id in kin:
        if not times.get(section_id):
            continue
        entry = fixed.setdefault(sid, {"school": school_id, "grade": grade, "family": family_id, "seats": []})
        entry["seats"].append(section_id)
        holders[section_id] += 1
    for section_id in sorted(holders):
        a_sections.append(ASection(id=-section_id, capacity=holders[section_id], meetings=times[section_id]))
    for sid in sorted(fixed):
        entry = fixed[sid]
        pupils.append(
            Pupil(
                id=sid,
                school=entry["school"],
                grade=entry["grade"],
                choices=tuple(-s for s in sorted(entry["seats"])),
                family=entry["family"],
                max_seats=len(entry["seats"]),
            )
        )
    # Families with a single member in the problem need no family id (keeps components small).
    members: dict[int, int] = defaultdict(int)
    for p in pupils:
        if p.family is not None:
            members[p.family] += 1
    pupils = [p if p.family is None or members[p.family] > 1 else _without_family(p) for p in pupils]

    policy = policy_for(window)
    problem = Problem(
        pupils=tuple(pupils),
        sections=tuple(a_sections),
        policy=policy,
        school_policies={window.school_id: policy},
        titles=titles,
        max_choices=window.max_choices,
    )
    return Built(
        problem=problem,
        window_id=window.pk,
        pupil_ids=frozenset(p.id for p in pupils if p.id not in fixed),
        fixed_ids=frozenset(fixed),
        notes={
            "pupils": len(student_ids),
            "sections": len(ranked),
            "choices_dropped_held_or_clashing": dropped,
            "fixed_siblings": len(fixed),
            "already_holding_max_seats": full,
            "sections_with_times": sum(1 for s in ranked if times.get(s)),
            "missed_first_choice_last_term": len(missed),
        },
    )


def _without_family(p: Pupil) -> Pupil:
    from dataclasses import replace

    return replace(p, family=None)


# --- snapshot: the published input, canonical JSON ----------------------------------------------------


def problem_to_json(problem: Problem, *, fixed_ids: frozenset[int] = frozenset()) -> dict[str, Any]:
    """Canonical, JSON-safe form of the problem (sorted keys and lists; only what the engine reads)."""

    def policy(p: PriorityPolicy) -> dict[str, Any]:
        return {
            "order": list(p.order),
            "weights": dict(sorted(p.weights.items())) if p.weights else None,
            "missed_first_choice_bonus": p.missed_first_choice_bonus,
        }

    return {
        "max_choices": problem.max_choices,
        "policy": policy(problem.policy),
        "school_policies": {str(k): policy(v) for k, v in sorted(problem.school_policies.items())},
        "sections": [
            {"id": s.id, "capacity": s.capacity, "school": s.school, "meetings": sorted(list(m) for m in s.meetings)}
            for s in sorted(problem.sections, key=lambda s: s.id)
        ],
        "pupils": [
            {
                "id": p.id,
                "school": p.school,
                "grade": p.grade,
                "choices": list(p.choices),
                "family": p.family,
                "groups": sorted(p.groups),
                "missed_first_choice_last_term": p.missed_first_choice_last_term,
                "max_seats": p.max_seats,
                "submitted_at": p.submitted_at,
                "new_pupil": p.new_pupil,
            }
            for p in sorted(problem.pupils, key=lambda p: p.id)
        ],
        "titles": {str(k): v for k, v in sorted(problem.titles.items())},
        "fixed": sorted(fixed_ids),
    }


def problem_from_json(data: dict[str, Any]) -> Problem:
    def policy(d: dict[str, Any]) -> PriorityPolicy:
        return PriorityPolicy(
            order=tuple(d["order"]), weights=d["weights"], missed_first_choice_bonus=d["missed_first_choice_bonus"]
        )

    return Problem(
        pupils=tuple(
            Pupil(
                id=p["id"],
                school=p["school"],
                grade=p["grade"],
                choices=tuple(p["choices"]),
                family=p["family"],
                groups=frozenset(p["groups"]),
                missed_first_choice_last_term=p["missed_first_choice_last_term"],
                max_seats=p["max_seats"],
                submitted_at=p["submitted_at"],
                new_pupil=p["new_pupil"],
            )
            for p in data["pupils"]
        ),
        sections=tuple(
            ASection(
                id=s["id"],
                capacity=s["capacity"],
                meetings=frozenset(tuple(m) for m in s["meetings"]),
                school=s["school"],
            )
            for s in data["sections"]
        ),
        policy=policy(data["policy"]),
        school_policies={int(k): policy(v) for k, v in data["school_policies"].items()},
        titles={int(k): v for k, v in data["titles"].items()},
        max_choices=data["max_choices"],
    )


def problem_digest(problem: Problem) -> str:
    """sha256 of the canonical JSON of the input (titles excluded: renaming a course changes nothing)."""
    data = problem_to_json(problem)
    data.pop("titles")
    data.pop("fixed")
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()
