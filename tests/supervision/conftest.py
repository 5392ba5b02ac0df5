"""A district with institutions, inspectors of four departments, a bureau, an inspector and an
institution login, and a second district to check that districts are kept apart."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.hashers import make_password

from accounts.models import Role, RoleGrant, User
from courses.models import District
from supervision import credit_code
from supervision.models import Department, Inspector, Institution, InstitutionAccount
from tests.conftest import PASSWORD

DEPARTMENTS = [Department.EDUCATION, Department.MARKET, Department.CIVIL, Department.FIRE]


def code_for(n: int, region: str = "320506") -> str:
    """A valid code for number n (six digits: ids grow across tests on PostgreSQL, so n wraps)."""
    return credit_code.make("5", "2", region, f"MJ{n % 1_000_000:06d}")


def make_institution(district, n: int, **over) -> Institution:
    data = dict(
        district=district,
        name=f"机构{n:03d}",
        credit_code=code_for(n + district.pk % 100 * 10000),
        kind=Institution.Kind.SUBJECT,
        legal_form=Institution.LegalForm.NON_PROFIT,
        licence_no=f"教民{n}号",
        status=Institution.Status.OPERATING,
        township=["锦溪镇", "城南街道", "花桥镇"][n % 3],
        grid=f"网格{n % 5 + 1}",
        prepaid=Institution.Prepaid.ESCROW,
    )
    data.update(over)
    return Institution.objects.create(**data)


def _user(username: str, role: str, district: District) -> User:
    user = User.objects.create(username=username, password=make_password(PASSWORD), display_name=username)
    RoleGrant.objects.create(user=user, role=role, district=district)
    return user


@pytest.fixture
def sup(db):
    return build_sup()


def build_sup() -> SimpleNamespace:
    from supervision.models import CheckItem, CheckList
    from supervision.seed_lists import ensure_checklists

    ensure_checklists(CheckList, CheckItem)  # a transactional test elsewhere may have flushed the migration's rows
    district = District.objects.create(name="监管区", code="sv")
    other = District.objects.create(name="邻区", code="sv2")
    institutions = [make_institution(district, n) for n in range(1, 21)]
    other_institution = make_institution(other, 1, name="邻区机构")
    inspectors = []
    for n in range(12):
        inspectors.append(
            Inspector.objects.create(
                district=district, code=f"JC{n + 1:03d}", name=f"检查员{n + 1}", department=DEPARTMENTS[n % 4]
            )
        )
    bureau = _user("sv_bureau", Role.BUREAU, district)
    other_bureau = _user("sv_bureau2", Role.BUREAU, other)
    inspector_user = _user("sv_inspector", Role.INSPECTOR, district)
    inspectors[0].user = inspector_user
    inspectors[0].save()
    inst_user = _user("sv_institution", Role.INSTITUTION, district)
    InstitutionAccount.objects.create(user=inst_user, institution=institutions[0])
    inst_user2 = _user("sv_institution2", Role.INSTITUTION, district)
    InstitutionAccount.objects.create(user=inst_user2, institution=institutions[1])
    return SimpleNamespace(
        district=district,
        other=other,
        institutions=institutions,
        other_institution=other_institution,
        inspectors=inspectors,
        bureau=bureau,
        other_bureau=other_bureau,
        inspector_user=inspector_user,
        inst_user=inst_user,
        inst_user2=inst_user2,
    )
