"""The registry of timetabling rules: one stable id, one business sentence, hard or soft.

The same ids are used by the model (``model.add_<rule>``), the checker, the explanations, the UI
and the tests, so a coordinator sees the same sentence whichever part of the system complains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Rule:
    """A business rule of the timetable."""

    id: str
    kind: Literal["hard", "soft"]
    weight: int  # default weight of one unit of violation (soft); hard rules use 1
    zh: str
    en: str


_RULES = (
    Rule("teacher_double_booked", "hard", 1,
         "一位老师同一时间只能上一节课。",
         "A teacher teaches at most one meeting at a time."),
    Rule("room_double_booked", "hard", 1,
         "一间教室同一时间只能安排一节课。",
         "A room holds at most one meeting at a time."),
    Rule("group_clash", "hard", 1,
         "同一班级、同一年级社团段或已报名的同一批学生，同一时间只能上一节课。",
         "A class, a grade's club band or pupils enrolled together attend one meeting at a time."),
    Rule("room_too_small", "hard", 1,
         "教室座位数不少于该班预计人数。",
         "A room seats at least the section's expected pupils."),
    Rule("room_lacks_feature", "hard", 1,
         "教室具备课程所需的设施（如厨房、实验台）。",
         "A room has the equipment the course needs (kitchen, lab, …)."),
    Rule("teacher_unavailable", "hard", 1,
         "不在老师不可用的时段排课。",
         "A teacher is never placed in a slot they are unavailable."),
    Rule("teacher_not_qualified", "hard", 1,
         "只由有资格的老师任教。",
         "Only a qualified teacher teaches a section."),
    Rule("teacher_over_load", "hard", 1,
         "老师每周课时不超过上限。",
         "A teacher never exceeds their weekly maximum of meetings."),
    Rule("partner_travel", "hard", 1,
         "跨校任教的老师，两节课之间留足学校间的路程时间。",
         "A teacher serving several schools has time to travel between two meetings."),
    Rule("pinned", "hard", 1,
         "协调员固定的时段、教室和老师保持不变。",
         "What the coordinator pinned (slot, room, teacher) stays as pinned."),
    Rule("unplaced", "hard", 1,
         "每个教学班每周的课都要排上。",
         "Every weekly meeting of every section is placed."),
    Rule("teacher_load_balance", "soft", 2,
         "同一学校的课后服务课时在老师之间分配均衡。",
         "After-school hours are spread fairly over a school's teachers."),
    Rule("meetings_spread", "soft", 3,
         "同一教学班的多次课安排在不同的日子。",
         "A section's meetings fall on different days."),
    Rule("club_band_spread", "soft", 2,
         "同一年级的社团分散在一周各天，方便学生选多个。",
         "A grade's clubs are spread over the week so a pupil can take several."),
    Rule("teacher_preference", "soft", 1,
         "尽量满足老师对时段的偏好。",
         "Teachers get the slots they prefer and avoid the ones they dislike."),
    Rule("room_stability", "soft", 1,
         "同一教学班尽量固定在同一间教室。",
         "A section keeps the same room all week."),
    Rule("minimal_change", "soft", 5,
         "调整课表时尽量保留原有安排。",
         "A re-planned timetable keeps as much of the previous one as possible."),
    Rule("session_by_kind", "soft", 5,
         "作业辅导排在第一时段，培优补差、社团等排在第二时段，学生做完作业还能上社团。",
         "Homework help goes in session 1, tutoring and clubs in session 2, so a pupil can take both."),
    Rule("room_capacity", "soft", 1,
         "教室座位不足时，每超出一名学生计一次代价。",
         "Each pupil beyond a room's seats costs one (ITC-2007 RoomCapacity)."),
    Rule("min_working_days", "soft", 5,
         "课程分布的天数不少于要求的最少天数。",
         "A course is spread over at least its minimum number of days (ITC-2007)."),
    Rule("isolated_lectures", "soft", 2,
         "同一课程组的课尽量连排，避免孤立的一节。",
         "A curriculum's lectures are adjacent within a day, none isolated (ITC-2007)."),
)  # fmt: skip

RULES: dict[str, Rule] = {r.id: r for r in _RULES}
HARD: tuple[str, ...] = tuple(r.id for r in _RULES if r.kind == "hard")
SOFT: tuple[str, ...] = tuple(r.id for r in _RULES if r.kind == "soft")

# Rules the after-school model optimises by default; the ITC-2007 costs are scored by the CTT
# checker and used by the CTT engine (a school can switch them on through ``Problem.weights``).
KEHOU_SOFT_DEFAULT_OFF = frozenset({"room_capacity", "isolated_lectures"})


def weight(rule_id: str, overrides: dict[str, int] | None = None) -> int:
    """The weight of a soft rule, honouring a problem's overrides."""
    if overrides and rule_id in overrides:
        return overrides[rule_id]
    if rule_id in KEHOU_SOFT_DEFAULT_OFF:
        return 0
    return RULES[rule_id].weight
