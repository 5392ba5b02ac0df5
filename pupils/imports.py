"""Excel import of a school's pupils with their guardians (学籍号, 姓名, 性别, 年级, 班级, 监护人 …).

Same two steps as `courses.imports`: `parse_pupils` returns rows and problems and writes nothing;
`pupils_import` applies a file only when it has no problem at all, in one transaction.

Decisions, stated once:
- Pupils are upserted by 学籍号 (unique nationally). A 学籍号 on file at ANOTHER school is a
  problem (a transfer is not an import); the other school is not named.
- A class (年级 + 班级) must already exist, unless the coordinator ticks "create missing classes";
  then the missing classes of the school's grades are created.
- Guardians are found by mobile number, so siblings (also at different schools) share one family.
  A new number gets a Family, a User "p<phone>" with an UNUSABLE password (the school issues
  passwords later; nobody can log in with an imported account before that) and the parent role.
  An existing guardian's name is not overwritten by an import.
- A number used by an account that is not a guardian (a teacher, say) is a problem.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, RoleGrant, User
from core.audit import audit_record
from core.errors import DomainError
from core.sheets import (
    Column,
    ImportResult,
    ParseResult,
    build_template,
    check_unique,
    choice_labels,
    choice_lookup,
    problem,
    read_sheet,
)
from courses.models import School, SchoolClass
from pupils.models import Family, Guardian, PriorityGroup, Student

STUDENT_NO_RE = re.compile(r"^[A-Z0-9]{4,30}$")
CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
JUNIOR = {"初一": 7, "初二": 8, "初三": 9}
SEX = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
PRIORITY_SPELLINGS = {
    "留守儿童": PriorityGroup.LEFT_BEHIND,
    "随迁子女": PriorityGroup.MIGRANT,
    "残疾": PriorityGroup.DISABLED,
    "残疾儿童": PriorityGroup.DISABLED,
    "家庭困难": PriorityGroup.LOW_INCOME,
    "困难家庭": PriorityGroup.LOW_INCOME,
    "双职工": PriorityGroup.DUAL_EARNER,
}

MESSAGES = {
    "bad_student_no": _("A student number has 4 to 30 letters and digits, found “%(value)s”."),
    "student_elsewhere": _("The pupil with this student number is on the roll of another school."),
    "bad_sex": _("Enter 男 or 女, found “%(value)s”."),
    "bad_grade": _("Enter the grade as 1–9 or 三年级, found “%(value)s”."),
    "grade_not_in_school": _("This school has no grade %(grade)s."),
    "bad_class": _("Enter the class number, such as 2 or 2班, found “%(value)s”."),
    "unknown_class": _("The school has no class %(grade)s (%(number)s). Add it, or tick “create missing classes”."),
    "bad_priority": _("“%(value)s” is not one of: %(choices)s."),
    "phone_taken": _("This mobile number belongs to an account that is not a guardian."),
    "guardian_mismatch": _("Row %(first)s gives the guardian with this number the name “%(name)s”."),
}

PUPIL_COLUMNS = [
    Column(
        "student_no",
        "学籍号",
        "text",
        required=True,
        aliases=("student number", "student no"),
        max_length=30,
        help=_("The national student number; a pupil already on file with it is updated."),
        example="G110105201501011234",
    ),
    Column(
        "name", "姓名", "text", required=True, aliases=("name",), help=_("The pupil's full name."), example="王小明"
    ),
    Column("sex", "性别", "text", required=True, aliases=("sex",), max_length=10, help=_("男 or 女."), example="男"),
    Column(
        "grade",
        "年级",
        "text",
        required=True,
        aliases=("grade",),
        max_length=10,
        help=_("1–9, or 三年级 / 初一."),
        example="3",
    ),
    Column(
        "class_number",
        "班级",
        "text",
        required=True,
        aliases=("class",),
        max_length=10,
        help=_("The class number within the grade, such as 2 or 2班."),
        example="2",
    ),
    Column(
        "guardian_name",
        "监护人姓名",
        "text",
        required=True,
        aliases=("guardian name", "guardian"),
        help=_("A parent or guardian."),
        example="王芳",
    ),
    Column(
        "guardian_phone",
        "监护人手机",
        "phone",
        required=True,
        aliases=("guardian phone", "guardian mobile"),
        help=_("The guardian's mobile number: children with the same number become one family."),
        example="13800001234",
    ),
    Column(
        "relation",
        "与学生关系",
        "text",
        aliases=("relation", "关系"),
        max_length=10,
        help=_("Optional, such as 母亲 or 父亲."),
        example="母亲",
    ),
    Column(
        "priority_groups",
        "优先群体",
        "list",
        aliases=("priority groups",),
        help=_("Optional, separated by commas: 留守儿童, 随迁子女, 残疾, 家庭困难, 双职工."),
        example="随迁子女，双职工",
    ),
]


def _p(code: str, **kwargs: Any):
    return problem(code, messages=MESSAGES, **kwargs)


def _grade(text: str) -> int | None:
    text = text.replace(" ", "")
    if text in JUNIOR:
        return JUNIOR[text]
    match = re.fullmatch(r"([1-9一二三四五六七八九])(?:年级)?", text)
    if not match:
        return None
    token = match.group(1)
    return CN_DIGITS.get(token) or int(token)


def _class_number(text: str) -> int | None:
    match = re.fullmatch(r"[(（]?(\d{1,2})[)）]?班?", text.replace(" ", ""))
    if match and int(match.group(1)) >= 1:
        return int(match.group(1))
    match = re.fullmatch(r"([一二三四五六七八九])班", text)
    return CN_DIGITS[match.group(1)] if match else None


def parse_pupils(*, school: School, upload: Any, create_classes: bool = False) -> ParseResult:
    """Rows ready to apply, or the problems; reads the roster and accounts, writes nothing."""
    result = read_sheet(upload, PUPIL_COLUMNS)
    if not result.rows:
        return result
    for row in result.rows:
        if row.get("student_no"):
            row["student_no"] = row["student_no"].upper()
    check_unique(result, "student_no", "学籍号")

    classes = {(c.grade, c.number): c for c in SchoolClass.objects.filter(school=school)}
    numbers = [r["student_no"] for r in result.rows if r.get("student_no")]
    elsewhere = set(
        Student.objects.filter(student_no__in=numbers).exclude(school=school).values_list("student_no", flat=True)
    )
    phones = [r["guardian_phone"] for r in result.rows if r.get("guardian_phone")]
    usernames = ["p" + phone for phone in phones]
    accounts = User.objects.filter(phone__in=phones) | User.objects.filter(username__in=usernames)
    guardian_users = set(Guardian.objects.filter(user__in=accounts).values_list("user_id", flat=True))
    taken = set()
    for user in accounts:
        if user.pk not in guardian_users:
            taken.add(user.phone or user.username[1:])
    priority = choice_lookup(PriorityGroup.choices, extra=PRIORITY_SPELLINGS)
    first_guardian: dict[str, tuple[int, str]] = {}

    for row in result.rows:
        n = row["_row"]
        number = row.get("student_no")
        if number and not STUDENT_NO_RE.match(number):
            result.add(_p("bad_student_no", row=n, column="学籍号", value=number))
        elif number in elsewhere:
            result.add(_p("student_elsewhere", row=n, column="学籍号"))

        if row.get("sex") is not None:
            sex = SEX.get(row["sex"].lower())
            if sex is None:
                result.add(_p("bad_sex", row=n, column="性别", value=row["sex"]))
            row["sex"] = sex

        grade = None
        if row.get("grade") is not None:
            grade = _grade(row["grade"])
            if grade is None:
                result.add(_p("bad_grade", row=n, column="年级", value=row["grade"]))
            elif grade not in school.grades:
                result.add(_p("grade_not_in_school", row=n, column="年级", grade=grade))
                grade = None
        row["grade"] = grade

        class_number = None
        if row.get("class_number") is not None:
            class_number = _class_number(row["class_number"])
            if class_number is None:
                result.add(_p("bad_class", row=n, column="班级", value=row["class_number"]))
        row["class_number"] = class_number
        if grade and class_number and (grade, class_number) not in classes and not create_classes:
            result.add(_p("unknown_class", row=n, column="班级", grade=grade, number=class_number))

        phone = row.get("guardian_phone")
        if phone:
            if phone in taken:
                result.add(_p("phone_taken", row=n, column="监护人手机"))
            name = row.get("guardian_name") or ""
            if phone in first_guardian and name and first_guardian[phone][1] != name:
                first, first_name = first_guardian[phone]
                result.add(_p("guardian_mismatch", row=n, column="监护人姓名", first=first, name=first_name))
            first_guardian.setdefault(phone, (n, name))

        groups: list[str] = []
        for raw in row.get("priority_groups") or []:
            key = priority.get(raw.lower())
            if key is None:
                result.add(
                    _p(
                        "bad_priority",
                        row=n,
                        column="优先群体",
                        value=raw,
                        choices="、".join(PRIORITY_SPELLINGS) + "（" + choice_labels(PriorityGroup.choices) + "）",
                    )
                )
            elif key not in groups:
                groups.append(key)
        row["priority_groups"] = sorted(groups)
    return result


def _pupils_apply(*, school: School, rows: list[dict[str, Any]], result: ImportResult, create_classes: bool) -> None:
    classes = {(c.grade, c.number): c for c in SchoolClass.objects.filter(school=school)}
    for row in rows:
        key = (row["grade"], row["class_number"])
        if key not in classes:
            if not create_classes:  # the parser refused it already; never create silently
                raise DomainError("validation_error")
            classes[key] = SchoolClass.objects.create(school=school, grade=key[0], number=key[1])
            result.extra["classes_created"] = result.extra.get("classes_created", 0) + 1

    students = {
        s.student_no: s
        for s in Student.objects.select_for_update().filter(student_no__in=[r["student_no"] for r in rows])
    }
    if any(s.school_id != school.pk for s in students.values()):
        raise DomainError("conflict")  # moved to another school since the parse
    phones = sorted({r["guardian_phone"] for r in rows})
    guardians: dict[str, Guardian] = {}
    for g in Guardian.objects.select_related("user").filter(Q(phone__in=phones) | Q(user__phone__in=phones)):
        guardians.setdefault(g.phone, g)
        if g.user.phone:
            guardians.setdefault(g.user.phone, g)

    # New guardians, in bulk: a family (the existing pupil's, or a new one), an account, the parent role.
    new_phones: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["guardian_phone"] not in guardians and row["guardian_phone"] not in new_phones:
            new_phones[row["guardian_phone"]] = row
    if new_phones:
        families: dict[str, Any] = {}
        fresh = []
        for phone, row in new_phones.items():
            student = students.get(row["student_no"])
            if student is not None:
                families[phone] = student.family_id
            else:
                fresh.append((phone, Family(label=f"{row['guardian_name'][:1] or row['name'][:1]}家")))
        Family.objects.bulk_create([family for _phone, family in fresh])
        families.update({phone: family.pk for phone, family in fresh})
        users = User.objects.bulk_create(
            [
                User(username=f"p{phone}", phone=phone, display_name=row["guardian_name"], password=make_password(None))
                for phone, row in new_phones.items()
            ]
        )
        RoleGrant.objects.bulk_create([RoleGrant(user=user, role=Role.PARENT) for user in users])
        created = Guardian.objects.bulk_create(
            [
                Guardian(
                    user=user,
                    family_id=families[phone],
                    name=row["guardian_name"],
                    phone=phone,
                    relation=row.get("relation") or "",
                )
                for user, (phone, row) in zip(users, new_phones.items(), strict=True)
            ]
        )
        guardians.update({g.phone: g for g in created})
        result.extra["guardians_created"] = len(created)

    to_create: list[Student] = []
    to_update: list[Student] = []
    fields = ["name", "sex", "grade", "school_class_id", "family_id", "priority_groups", "on_roll"]
    for row in rows:
        values = {
            "name": row["name"],
            "sex": row["sex"],
            "grade": row["grade"],
            "school_class_id": classes[(row["grade"], row["class_number"])].pk,
            "family_id": guardians[row["guardian_phone"]].family_id,
            "priority_groups": row["priority_groups"],
            "on_roll": True,
        }
        student = students.get(row["student_no"])
        if student is None:
            to_create.append(Student(school=school, student_no=row["student_no"], **values))
        elif any(getattr(student, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(student, k, v)
            to_update.append(student)
        else:
            result.unchanged += 1
    Student.objects.bulk_create(to_create, batch_size=500)
    Student.objects.bulk_update(
        to_update, [f.removesuffix("_id") if f.endswith("_id") else f for f in fields], batch_size=500
    )
    result.created, result.updated = len(to_create), len(to_update)


@transaction.atomic
def pupils_import(*, school: School, upload: Any, create_classes: bool = False, by: Any = None) -> ImportResult:
    """Parse the roster; when the whole file is good, upsert pupils, families and guardians."""
    parsed = parse_pupils(school=school, upload=upload, create_classes=create_classes)
    result = ImportResult(problems=parsed.sorted_problems(), rows=len(parsed.rows))
    if not parsed.ok:
        return result
    try:
        with transaction.atomic():
            _pupils_apply(school=school, rows=parsed.rows, result=result, create_classes=create_classes)
    except IntegrityError as exc:  # a number taken by a concurrent import
        raise DomainError("conflict") from exc
    audit_record(
        action="pupils.pupils.imported",
        actor=by,
        school_id=school.pk,
        data={"rows": result.rows, "created": result.created, "updated": result.updated, **result.extra},
    )
    return result


def pupil_template() -> bytes:
    return build_template(title="学生名单", columns=PUPIL_COLUMNS)
