"""Excel import of a school's teachers and rooms (the reader is `core.sheets`).

Two steps, kept apart on purpose:

1. `parse_*` reads the upload and returns rows and problems. It reads the database (to check
   names and numbers) but never writes. Every problem names its spreadsheet row and column and
   is translated when shown, so the same result reads in Chinese or English.
2. `*_import` applies the rows in ONE transaction, and only when there is no problem at all:
   a file with a single bad row changes nothing. Rows are upserted by a natural key (staff
   number, room name, 学籍号), so importing the same file twice creates nothing new.

"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import DomainError
from core.sheets import (
    Column,
    ImportResult,
    ParseResult,
    check_unique,
    choice_labels,
    choice_lookup,
    problem,
    read_sheet,
)
from courses.models import ROOM_FEATURES, Room, School, SchoolClass, Teacher

ROOM_MESSAGES: dict[str, Promise] = {
    "bad_home_class": _("Enter the class as 三（4）班 or 3-4, found “%(value)s”."),
    "unknown_home_class": _("The school has no class “%(value)s”. Import its pupils first."),
}


# --- Teachers --------------------------------------------------------------------------------------

TEACHER_COLUMNS = [
    Column(
        "staff_no",
        "工号",
        "text",
        required=True,
        aliases=("staff number", "staff no", "教工号"),
        max_length=30,
        help=_("The school's staff number; a teacher already on file with this number is updated."),
        example="T0012",
    ),
    Column("name", "姓名", "text", required=True, aliases=("name",), help=_("Full name."), example="张丽"),
    Column(
        "phone",
        "手机",
        "phone",
        aliases=("mobile phone", "phone", "手机号"),
        help=_("Mobile number, 11 digits (optional)."),
        example="13912345678",
    ),
    Column(
        "subjects",
        "学科",
        "list",
        aliases=("subjects", "subject"),
        help=_("Subjects, separated by commas (optional)."),
        example="数学，科学",
    ),
    Column(
        "max_periods_week",
        "每周课时上限",
        "int",
        aliases=("weekly limit", "max periods a week", "每周上限"),
        min_value=0,
        max_value=40,
        help=_("Most after-school periods a week, 0–40 (optional; new teachers get 6)."),
        example="6",
    ),
]


def parse_teachers(*, school: School, upload: Any) -> ParseResult:
    result = read_sheet(upload, TEACHER_COLUMNS)
    check_unique(result, "staff_no", "工号")
    for row in result.rows:
        if row.get("subjects"):
            row["subjects"] = [s[:20] for s in dict.fromkeys(row["subjects"])][:10]
    return result


def _teachers_apply(*, school: School, rows: list[dict[str, Any]], result: ImportResult) -> None:
    existing = {t.staff_no: t for t in Teacher.objects.select_for_update().filter(school=school)}
    for row in rows:
        teacher = existing.get(row["staff_no"])
        if teacher is None:
            Teacher.objects.create(
                school=school,
                staff_no=row["staff_no"],
                name=row["name"],
                phone=row.get("phone") or "",
                subjects=row.get("subjects") or [],
                max_periods_week=6 if row.get("max_periods_week") is None else row["max_periods_week"],
            )
            result.created += 1
            continue
        # Empty optional cells leave what is on file alone.
        changes = {"name": row["name"]}
        if row.get("phone"):
            changes["phone"] = row["phone"]
        if row.get("subjects"):
            changes["subjects"] = row["subjects"]
        if row.get("max_periods_week") is not None:
            changes["max_periods_week"] = row["max_periods_week"]
        changed = [k for k, v in changes.items() if getattr(teacher, k) != v]
        if changed:
            for key in changed:
                setattr(teacher, key, changes[key])
            teacher.save(update_fields=changed)
            result.updated += 1
        else:
            result.unchanged += 1


@transaction.atomic
def teachers_import(*, school: School, upload: Any, by: Any = None) -> ImportResult:
    """Parse, and when the whole file is good, upsert every teacher by staff number."""
    parsed = parse_teachers(school=school, upload=upload)
    return _apply(parsed, school=school, by=by, action="courses.teachers.imported", apply=_teachers_apply)


# --- Rooms -----------------------------------------------------------------------------------------

ROOM_COLUMNS = [
    Column(
        "name",
        "名称",
        "text",
        required=True,
        aliases=("name", "room", "教室", "场地"),
        help=_("The room's name; a room already on file with this name is updated."),
        example="科学实验室",
    ),
    Column(
        "capacity",
        "容纳人数",
        "int",
        required=True,
        aliases=("capacity", "容量", "人数"),
        min_value=1,
        max_value=500,
        help=_("How many pupils fit, 1–500."),
        example="40",
    ),
    Column(
        "features",
        "设施",
        "list",
        aliases=("features", "功能"),
        help=_("What the room has, separated by commas (optional)."),
        example="实验室，水池",
    ),
    Column(
        "home_class",
        "本班",
        "text",
        aliases=("home class", "班级", "本班教室"),
        max_length=20,
        help=_("The class whose own classroom this is, such as 三（4）班 (optional): its homework help meets here."),
        example="",
    ),
]

CN_GRADES = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_GRADES.update({"初一": 7, "初二": 8, "初三": 9})
CLASS_LABEL_RE = re.compile(
    r"^(?P<grade>[1-9]|[一二三四五六七八九]|初[一二三])(?:年级)?\s*(?:[（(](?P<n1>\d{1,2})[)）]|[-.·\s]?(?P<n2>\d{1,2}))\s*班?$"
)


def class_label_parse(text: str) -> tuple[int, int] | None:
    """(grade, class number) from the ways schools write a class: 三（4）班, 3(4)班, 3-4, 三年级4班, 初一（2）班."""
    match = CLASS_LABEL_RE.match(str(text or "").strip())
    if not match:
        return None
    raw = match.group("grade")
    grade = int(raw) if raw.isdigit() else CN_GRADES[raw]
    number = int(match.group("n1") or match.group("n2"))
    return (grade, number) if number >= 1 else None


def parse_rooms(*, school: School, upload: Any) -> ParseResult:
    result = read_sheet(upload, ROOM_COLUMNS)
    check_unique(result, "name", "名称")
    lookup = choice_lookup(ROOM_FEATURES)
    for row in result.rows:
        features = []
        for raw in row.get("features") or []:
            key = lookup.get(raw.lower())
            if key is None:
                result.add(
                    problem(
                        "bad_choice", row=row["_row"], column="设施", value=raw, choices=choice_labels(ROOM_FEATURES)
                    )
                )
            elif key not in features:
                features.append(key)
        row["features"] = sorted(features)
    wanted = any(row.get("home_class") for row in result.rows)  # reads the classes only when needed
    classes = set(SchoolClass.objects.filter(school=school).values_list("grade", "number")) if wanted else set()
    first_row: dict[tuple[int, int], int] = {}
    for row in result.rows:
        raw, row["home_class"] = row.get("home_class"), None
        if not raw:
            continue
        key = class_label_parse(raw)
        if key is None:
            result.add(problem("bad_home_class", row=row["_row"], column="本班", value=raw, messages=ROOM_MESSAGES))
        elif key not in classes:
            result.add(problem("unknown_home_class", row=row["_row"], column="本班", value=raw, messages=ROOM_MESSAGES))
        elif key in first_row:  # a class has one home room
            result.add(problem("duplicate_in_file", row=row["_row"], column="本班", value=raw, first=first_row[key]))
        else:
            first_row[key] = row["_row"]
            row["home_class"] = key
    return result


def _rooms_apply(*, school: School, rows: list[dict[str, Any]], result: ImportResult) -> None:
    existing = {r.name: r for r in Room.objects.select_for_update().filter(school=school)}
    classes = {(c.grade, c.number): c for c in SchoolClass.objects.select_for_update().filter(school=school)}
    homes = 0
    for row in rows:
        room = existing.get(row["name"])
        if room is None:
            room = Room.objects.create(
                school=school, name=row["name"], capacity=row["capacity"], features=row["features"]
            )
            result.created += 1
        elif (room.capacity, sorted(room.features or [])) != (row["capacity"], row["features"]):
            room.capacity, room.features = row["capacity"], row["features"]
            room.save(update_fields=["capacity", "features"])
            result.updated += 1
        else:
            result.unchanged += 1
        klass = classes.get(row["home_class"]) if row.get("home_class") else None
        if klass is not None and klass.home_room_id != room.pk:
            klass.home_room = room
            klass.save(update_fields=["home_room"])
            homes += 1
    if homes:
        result.extra["home_rooms_set"] = homes


@transaction.atomic
def rooms_import(*, school: School, upload: Any, by: Any = None) -> ImportResult:
    """Parse, and when the whole file is good, upsert every room by name."""
    parsed = parse_rooms(school=school, upload=upload)
    return _apply(parsed, school=school, by=by, action="courses.rooms.imported", apply=_rooms_apply)


def _apply(parsed: ParseResult, *, school: School, by: Any, action: str, apply: Callable[..., None]) -> ImportResult:
    result = ImportResult(problems=parsed.sorted_problems(), rows=len(parsed.rows))
    if not parsed.ok:
        return result
    try:
        with transaction.atomic():
            apply(school=school, rows=parsed.rows, result=result)
    except IntegrityError as exc:  # a concurrent edit took a name or number in the meantime
        raise DomainError("conflict") from exc
    audit_record(
        action=action,
        actor=by,
        school_id=school.pk,
        data={"rows": result.rows, "created": result.created, "updated": result.updated, **result.extra},
    )
    return result
