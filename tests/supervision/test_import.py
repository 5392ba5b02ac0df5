"""Excel import of the register: every row or none, each problem with its row and column."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supervision import imports
from supervision.models import Institution, InstitutionChange
from tests.courses.xlsx import read_rows, upload
from tests.supervision.conftest import code_for

pytestmark = pytest.mark.django_db

HEADER = ["机构名称", "统一社会信用代码", "类型", "法人性质", "状态", "属地", "网格", "预收费管理"]


def _row(
    name, code, kind="学科类", form="非营利性", status="正常营业", town="锦溪镇", grid="1网格", prepaid="资金监管账户"
):
    return [name, code, kind, form, status, town, grid, prepaid]


def test_a_good_file_creates_and_updates_and_again_changes_nothing(sup):
    existing = sup.institutions[0]
    rows = [HEADER, _row("新启航", code_for(900)), _row("机构001更名", existing.credit_code, status="转型转登")]
    result = imports.institutions_import(district=sup.district, upload=upload(rows), by=sup.bureau)
    assert result.ok and (result.created, result.updated) == (1, 1)
    existing.refresh_from_db()
    assert existing.name == "机构001更名" and existing.status == "converting"
    assert InstitutionChange.objects.filter(institution=existing, source="import").exists()
    again = imports.institutions_import(district=sup.district, upload=upload(rows), by=sup.bureau)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_one_bad_row_writes_nothing_and_names_row_and_column(sup):
    before = Institution.objects.count()
    bad_code = code_for(901)[:-1] + ("0" if code_for(901)[-1] != "0" else "1")
    rows = [
        HEADER,
        _row("好机构", code_for(902)),
        _row("坏代码", bad_code),
        _row("坏类型", code_for(903), kind="补习类"),
        _row("重复", code_for(902)),
        _row("", code_for(904)),
    ]
    result = imports.institutions_import(district=sup.district, upload=upload(rows), by=sup.bureau)
    assert not result.ok and Institution.objects.count() == before
    where = {(p.row, p.column) for p in result.problems}
    assert (3, "统一社会信用代码") in where
    assert (4, "类型") in where
    assert (5, "统一社会信用代码") in where
    assert (6, "机构名称") in where
    assert not Institution.objects.filter(name="好机构").exists()


def test_not_a_workbook_and_the_page(client, sup):
    result = imports.institutions_import(district=sup.district, upload=upload(data=b"not excel"), by=sup.bureau)
    assert not result.ok and result.problems[0].code == "not_xlsx"
    client.force_login(sup.bureau)
    template = client.get(reverse("supervision:register_import_template"))
    assert read_rows(template.content)[0][:2] == ["机构名称*", "统一社会信用代码*"]
    page = client.post(reverse("supervision:register_import"), {"file": upload([HEADER, _row("坏", "123")])})
    assert page.status_code == 200 and "没有导入任何数据" in page.content.decode()
    assert not Institution.objects.filter(name="坏").exists()
