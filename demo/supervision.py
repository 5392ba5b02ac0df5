"""The demo district's training institutions (supervision app): ~110 institutions (103 subject-type,
as in the report), inspectors of four departments, one published 双随机 plan drawing 7, inspections,
rectification notices (one overdue) and the demo logins `inspector` and `institution`.

Everything goes through the supervision services (validated, audited, graded), from one
`random.Random(seed)`, so the same seed gives the same register and the same draw. The plan's seed
is `demo_plan_seed(seed)`: its SHA-256 is committed first, then it is revealed by the draw, as on
the site.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable

from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from courses.models import District
from demo.supervision_complaints import seed_complaints
from demo.supervision_conversion import seed_conversion
from demo.supervision_reviews import seed_reviews
from partners.models import Provider
from supervision import credit_code
from supervision.draw import commitment_of
from supervision.models import (
    CampaignGroup,
    CampaignRound,
    CampaignVisit,
    CheckItem,
    CheckList,
    Department,
    Inspector,
    Institution,
    InstitutionAccount,
    InstitutionTeacher,
    Notice,
)
from supervision.seed_lists import ensure_checklists
from supervision.services import campaigns, inspections, notices, plans, register, risk

TOWNSHIPS = ("锦溪镇", "城南街道", "花桥镇", "周庄镇", "千灯镇", "淀山湖镇")
WORDS = ("启明", "博学", "思源", "育才", "新星", "智慧", "书香", "明德", "卓越", "致远", "晨曦", "优学")
SUBJECTS = ("语文", "数学", "英语", "物理", "化学")
NON_SUBJECT = ("美术", "舞蹈", "围棋", "编程", "书法", "篮球", "钢琴")
INSPECTORS = {  # department -> how many
    Department.EDUCATION: 10,
    Department.MARKET: 6,
    Department.CIVIL: 5,
    Department.FIRE: 5,
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞"
N_SUBJECT, N_OTHER = 103, 7
# the report's special campaign: 5 rounds, 47 groups, every subject-type institution each round;
# groups of 2, except the first six groups of round 3 (three members: 4×12 + 2×11 = 70 visits),
# so 2 × 5 × 103 + 70 = 1,100 person-visits. Institution k goes to group (k + 1) mod n, so the first
# institution is never visited by the first group (its first inspector declared a conflict with it).
CAMPAIGN_GROUPS = (10, 10, 9, 9, 9)
CAMPAIGN_TRIOS = {3: 6}  # round -> how many of its first groups have three members
CAMPAIGN_ITEMS = ("教师资质", "培训时间", "预收费管理", "用工人数", "薪资发放", "周末开课")


def demo_plan_seed(seed: int) -> str:
    return hashlib.sha256(f"kehou-demo-supervision:{seed}".encode()).hexdigest()[:32]


def _user(username: str, name: str, role: str, district: District, password: str) -> User:
    user = User.objects.create(username=username, password=password, display_name=name)
    RoleGrant.objects.create(user=user, role=role, district=district)
    return user


def seed_supervision(district: District, *, seed: int, password: str, log: Callable[[str], None] | None = None) -> None:
    say = log or (lambda _m: None)
    rng = random.Random(seed * 7 + 16)
    bureau = User.objects.filter(username="bureau").first()
    today = timezone.localdate()
    # the register
    institutions: list[Institution] = []
    for n in range(N_SUBJECT + N_OTHER):
        subject = n < N_SUBJECT
        town = TOWNSHIPS[n % len(TOWNSHIPS)]
        topic = rng.choice(SUBJECTS if subject else NON_SUBJECT)
        name = f"{town[:2]}{WORDS[n % len(WORDS)]}{topic}培训学校（{n + 1:03d}）"
        status = "operating"
        if subject and n % 23 == 5:
            status = "converting"
        if subject and n % 41 == 7:
            status = "suspended"
        data = {
            "name": name,
            "credit_code": credit_code.make("5", "2", "320583", f"MJ{rng.randrange(10**6):06d}"[:8]),
            "kind": "subject" if subject else "non_subject",
            "legal_form": "non_profit" if subject or n % 2 else "for_profit",
            "licence_no": f"教民{320583 + n}号" if n != 17 else "",
            "licence_expires": today + dt.timedelta(days=200 + n),
            "status": status,
            "address": f"{town}{WORDS[(n * 5) % len(WORDS)]}路{10 + n}号",
            "township": town,
            "grid": f"{town[:2]}{n % 4 + 1}网格",
            "contact_name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "contact_phone": f"139{rng.randrange(10**8):08d}",
            "prepaid": ("escrow", "deposit", "none")[n % 3] if subject else "none",
        }
        while Institution.objects.filter(district=district, credit_code=data["credit_code"]).exists():
            data["credit_code"] = credit_code.make("5", "2", "320583", f"MJ{rng.randrange(10**6):06d}")
        institutions.append(register.institution_create(district=district, data=data, by=bureau, source="import"))
    teachers = []
    for n, institution in enumerate(institutions):
        for k in range(2):
            qualified = not (n % 29 == 3 and k == 1)
            teachers.append(
                InstitutionTeacher(
                    institution=institution,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    subject=institution.name[4:6],
                    qualification="qualified" if qualified else "none",
                    certificate_no=f"2026{rng.randrange(10**10):010d}" if qualified else "",
                )
            )
    InstitutionTeacher.objects.bulk_create(teachers)
    provider = Provider.objects.filter(district=district, kind=Provider.Kind.INSTITUTION).first()
    if provider is not None:
        register.institution_update(
            institution=institutions[N_SUBJECT], data={"provider_id": provider.pk}, by=bureau, source="import"
        )
    say(f"  监管：{len(institutions)} 家校外培训机构（学科类 {N_SUBJECT} 家）")
    # inspectors
    pool: list[Inspector] = []
    for department, count in INSPECTORS.items():
        for k in range(count):
            pool.append(
                Inspector.objects.create(
                    district=district,
                    code=f"{department[:2].upper()}{k + 1:03d}",
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    department=department,
                )
            )
    register.conflict_add(inspector=pool[0], institution=institutions[0], reason="近亲属在该机构任职", by=bureau)
    # the plan: commit, then draw with the revealed seed
    ensure_checklists(CheckList, CheckItem)
    lists = list(CheckList.objects.filter(version=1, department__in=["education", "market", "civil", "fire"]))
    plan = plans.plan_create(
        district=district,
        by=bureau,
        data={
            "title": f"{today.year}年校外培训机构“双随机一公开”联合检查",
            "kinds": ["subject"],
            "statuses": ["operating"],
            "n_targets": 7,
            "per_target": 2,
            "departments": ["education", "market", "civil", "fire"],
            "checklists": lists,
        },
    )
    secret = demo_plan_seed(seed)
    plans.plan_commit(plan=plan, commitment=commitment_of(secret), by=bureau)
    plan = plans.plan_draw(plan=plan, seed=secret, by=bureau)
    targets = list(plan.targets.select_related("institution", "inspection").prefetch_related("assignments__inspector"))
    # the demo inspector: the first inspector drawn for the first target (their task stays open)
    inspector = targets[0].assignments.all()[0].inspector
    inspector.user = _user("inspector", inspector.name, Role.INSPECTOR, district, password)
    inspector.save(update_fields=["user"])
    items = plans.plan_items(plan)
    # targets 2..6 signed off; 2 and 3 with problems (notices), 4 fixed on the spot, 5 and 6 clean
    issued: list[Notice] = []
    for index, target in enumerate(targets[1:6], start=1):
        who = target.assignments.all()[0].inspector
        for n, item in enumerate(items):
            result, note = "ok", ""
            if index in (1, 2) and n in (1, 3):
                result, note = "problem", ("2名学科类教师未取得教师资格" if n == 1 else "预收费超过3个月，未进监管账户")
            elif index == 3 and n == 0:
                result, note = "fixed", "未公示收费标准，现场已张贴"
            inspections.result_record(
                inspection=target.inspection, inspector=who, item_id=item.pk, result=result, note=note
            )
        inspections.inspection_sign_off(inspection=target.inspection, inspector=who, summary="")
        if index in (1, 2):
            issued.append(
                notices.notice_issue(
                    institution=target.institution,
                    inspection=target.inspection,
                    by=bureau,
                    deadline=today - dt.timedelta(days=6) if index == 1 else today + dt.timedelta(days=20),
                    today=today - dt.timedelta(days=30) if index == 1 else today,
                )
            )
    # two closed notices from the special campaign (no plan), verified on a 回头看 visit
    for institution in (institutions[40], institutions[77]):
        notice = notices.notice_issue(
            institution=institution,
            deadline=today - dt.timedelta(days=10),
            by=bureau,
            extra=["周末违规开展学科类培训"],
            today=today - dt.timedelta(days=40),
        )
        notices.notice_respond(notice=notice, response="已停止周末学科类培训，已向家长退费并公示。")
        visitor = next(i for i in pool if i.department == Department.EDUCATION and i.pk != inspector.pk)
        evening = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=12), dt.time(19, 30)))
        notices.notice_verify(
            notice=notice,
            inspector=visitor,
            kind="look_back",
            passed=True,
            at=evening,
            note="晚间突击回头看，未发现培训",
        )
        issued.append(notice)
    seed_campaign(district, institutions[:N_SUBJECT], pool, by=bureau, today=today)
    say(f"  监管：专项检查 1 项（{len(CAMPAIGN_GROUPS)} 轮 {sum(CAMPAIGN_GROUPS)} 个检查组）")
    # the institution login: the one with the overdue notice (red, with the reason shown)
    overdue = issued[0]
    institution_user = _user(
        "institution", overdue.institution.contact_name or "机构负责人", Role.INSTITUTION, district, password
    )
    InstitutionAccount.objects.create(user=institution_user, institution=overdue.institution)
    seed_conversion(district, institutions[:N_SUBJECT], by=bureau, today=today, own=overdue.institution, log=say)
    seed_complaints(district, password=password, log=say)
    risk.grades_refresh_all()
    seed_reviews(district, seed=seed, password=password, log=say)
    say(f"  监管：{len(pool)} 名执法检查人员，抽查计划 1 个（抽取 7 家），整改通知书 {len(issued)} 份")


def seed_campaign(
    district: District, subject: list[Institution], pool: list[Inspector], *, by: User | None, today: dt.date
) -> None:
    """The report's special campaign, bulk-created (the campaign itself through the service): its
    totals are then counted from these rows by `selectors.campaign_totals`, as for any campaign."""
    start = today - dt.timedelta(days=160)
    campaign = campaigns.campaign_create(
        district=district,
        by=by,
        data={
            "name": f"{start.year}年学科类校外培训专项检查",
            "kinds": ["subject"],
            "check_items": list(CAMPAIGN_ITEMS),
            "starts_on": start,
            "ends_on": start + dt.timedelta(days=30 * len(CAMPAIGN_GROUPS)),
        },
    )
    rounds = CampaignRound.objects.bulk_create(
        CampaignRound(
            campaign=campaign,
            number=r,
            starts_on=start + dt.timedelta(days=30 * (r - 1)),
            ends_on=start + dt.timedelta(days=30 * (r - 1) + 13),
        )
        for r in range(1, len(CAMPAIGN_GROUPS) + 1)
    )
    # departments interleaved, so each group mixes them
    by_department: dict[str, list[Inspector]] = {}
    for inspector in pool:
        by_department.setdefault(inspector.department, []).append(inspector)
    mixed = [i for row in zip(*by_department.values(), strict=False) for i in row]
    mixed += [i for i in pool if i not in mixed]
    groups = CampaignGroup.objects.bulk_create(
        CampaignGroup(round=row, number=g + 1) for row, n in zip(rounds, CAMPAIGN_GROUPS, strict=True) for g in range(n)
    )
    members, visits = [], []
    through = CampaignGroup.members.through
    at = 0
    for row, n in zip(rounds, CAMPAIGN_GROUPS, strict=True):
        mine, at = groups[at : at + n], at + n
        seat = 0
        for g, group in enumerate(mine):
            size = 3 if g < CAMPAIGN_TRIOS.get(row.number, 0) else 2
            members += [through(campaigngroup=group, inspector=mixed[seat + k]) for k in range(size)]
            seat += size
        for k, institution in enumerate(subject):
            visits.append(
                CampaignVisit(
                    group=mine[(k + 1) % n],
                    institution=institution,
                    visited_on=row.starts_on + dt.timedelta(days=k % 10),
                )
            )
    through.objects.bulk_create(members)
    CampaignVisit.objects.bulk_create(visits)
