from __future__ import annotations

from ninja import Schema


class CourseKindCount(Schema):
    kind: str
    courses: int
    sections: int


class SchoolOut(Schema):
    id: int
    name: str
    code: str
    kind: str
    district: str
    pupils: int
    classes: int
    teachers: int
    rooms: int
    courses_by_kind: list[CourseKindCount]
