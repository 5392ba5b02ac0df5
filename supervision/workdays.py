"""Working days for complaint time limits: a pure function (dates in, date out), no Django.

Time limits on complaints (受理、核查、答复 "within N working days") are counted in the district's
working days, not calendar days: a complaint received before the National Day week must not fall
overdue during the holiday, and a swapped working day (调休, often a Saturday) is a day the office
works. The district's own term calendar already records both — the schools' holidays and swapped
days (`scheduling.selectors.term_days`) — so the bureau keeps one calendar, not a second one for
the hotline. Outside every term (summer and winter breaks) the calendar says nothing about
holidays, so Monday to Friday count there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container


def is_working_day(day: dt.date, *, school_days: Container[dt.date], term_dates: Container[dt.date]) -> bool:
    """Inside a term: the term calendar decides (holidays out, 调休 days in); outside: Monday–Friday."""
    if day in term_dates:
        return day in school_days
    return day.weekday() < 5


def add_working_days(
    start: dt.date, days: int, *, school_days: Container[dt.date], term_dates: Container[dt.date]
) -> dt.date:
    """The day `days` working days after `start` (the day of receipt itself does not count, as in
    "答复 within 15 working days of receipt"); `days` = 0 gives `start`.

    `school_days`: the dates the term calendar counts as school days; `term_dates`: every date some
    term covers (so a weekday inside a term that is not a school day is a holiday).
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    left = days
    while left:
        day += dt.timedelta(days=1)
        if is_working_day(day, school_days=school_days, term_dates=term_dates):
            left -= 1
    return day


def working_days_between(
    start: dt.date, end: dt.date, *, school_days: Container[dt.date], term_dates: Container[dt.date]
) -> int:
    """How many working days after `start` up to and including `end` (0 when end <= start)."""
    n, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, school_days=school_days, term_dates=term_dates):
            n += 1
    return n
