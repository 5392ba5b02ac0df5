"""Publishing replaces the published timetable atomically and keeps every version."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import DomainError
from scheduling import selectors, services
from scheduling.models import Timetable
from tests.scheduling.factories import add_timetable_data, make_timetable, published_for_a

pytestmark = pytest.mark.django_db


def _draft_copy(world, tt, source):
    return services.timetable_copy(timetable=source, by=world.users.coordinator_a)


def test_publish_archives_the_previous_and_records_who_and_when(world):
    tt = add_timetable_data(world)
    v1 = published_for_a(world, tt, by=world.users.coordinator_a)
    v2 = _draft_copy(world, tt, v1)
    assert v2.status == "draft" and v2.version == 2 and v2.placements.count() == v1.placements.count()
    services.timetable_publish(timetable=v2, by=world.users.coordinator_a)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("archived", "published")
    assert v2.published_by == world.users.coordinator_a and v2.published_at is not None
    assert Timetable.objects.filter(school=world.school_a, status="published").count() == 1
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(action="scheduling.timetable.published", object_id=str(v2.pk)).exists()
    with pytest.raises(DomainError) as exc:
        services.timetable_publish(timetable=v1, by=world.users.coordinator_a)
    assert exc.value.code == "timetable_not_draft"


def test_publish_fails_as_a_whole(world, monkeypatch):
    tt = add_timetable_data(world)
    v1 = published_for_a(world, tt)
    v2 = _draft_copy(world, tt, v1)

    def boom(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr("scheduling.services.audit_record", boom)
    with pytest.raises(RuntimeError):
        services.timetable_publish(timetable=v2, by=world.users.coordinator_a)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == ("published", "draft")


def test_database_allows_one_published_per_school_and_term(world):
    tt = add_timetable_data(world)
    published_for_a(world, tt)
    with pytest.raises(IntegrityError), transaction.atomic():
        Timetable.objects.create(
            school=world.school_a, term=tt.term, version=9, status="published", published_at=timezone.now()
        )


def test_a_timetable_breaking_hard_rules_is_not_published(world):
    tt = add_timetable_data(world)
    s, r, (zhang, li, wang) = tt.slots, tt.rooms, tt.teachers
    clash = make_timetable(
        school=world.school_a,
        term=tt.term,
        rows=[
            (tt.homework[0], 0, s[0, 1], r[0], li),
            (tt.homework[0], 1, s[2, 1], r[0], li),
            (tt.homework[1], 0, s[0, 1], r[0], wang),  # same room, same time
            (tt.homework[1], 1, s[3, 1], r[1], wang),
            (tt.clubs[0], 0, s[0, 2], r[0], zhang),
            (tt.clubs[1], 0, s[1, 2], r[1], wang),
            (tt.clubs[1], 1, s[3, 2], r[1], wang),
        ],
    )
    with pytest.raises(DomainError) as exc:
        services.timetable_publish(timetable=clash, by=world.users.coordinator_a)
    assert exc.value.code == "timetable_has_violations"
    clash.refresh_from_db()
    assert clash.status == "draft" and clash.hard_by_rule == {"room_double_booked": 1}


def test_published_meetings_for_enrollment(world):
    tt = add_timetable_data(world)
    assert selectors.published_meetings([tt.clubs[1].pk]) == {}
    services.timetable_copy(timetable=published_for_a(world, tt), by=None)  # a draft is never seen
    meetings = selectors.published_meetings([tt.clubs[1].pk, world.section_b.pk])
    assert list(meetings) == [tt.clubs[1].pk]
    assert [(m.weekday, m.session, f"{m.start:%H:%M}") for m in meetings[tt.clubs[1].pk]] == [
        (1, 2, "16:40"),
        (3, 2, "16:40"),
    ]
