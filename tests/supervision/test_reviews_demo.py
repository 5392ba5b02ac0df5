"""The demo's course review: the committee, the `expert` login with a review to judge, a decided
review (学科类 by 2 to 1) and the demo institution's courses in every state."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import RoleGrant, User
from supervision.models import CourseReview, Expert, ReviewedCourse

pytestmark = pytest.mark.django_db


def test_the_demo_review_data_and_logins(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    assert Expert.objects.count() == 51
    assert RoleGrant.objects.filter(user__username="expert", role="expert").exists()
    expert = User.objects.get(username="expert").review_expert
    mine = CourseReview.objects.assigned_to(expert)
    assert sorted(mine.values_list("status", flat=True)) == ["decided", "in_review"]
    waiting = mine.get(status="in_review")
    assert not waiting.assignments.get(expert=expert).opinion
    decided = CourseReview.objects.get(course__name="小学奥数思维训练")
    assert decided.verdict == "subject" and decided.tally == {"subject": 2, "non_subject": 1}
    institution = User.objects.get(username="institution").institution_account.institution
    states = set(CourseReview.objects.filter(course__institution=institution).values_list("status", flat=True))
    assert states == {"decided", "in_review", "submitted"}
    assert ReviewedCourse.objects.filter(kind="non_subject").exists()
    client.force_login(User.objects.get(username="expert"))
    home = client.get("/")
    assert home.status_code in (200, 302)
    page = client.get(reverse("supervision:expert_review", args=[waiting.pk]))
    assert page.status_code == 200 and "opinion-form" in page.content.decode()
    material = waiting.course.materials.first()
    assert client.get(reverse("supervision:review_material", args=[material.pk])).status_code == 200
