"""Published timetables for the demo: each school solved by the engine, then published.

In a real term the timetable is published before families rank their choices (the catalogue
shows days and times), and the allocation needs those times for clashes and for picking up
siblings together. `seed_demo --timetables demo|all` runs this after writing the rows: school
by school (partner teachers' published meetings at earlier schools count for later ones), the
same adapter, solver and publish service the coordinator's button uses.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from courses.models import School, Section
from courses.selectors import term_current
from scheduling import adapters
from scheduling.models import Timetable
from scheduling.services import timetable_publish


@dataclass(frozen=True)
class PublishedTimetable:
    school: str
    sections: int
    cost: int | None
    hard: int
    seconds: float
    published: bool


def publish_demo_timetables(
    *,
    school_codes: Iterable[str] | None = None,
    time_limit: float = 10.0,
    workers: int = 2,
    log: Callable[[str], None] | None = None,
) -> list[PublishedTimetable]:
    """Solve and publish the current term's timetable of each school (all with sections by default).

    A school that already has a published timetable this term is left alone (idempotent); a
    school whose solve finds nothing within `time_limit` keeps no timetable and is reported.
    Two workers: the first-timetable phase with one worker finds nothing in 30 s on some demo
    schools where two find one in a few seconds."""
    from scheduling.solver.solve import solve

    schools = School.objects.order_by("code").filter(pk__in=Section.objects.values("course__school").distinct())
    if school_codes is not None:
        schools = schools.filter(code__in=list(school_codes))
    out: list[PublishedTimetable] = []
    for school in schools:
        term = term_current(school=school)
        if term is None:
            continue
        if Timetable.objects.filter(school=school, term=term, status=Timetable.Status.PUBLISHED).exists():
            continue
        t0 = time.monotonic()
        built = adapters.problem_build(school=school, term=term)
        solution = solve(built.problem, time_limit=time_limit, workers=workers)
        published = False
        cost: int | None = None
        hard = solution.hard_violations
        if solution.placements:
            timetable = adapters.solution_write(built=built, solution=solution, note="demo")
            if not timetable.hard_violations:
                timetable = timetable_publish(timetable=timetable, by=None)
                published = True
            cost, hard = timetable.cost, timetable.hard_violations
        row = PublishedTimetable(
            school=school.name,
            sections=len(built.local_sections),
            cost=cost,
            hard=hard,
            seconds=time.monotonic() - t0,
            published=published,
        )
        out.append(row)
        if log:
            state = "已发布" if published else "未找到可行课表"
            log(f"  课表 {school.name}：{row.sections} 个教学班，{state}，代价 {cost}，{row.seconds:.1f} 秒")
    return out
