"""Excel import of teachers and rooms: a bad file writes nothing and lists every bad row; a good
file is applied once however often it is imported; the template downloads and round-trips."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import translation

from core import sheets
from courses import imports
from courses.models import Room, Teacher
from tests.courses.xlsx import XLSX, read_rows, upload, workbook_bytes

pytestmark = pytest.mark.django_db

ROOM_HEADER = ["名称", "容纳人数", "设施", "本班"]
TEACHER_HEADER = ["工号", "姓名", "手机", "学科", "每周课时上限"]


def codes(result):
    return sorted((p.row, p.code) for p in result.problems)


# --- rooms ------------------------------------------------------------------------------------------


def test_good_rooms_file_applied_twice_gives_no_duplicates(world):
    school = world.school_a
    rows = [ROOM_HEADER, ["科学实验室", 40, "实验室，水池"], ["烹饪教室", "30", "kitchen"], ["操场", 200, None]]
    first = imports.rooms_import(school=school, upload=upload(rows))
    assert first.ok and (first.created, first.updated, first.unchanged) == (3, 0, 0)
    lab = school.rooms.get(name="科学实验室")
    assert lab.capacity == 40 and lab.features == ["lab", "water"]
    again = imports.rooms_import(school=school, upload=upload(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert school.rooms.count() == 4  # the world's classroom and the three imported
    changed = [ROOM_HEADER, ["科学实验室", 36, "实验室"]]
    third = imports.rooms_import(school=school, upload=upload(changed))
    assert (third.created, third.updated) == (0, 1)
    lab.refresh_from_db()
    assert (lab.capacity, lab.features) == (36, ["lab"])
    assert world.school_b.rooms.count() == 1  # another school's rooms are never touched


def test_bad_rooms_file_reports_each_row_and_writes_nothing(world):
    school = world.school_a
    rows = [
        ROOM_HEADER,
        ["好教室", 30, "美术室"],  # fine, but the file as a whole is refused
        ["", 30, None],  # row 3: name missing
        ["二号教室", "三十", None],  # row 4: not a number
        ["三号教室", dt.datetime(2026, 9, 1), None],  # row 5: a date where a number belongs
        ["四号教室", 0, None],  # row 6: out of range
        ["五号教室", 20, "游泳池"],  # row 7: unknown feature
        ["好教室", 25, None],  # row 8: duplicate of row 2
        [None, None, None],  # empty rows are skipped
        ["六号教室", 12.5, None],  # row 10: not a whole number
    ]
    result = imports.rooms_import(school=school, upload=upload(rows))
    assert not result.ok
    assert codes(result) == [
        (3, "required"),
        (4, "not_integer"),
        (5, "not_integer"),
        (6, "out_of_range"),
        (7, "bad_choice"),
        (8, "duplicate_in_file"),
        (10, "not_integer"),
    ]
    assert school.rooms.count() == 1 and not Room.objects.filter(name="好教室").exists()
    dup = next(p for p in result.problems if p.code == "duplicate_in_file")
    with translation.override("zh-hans"):
        assert "2" in dup.message and dup.column == "名称"
    with translation.override("en"):
        assert dup.message == "“好教室” already appears in row 2."


def test_merged_cells_are_reported_and_nothing_written(world):
    rows = [ROOM_HEADER, ["甲", 30, None], ["乙", 30, None], ["丙", 30, None]]
    result = imports.rooms_import(school=world.school_a, upload=upload(rows, merge=["B3:B4"]))
    assert codes(result) == [(3, "merged")]
    assert "B3:B4" in result.problems[0].message
    assert world.school_a.rooms.count() == 1


def test_wrong_headers_are_reported_before_any_row(world):
    rows = [["教室名", "人数", "设施", "备注"], ["甲", 30, None]]
    result = imports.rooms_import(school=world.school_a, upload=upload(rows))
    assert codes(result) == [(1, "missing_column"), (1, "unknown_column"), (1, "unknown_column")]
    missing = next(p for p in result.problems if p.code == "missing_column")
    assert missing.column == "名称"
    # English headers are accepted too; a required marker (*) in the header is fine
    ok = imports.rooms_import(
        school=world.school_a, upload=upload([["Name*", "Capacity", "Features"], ["甲", 30, "lab"]])
    )
    assert ok.ok and world.school_a.rooms.filter(name="甲", features=["lab"]).exists()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"name,capacity\nlab,30\n", "rooms.csv"),  # CSV
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "rooms.xls"),  # old binary Excel
        (b"PK\x03\x04 not really a zip", "rooms.xlsx"),
        (b"", "empty.xlsx"),
    ],
)
def test_a_file_that_is_not_xlsx_is_refused(world, content, name):
    result = imports.rooms_import(school=world.school_a, upload=upload(data=content, name=name))
    assert codes(result) == [(None, "not_xlsx")]


def test_a_zip_that_is_not_a_workbook_is_refused(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    result = imports.rooms_import(school=world.school_a, upload=upload(data=buffer.getvalue()))
    assert codes(result) == [(None, "not_xlsx")]


def test_huge_files_are_refused(world, monkeypatch):
    monkeypatch.setattr(sheets, "MAX_BYTES", 1000)
    big = upload(data=b"PK\x03\x04" + b"x" * 2000)
    assert codes(imports.rooms_import(school=world.school_a, upload=big)) == [(None, "too_large")]
    monkeypatch.setattr(sheets, "MAX_BYTES", 5 * 1024 * 1024)
    monkeypatch.setattr(sheets, "MAX_UNCOMPRESSED", 2000)  # a zip bomb unpacks far beyond its size
    rows = [ROOM_HEADER] + [[f"教室{i}", 30, None] for i in range(100)]
    assert codes(imports.rooms_import(school=world.school_a, upload=upload(rows))) == [(None, "too_large")]
    monkeypatch.setattr(sheets, "MAX_UNCOMPRESSED", 60 * 1024 * 1024)
    monkeypatch.setattr(sheets, "MAX_ROWS", 50)
    assert codes(imports.rooms_import(school=world.school_a, upload=upload(rows))) == [(None, "too_many_rows")]
    assert world.school_a.rooms.count() == 1


def test_no_data_rows_and_no_file(world):
    assert codes(imports.rooms_import(school=world.school_a, upload=upload([ROOM_HEADER]))) == [(None, "empty")]
    assert codes(imports.rooms_import(school=world.school_a, upload=None)) == [(None, "no_file")]


def test_parser_writes_nothing_even_for_a_good_file(world, django_assert_max_num_queries):
    rows = [ROOM_HEADER, ["甲", 30, None]]
    with django_assert_max_num_queries(0):
        parsed = imports.parse_rooms(school=world.school_a, upload=upload(rows))
    assert parsed.ok and parsed.rows[0]["name"] == "甲"


# --- teachers ---------------------------------------------------------------------------------------


def test_good_teachers_file_upserts_by_staff_number(world):
    school = world.school_a
    rows = [
        TEACHER_HEADER,
        ["T1", "张老师", 13912345678, "数学，科学", 5],  # already on file: updated
        ["T7", "刘老师", "139 1234 5679", "美术", None],
        ["T8", "陈老师", None, None, None],
    ]
    first = imports.teachers_import(school=school, upload=upload(rows))
    assert first.ok and (first.created, first.updated) == (2, 1)
    t1 = school.teachers.get(staff_no="T1")
    assert (t1.phone, t1.subjects, t1.max_periods_week) == ("13912345678", ["数学", "科学"], 5)
    t7 = school.teachers.get(staff_no="T7")
    assert (t7.phone, t7.max_periods_week) == ("13912345679", 6)
    again = imports.teachers_import(school=school, upload=upload(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert school.teachers.count() == 3
    # empty optional cells leave what is on file alone
    imports.teachers_import(school=school, upload=upload([TEACHER_HEADER, ["T1", "张老师", None, None, None]]))
    t1.refresh_from_db()
    assert t1.phone == "13912345678" and t1.max_periods_week == 5


def test_bad_teachers_file_writes_nothing(world):
    rows = [
        TEACHER_HEADER,
        ["T20", "新老师", None, None, None],
        ["T21", None, None, None, None],  # row 3: no name
        ["T22", "某某", "12345", None, None],  # row 4: bad phone
        ["T23", "某某", None, None, 41],  # row 5: over the weekly limit
        ["T20", "重复", None, None, None],  # row 6: staff number twice
        [True, "布尔", None, None, None],  # row 7: wrong type
    ]
    result = imports.teachers_import(school=world.school_a, upload=upload(rows))
    assert codes(result) == [
        (3, "required"),
        (4, "bad_phone"),
        (5, "out_of_range"),
        (6, "duplicate_in_file"),
        (7, "not_text"),
    ]
    assert Teacher.objects.filter(school=world.school_a).count() == 1


# --- pages and templates ----------------------------------------------------------------------------


@pytest.fixture
def coord(client, world):
    client.force_login(world.users.coordinator_a)
    return client


@pytest.mark.parametrize(("kind", "header"), [("rooms", ROOM_HEADER), ("teachers", TEACHER_HEADER)])
def test_template_download_round_trips(coord, world, kind, header):
    response = coord.get(reverse(f"courses:setup_import_{kind}_template", args=[world.school_a.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    rows = read_rows(response.content)
    assert [h.rstrip("*") for h in rows[0]] == header
    # the downloaded template, filled in, imports
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(response.content))
    sample = {"rooms": ["活动室", 45, "音乐室"], "teachers": ["T50", "周老师", "13700001111", "音乐", 4]}[kind]
    workbook.worksheets[0].append(sample)
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = coord.post(
        reverse(f"courses:setup_import_{kind}", args=[world.school_a.pk]),
        {"file": upload(data=buffer.getvalue())},
    )
    assert result.status_code == 200 and "1 行" in result.content.decode()


def test_import_page_lists_problems_in_chinese_then_english(coord, world):
    target = reverse("courses:setup_import_rooms", args=[world.school_a.pk])
    bad = workbook_bytes([ROOM_HEADER, ["甲", "很多", None]])
    body = coord.post(target, {"file": upload(data=bad)}).content.decode()
    assert "没有导入任何数据" in body and "应为整数" in body
    coord.cookies["django_language"] = "en"
    body = coord.post(target, {"file": upload(data=bad)}).content.decode()
    assert "Nothing was imported" in body and "Expected a whole number, found “很多”." in body
    body = coord.post(target, {"file": upload(data=b"hello", name="x.txt")}).content.decode()
    assert "is not an Excel workbook" in body
    assert world.school_a.rooms.count() == 1


def test_import_page_applies_a_good_file(coord, world):
    target = reverse("courses:setup_import_teachers", args=[world.school_a.pk])
    good = workbook_bytes([TEACHER_HEADER, ["T30", "吴老师", None, "体育", 3]])
    body = coord.post(target, {"file": upload(data=good)}).content.decode()
    assert 'role="status"' in body and world.school_a.teachers.filter(staff_no="T30").exists()


def test_import_pages_are_404_for_another_schools_coordinator(client, world):
    client.force_login(world.users.coordinator_b)
    good = workbook_bytes([ROOM_HEADER, ["入侵", 30, None]])
    target = reverse("courses:setup_import_rooms", args=[world.school_a.pk])
    assert client.post(target, {"file": upload(data=good)}).status_code == 404
    assert client.get(reverse("courses:setup_import_rooms_template", args=[world.school_a.pk])).status_code == 404
    assert not Room.objects.filter(name="入侵").exists()
