"""The notice kinds reach every guardian of the family through the channel layer (`messaging`):
a school's proposal, a seat offered from the waitlist, an allocation's result, a day's dismissal
change, a statement (tests/participation/test_fees.py). The channels: tests/messaging."""

from __future__ import annotations

import pytest

from allocation.models import AllocationOutcome
from enrollment import services
from enrollment.models import Enrollment, Guardian
from messaging.models import Message
from tests.allocation.test_flow import SEED, _published, alloc  # noqa: F401  (fixture)
from tests.enrollment import factories as f

pytestmark = pytest.mark.django_db


def test_a_seat_offered_from_the_waitlist_is_a_notice_to_that_family(world):
    a = world.school_a
    f.window(a, "first_come")
    section = f.section(a, "篮球", capacity=1)
    first, second = f.pupils(2, a, world.class_a, prefix="W", with_parent=True)
    seat = services.enrollment_request(student=first, section=section, by=None).enrollment
    services.enrollment_request(student=second, section=section, by=None)
    assert not Message.objects.exists()
    services.enrollment_withdraw(enrollment=seat, by=None)
    notice = Message.objects.get()
    guardian = Guardian.objects.get(family_id=second.family_id)
    assert (notice.recipient_id, notice.about, notice.kind) == (
        guardian.user_id,
        f"student:{second.pk}",
        "waitlist_offer",
    )
    assert "篮球" in notice.title


def test_an_allocations_result_is_a_notice_to_every_family_in_it(alloc):  # noqa: F811
    run = _published(alloc)
    outcomes = AllocationOutcome.objects.filter(run=run)
    notices = Message.objects.filter(kind="allocation_result")
    expected = sum(Guardian.objects.filter(family_id=o.student.family_id).count() for o in outcomes)
    assert notices.count() == expected > 0  # one per guardian of each pupil's family in the run
    seated = Enrollment.objects.filter(source="allocation").values_list("student_id", flat=True).first()
    assert notices.filter(about=f"student:{seated}").first().body == outcomes.get(student_id=seated).text_zh
    assert SEED
