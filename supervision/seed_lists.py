"""The report's 抽查事项清单: version 1 of each department's list (the migration and the demo seed them;
later versions are made on the site)."""

from __future__ import annotations

from typing import Any

LISTS = {
    "education": (
        "教育部门抽查事项清单",
        [
            "办学情况：办学许可证、培训内容与备案一致",
            "教师资质：学科类培训教师具备相应教师资格",
            "培训时间：不在国家法定节假日、休息日及寒暑假组织学科类培训；线下培训结束不晚于20:30",
            "预收费管理：预收费纳入资金监管，不超过3个月或60课时",
            "用工人数：从业人员名册与实际一致",
            "薪资发放：按时足额发放从业人员薪资",
            "周末开课：周末未违规开展学科类培训",
        ],
    ),
    "market": (
        "市场监管部门抽查事项清单",
        [
            "登记事项：营业执照（登记证书）与实际经营一致",
            "广告事项：无违规校外培训广告",
            "价格行为：明码标价，执行政府指导价",
        ],
    ),
    "civil": (
        "民政部门抽查事项清单",
        [
            "登记事项：民办非企业单位登记证书与实际一致",
            "办学情况：非营利性机构不分配办学结余",
        ],
    ),
    "fire": (
        "消防部门抽查事项清单",
        [
            "消防安全：疏散通道畅通、消防设施完好、应急预案与演练",
        ],
    ),
}


def ensure_checklists(checklist_model: Any, item_model: Any) -> None:
    """Create the version-1 lists that are missing (historical models in the migration, real ones elsewhere)."""
    for department, (title, items) in LISTS.items():
        checklist, created = checklist_model.objects.get_or_create(
            department=department, version=1, defaults={"title": title}
        )
        if not created:
            continue
        for n, text in enumerate(items, start=1):
            item_model.objects.create(checklist=checklist, code=f"{department[:3].upper()}-{n:02d}", text=text, order=n)
