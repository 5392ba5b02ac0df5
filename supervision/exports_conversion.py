"""Excel export of the 转登 window: the summary, one row per case, and every visit (through
core.exports, so user text stays text). Written in Chinese, like the bureau's other exports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation

from supervision.exports import _workbook
from supervision.models import ConversionMaterial, ConversionVisit, Department
from supervision.models.conversion import MATERIALS, Step, Target, material_label


def cases_workbook(rows: list[Any], summary: Any, *, today: dt.date) -> bytes:
    """`rows` from `selectors_conversion.case_rows` (visits counted, deadline annotated)."""
    ids = [c.pk for c in rows]
    received: dict[int, set[str]] = {}
    for case_id, code in ConversionMaterial.objects.filter(case_id__in=ids).values_list("case_id", "code"):
        received.setdefault(case_id, set()).add(code)
    visits = ConversionVisit.objects.filter(case_id__in=ids).select_related("case__institution")
    with translation.override("zh-hans"):
        targets, steps, departments = dict(Target.choices), dict(Step.choices), dict(Department.choices)
        cases = [
            (
                c.institution.name,
                c.institution.credit_code,
                str(targets[c.target]),
                str(steps[c.step]),
                str(departments.get(c.holder, "")),
                c.opened_at.date(),
                c.done_at.date() if c.done_at else None,
                c.effective_deadline,
                "是" if c.overdue else "",
                c.n_visits,
                "、".join(
                    material_label(m.code) for m in MATERIALS[c.target] if m.code not in received.get(c.pk, set())
                ),
            )
            for c in rows
        ]
        return _workbook(
            [
                (
                    "汇总",
                    [
                        "总数",
                        "已办结",
                        "办理中",
                        "逾期",
                        "来访次数",
                        "平均来访次数",
                        "最多跑一次（件）",
                        "最多跑一次占比%",
                    ],
                    [
                        (
                            summary.total,
                            summary.done,
                            summary.in_progress,
                            summary.overdue,
                            summary.visits,
                            summary.mean_visits,
                            summary.within_one,
                            summary.share_within_one,
                        )
                    ],
                ),
                (
                    "转登案件",
                    [
                        "机构",
                        "统一社会信用代码",
                        "转登方向",
                        "当前环节",
                        "当前承办部门",
                        "受理日期",
                        "办结日期",
                        "截止日期（含延期）",
                        "逾期",
                        "来访次数",
                        "尚缺材料",
                    ],
                    cases,
                ),
                (
                    "来访记录",
                    ["机构", "日期", "事由"],
                    [(v.case.institution.name, v.visited_on, v.purpose) for v in visits],
                ),
            ]
        )
