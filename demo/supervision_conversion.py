"""The demo district's 转登 window: nine for-profit subject-type institutions with a case each, in
several states — three done (the register followed), five in progress with an extension, one
overdue at intake — and the visits that make "最多跑一次" a number (one case needed two visits).

The demo register writes every subject-type institution as non-profit (most have converted); these
nine are the ones that had not, so they are set back to for-profit first (a plain update: it is how
they were registered, not a change the register's history should show). Everything after that goes
through `supervision.services.conversion`, as on the site.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from accounts.models import User
from courses.models import District
from supervision.models import Institution
from supervision.models.conversion import Step, Target, materials_of
from supervision.services import conversion

# (index among the subject-type institutions, target, step reached, visits, extension in days or None)
CASES = (
    (5, Target.NON_PROFIT, Step.DONE, 1, None),
    (28, Target.NON_PROFIT, Step.DONE, 1, None),
    (51, Target.DEREGISTER, Step.DONE, 2, None),
    (74, Target.NON_SUBJECT, Step.BUSINESS_CHANGED, 1, 10),  # not done: the report's 103 stay subject-type
    (97, Target.NON_PROFIT, Step.CIVIL_REGISTERED, 1, 20),
    (12, Target.NON_SUBJECT, Step.LICENCE_CANCELLED, 1, 15),
    (60, Target.DEREGISTER, Step.INTAKE, 1, None),  # overdue: materials still missing
    (88, Target.NON_PROFIT, Step.MATERIALS, 1, 25),
)
PURPOSES = ("递交全部转登材料，窗口一次受理", "补交清税证明", "领取新办学许可证及登记证书")
REASONS = ("等待民政部门名称核准", "等待税务清税证明", "学员退费协商中")


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def seed_conversion(
    district: District,
    subject: list[Institution],
    *,
    by: User | None,
    today: dt.date,
    own: Institution | None = None,
    log: Callable[[str], None] | None = None,
) -> None:
    """`own`: the demo institution login's institution gets the ninth case (in progress, extended),
    so its home page shows a case."""
    plan = [(subject[i], target, step, visits, ext) for i, target, step, visits, ext in CASES]
    if own is not None and own.pk not in {p[0].pk for p in plan}:
        plan.append((own, Target.NON_PROFIT, Step.MATERIALS, 1, 24))
    Institution.objects.filter(pk__in=[p[0].pk for p in plan]).update(legal_form=Institution.LegalForm.FOR_PROFIT)
    conversion.setting_update(
        district=district, deadline=today - dt.timedelta(days=5), title=f"{today.year}年营利性学科类机构转登", by=by
    )
    opened_on = today - dt.timedelta(days=70)
    for n, (institution, target, until, visits, extension) in enumerate(plan):
        institution.refresh_from_db()
        case = conversion.case_open(
            institution=institution, target=target, by=by, at=_at(opened_on + dt.timedelta(days=n), 9)
        )
        day = opened_on + dt.timedelta(days=n)
        for k in range(visits):
            conversion.visit_record(
                case=case, visited_on=day + dt.timedelta(days=12 * k), purpose=PURPOSES[k], by=by, today=today
            )
        if until == Step.INTAKE:  # handed in only part of the file
            for m in materials_of(target, Step.MATERIALS)[:3]:
                conversion.material_receive(case=case, code=m.code, by=by, at=_at(day, 10))
        while case.step != until:
            following = case.next_step
            day += dt.timedelta(days=6)
            for m in materials_of(target, following):
                conversion.material_receive(case=case, code=m.code, by=by, at=_at(day, 10))
            case = conversion.case_advance(case=case, to=following, by=by, at=_at(day, 15))
        if extension is not None:
            conversion.case_extend(
                case=case,
                extended_to=today + dt.timedelta(days=extension),
                reason=REASONS[n % len(REASONS)],
                by=by,
            )
    if log:
        log(f"  监管：转登案件 {len(plan)} 件（办结 {sum(p[2] == Step.DONE for p in plan)} 件）")
