"""Fixtures for partner-course tests: the shared world plus a second provider in the district."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

# The smallest valid PNG (1×1), to upload as a course photo.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def _media_and_fast_hashing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # the world hashes 9 passwords


@pytest.fixture
def pw(world):
    """The world plus: the partner teacher's Teacher, the 中点 course, school A's term, and a second
    provider (an institution) with its own teacher user and course."""
    from accounts.models import Role, RoleGrant, User
    from courses.models import Teacher, Term
    from partners.models import PartnerCourse, Provider

    s = SimpleNamespace(world=world)
    s.provider = world.provider
    s.partner = world.users.partner
    s.teacher = Teacher.objects.get(user=s.partner)
    s.pastry = PartnerCourse.objects.get(title="中点")
    s.term_a = Term.objects.get(school=world.school_a)
    s.term_b = Term.objects.get(school=world.school_b)
    s.other_provider = Provider.objects.create(
        district=world.district,
        name="星辰科技教育",
        kind=Provider.Kind.INSTITUTION,
        qualification_status=Provider.Review.APPROVED,
    )
    s.other_user = User.objects.create_user(username="other_partner", password="x-pass-12345")
    RoleGrant.objects.create(user=s.other_user, role=Role.PARTNER_TEACHER, provider=s.other_provider)
    s.other_teacher = Teacher.objects.create(user=s.other_user, provider=s.other_provider, name="刘老师", staff_no="X1")
    s.lego = PartnerCourse.objects.create(
        provider=s.other_provider,
        title="乐高创意搭建",
        kind=PartnerCourse.Kind.SCIENCE,
        grades=[1, 2, 3],
        group_size=20,
        status=PartnerCourse.Status.APPROVED,
    )
    return s


def course_data(**over):
    data = {
        "title": "果蔬雕刻",
        "title_en": "Fruit and vegetable carving",
        "description": "用安全刻刀把胡萝卜雕成花。",
        "kind": "labour",
        "grades": [3, 4, 5],
        "group_size": 16,
        "meetings_per_week": 1,
        "materials": "安全刻刀、时令果蔬",
        "room_features": ["water"],
        "fee_per_class_hour": "3.00",
    }
    data.update(over)
    return data
