"""The Done-when draw: a plan of 7 from the demo's operating subject-type institutions, its
commitment, and `supervision_verify` re-deriving targets and inspectors from the public API."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import RoleGrant, User
from supervision.models import CheckList, Conflict, Inspector, Institution, Notice, Plan, PlanAssignment
from supervision.services import plans

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    return User.objects.get(username="bureau")


def test_the_demo_register_inspectors_plan_and_notices(demo):
    institutions = Institution.objects.filter(district__code="demo")
    assert 105 <= institutions.count() <= 115
    assert institutions.filter(kind="subject").count() == 103
    assert set(Inspector.objects.values_list("department", flat=True)) == {"education", "market", "civil", "fire"}
    plan = Plan.objects.get(status=Plan.Status.PUBLISHED)
    assert plan.targets.count() == 7
    assert any(n.is_overdue() for n in Notice.objects.all())
    assert Notice.objects.filter(status="closed").exists()
    assert RoleGrant.objects.filter(user__username="inspector", role="inspector").exists()
    assert User.objects.get(username="inspector").inspector.assignments.exists()
    account = User.objects.get(username="institution").institution_account.institution
    assert account.grade == "red" and account.grade_reasons[0]["id"] == "overdue_notice"


def test_draw_of_seven_with_commitment_and_verification_from_the_public_api(demo):
    district = Institution.objects.filter(district__code="demo").first().district
    population = Institution.objects.filter(district=district, kind="subject", status="operating")
    seed = "a secret only the bureau knows"
    commitment = hashlib.sha256(seed.encode()).hexdigest()
    plan = plans.plan_create(
        district=district,
        by=demo,
        data={
            "title": "抽查七家",
            "kinds": ["subject"],
            "statuses": ["operating"],
            "n_targets": 7,
            "per_target": 2,
            "departments": ["education", "market", "civil", "fire"],
            "checklists": list(CheckList.objects.filter(version=1)),
        },
    )
    plan, generated = plans.plan_commit(plan=plan, commitment=commitment, by=demo)
    assert generated == "" and plan.commitment == commitment
    assert sorted(plan.frozen["population"]) == sorted(population.values_list("id", flat=True))
    plan = plans.plan_draw(plan=plan, seed=seed, by=demo)
    assert hashlib.sha256(plan.seed.encode()).hexdigest() == plan.commitment

    targets = list(plan.targets.prefetch_related("assignments__inspector"))
    assert len(targets) == len({t.institution_id for t in targets}) == 7
    assert all(t.institution.kind == "subject" and t.institution.status == "operating" for t in targets)
    conflicts = set(Conflict.objects.values_list("inspector_id", "institution_id"))
    for target in targets:
        inspectors = [a.inspector for a in target.assignments.all()]
        assert len(inspectors) >= 2 and len({i.department for i in inspectors}) >= 2
        assert not {(i.pk, target.institution_id) for i in inspectors} & conflicts

    out = StringIO()
    call_command("supervision_verify", str(plan.pk), stdout=out)
    assert "verified" in out.getvalue() and "7 targets" in out.getvalue()

    # and the check can fail: a swapped inspector is caught
    assignment = PlanAssignment.objects.filter(target__plan=plan).order_by("id").first()
    spare = (
        Inspector.objects.exclude(pk__in=PlanAssignment.objects.filter(target=assignment.target).values("inspector"))
        .filter(department=assignment.inspector.department)
        .first()
    )
    assignment.inspector = spare
    assignment.save()
    with pytest.raises(CommandError):
        call_command("supervision_verify", str(plan.pk), stdout=StringIO(), stderr=StringIO())


def test_the_demo_plan_itself_verifies(demo):
    plan = Plan.objects.get(status=Plan.Status.PUBLISHED)
    call_command("supervision_verify", str(plan.pk), stdout=StringIO())
