"""From rows to the 5+2 facts of a timetable (several timetables at once, in a fixed number of queries)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count

from courses.models import Course, SchoolClass, Section
from enrollment.models import DismissalRules, Student
from participation.compliance.rules import ClassHomework, Facts, Finding, ServiceDay, evaluate
from participation.fees.rules import policy_for
from participation.models import DistrictPolicy
from scheduling.models import Placement, Timetable


def facts_for(timetables: Iterable[Timetable]) -> dict[int, Facts]:
    """{timetable id: its facts}: service days from its placements, the district's off-work time,
    each class's placed homework help against its pupils on roll, the school's extended care."""
    timetables = list(timetables)
    if not timetables:
        return {}
    ids = [t.pk for t in timetables]
    schools = {t.school_id for t in timetables}
    spans: dict[int, dict[int, list]] = defaultdict(dict)
    placed: dict[int, set[int]] = defaultdict(set)
    for tid, section_id, weekday, start, end in Placement.objects.filter(timetable_id__in=ids).values_list(
        "timetable_id", "section_id", "slot__weekday", "slot__start", "slot__end"
    ):
        span = spans[tid].setdefault(weekday, [start, end])
        span[0], span[1] = min(span[0], start), max(span[1], end)
        placed[tid].add(section_id)
    homework = defaultdict(list)  # (school, term) -> [(section, class, grades, capacity)]
    for sid, school_id, term_id, class_id, grades, capacity in Section.objects.filter(
        course__school_id__in=schools, course__kind=Course.Kind.HOMEWORK
    ).values_list("pk", "course__school_id", "term_id", "school_class_id", "course__grades", "capacity"):
        homework[school_id, term_id].append((sid, class_id, grades or [], capacity))
    pupils = dict(
        Student.objects.filter(school_id__in=schools, on_roll=True)
        .values("school_class_id")
        .annotate(n=Count("id"))
        .values_list("school_class_id", "n")
    )
    classes = defaultdict(list)
    for klass in SchoolClass.objects.filter(school_id__in=schools).order_by("grade", "number"):
        if pupils.get(klass.pk):
            classes[klass.school_id].append(klass)
    extended = dict(DismissalRules.objects.filter(school_id__in=schools).values_list("school_id", "extended_until"))
    districts = {t.school_id: t.school.district_id for t in timetables}
    policies = {p.district_id: p for p in DistrictPolicy.objects.filter(district_id__in=set(districts.values()))}
    out = {}
    for t in timetables:
        policy = policies.get(districts[t.school_id]) or policy_for(districts[t.school_id])
        mine = [h for h in homework[t.school_id, t.term_id] if h[0] in placed[t.pk]]
        by_class: dict[int, int] = defaultdict(int)
        by_grade: dict[int, int] = defaultdict(int)
        for _sid, class_id, grades, capacity in mine:
            if class_id is not None:
                by_class[class_id] += capacity
            else:
                for grade in grades:
                    by_grade[grade] += capacity
        rows = []
        grade_need: dict[int, int] = defaultdict(int)
        for klass in classes[t.school_id]:
            if klass.pk not in by_class:
                grade_need[klass.grade] += pupils[klass.pk]
        for klass in classes[t.school_id]:
            n = pupils[klass.pk]
            if klass.pk in by_class:
                rows.append(ClassHomework(str(klass), n, by_class[klass.pk], True))
            elif by_grade.get(klass.grade):  # grade-wide homework help, shared by the grade's classes
                share_ok = by_grade[klass.grade] >= grade_need[klass.grade]
                rows.append(ClassHomework(str(klass), n, n if share_ok else 0, True))
            else:
                rows.append(ClassHomework(str(klass), n, 0, False))
        out[t.pk] = Facts(
            days={wd: ServiceDay(wd, span[0], span[1]) for wd, span in spans[t.pk].items() if 0 <= wd <= 4},
            off_work=policy.off_work_time,
            classes=rows,
            extended_until=extended.get(t.school_id),
        )
    return out


def findings_for(timetable: Timetable) -> list[Finding]:
    return evaluate(facts_for([timetable])[timetable.pk])
