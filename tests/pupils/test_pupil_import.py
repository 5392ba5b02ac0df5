"""Excel import of pupils with guardians: upsert by 学籍号, siblings share a family by phone,
a bad file writes nothing and lists every bad row, another school's pupils are untouchable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Role, RoleGrant, User
from courses.models import SchoolClass
from enrollment.models import Family, Guardian, Student
from pupils import imports
from tests.courses.xlsx import XLSX, read_rows, upload, workbook_bytes

pytestmark = pytest.mark.django_db

HEADER = ["学籍号", "姓名", "性别", "年级", "班级", "监护人姓名", "监护人手机", "与学生关系", "优先群体"]


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def codes(result):
    return sorted((p.row, p.code) for p in result.problems)


def counts():
    return (Student.objects.count(), Family.objects.count(), Guardian.objects.count(), User.objects.count())


def good_rows():
    return [
        HEADER,
        ["G2015000101", "赵一", "男", 3, 1, "赵大", "13911110001", "父亲", "随迁子女，双职工"],
        ["G2017000102", "赵二", "女", "一年级", "1班", "赵大", "13911110001", "父亲", None],  # sibling, same phone
        ["G2015000103", "钱三", "女", "3年级", "(1)", "钱妈", 13911110002, "母亲", "留守儿童"],
        ["g2015000104", "孙四", "男", 3, 1, "王芳", "13800000001", "母亲", None],  # the world's parent_1
    ]


def test_good_file_creates_pupils_families_and_guardians_and_reimport_changes_nothing(world):
    school = world.school_a
    SchoolClass.objects.create(school=school, grade=1, number=1)
    before = counts()
    result = imports.pupils_import(school=school, upload=upload(good_rows()))
    assert result.ok, [str(p) for p in result.problems]
    assert (result.created, result.updated, result.extra["guardians_created"]) == (4, 0, 2)
    assert counts() == (before[0] + 4, before[1] + 2, before[2] + 2, before[3] + 2)

    zhao_1, zhao_2 = Student.objects.get(student_no="G2015000101"), Student.objects.get(student_no="G2017000102")
    assert zhao_1.family_id == zhao_2.family_id  # siblings share one family by the guardian's phone
    assert (zhao_2.grade, zhao_2.school_class.number, zhao_2.sex) == (1, 1, "F")
    assert zhao_1.priority_groups == ["dual_earner", "migrant"]
    sun = Student.objects.get(student_no="G2015000104")  # 学籍号 upper-cased
    assert sun.family == world.children_a[0].family  # joins the existing 王 family
    guardian = Guardian.objects.get(phone="13911110001")
    assert guardian.user.username == "p13911110001" and guardian.user.phone == "13911110001"
    assert not guardian.user.has_usable_password()  # nobody logs in before the school issues a password
    assert RoleGrant.objects.filter(user=guardian.user, role=Role.PARENT).exists()

    again = imports.pupils_import(school=school, upload=upload(good_rows()))
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert counts() == (before[0] + 4, before[1] + 2, before[2] + 2, before[3] + 2)


def test_reimport_updates_changed_pupils(world):
    school = world.school_a
    SchoolClass.objects.create(school=school, grade=1, number=1)
    imports.pupils_import(school=school, upload=upload(good_rows()))
    SchoolClass.objects.create(school=school, grade=3, number=2)
    rows = [HEADER, ["G2015000101", "赵一一", "男", 3, 2, "赵大", "13911110001", "父亲", None]]
    result = imports.pupils_import(school=school, upload=upload(rows))
    assert (result.created, result.updated) == (0, 1)
    pupil = Student.objects.get(student_no="G2015000101")
    assert (pupil.name, pupil.school_class.number, pupil.priority_groups) == ("赵一一", 2, [])


def test_bad_file_reports_each_row_and_writes_nothing(world):
    school = world.school_a
    teacher_user = world.users.teacher_a
    teacher_user.phone = "13700000009"
    teacher_user.save()
    before = counts()
    rows = [
        HEADER,
        ["G3000000001", "好学生", "男", 3, 1, "家长", "13911119999", None, None],  # fine on its own
        ["G3000000001", "重复", "男", 3, 1, "家长", "13911119998", None, None],  # 3: duplicate in file
        ["G0002", "李小红", "女", 3, 1, "李强", "13800000002", None, None],  # 4: pupil of another school
        ["G3000000004", "无班", "男", 3, 7, "家长", "13911119997", None, None],  # 5: unknown class
        ["G3000000005", "错年级", "男", "十", 1, "家长", "13911119996", None, None],  # 6: bad grade
        ["G3000000006", "初中", "男", 8, 1, "家长", "13911119995", None, None],  # 7: grade not in school
        ["G3000000007", "性别", "X", 3, 1, "家长", "13911119994", None, None],  # 8: bad sex
        ["G3000000008", "手机", "男", 3, 1, "家长", "1391111", None, None],  # 9: bad phone
        ["G3000000009", None, "男", 3, 1, "家长", "13911119993", None, None],  # 10: name missing
        ["G3000000010", dt.date(2016, 1, 1), "男", 3, 1, "家长", "13911119992", None, None],  # 11: wrong type
        ["G3000000011", "群体", "男", 3, 1, "家长", "13911119991", None, "单亲"],  # 12: unknown group
        ["G3000000012", "教师号", "男", 3, 1, "家长", "13700000009", None, None],  # 13: a teacher's phone
        ["G-12", "学籍", "男", 3, 1, "家长", "13911119990", None, None],  # 14: bad 学籍号
        ["G3000000014", "同号", "男", 3, 1, "另一个名字", "13911119999", None, None],  # 15: name mismatch
    ]
    result = imports.pupils_import(school=school, upload=upload(rows))
    assert codes(result) == [
        (3, "duplicate_in_file"),
        (4, "student_elsewhere"),
        (5, "unknown_class"),
        (6, "bad_grade"),
        (7, "grade_not_in_school"),
        (8, "bad_sex"),
        (9, "bad_phone"),
        (10, "required"),
        (11, "not_text"),
        (12, "bad_priority"),
        (13, "phone_taken"),
        (14, "bad_student_no"),
        (15, "guardian_mismatch"),
    ]
    assert counts() == before
    other = Student.objects.get(student_no="G0002")
    assert other.school == world.school_b and other.name == "李小红"
    elsewhere = next(p for p in result.problems if p.code == "student_elsewhere")
    with translation.override("zh-hans"):
        assert "城南小学" not in elsewhere.message  # the other school is not named
    with translation.override("en"):
        assert elsewhere.message == "The pupil with this student number is on the roll of another school."


def test_merged_cells_and_wrong_headers_write_nothing(world):
    before = counts()
    rows = good_rows()
    result = imports.pupils_import(school=world.school_a, upload=upload(rows, merge=["F2:F3", "G2:G3"]))
    assert (2, "merged") in codes(result)
    assert counts() == before
    wrong = [["学号", "姓名"], ["1", "甲"]]
    result = imports.pupils_import(school=world.school_a, upload=upload(wrong))
    assert {p.code for p in result.problems} == {"missing_column", "unknown_column"}
    assert counts() == before


def test_unknown_classes_can_be_created_when_asked(world):
    rows = [HEADER, ["G4000000001", "新生", "女", 2, 3, "新家长", "13911112000", None, None]]
    refused = imports.pupils_import(school=world.school_a, upload=upload(rows))
    assert codes(refused) == [(2, "unknown_class")]
    result = imports.pupils_import(school=world.school_a, upload=upload(rows), create_classes=True)
    assert result.ok and result.extra["classes_created"] == 1
    assert SchoolClass.objects.filter(school=world.school_a, grade=2, number=3).exists()


# --- the page ----------------------------------------------------------------------------------------


@pytest.fixture
def coord(client, world):
    client.force_login(world.users.coordinator_a)
    return client


def test_pupil_import_page_and_template(coord, world):
    page = reverse("pupils:pupils_import", args=[world.school_a.pk])
    assert coord.get(page).status_code == 200
    template = coord.get(reverse("pupils:pupils_template", args=[world.school_a.pk]))
    assert template.status_code == 200 and template["Content-Type"] == XLSX
    assert [h.rstrip("*") for h in read_rows(template.content)[0]] == HEADER
    rows = [HEADER, ["G5000000001", "页面", "男", 3, 1, "页面家长", "13911113000", None, "家庭困难"]]
    body = coord.post(page, {"file": upload(rows)}).content.decode()
    assert 'role="status"' in body
    assert Student.objects.get(student_no="G5000000001").priority_groups == ["low_income"]
    bad = workbook_bytes([HEADER, ["G5000000002", "坏", "男", 3, 99, "家长", "13911113001", None, None]])
    body = coord.post(page, {"file": upload(data=bad), "create_classes": ""}).content.decode()
    assert "没有导入任何数据" in body and not Student.objects.filter(student_no="G5000000002").exists()
    coord.cookies["django_language"] = "en"
    body = coord.post(page, {"file": upload(data=bad)}).content.decode()
    assert "The school has no class 3 (99)." in body


def test_pupil_import_is_404_for_another_schools_coordinator(client, world):
    client.force_login(world.users.coordinator_b)
    rows = [HEADER, ["G6000000001", "越权", "男", 3, 1, "家长", "13911114000", None, None]]
    assert (
        client.post(reverse("pupils:pupils_import", args=[world.school_a.pk]), {"file": upload(rows)}).status_code
        == 404
    )
    assert client.get(reverse("pupils:pupils_template", args=[world.school_a.pk])).status_code == 404
    assert not Student.objects.filter(student_no="G6000000001").exists()
    client.force_login(world.users.parent_1)
    assert client.get(reverse("pupils:pupils_import", args=[world.school_a.pk])).status_code == 403
