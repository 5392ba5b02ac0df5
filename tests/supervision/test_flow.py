"""Through the services: the draw with its commitment and refusals, an inspection, and
problem → notice → deadline passes → red with reason → response → verification → green."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import DomainError
from supervision.draw import commitment_of
from supervision.models import CheckList, Grade, GradeChange, Inspection, Institution, Notice, Plan
from supervision.services import inspections, notices, plans, register, risk

pytestmark = pytest.mark.django_db


def _plan(sup, **over):
    data = {
        "title": "抽查",
        "kinds": ["subject"],
        "statuses": ["operating"],
        "n_targets": 3,
        "per_target": 2,
        "departments": ["education", "market", "civil", "fire"],
        "checklists": list(CheckList.objects.filter(version=1, department__in=["education", "fire"])),
    }
    data.update(over)
    return plans.plan_create(district=sup.district, data=data, by=sup.bureau)


def _drawn(sup, seed="secret-1", **over):
    plan = _plan(sup, **over)
    plans.plan_commit(plan=plan, commitment=commitment_of(seed), by=sup.bureau)
    return plans.plan_draw(plan=plan, seed=seed, by=sup.bureau)


def test_plan_refusals_carry_their_codes(sup):
    plan = _plan(sup)
    with pytest.raises(DomainError) as early:
        plans.plan_draw(plan=plan, seed="x", by=sup.bureau)
    assert early.value.code == "plan_not_committed" and early.value.status == 409
    too_many = _plan(sup, n_targets=500)
    with pytest.raises(DomainError) as big:
        plans.plan_commit(plan=too_many, by=sup.bureau)
    assert big.value.code == "plan_too_many_targets" and big.value.status == 409
    assert Plan.objects.get(pk=too_many.pk).status == Plan.Status.DRAFT
    plan, generated = plans.plan_commit(plan=plan, by=sup.bureau)
    assert generated and plan.commitment == commitment_of(generated)
    with pytest.raises(DomainError) as edit:
        plans.plan_update(plan=plan, data={"title": "x"}, by=sup.bureau)
    assert edit.value.code == "plan_not_draft"
    with pytest.raises(DomainError) as wrong:
        plans.plan_draw(plan=plan, seed=generated + "x", by=sup.bureau)
    assert wrong.value.code == "plan_seed_mismatch"
    plans.plan_draw(plan=plan, seed=generated, by=sup.bureau)
    with pytest.raises(DomainError) as twice:
        plans.plan_draw(plan=plan, seed=generated, by=sup.bureau)
    assert twice.value.code == "plan_already_drawn"


def test_too_few_inspectors_names_the_target(sup):
    for inspector in sup.inspectors:
        if inspector.department != "education":
            inspector.active = False
            inspector.save()
    plan = _plan(sup)
    plans.plan_commit(plan=plan, commitment=commitment_of("s"), by=sup.bureau)
    with pytest.raises(DomainError) as few:
        plans.plan_draw(plan=plan, seed="s", by=sup.bureau)
    assert few.value.code == "plan_too_few_inspectors" and few.value.status == 409
    assert "机构" in few.value.message()
    assert not plan.targets.exists()


def test_conflicted_inspectors_are_never_drawn(sup):
    for institution in sup.institutions:
        for inspector in sup.inspectors[:4]:
            register.conflict_add(inspector=inspector, institution=institution, by=sup.bureau)
    plan = _drawn(sup, n_targets=10)
    drawn = {a.inspector_id for t in plan.targets.all() for a in t.assignments.all()}
    assert drawn and not drawn & {i.pk for i in sup.inspectors[:4]}


def _record_all(inspection, inspector, problem_on=0):
    items = plans.plan_items(inspection.target.plan)
    for n, item in enumerate(items):
        result = "problem" if n == problem_on else "ok"
        inspections.result_record(
            inspection=inspection,
            inspector=inspector,
            item_id=item.pk,
            result=result,
            note="教师无资格" if result == "problem" else "",
        )
    return items


def test_problem_notice_overdue_red_response_verification_green(sup):
    plan = _drawn(sup)
    target = plan.targets.first()
    inspection = target.inspection
    inspector = target.assignments.first().inspector
    institution = target.institution
    with pytest.raises(DomainError) as incomplete:
        inspections.inspection_sign_off(inspection=inspection, inspector=inspector)
    assert incomplete.value.code == "inspection_incomplete"
    items = _record_all(inspection, inspector)
    inspections.inspection_sign_off(inspection=inspection, inspector=inspector)
    with pytest.raises(DomainError) as locked:
        inspections.result_record(
            inspection=inspection, inspector=inspector, item_id=items[1].pk, result="problem", note="x"
        )
    assert locked.value.code == "inspection_locked"

    today = timezone.localdate()
    notice = notices.notice_issue(
        institution=institution, inspection=inspection, deadline=today + dt.timedelta(days=7), by=sup.bureau
    )
    assert notice.number == 1 and notice.items.count() == 1 and "教师无资格" in notice.items.first().text
    institution.refresh_from_db()
    assert institution.grade == Grade.YELLOW and [r["id"] for r in institution.grade_reasons] == ["open_notice"]

    # A week passes without a response: the deadline is now yesterday. No event happens; the
    # worker's hourly job notices it.
    Notice.objects.filter(pk=notice.pk).update(deadline=today - dt.timedelta(days=1))
    assert risk.grades_refresh_due() == 1
    institution.refresh_from_db()
    assert institution.grade == Grade.RED
    assert institution.grade_reasons[0]["id"] == "overdue_notice"
    assert "deadline" in institution.grade_reasons[0]["sentence"]

    notices.notice_respond(notice=notice, response="已更换有资格的教师", by=sup.inst_user)
    institution.refresh_from_db()
    assert institution.grade == Grade.RED  # a response alone does not clear it: a visit must verify it
    notices.notice_verify(notice=notice, inspector=inspector, kind="look_back", passed=True, note="回头看已整改")
    institution.refresh_from_db()
    assert institution.grade == Grade.GREEN and institution.grade_reasons == []
    assert list(GradeChange.objects.filter(institution=institution).values_list("grade", flat=True))[:3] == [
        "green",
        "red",
        "yellow",
    ]
    with pytest.raises(DomainError) as closed:
        notices.notice_respond(notice=notice, response="again")
    assert closed.value.code == "notice_closed"


def test_corrections_are_new_rows_and_keep_the_old(sup):
    plan = _drawn(sup)
    target = plan.targets.first()
    inspector = target.assignments.first().inspector
    items = _record_all(target.inspection, inspector, problem_on=-1)
    inspections.inspection_sign_off(inspection=target.inspection, inspector=inspector)
    new = inspections.result_correct(
        inspection=target.inspection,
        inspector=inspector,
        item_id=items[0].pk,
        result="problem",
        note="补充：教师无资格",
        reason="复核照片",
    )
    assert new.supersedes is not None and new.supersedes.result == "ok" and not new.supersedes.current
    assert Inspection.objects.get(pk=target.inspection.pk).results.filter(item=items[0]).count() == 2


def test_a_red_institution_linked_to_a_provider_is_not_offered(sup):
    from partners.models import Provider

    provider = Provider.objects.create(
        district=sup.district, name="星辰", kind="institution", qualification_status="approved"
    )
    institution = sup.institutions[5]
    register.institution_update(institution=institution, data={"provider_id": provider.pk}, by=sup.bureau)
    assert Provider.objects.qualified().filter(pk=provider.pk).exists()
    register.institution_update(institution=institution, data={"licence_no": ""}, by=sup.bureau)
    institution.refresh_from_db()
    assert institution.grade == Grade.RED
    assert not Provider.objects.qualified().filter(pk=provider.pk).exists()
    register.institution_update(institution=institution, data={"licence_no": "教民9号"}, by=sup.bureau)
    assert Provider.objects.qualified().filter(pk=provider.pk).exists()


def test_register_changes_are_kept_as_history_and_bad_codes_refused(sup):
    institution = sup.institutions[2]
    register.institution_update(institution=institution, data={"grid": "新网格", "status": "suspended"}, by=sup.bureau)
    change = institution.changes.first()
    assert change.before == {"grid": "网格4", "status": "operating"}
    assert change.after == {"grid": "新网格", "status": "suspended"}
    bad = institution.credit_code[:-1] + ("0" if institution.credit_code[-1] != "0" else "1")
    with pytest.raises(DomainError) as error:
        register.institution_create(
            district=sup.district,
            data={
                "name": "新机构",
                "credit_code": bad,
                "kind": "subject",
                "legal_form": "non_profit",
                "township": "锦溪镇",
            },
        )
    assert error.value.code == "validation_error" and "credit_code" in error.value.fields
    assert not Institution.objects.filter(name="新机构").exists()
