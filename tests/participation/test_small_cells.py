"""Issue 13 item 7: small cells cannot be recovered by subtraction — one function
(`stats.suppress_table`) behind the bureau's pages, Excel and API."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.cache import cache
from django.urls import reverse

from participation import stats

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_a_class_of_46_with_45_taking_part_hides_the_45():
    [row] = stats.suppress_table([{"on_roll": 46, "taking_part": 45, "rate": 97.8}], (stats.PART,))
    assert row == {"on_roll": 46, "taking_part": None, "rate": None}
    [fine] = stats.suppress_table([{"on_roll": 46, "taking_part": 30, "rate": 65.2}], (stats.PART,))
    assert fine["taking_part"] == 30 and fine["rate"] == 65.2


def test_one_hidden_part_of_a_row_sum_hides_a_second_one():
    [row] = stats.suppress_table([{"expected": 60, "present": 45, "absent": 3, "leave": 12}])
    assert row["absent"] is None and row["leave"] is None and row["present"] == 45  # leave is the smallest shown
    assert row["expected"] == 60


def test_one_hidden_cell_in_a_column_with_its_total_shown_hides_a_second_one():
    rows = [{"on_roll": 40}, {"on_roll": 25}, {"on_roll": 5}, {"on_roll": 30}]
    shown = stats.suppress_table(rows, total={"on_roll": 100})
    assert [r["on_roll"] for r in shown] == [40, None, None, 30]
    assert [r["on_roll"] for r in rows] == [40, 25, 5, 30]  # the input is left as it was
    assert [r["on_roll"] for r in stats.suppress_table(rows)] == [40, 25, None, 30]  # no total shown


def _fake_stats(world):
    """School A with a class of 46, 45 taking part (one non-participant), and a second class."""
    row = {"five_days": 20, "expected": 0, "present": 0, "absent": 0, "leave": 0, "attendance_rate": None}
    c1 = {"key": 1, "label": "三年级1班", "on_roll": 46, "taking_part": 45, "rate": 97.8, "five_rate": 43.5, **row}
    c2 = {"key": 2, "label": "三年级2班", "on_roll": 44, "taking_part": 30, "rate": 68.2, "five_rate": 45.5, **row}
    total = {"on_roll": 90, "taking_part": 75, "rate": 83.3, "five_days": 40, "five_rate": 44.4, **row}
    school = {"school_id": world.school_a.pk, "label": "锦溪小学", "kind": "小学", **total, "waiting": 0,
              "first_choice_rate": None, "periods": 0, "teachers": 0, "fee_due": 0}  # fmt: skip
    return {
        "total": total, "target": 90.0, "by_school": [school], "by_grade": [{"key": 3, "label": "三年级", **total}],
        "by_class": [c1, c2], "by_kind": [], "by_group": [], "by_sex": [], "weekly": [],
        "demand": {"ranked": 0, "first_given": 0, "waiting": 0, "unplaced": 0, "first_choice_rate": None},
        "partner": [], "exempt_taking_part": 0, "periods": 0,
    }  # fmt: skip


def test_the_bureau_page_excel_and_api_hide_the_class_complement_alike(client, world, monkeypatch):
    monkeypatch.setattr(stats, "school_stats", lambda school_ids: _fake_stats(world))
    shown = stats.for_bureau(_fake_stats(world))
    c1, c2 = shown["by_class"]
    assert (c1["on_roll"], c1["taking_part"], c1["rate"]) == (46, None, None)
    assert c2["taking_part"] is None  # the second cell of the column (75 − 30 would give the 45 back)
    client.force_login(world.users.bureau)
    page = client.get(reverse("participation:bureau_school", args=[world.school_a.pk])).content.decode()
    assert "97.8" not in page and ">45<" not in page
    api = client.get(f"/api/v1/stats/schools/{world.school_a.pk}").json()
    assert [r["taking_part"] for r in api["by_class"]] == [None, None]
    book = client.get(reverse("participation:bureau_export"), {"school": world.school_a.pk}).content
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    assert "<v>45</v>" not in xml and "97.8" not in xml
