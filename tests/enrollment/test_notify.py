"""The notice kinds reach the family's in-site inbox today (the seams for SMS / 企业微信 later):
a school's proposal, a seat offered from the waitlist, an allocation's result, a day's dismissal
change, a statement (tests/participation/test_fees.py)."""

from __future__ import annotations

import pytest

from allocation.models import AllocationOutcome
from enrollment import services
from enrollment.models import Enrollment, FamilyNotice
from tests.allocation.test_flow import SEED, _published, alloc  # noqa: F401  (fixture)
from tests.enrollment import factories as f

pytestmark = pytest.mark.django_db


def test_a_seat_offered_from_the_waitlist_is_a_notice_to_that_family(world):
    a = world.school_a
    f.window(a, "first_come")
    section = f.section(a, "篮球", capacity=1)
    first, second = f.pupils(2, a, world.class_a, prefix="W")
    seat = services.enrollment_request(student=first, section=section, by=None).enrollment
    services.enrollment_request(student=second, section=section, by=None)
    assert not FamilyNotice.objects.exists()
    services.enrollment_withdraw(enrollment=seat, by=None)
    notice = FamilyNotice.objects.get()
    assert (notice.family_id, notice.student_id, notice.kind) == (second.family_id, second.pk, "waitlist_offer")
    assert "篮球" in notice.title


def test_an_allocations_result_is_a_notice_to_every_family_in_it(alloc):  # noqa: F811
    run = _published(alloc)
    outcomes = AllocationOutcome.objects.filter(run=run)
    notices = FamilyNotice.objects.filter(kind="allocation_result")
    assert notices.count() == outcomes.count() > 0
    seated = Enrollment.objects.filter(source="allocation").values_list("student_id", flat=True).first()
    assert notices.get(student_id=seated).body == outcomes.get(student_id=seated).text_zh
    assert SEED
