"""Issue 13 item 2: one eligibility rule (school, grade, and class for homework help) for the
catalogue, ranked choices, first-come, school proposals and the API."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.models import ApiToken
from core.errors import DomainError
from courses.models import Course, SchoolClass, Section
from enrollment import selectors, services
from enrollment.models import Enrollment, Preference
from tests.enrollment import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def homework(shop, world):
    """Grade-3 homework help of 三（1）班 (the child's class) and of 三（2）班."""
    school = world.school_a
    course = Course.objects.create(
        school=school, kind=Course.Kind.HOMEWORK, title="三年级作业辅导", grades=[3], seats_per_section=50
    )
    class_2 = SchoolClass.objects.create(school=school, grade=3, number=2)
    own = Section.objects.create(course=course, term=shop.term, code="1班", school_class=world.class_a, capacity=50)
    other = Section.objects.create(course=course, term=shop.term, code="2班", school_class=class_2, capacity=50)
    return own, other


def test_the_rule_offers_homework_help_of_the_pupils_own_class_only(shop, homework):
    own, other = homework
    assert selectors.section_is_open_to(student=shop.child, section=own)
    assert not selectors.section_is_open_to(student=shop.child, section=other)
    assert selectors.section_is_open_to(student=shop.child, section=shop.chess)  # clubs: school and grade


def test_the_catalogue_page_and_the_api_leave_other_classes_homework_out(client, shop, world, homework):
    own, other = homework
    term = selectors.term_for_student(shop.child)
    from django.utils import timezone

    ids = {i.section.pk for i in selectors.catalogue_for_student(student=shop.child, term=term, now=timezone.now())}
    assert own.pk in ids and other.pk not in ids
    client.force_login(world.users.parent_1)
    page = client.get(reverse("enrollment:catalogue", args=[shop.child.pk])).content.decode()
    assert f'id="section-{own.pk}"' in page and f'id="section-{other.pk}"' not in page
    _token, raw = ApiToken.issue(user=world.users.parent_1)
    body = client.get(f"/api/v1/children/{shop.child.pk}/catalogue", headers={"Authorization": f"Bearer {raw}"}).json()
    assert own.pk in {i["section"] for i in body} and other.pk not in {i["section"] for i in body}


def test_first_come_ranked_choices_proposals_and_the_api_refuse_another_class(client, shop, world, homework):
    _own, other = homework
    with pytest.raises(DomainError) as refused:
        services.enrollment_request(student=shop.child, section=other, by=None)
    assert refused.value.code == "not_eligible"
    shop.window.delete()
    window = f.window(world.school_a, "preference", max_choices=3)
    with pytest.raises(DomainError) as refused:
        services.preferences_replace(student=shop.child, window=window, section_ids=[other.pk], by=None)
    assert refused.value.code == "not_eligible"
    _token, raw = ApiToken.issue(user=world.users.parent_1)
    response = client.put(
        f"/api/v1/children/{shop.child.pk}/preferences",
        json.dumps({"sections": [other.pk]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 409 and response.json()["code"] == "not_eligible"
    assert not Preference.objects.filter(section=other).exists()
    assert not Enrollment.objects.filter(section=other).exists()
