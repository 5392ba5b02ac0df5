"""Services: first-come seats, waitlists, offers passed on, preferences, dismissal, the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from core.errors import DomainError
from core.models import AuditEvent
from courses.models import Section
from enrollment import selectors, services
from enrollment.models import DismissalChoice, Enrollment, Preference
from enrollment.selectors import Meeting
from tests.enrollment import factories as f

pytestmark = pytest.mark.django_db


def _request(shop, pupil, section, **kw):
    return services.enrollment_request(student=pupil, section=section, by=None, **kw)


def _actions(**filters):
    return list(AuditEvent.objects.filter(**filters).order_by("at", "id").values_list("action", flat=True))


def test_first_come_takes_free_seats_then_waitlists(shop, world):
    x0, x1, x2 = shop.others[:3]
    assert _request(shop, x0, shop.chess).enrolled
    assert _request(shop, x1, shop.chess).enrolled
    third = _request(shop, x2, shop.chess)
    assert third.enrollment.status == "waitlisted" and third.created
    assert selectors.waitlist_position(third.enrollment) == 1
    assert Enrollment.objects.filter(section=shop.chess, status="enrolled").count() == 2
    assert _actions(action__startswith="enrollment.") == [
        "enrollment.seat.granted",
        "enrollment.seat.granted",
        "enrollment.waitlist.joined",
    ]


def test_the_section_state_read_agrees_with_the_orm(shop):
    """capacity's plain-SQL count of a section's rows says what the one seat rule says (the
    QuerySets `Enrollment.objects.held/waiting` and `Section.objects.with_seat_counts`), in every row
    state, on SQLite and on PostgreSQL."""
    from django.db import transaction

    from enrollment import capacity

    now = timezone.now()
    rows = [
        ("enrolled", None),  # a seat
        ("waitlisted", now + dt.timedelta(hours=1)),  # an offer still open: holds a seat
        ("waitlisted", now - dt.timedelta(hours=1)),  # an offer that ran out: due
        ("waitlisted", None),  # waiting, created before now
        ("withdrawn", None),  # counts for nothing
    ]
    pupils = f.pupils(len(rows), shop.child.school, shop.child.school_class, prefix="S")
    for pupil, (status, expires) in zip(pupils, rows, strict=True):
        Enrollment.objects.create(
            student=pupil,
            section=shop.pastry,
            status=status,
            offer_expires_at=expires,
            created_at=now - dt.timedelta(minutes=5),
        )
    later = f.pupils(1, shop.child.school, shop.child.school_class, prefix="T")[0]
    Enrollment.objects.create(student=later, section=shop.pastry, status="waitlisted", created_at=now + dt.timedelta(1))
    rows_of = Enrollment.objects.filter(section=shop.pastry)
    waiting = rows_of.waiting()
    counts = Section.objects.with_seat_counts(now).get(pk=shop.pastry.pk)
    for pupil in (pupils[0], pupils[4], shop.child):
        with transaction.atomic():
            state = capacity._section_state(section_id=shop.pastry.pk, student_id=pupil.pk, now=now)
        assert state == capacity.SectionState(
            mine=rows_of.active().filter(student=pupil).count(),
            held=rows_of.held(now).count(),
            due=rows_of.filter(status="waitlisted", offer_expires_at__lte=now).count(),
            waiting=waiting.count(),
            ahead=waiting.filter(created_at__lte=now).count(),
        )
        assert state[1:] == (2, 1, 2, 1)
        assert (state.held, state.waiting) == (counts.seats_held, counts.waiting)
    assert (counts.enrolled, counts.offered) == (1, 1)
    # the rule for one row in memory agrees with the rule as a query, for every row
    held_ids = set(rows_of.held(now).values_list("pk", flat=True))
    assert {row.pk for row in rows_of if row.holds_seat(now)} == held_ids


def test_lowering_capacity_below_the_seats_held_is_refused_and_changes_nothing(shop):
    x0, x1 = shop.others[:2]
    _request(shop, x0, shop.chess)
    offer = _request(shop, x1, shop.chess).enrollment  # the second of two seats
    Enrollment.objects.filter(pk=offer.pk).update(
        status="waitlisted", offer_expires_at=timezone.now() + dt.timedelta(hours=3)
    )  # a live offer holds its seat too
    before = AuditEvent.objects.count()
    with pytest.raises(DomainError) as info:
        services.section_update(section=shop.chess, term=shop.term, code=shop.chess.code, capacity=1, by=None)
    assert info.value.code == "validation_error"
    message = info.value.fields["capacity"][0]
    assert "2" in message and ("held" in message or "占用" in message)
    shop.chess.refresh_from_db()
    assert shop.chess.capacity == 2 and AuditEvent.objects.count() == before


def test_raising_capacity_offers_the_new_seat_to_the_first_waitlisted_pupil(shop, world):
    x0, x1, x2, x3 = shop.others[:4]
    for pupil in (x0, x1):
        assert _request(shop, pupil, shop.chess).enrolled
    first = _request(shop, x2, shop.chess).enrollment
    second = _request(shop, x3, shop.chess).enrollment
    coordinator = world.users.coordinator_a
    type(shop.chess.course).objects.filter(pk=shop.chess.course_id).update(seats_per_section=30)
    services.section_update(section=shop.chess, term=shop.term, code=shop.chess.code, capacity=3, by=coordinator)
    shop.chess.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert shop.chess.capacity == 3
    assert first.offer_pending() and first.offer_expires_at is not None
    assert first.offer_expires_at > timezone.now() + dt.timedelta(hours=shop.window.offer_hours - 1)
    assert second.offer_expires_at is None  # only one new seat: only the first in line
    made = AuditEvent.objects.get(action="enrollment.offer.made", object_id=str(first.pk))
    assert made.data["expires_at"] == first.offer_expires_at.isoformat()
    changed = AuditEvent.objects.get(action="enrollment.section.updated", object_id=str(shop.chess.pk))
    assert (changed.actor, changed.data["capacity_before"], changed.data["capacity"]) == (coordinator, 2, 3)


def test_a_new_waitlist_place_reports_the_position_the_selector_reads(shop):
    """The position counted under the section lock is the one `waitlist_position` reads afterwards,
    also when passing on has just given the first in line an offer."""
    x0, x1, x2, x3 = shop.others[:4]
    seat = _request(shop, x0, shop.art).enrollment
    first = _request(shop, x1, shop.art)
    second = _request(shop, x2, shop.art)
    assert (first.waitlist_position, second.waitlist_position) == (1, 2)
    assert [selectors.waitlist_position(r.enrollment) for r in (first, second)] == [1, 2]
    assert _request(shop, shop.child, shop.chess).waitlist_position is None  # a seat: no position
    # a seat is freed without passing it on (as if the withdrawal's pass-on had not run yet)
    Enrollment.objects.filter(pk=seat.pk).update(status="withdrawn")
    third = _request(shop, x3, shop.art)  # passing on offers the seat to `first`; x3 queues
    first.enrollment.refresh_from_db()
    assert third.enrollment.status == "waitlisted" and first.enrollment.offer_pending()
    assert third.waitlist_position == selectors.waitlist_position(third.enrollment) == 2


def test_full_section_without_waitlist_is_section_full_and_writes_nothing(shop):
    _request(shop, shop.others[0], shop.art)
    with pytest.raises(DomainError) as caught:
        _request(shop, shop.others[1], shop.art, waitlist=False)
    assert caught.value.code == "section_full"
    assert not Enrollment.objects.filter(student=shop.others[1]).exists()


@pytest.mark.parametrize(
    ("section_attr", "code"),
    [("grade5", "not_eligible"), ("other_school", "not_eligible")],
)
def test_courses_the_child_may_not_take_are_refused(shop, section_attr, code):
    with pytest.raises(DomainError) as caught:
        _request(shop, shop.child, getattr(shop, section_attr))
    assert caught.value.code == code
    assert not Enrollment.objects.filter(student=shop.child, section=getattr(shop, section_attr)).exists()


def test_partner_course_at_the_school_is_open_to_the_child(shop):
    assert _request(shop, shop.child, shop.pastry).enrolled


def test_closed_window_is_refused(shop):
    shop.window.closes_at = timezone.now() - dt.timedelta(minutes=1)
    shop.window.opens_at = timezone.now() - dt.timedelta(days=1)
    shop.window.save()
    with pytest.raises(DomainError) as caught:
        _request(shop, shop.child, shop.chess)
    assert caught.value.code == "window_closed"


def test_preference_window_is_not_first_come(shop):
    shop.window.delete()
    f.window(shop.child.school, "preference")
    with pytest.raises(DomainError) as caught:
        _request(shop, shop.child, shop.chess)
    assert caught.value.code == "window_closed"


def test_second_request_without_key_is_already_enrolled_and_with_key_is_the_same_result(shop):
    first = _request(shop, shop.child, shop.chess, request_key="tap-1")
    again = _request(shop, shop.child, shop.chess, request_key="tap-1")
    assert again.replayed and again.enrollment.pk == first.enrollment.pk and again.enrollment.status == "enrolled"
    with pytest.raises(DomainError) as caught:
        _request(shop, shop.child, shop.chess)
    assert caught.value.code == "already_enrolled"
    assert caught.value.fields["enrollment"] == first.enrollment.pk
    assert Enrollment.objects.filter(student=shop.child, section=shop.chess).count() == 1
    assert _actions(action="enrollment.seat.granted", object_id=str(first.enrollment.pk)) == ["enrollment.seat.granted"]
    with pytest.raises(DomainError) as caught:  # the same key may not be reused for another section
        _request(shop, shop.child, shop.art, request_key="tap-1")
    assert caught.value.code == "bad_request"


def test_a_key_is_trimmed_to_its_column_alike_on_both_entry_points(shop):
    """A client's retry token with spaces around it, or longer than the column, is one key: the
    parent's API path (`enrollment_request_for_parent`) replays what the plain path stored."""
    from accounts.access import actor_for

    first = _request(shop, shop.child, shop.chess, request_key=f"  {'k' * 100} ")
    assert Enrollment.objects.get(pk=first.enrollment.pk).request_key == "k" * 64
    parent = shop.child.family.guardians.first().user
    again = services.enrollment_request_for_parent(
        actor=actor_for(parent), student_id=shop.child.pk, section=shop.chess, by=parent, request_key="k" * 80
    )
    assert again.replayed and again.enrollment.pk == first.enrollment.pk


def test_time_clash_is_refused_with_the_other_course_named(shop, monkeypatch):
    times = {
        shop.robot.pk: [Meeting(0, dt.time(15, 30), dt.time(16, 30), 1)],
        shop.chess.pk: [Meeting(0, dt.time(16, 0), dt.time(17, 0), 2)],
        shop.art.pk: [Meeting(1, dt.time(15, 30), dt.time(16, 30), 1)],
    }
    monkeypatch.setattr(selectors, "section_times", lambda ids: {i: times[i] for i in ids if i in times})
    with pytest.raises(DomainError) as caught:
        _request(shop, shop.child, shop.chess)
    error = caught.value
    assert error.code == "time_clash" and error.fields == {"clashes_with": shop.robot.pk}
    body = error.as_dict()
    assert "机器人社团" in body["message_zh"] and "时间冲突" in body["message_zh"]
    assert "clashes in time" in body["message_en"] and "机器人社团" in body["message_en"]
    assert _request(shop, shop.child, shop.art).enrolled  # Tuesday: no clash
    assert _request(shop, shop.child, shop.pastry).enrolled  # no known times: never clashes


def test_withdraw_offers_the_seat_to_the_first_on_the_waitlist(shop):
    x0, x1, x2 = shop.others[:3]
    seat = _request(shop, x0, shop.art).enrollment
    first = _request(shop, x1, shop.art).enrollment
    second = _request(shop, x2, shop.art).enrollment
    services.enrollment_withdraw(enrollment=seat, by=None)
    seat.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert seat.status == "withdrawn" and seat.end_reason == "family"
    assert first.offer_pending() and first.offer_expires_at > timezone.now() + dt.timedelta(hours=23)
    assert second.offer_expires_at is None and selectors.waitlist_position(second) == 1
    # the offered seat is held: a newcomer is waitlisted, not seated
    assert _request(shop, shop.child, shop.art).enrollment.status == "waitlisted"
    services.offer_accept(enrollment=first, by=None)
    first.refresh_from_db()
    assert first.status == "enrolled" and first.offer_expires_at is None
    assert "enrollment.offer.made" in _actions() and "enrollment.offer.accepted" in _actions()
    # withdrawing twice changes nothing and logs nothing more
    before = AuditEvent.objects.count()
    services.enrollment_withdraw(enrollment=seat, by=None)
    assert AuditEvent.objects.count() == before


def test_an_expired_offer_passes_on_lazily_and_by_the_task(shop):
    shop.window.offer_hours = 2
    shop.window.save()
    x0, x1, x2 = shop.others[:3]
    seat = _request(shop, x0, shop.art).enrollment
    first = _request(shop, x1, shop.art).enrollment
    second = _request(shop, x2, shop.art).enrollment
    services.enrollment_withdraw(enrollment=seat, by=None)
    first.refresh_from_db()
    assert first.offer_expires_at - first.offered_at == dt.timedelta(hours=2)
    later = timezone.now() + dt.timedelta(hours=3)
    with pytest.raises(DomainError) as caught:
        services.offer_accept(enrollment=first, by=None, now=later)
    assert caught.value.code == "conflict"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "withdrawn" and first.end_reason == "offer_expired"
    assert second.offer_pending(later)
    # the worker's task passes the next one on when it, too, lapses
    from enrollment.tasks import offers_expire

    assert services.offers_expire_due(now=later + dt.timedelta(hours=3)) == 1
    second.refresh_from_db()
    assert second.status == "withdrawn"
    assert offers_expire.call() == 0  # nothing left to do
    assert _actions(action__startswith="enrollment.offer.") == [
        "enrollment.offer.made",
        "enrollment.offer.expired",
        "enrollment.offer.made",
        "enrollment.offer.expired",
    ]
    # the seat is free again for first-come
    assert Enrollment.objects.filter(section=shop.art, status__in=["enrolled", "waitlisted"]).count() == 0


def test_offer_is_queued_for_the_worker_on_commit(shop, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    x0, x1 = shop.others[:2]
    seat = _request(shop, x0, shop.art).enrollment
    _request(shop, x1, shop.art)
    with django_capture_on_commit_callbacks(execute=True):
        services.enrollment_withdraw(enrollment=seat, by=None)
    job = DBTaskResult.objects.get(task_path="enrollment.tasks.offers_expire")
    assert job.run_after is not None and job.run_after > timezone.now() + dt.timedelta(hours=23)


def test_audit_records_who_what_and_from_where(shop, rf):
    request = rf.post("/", REMOTE_ADDR="10.1.2.3")
    parent = shop.child.family.guardians.get().user
    row = services.enrollment_request(student=shop.child, section=shop.chess, by=parent, request=request).enrollment
    event = AuditEvent.objects.get(action="enrollment.seat.granted", object_id=str(row.pk))
    assert event.actor == parent and event.ip == "10.1.2.3" and event.school_id == shop.child.school_id
    assert event.object_type == "enrollment.enrollment"
    assert event.data["student"] == shop.child.pk and event.data["section"] == shop.chess.pk
    services.enrollment_withdraw(enrollment=row, by=parent, request=request)
    assert AuditEvent.objects.filter(action="enrollment.seat.withdrawn", actor=parent, ip="10.1.2.3").exists()


def test_preferences_replace_ranks_and_changes(shop):
    shop.window.delete()
    pref = f.window(shop.child.school, "preference", max_choices=3)
    services.preferences_replace(
        student=shop.child, window=pref, section_ids=[shop.chess.pk, shop.art.pk, shop.pastry.pk], by=None
    )
    services.preferences_replace(student=shop.child, window=pref, section_ids=[shop.art.pk, shop.chess.pk], by=None)
    assert list(Preference.objects.filter(student=shop.child).order_by("rank").values_list("section_id", "rank")) == [
        (shop.art.pk, 1),
        (shop.chess.pk, 2),
    ]
    assert _actions(action="enrollment.preferences.replaced") == ["enrollment.preferences.replaced"] * 2


@pytest.mark.parametrize(
    ("ids", "code"),
    [
        ("four", "validation_error"),
        ("dup", "validation_error"),
        ("grade5", "not_eligible"),
        ("other_school", "not_eligible"),
        ("absurd", "not_eligible"),
    ],
)
def test_preferences_bad_input_changes_nothing(shop, ids, code):
    shop.window.delete()
    pref = f.window(shop.child.school, "preference", max_choices=3)
    services.preferences_replace(student=shop.child, window=pref, section_ids=[shop.chess.pk], by=None)
    section_ids = {
        "four": [shop.chess.pk, shop.art.pk, shop.pastry.pk, shop.robot.pk],
        "dup": [shop.art.pk, shop.art.pk],
        "grade5": [shop.art.pk, shop.grade5.pk],
        "other_school": [shop.other_school.pk],
        "absurd": [10**30],
    }[ids]
    with pytest.raises(DomainError) as caught:
        services.preferences_replace(student=shop.child, window=pref, section_ids=section_ids, by=None)
    assert caught.value.code == code
    assert list(Preference.objects.filter(student=shop.child).values_list("section_id", flat=True)) == [shop.chess.pk]


def test_preferences_outside_the_window_are_refused(shop):
    closed = f.window(shop.child.school, "preference", open_=False)
    with pytest.raises(DomainError) as caught:
        services.preferences_replace(student=shop.child, window=closed, section_ids=[shop.chess.pk], by=None)
    assert caught.value.code == "window_closed"
    with pytest.raises(DomainError):  # a first-come window is not a preference window
        services.preferences_replace(student=shop.child, window=shop.window, section_ids=[shop.chess.pk], by=None)


def test_dismissal_is_saved_per_weekday(shop):
    services.dismissal_set(student=shop.child, term=shop.term, weekday=4, choice="session_1", by=None)
    services.dismissal_set(student=shop.child, term=shop.term, weekday=4, choice="extended", by=None)
    assert DismissalChoice.objects.get(student=shop.child, weekday=4).choice == "extended"
    assert selectors.dismissal_for(student=shop.child, term=shop.term)[4] == "extended"
    with pytest.raises(DomainError):
        services.dismissal_set(student=shop.child, term=shop.term, weekday=6, choice="extended", by=None)


def test_coordinator_adds_and_removes_with_a_reason_never_beyond_capacity(shop, world):
    """A school's add is a proposal (no seat) until the family accepts; then never beyond capacity."""
    coord = world.users.coordinator_a
    school = world.school_a
    proposal = services.roster_add(
        school=school, section=shop.art, student=shop.others[0], by=coord, reason="家长电话申请"
    )
    assert proposal.status == "pending"
    assert not Enrollment.objects.filter(student=shop.others[0], section=shop.art).exists()  # no seat held
    row = services.proposal_accept(proposal=proposal, by=None)
    assert row.status == "enrolled" and row.source == "school" and row.note == "家长电话申请"
    second = services.roster_add(school=school, section=shop.art, student=shop.others[1], by=coord, reason="再加一个")
    with pytest.raises(DomainError) as caught:
        services.proposal_accept(proposal=second, by=None)
    assert caught.value.code == "section_full"
    second.refresh_from_db()
    assert second.status == "pending"  # still the family's to decline (or accept when a seat frees)
    with pytest.raises(DomainError) as caught:
        services.roster_add(school=school, section=shop.art, student=shop.others[1], by=coord, reason=" ")
    assert caught.value.code == "validation_error"
    services.roster_remove(enrollment=row, by=coord, reason="转学")
    row.refresh_from_db()
    assert row.status == "withdrawn" and row.end_reason == "school" and row.note == "转学"
    assert _actions(actor=coord) == [
        "enrollment.proposal.proposed",
        "enrollment.proposal.proposed",
        "enrollment.seat.removed",
    ]


def test_notices_reach_the_right_families(shop, world):
    coord = world.users.coordinator_a
    school = world.school_a
    services.notice_publish(school=school, by=coord, title="全校通知", body="周五提前放学")
    services.notice_publish(school=school, by=coord, title="三年级", body="…", grade=3)
    services.notice_publish(school=school, by=coord, title="五年级", body="…", grade=5)
    services.notice_publish(school=school, by=coord, title="机器人社团", body="…", section=shop.robot)
    services.notice_publish(school=school, by=coord, title="象棋", body="…", section=shop.chess)
    titles = {n.title for n in selectors.notices_for_student(student=shop.child, limit=10)}
    assert titles == {"全校通知", "三年级", "机器人社团"}
    with pytest.raises(DomainError):
        services.notice_publish(school=school, by=coord, title="x", body="y", section=shop.other_school)


def test_a_published_timetable_drives_the_clash_check(shop, world):
    """No monkeypatch: seats clash through the school's published placements, drafts are ignored."""
    from courses.models import Room, Slot
    from scheduling.models import Placement, Timetable

    monday_1 = Slot.objects.get(school=world.school_a, weekday=0, session=1)
    tuesday_1 = Slot.objects.get(school=world.school_a, weekday=1, session=1)
    room = Room.objects.filter(school=world.school_a).first()
    teacher = world.section_a.teacher

    def timetable(status: str, version: int, chess_slot) -> None:
        when = timezone.now() if status == "published" else None
        tt = Timetable.objects.create(
            school=world.school_a, term=shop.term, version=version, status=status, published_at=when
        )
        Placement.objects.create(timetable=tt, section=shop.robot, meeting=0, slot=monday_1, room=room, teacher=teacher)
        Placement.objects.create(
            timetable=tt, section=shop.chess, meeting=0, slot=chess_slot, room=room, teacher=teacher
        )

    timetable("draft", 1, monday_1)  # a draft that would clash is not what families see
    timetable("published", 2, tuesday_1)
    seat = _request(shop, shop.child, shop.chess)
    assert seat.enrolled  # robot is Monday, chess Tuesday in the published version
    services.enrollment_withdraw(enrollment=seat.enrollment, by=None)
    Placement.objects.filter(timetable__status="published", section=shop.chess).update(slot=monday_1)
    with pytest.raises(DomainError) as caught:
        _request(shop, shop.child, shop.chess)
    assert caught.value.code == "time_clash" and caught.value.fields == {"clashes_with": shop.robot.pk}


def test_a_window_publishes_its_lottery_commitment_and_keeps_it_once_open(world):
    """`window_save` stores the SHA-256 commitment (checked), audits it, and refuses to change it once open."""
    from allocation.engine.lottery import commitment

    school = world.school_a
    data = {
        "term": f.term_of(school),
        "mode": "preference",
        "opens_at": timezone.now() + dt.timedelta(days=1),
        "closes_at": timezone.now() + dt.timedelta(days=3),
        "max_choices": 3,
    }
    with pytest.raises(DomainError) as refused:
        services.window_save(school=school, by=None, data={**data, "lottery_seed_hash": "not-a-hash"})
    assert "lottery_seed_hash" in refused.value.fields and not school.windows.exists()
    published = commitment("a seed")
    window = services.window_save(school=school, by=None, data={**data, "lottery_seed_hash": published.upper()})
    assert window.lottery_seed_hash == published
    event = AuditEvent.objects.get(action="enrollment.window.created")
    assert event.data["commitment"] == published

    window.opens_at = timezone.now() - dt.timedelta(minutes=1)
    window.save()
    with pytest.raises(DomainError):
        services.window_save(school=school, by=None, window=window, data={**data, "lottery_seed_hash": commitment("x")})
    window.refresh_from_db()
    assert window.lottery_seed_hash == published
