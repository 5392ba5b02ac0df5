"""The demo district's complaints (投诉举报): the hotline login `hotline` and complaints in every state —
one just received from the public, one assigned, one overdue in verification, a substantiated
weekend-training complaint naming two demo pupils of two schools (their coordinators `coordinator`
and `coordinator2` get the message) with a rectification notice, closed ones with a satisfaction
call-back, a referred one, and a parent's (`parent`) complaint of compulsory after-school service.

Everything through the complaint services (validated, audited, numbered), back-dated with their
`now`/`today` arguments so time limits and the overdue one are as on the site.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from courses.models import District, School
from demo.data import FIRST_SCHOOL, SECOND_SCHOOL
from pupils.models import Student
from supervision.models import Complaint, ComplaintEvent, Institution
from supervision.services import complaints as services

PHONES = ("13951110001", "13951110002", "13951110003", "13951110004", "13951110005", "13951110006", "13951110007")


def _at(days_ago: int, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _spread_events(complaint: Complaint, days: list[int]) -> None:
    """Give the history believable times: the n-th event `days[n]` days ago (the services stamp now)."""
    for event, ago in zip(complaint.events.order_by("id"), days, strict=False):
        ComplaintEvent.objects.filter(pk=event.pk).update(at=_at(ago, 9 + event.pk % 8))


def seed_complaints(district: District, *, password: str, log: Callable[[str], None] | None = None) -> None:
    say = log or (lambda _m: None)
    bureau = User.objects.filter(username="bureau").first()
    hotline = User.objects.create(username="hotline", password=password, display_name="周敏（12345热线）")
    RoleGrant.objects.create(user=hotline, role=Role.HOTLINE, district=district)
    subject = list(
        Institution.objects.filter(district=district, kind="subject", status="operating").order_by("name")[:6]
    )
    # The notice goes to a suspended or converting institution: never one the random draw (which takes
    # operating ones by their ids) may also have given a notice, so a seed gives the same grades each run.
    dormant = (
        Institution.objects.filter(district=district, kind="subject", status__in=["suspended", "converting"])
        .order_by("name")
        .first()
    )
    first = School.objects.filter(district=district, name=FIRST_SCHOOL).first()
    second = School.objects.filter(district=district, name=SECOND_SCHOOL).first()
    today = timezone.localdate()

    def submit(channel: str, days_ago: int, data: dict, pupils=(), by=None) -> Complaint:
        complaint, _code = services.complaint_submit(
            district=district,
            channel=channel,
            data=data,
            pupils=list(pupils),
            by=by if by is not None else (hotline if channel == "hotline" else None),
            now=_at(days_ago),
        )
        return complaint

    def verifying(complaint: Complaint, days_ago: int) -> None:
        day = today - dt.timedelta(days=days_ago)
        services.complaint_assign(complaint=complaint, handler=hotline, by=bureau, today=day)
        services.complaint_start_verification(complaint=complaint, by=hotline, today=day, note="已电话联系被投诉方")

    # 1. just in, from the public: not yet assigned
    submit(
        "public",
        0,
        {
            "category": "prepaid",
            "subject_kind": "institution",
            "institution_id": subject[0].pk,
            "description": "机构要求一次性缴纳一年学费，并称“名额有限，过期涨价”。",
            "contact_phone": PHONES[0],
        },
    )
    # 2. assigned yesterday
    assigned = submit(
        "hotline",
        1,
        {
            "category": "advertising",
            "subject_kind": "unregistered",
            "operator_name": "“清北学霸”暑期班",
            "operator_address": "城南街道幸福路18号（小区会所二楼）",
            "description": "小区电梯内张贴学科类培训广告，宣称“提分保过”。",
            "contact_name": "陈先生",
            "contact_phone": PHONES[1],
        },
    )
    services.complaint_assign(complaint=assigned, handler=hotline, by=bureau, today=today - dt.timedelta(days=1))
    # 3. overdue: received 25 days ago, still being verified
    overdue = submit(
        "hotline",
        25,
        {
            "category": "weekend_subject",
            "subject_kind": "institution",
            "institution_id": subject[1].pk,
            "description": "周日上午在机构上奥数课，约二十名小学生。",
            "contact_name": "刘女士",
            "contact_phone": PHONES[2],
        },
    )
    verifying(overdue, 24)
    _spread_events(overdue, [25, 24, 24])
    # 4. weekend training naming two demo pupils of two schools: substantiated, schools told, notice issued
    pupils = []
    for school in (first, second):
        child = Student.objects.filter(school=school, on_roll=True).order_by("pk").first() if school else None
        if child is not None:
            pupils.append({"name": child.name, "school_id": school.pk})
    named = submit(
        "hotline",
        12,
        {
            "category": "weekend_subject",
            "subject_kind": "institution",
            "institution_id": (dormant or subject[2]).pk,
            "description": "机构停业整顿期间，周六下午仍开设小学数学、英语课，看到同小区两名孩子在上课。",
            "contact_name": "王女士",
            "contact_phone": PHONES[3],
        },
        pupils=pupils,
    )
    verifying(named, 11)
    services.complaint_record_finding(
        complaint=named,
        by=hotline,
        outcome="substantiated",
        finding="周六突击检查，现场有学科类培训，学员为小学生。",
        today=today - dt.timedelta(days=9),
    )
    services.complaint_order_rectification(
        complaint=named,
        by=hotline,
        rectification="立即停止周末学科类培训，向家长退费并公示。",
        rectify_by=today + dt.timedelta(days=10),
        issue_notice=True,
        today=today - dt.timedelta(days=8),
    )
    services.complaint_reply(
        complaint=named, by=hotline, text="经核实情况属实，已下达整改通知书，责令停止周末学科类培训。"
    )
    _spread_events(named, [12, 11, 11, 9, 9, 8, 8, 7])
    # 5. not substantiated, answered, closed, satisfied
    unfounded = submit(
        "public",
        30,
        {
            "category": "pricing",
            "subject_kind": "institution",
            "institution_id": subject[3].pk,
            "description": "怀疑机构收费高于公示标准。",
            "contact_phone": PHONES[4],
        },
    )
    verifying(unfounded, 29)
    services.complaint_record_finding(
        complaint=unfounded, by=hotline, outcome="unsubstantiated", finding="收费与备案价格一致，已在前台公示。"
    )
    services.complaint_reply(complaint=unfounded, by=hotline, text="经核查，该机构收费与备案标准一致，未发现违规。")
    services.complaint_callback(complaint=unfounded, by=hotline, satisfaction="satisfied", note="投诉人表示理解")
    services.complaint_close(complaint=unfounded, by=hotline)
    _spread_events(unfounded, [30, 29, 29, 25, 24, 22, 22])
    # 6. the whole loop: substantiated, rectified, followed up, answered, called back, closed
    loop = submit(
        "hotline",
        40,
        {
            "category": "safety",
            "subject_kind": "institution",
            "institution_id": subject[4].pk,
            "description": "机构教室只有一个出口，走廊堆放杂物。",
            "contact_name": "赵先生",
            "contact_phone": PHONES[5],
        },
    )
    verifying(loop, 39)
    services.complaint_record_finding(complaint=loop, by=hotline, outcome="substantiated", finding="消防通道堵塞属实。")
    services.complaint_order_rectification(
        complaint=loop, by=hotline, rectification="清理消防通道，增设疏散指示。", rectify_by=today, issue_notice=False
    )
    services.complaint_record_follow_up(complaint=loop, by=hotline, note="回头看：通道已清理，指示标志已安装。")
    services.complaint_reply(complaint=loop, by=hotline, text="经核实情况属实，机构已完成整改，经回头看确认。")
    services.complaint_callback(complaint=loop, by=hotline, satisfaction="basically", note="希望加强日常检查")
    services.complaint_close(complaint=loop, by=hotline)
    _spread_events(loop, [40, 39, 39, 35, 34, 20, 19, 18, 18])
    # 7. referred: an unlicensed operator
    referred = submit(
        "hotline",
        20,
        {
            "category": "unlicensed",
            "subject_kind": "unregistered",
            "operator_name": "某“一对一”家教工作室",
            "operator_address": "花桥镇商业街6号三楼",
            "description": "无证开展初中学科类一对一培训。",
            "contact_phone": PHONES[6],
        },
    )
    verifying(referred, 19)
    services.complaint_record_finding(
        complaint=referred, by=hotline, outcome="substantiated", finding="无办学许可证，现场有学员。"
    )
    services.complaint_refer(complaint=referred, by=hotline, note="无证经营，移交综合行政执法大队查处。")
    _spread_events(referred, [20, 19, 19, 16, 15])
    # 8. a parent's complaint in the site: after-school service made compulsory (counts on the school's page)
    parent = User.objects.filter(username="parent").first()
    if parent is not None and first is not None:
        mine = submit(
            "site",
            3,
            {
                "category": "forced_participation",
                "subject_kind": "school",
                "school_id": first.pk,
                "description": "班主任在群里说课后服务“原则上都要参加”，不参加要写说明。",
            },
            by=parent,
        )
        verifying(mine, 2)
    say(f"  投诉举报：{Complaint.objects.filter(district=district).count()} 件（1 件逾期），热线账号 hotline")
