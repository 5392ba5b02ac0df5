"""core.hot: a QuerySet compiled once gives what the ORM gives, for any later values."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.hot import HotQuery
from courses.models import Section
from enrollment.models import Enrollment

pytestmark = pytest.mark.django_db


def _sections(section_id):
    return Section.objects.select_related("course", "term").filter(pk=section_id)


def test_model_rows_with_related_objects_equal_the_orms(world):
    hot = HotQuery(_sections)
    for section in Section.objects.all():
        with CaptureQueriesContext(connection) as queries:
            [got] = hot.objects(section_id=section.pk)
        assert len(queries) == 1
        want = _sections(section.pk).get()
        assert (got.pk, got.capacity, got.term_id, got.course.title, got.course.grades, got.term.start) == (
            want.pk,
            want.capacity,
            want.term_id,
            want.course.title,
            want.course.grades,
            want.term.start,
        )
    assert hot.objects(section_id=10**9) == []


def test_values_rows_and_datetimes_equal_the_orms(world):
    def build(school_id, now):
        return (
            Enrollment.objects.filter(section__course__school_id=school_id, created_at__lte=now)
            .order_by("pk")
            .values_list("pk", "created_at", "section__course__grades")
        )

    hot = HotQuery(build)
    now = timezone.now()
    for school in (world.school_a, world.school_b):
        for at in (now, now - timedelta(days=3650)):
            assert hot.rows(school_id=school.pk, now=at) == list(build(school.pk, at))
    assert hot.rows(school_id=world.school_a.pk, now=now)  # the world has seats: not vacuous


def test_an_argument_used_only_through_a_derived_value_is_refused(world):
    hot = HotQuery(lambda now: Section.objects.filter(term__start__lte=now.date()))
    with pytest.raises(ValueError, match="as given"):
        hot.rows(now=timezone.now())


def test_an_argument_that_changes_the_sql_must_be_in_the_shape(world):
    hot = HotQuery(lambda flag: Section.objects.filter(pk=1) if flag else Section.objects.all())
    with pytest.raises(ValueError, match="shape"):
        hot.rows(flag=True)
