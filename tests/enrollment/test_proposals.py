"""Voluntariness: a coordinator's roster add is a proposal; the pupil holds no seat until the family
accepts (through enrollment.capacity); the family may decline, and may leave at any time."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEvent
from courses.models import Section
from enrollment import services
from enrollment.models import Enrollment, EnrollmentWindow, RosterProposal
from messaging.models import Message
from tests.enrollment import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(world):
    """A two-seat club at school A; the world's child (parent_1's) and two other pupils with parents."""
    club = f.section(world.school_a, "剪纸", capacity=2)
    others = f.pupils(2, world.school_a, world.class_a, prefix="Q", with_parent=True)
    return club, world.children_a[0], others


def _held(section) -> int:
    return Section.objects.with_seat_counts(timezone.now()).get(pk=section.pk).seats_held


def test_a_coordinators_add_is_a_proposal_that_holds_no_seat_until_the_family_accepts(client, world, small):
    club, child, _others = small
    client.force_login(world.users.coordinator_a)
    response = client.post(
        reverse("enrollment:roster_add", args=[world.school_a.pk, club.pk]),
        {"student_no": child.student_no, "reason": "班主任推荐"},
    )
    assert response.status_code == 302
    proposal = RosterProposal.objects.get(student=child, section=club)
    assert proposal.status == "pending" and proposal.reason == "班主任推荐"
    assert not Enrollment.objects.filter(student=child, section=club).exists()
    assert _held(club) == 0
    notice = Message.objects.get(recipient__guardian__family=child.family, kind="roster_proposal")
    assert "剪纸" in notice.title
    assert AuditEvent.objects.filter(action="enrollment.proposal.proposed").count() == 1
    # the family sees it on the child's page and accepts: now the seat is taken
    client.force_login(world.users.parent_1)
    page = client.get(reverse("enrollment:child_detail", args=[child.pk])).content.decode()
    assert "学校的参加建议" in page and "班主任推荐" in page
    client.post(reverse("enrollment:proposal_accept", args=[child.pk, proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.enrollment.status == "enrolled"
    assert _held(club) == 1
    # families can leave at any time, with every window closed
    assert not EnrollmentWindow.objects.filter(school=world.school_a).exists()
    client.post(reverse("enrollment:withdraw", args=[child.pk, proposal.enrollment_id]))
    assert Enrollment.objects.get(pk=proposal.enrollment_id).status == "withdrawn"


def test_a_pending_proposal_does_not_keep_a_seat_from_others(world, small):
    club, child, others = small
    coord = world.users.coordinator_a
    proposal = services.roster_add(school=world.school_a, section=club, student=child, by=coord, reason="推荐")
    for pupil in others:  # two families take the two seats meanwhile
        services.proposal_accept(
            proposal=services.roster_add(school=world.school_a, section=club, student=pupil, by=coord, reason="报名"),
            by=None,
        )
    with pytest.raises(DomainError) as caught:
        services.proposal_accept(proposal=proposal, by=None)
    assert caught.value.code == "section_full"
    assert _held(club) == 2


def test_decline_withdraw_and_bad_input(client, world, small):
    club, child, others = small
    coord = world.users.coordinator_a
    proposal = services.roster_add(school=world.school_a, section=club, student=child, by=coord, reason="推荐")
    with pytest.raises(DomainError) as caught:  # one waiting proposal per pupil and course
        services.roster_add(school=world.school_a, section=club, student=child, by=coord, reason="再推荐")
    assert caught.value.code == "already_enrolled"
    with pytest.raises(DomainError) as caught:  # a pupil of another school
        services.roster_add(school=world.school_a, section=club, student=world.children_b[0], by=coord, reason="x")
    assert caught.value.code == "not_found"
    # another family cannot answer it
    client.force_login(world.users.parent_2)
    assert client.post(reverse("enrollment:proposal_accept", args=[child.pk, proposal.pk])).status_code == 404
    client.force_login(world.users.parent_1)
    client.post(reverse("enrollment:proposal_decline", args=[child.pk, proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == "declined" and not Enrollment.objects.filter(student=child, section=club).exists()
    with pytest.raises(DomainError) as caught:
        services.proposal_accept(proposal=proposal, by=None)
    assert caught.value.code == "proposal_not_pending"
    # the school withdraws a proposal not yet answered
    second = services.roster_add(school=world.school_a, section=club, student=others[0], by=coord, reason="推荐")
    client.force_login(coord)
    client.post(reverse("enrollment:proposal_withdraw", args=[world.school_a.pk, club.pk, second.pk]))
    second.refresh_from_db()
    assert second.status == "withdrawn"
    page = client.get(reverse("enrollment:section_roster", args=[world.school_a.pk, club.pk])).content.decode()
    assert "向家长发出的参加建议" in page and "学校已撤回" in page
