"""Excel exports of the bureau: the register (with grades) and the rectification notices."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from core.exports import xlsx_bytes, xlsx_row
from supervision.models import Campaign, CampaignGroup, CampaignVisit, Institution, Notice


def _workbook(sheets: list[tuple[str, list[str], Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])
        xlsx_row(sheet, header)
        for row in rows:
            xlsx_row(sheet, row)  # user text (names, addresses, notes) stays text, never a formula
    return xlsx_bytes(workbook)


def register_workbook(district_id: int) -> bytes:
    labels = {
        "kind": dict(Institution.Kind.choices),
        "status": dict(Institution.Status.choices),
        "grade": {"green": "绿", "yellow": "黄", "red": "红"},
        "prepaid": dict(Institution.Prepaid.choices),
        "legal_form": dict(Institution.LegalForm.choices),
    }
    rows = (
        (
            i["name"],
            i["credit_code"],
            str(labels["kind"][i["kind"]]),
            str(labels["legal_form"][i["legal_form"]]),
            i["licence_no"],
            str(labels["status"][i["status"]]),
            i["township"],
            i["grid"],
            i["address"],
            str(labels["prepaid"][i["prepaid"]]),
            labels["grade"][i["grade"]],
            "；".join(r.get("id", "") for r in i["grade_reasons"] or []),
        )
        for i in Institution.objects.filter(district_id=district_id)
        .order_by("township", "name")
        .values(
            "name",
            "credit_code",
            "kind",
            "legal_form",
            "licence_no",
            "status",
            "township",
            "grid",
            "address",
            "prepaid",
            "grade",
            "grade_reasons",
        )
        .iterator(chunk_size=2000)
    )
    today = timezone.localdate()
    notices = (
        (
            n.label,
            n.institution.name,
            n.issued_at.date(),
            n.deadline,
            str(n.get_status_display()),
            "是" if n.is_overdue(today) else "",
            n.closed_at.date() if n.closed_at else None,
        )
        for n in Notice.objects.filter(district_id=district_id).select_related("institution")
    )
    return _workbook(
        [
            (
                "机构名录",
                [
                    "机构名称",
                    "统一社会信用代码",
                    "类型",
                    "法人性质",
                    "办学许可证号",
                    "状态",
                    "属地",
                    "网格",
                    "地址",
                    "预收费管理",
                    "风险等级",
                    "规则",
                ],
                rows,
            ),
            ("整改通知书", ["编号", "机构", "下发日期", "整改期限", "状态", "逾期", "办结日期"], notices),
        ]
    )


def notice_file_workbook(notice: Notice) -> bytes:
    """The case file of a notice (for a referral to 综合行政执法): the notice, the inspection's
    results, the response and every verification visit."""
    head = [
        ("编号", notice.label),
        ("机构", notice.institution.name),
        ("统一社会信用代码", notice.institution.credit_code),
        ("地址", notice.institution.address),
        ("下发日期", notice.issued_at.date()),
        ("整改期限", notice.deadline),
        ("状态", str(notice.get_status_display())),
        ("机构回复", notice.response),
        ("移送说明", notice.referral_note),
    ]
    items = [(n, i.text) for n, i in enumerate(notice.items.all(), start=1)]
    results = []
    if notice.inspection_id:
        for r in notice.inspection.results.select_related("item").order_by("item__order", "id"):
            results.append(
                (
                    r.item.text,
                    str(r.get_result_display()),
                    r.note,
                    r.recorded_at.replace(tzinfo=None),
                    "" if r.current else "已被更正",
                    r.correction_reason,
                )
            )
    visits = [
        (
            v.at.replace(tzinfo=None),
            str(v.get_kind_display()),
            "是" if v.surprise else "",
            "是" if v.passed else "否",
            v.note,
        )
        for v in notice.verifications.all()
    ]
    return _workbook(
        [
            ("整改通知书", ["项目", "内容"], head),
            ("整改事项", ["序号", "事项"], items),
            ("检查记录", ["检查事项", "结果", "说明", "记录时间", "更正", "更正原因"], results),
            ("核查记录", ["时间", "方式", "突击检查", "整改到位", "说明"], visits),
        ]
    )


def campaign_workbook(campaign: Campaign, totals: Any) -> bytes:
    """A special campaign: its totals, its groups (members) and every visit (one row each)."""
    groups = CampaignGroup.objects.filter(round__campaign=campaign).select_related("round").prefetch_related("members")
    visits = (
        CampaignVisit.objects.filter(group__round__campaign=campaign)
        .select_related("institution", "group__round")
        .order_by("group__round__number", "group__number", "visited_on", "id")
    )
    return _workbook(
        [
            (
                "汇总",
                ["专项检查", "轮次", "检查组", "检查次数", "人次", "覆盖机构"],
                [
                    (
                        campaign.name,
                        totals.rounds,
                        totals.groups,
                        totals.visits,
                        totals.person_visits,
                        totals.institutions,
                    )
                ],
            ),
            (
                "检查组",
                ["轮次", "检查组", "人数", "组员"],
                (
                    (g.round.number, g.number, len(g.members.all()), "、".join(m.name for m in g.members.all()))
                    for g in groups
                ),
            ),
            (
                "检查记录",
                ["轮次", "检查组", "日期", "机构", "统一社会信用代码", "备注"],
                (
                    (
                        v.group.round.number,
                        v.group.number,
                        v.visited_on.isoformat(),
                        v.institution.name,
                        v.institution.credit_code,
                        v.note,
                    )
                    for v in visits.iterator(chunk_size=1000)
                ),
            ),
        ]
    )
