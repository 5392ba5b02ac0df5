"""The coordinator's set-up pages: each works for its school and is 404 for any other school,
whether the other school's id is in the URL or in a form value; the services validate."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.errors import DomainError
from courses import services
from courses.models import CalendarException, Course, Room, Section, Slot, Teacher, Term
from courses.services import calendar as calendar_services
from enrollment import services as enrollment_services

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def url(name, *args):
    return reverse(name if ":" in name else f"courses:{name}", args=args)


@pytest.fixture
def coord(client, world):
    client.force_login(world.users.coordinator_a)
    return client


def _pages(world, school):
    """(name, args) of every set-up page of `school`, objects taken from that school."""
    term = school.terms.first()
    teacher = school.teachers.first() or Teacher.objects.create(school=school, name="外校老师", staff_no="X1")
    course = school.courses.first()
    section = Section.objects.filter(course__school=school).first()
    room = school.rooms.first()
    return [
        ("school_home", [school.pk]),
        ("setup_terms", [school.pk]),
        ("setup_term", [school.pk, term.pk]),
        ("setup_grid", [school.pk]),
        ("setup_rooms", [school.pk]),
        ("setup_room", [school.pk, room.pk]),
        ("setup_teachers", [school.pk]),
        ("setup_teacher", [school.pk, teacher.pk]),
        ("setup_courses", [school.pk]),
        ("setup_course", [school.pk, course.pk]),
        ("enrollment:section_edit", [school.pk, section.pk]),
        ("setup_import_teachers", [school.pk]),
        ("setup_import_rooms", [school.pk]),
        ("setup_import_teachers_template", [school.pk]),
        ("setup_import_rooms_template", [school.pk]),
    ]


def test_every_setup_page_works_for_the_coordinator_and_is_404_for_another_school(client, world):
    client.force_login(world.users.coordinator_a)
    for name, args in _pages(world, world.school_a):
        assert client.get(url(name, *args)).status_code == 200, name
    for name, args in _pages(world, world.school_b):
        response = client.get(url(name, *args))
        assert response.status_code == 404, name
        assert "城南小学" not in response.content.decode()
    assert client.get(reverse("pupils:pupils_import", args=[world.school_b.pk])).status_code == 404


def test_own_school_in_the_url_but_another_schools_object_is_404(coord, world):
    a, b = world.school_a.pk, world.school_b.pk
    b_teacher = Teacher.objects.create(school=world.school_b, name="李老师", staff_no="B1")
    b_exception = CalendarException.objects.create(
        term=world.school_b.terms.first(), date=dt.date(2026, 10, 1), kind="holiday"
    )
    for name, args in [
        ("setup_term", [a, world.school_b.terms.first().pk]),
        ("setup_room", [a, world.school_b.rooms.first().pk]),
        ("setup_teacher", [a, b_teacher.pk]),
        ("setup_course", [a, world.section_b.course_id]),
        ("enrollment:section_edit", [a, world.section_b.pk]),
    ]:
        assert coord.get(url(name, *args)).status_code == 404, name
    for name, args in [
        ("setup_room_delete", [a, world.school_b.rooms.first().pk]),
        ("setup_teacher_delete", [a, b_teacher.pk]),
        ("setup_course_delete", [a, world.section_b.course_id]),
        ("setup_section_delete", [a, world.section_b.pk]),
        ("setup_exception_delete", [a, b_exception.pk]),
        ("setup_grid_template", [b]),
        ("setup_grid_weekday", [b, 0]),
    ]:
        assert coord.post(url(name, *args)).status_code == 404, name
    assert world.school_b.rooms.count() == 1 and Section.objects.filter(pk=world.section_b.pk).exists()
    assert CalendarException.objects.filter(pk=b_exception.pk).exists()
    assert world.school_b.slots.count() == 10


def test_roles_and_anonymous_are_kept_out(client, world):
    target = url("setup_rooms", world.school_a.pk)
    assert client.get(target).status_code == 302  # to the login page
    for user in (world.users.parent_1, world.users.teacher_a, world.users.bureau):
        client.force_login(user)
        assert client.get(target).status_code == 403


# --- time grid ---------------------------------------------------------------------------------------


def test_apply_the_5_plus_2_template_restores_two_sessions_every_weekday(coord, world):
    school = world.school_a
    Slot.objects.filter(school=school, weekday=2, session=2).delete()
    Slot.objects.create(school=school, weekday=0, session=3, start=dt.time(18, 0), end=dt.time(19, 0))
    response = coord.post(url("setup_grid_template", school.pk), services_template_data(), headers=HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and body.strip().startswith('<div id="grid-section"')
    slots = list(school.slots.order_by("weekday", "session"))
    assert [(s.weekday, s.session) for s in slots] == [(d, n) for d in range(5) for n in (1, 2)]
    assert {(s.start, s.end) for s in slots if s.session == 1} == {(dt.time(15, 30), dt.time(16, 30))}


def services_template_data(**extra):
    data = {
        "session_1_start": "15:30",
        "session_1_end": "16:30",
        "session_2_start": "16:40",
        "session_2_end": "17:40",
    }
    data.update(extra)
    return data


def test_template_with_an_earlier_friday(coord, world):
    data = services_template_data(
        friday_differs="on",
        friday_1_start="14:30",
        friday_1_end="15:30",
        friday_2_start="15:40",
        friday_2_end="16:40",
    )
    response = coord.post(url("setup_grid_template", world.school_a.pk), data)
    assert response.status_code == 302  # plain form: redirect back (works without JavaScript)
    friday = world.school_a.slots.filter(weekday=4).order_by("session")
    assert [(s.start, s.end) for s in friday] == [
        (dt.time(14, 30), dt.time(15, 30)),
        (dt.time(15, 40), dt.time(16, 40)),
    ]
    assert world.school_a.slots.get(weekday=3, session=1).start == dt.time(15, 30)


def test_template_refuses_overlapping_sessions_and_changes_nothing(coord, world):
    before = list(world.school_a.slots.values_list("weekday", "session", "start", "end"))
    data = services_template_data(session_2_start="16:00")  # starts before session 1 ends
    response = coord.post(url("setup_grid_template", world.school_a.pk), data, headers=HX)
    assert response.status_code == 200
    assert "field-error" in response.content.decode()
    assert list(world.school_a.slots.values_list("weekday", "session", "start", "end")) == before


def test_one_weekday_can_differ_and_a_session_can_be_removed_or_added(coord, world):
    school = world.school_a
    data = {"wd4-session_1_start": "14:00", "wd4-session_1_end": "15:00"}  # session 2 left empty: removed
    response = coord.post(url("setup_grid_weekday", school.pk, 4), data, headers=HX)
    assert response.status_code == 200
    assert list(school.slots.filter(weekday=4).values_list("session", "start")) == [(1, dt.time(14, 0))]
    data = {
        "wd1-session_1_start": "15:30",
        "wd1-session_1_end": "16:30",
        "wd1-session_2_start": "16:40",
        "wd1-session_2_end": "17:40",
        "wd1-session_3_start": "19:00",
        "wd1-session_3_end": "20:00",
    }
    coord.post(url("setup_grid_weekday", school.pk, 1), data, headers=HX)
    assert school.slots.filter(weekday=1).count() == 3
    assert coord.post(url("setup_grid_weekday", school.pk, 5), data).status_code == 404


def test_removing_a_slot_keeps_teachers_consistent(world):
    teacher = world.school_a.teachers.get()
    friday_2 = world.school_a.slots.get(weekday=4, session=2)
    teacher.unavailable_slots.add(friday_2)
    services.slot_weekday_save(school=world.school_a, weekday=4, sessions=[(dt.time(15, 30), dt.time(16, 30))])
    assert teacher.unavailable_slots.count() == 0


def test_slot_services_validate():
    with pytest.raises(DomainError) as info:
        calendar_services._sessions_validate([(dt.time(16, 0), dt.time(15, 0))], prefix="session_")
    assert info.value.code == "validation_error" and "session_1" in info.value.fields
    with pytest.raises(DomainError):
        calendar_services._sessions_validate([None, None], prefix="session_")  # no session at all
    with pytest.raises(DomainError):
        calendar_services._sessions_validate([(dt.time(15, 0), None)], prefix="session_")


# --- teacher availability ------------------------------------------------------------------------------


def test_tapping_an_availability_cell_toggles_one_slot_and_returns_the_cell(coord, world):
    teacher = world.school_a.teachers.get()
    slot = world.school_a.slots.get(weekday=2, session=2)
    target = url("setup_teacher_availability", world.school_a.pk, teacher.pk)
    response = coord.post(target, {"slot": slot.pk}, headers=HX)
    body = response.content.decode().strip()
    assert response.status_code == 200
    assert body.startswith("<td") and "<html" not in body
    assert 'aria-pressed="true"' in body and f'id="avail-{slot.pk}"' in body
    assert list(teacher.unavailable_slots.all()) == [slot]
    body = coord.post(target, {"slot": slot.pk}, headers=HX).content.decode()
    assert 'aria-pressed="false"' in body
    assert teacher.unavailable_slots.count() == 0
    # without JavaScript the same form posts and comes back to the page
    assert coord.post(target, {"slot": slot.pk}).status_code == 302
    assert teacher.unavailable_slots.count() == 1


def test_posting_another_schools_slot_id_is_404_and_changes_nothing(coord, world):
    teacher = world.school_a.teachers.get()
    foreign = world.school_b.slots.first()
    target = url("setup_teacher_availability", world.school_a.pk, teacher.pk)
    for value in (foreign.pk, "1 OR 1=1", "", "-1"):
        assert coord.post(target, {"slot": value}, headers=HX).status_code == 404
    assert teacher.unavailable_slots.count() == 0
    with pytest.raises(DomainError):
        services.teacher_availability_toggle(teacher=teacher, slot=foreign)


def test_the_teacher_page_shows_the_grid(coord, world):
    teacher = world.school_a.teachers.get()
    teacher.unavailable_slots.add(world.school_a.slots.get(weekday=0, session=1))
    body = coord.get(url("setup_teacher", world.school_a.pk, teacher.pk)).content.decode()
    assert body.count('class="avail-toggle"') == 10
    assert body.count('aria-pressed="true"') == 1


# --- rooms --------------------------------------------------------------------------------------------


def test_rooms_create_edit_delete(coord, world):
    school = world.school_a
    response = coord.post(
        url("setup_rooms", school.pk),
        {"name": "烹饪教室", "capacity": "30", "features": ["kitchen", "water"]},
        headers=HX,
    )
    assert response.status_code == 200 and "烹饪教室" in response.content.decode()
    room = school.rooms.get(name="烹饪教室")
    assert room.features == ["kitchen", "water"] and room.capacity == 30
    response = coord.post(url("setup_room", school.pk, room.pk), {"name": "烹饪教室", "capacity": "24"})
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.capacity == 24 and room.features == []
    response = coord.post(url("setup_room_delete", school.pk, room.pk), headers=HX)
    assert response.status_code == 200 and not school.rooms.filter(pk=room.pk).exists()


def test_a_class_gets_its_home_room_by_hand(coord, world):
    """Issue 13 item 1: besides the Excel import, the room form says whose own classroom it is; a
    class has one home room (choosing it moves it), and another school's class is not a choice."""
    from courses.models import SchoolClass

    school = world.school_a
    class_2 = SchoolClass.objects.create(school=school, grade=3, number=2)
    other_school_class = SchoolClass.objects.create(school=world.school_b, grade=3, number=9)
    page = coord.get(url("setup_rooms", school.pk)).content.decode()
    assert f'name="home_classes" value="{class_2.pk}"' in page
    assert f'name="home_classes" value="{other_school_class.pk}"' not in page
    response = coord.post(
        url("setup_rooms", school.pk), {"name": "三(2)班教室", "capacity": "45", "home_classes": [class_2.pk]}
    )
    assert response.status_code == 302
    room = school.rooms.get(name="三(2)班教室")
    class_2.refresh_from_db()
    assert class_2.home_room == room
    edit = coord.get(url("setup_room", school.pk, room.pk)).content.decode()
    box = re.search(rf'<input[^>]*name="home_classes" value="{class_2.pk}"[^>]*>', edit).group(0)
    assert "checked" in box  # the edit form shows the class as this room's
    # moving the class to another room takes it off this one
    other = school.rooms.exclude(pk=room.pk).first()
    data = {"name": other.name, "capacity": str(other.capacity), "home_classes": [class_2.pk]}
    assert coord.post(url("setup_room", school.pk, other.pk), data).status_code == 302
    class_2.refresh_from_db()
    assert class_2.home_room == other and not room.home_classes.exists()
    # another school's class is refused and nothing changes
    data = {"name": other.name, "capacity": str(other.capacity), "home_classes": [other_school_class.pk]}
    body = coord.post(url("setup_room", school.pk, other.pk), data).content.decode()
    assert "field-error" in body
    other_school_class.refresh_from_db()
    class_2.refresh_from_db()
    assert other_school_class.home_room is None and class_2.home_room == other


def test_room_form_errors_are_shown_and_nothing_is_saved(coord, world):
    school = world.school_a
    for data in (
        {"name": "三(1)班教室", "capacity": "30"},  # name taken
        {"name": "新教室", "capacity": "0"},
        {"name": "新教室", "capacity": "abc"},
        {"name": "", "capacity": "30"},
        {"name": "新教室", "capacity": "30", "features": ["swimming_pool"]},
    ):
        response = coord.post(url("setup_rooms", school.pk), data, headers=HX)
        assert response.status_code == 200 and "field-error" in response.content.decode(), data
    assert school.rooms.count() == 1


def test_room_services_validate(world):
    with pytest.raises(DomainError) as info:
        services.room_create(school=world.school_a, name="三(1)班教室", capacity=0, features=["moon"])
    assert set(info.value.fields) == {"name", "capacity", "features"}
    # the same name at another school is fine
    assert services.room_create(school=world.school_b, name="机房", capacity=40, features=["computer"]).pk


# --- teachers -----------------------------------------------------------------------------------------


def test_teachers_create_edit_and_validation(coord, world):
    school = world.school_a
    data = {
        "name": "刘老师",
        "staff_no": "T2",
        "phone": "13911112222",
        "subjects": "美术，书法",
        "max_periods_week": "4",
    }
    assert coord.post(url("setup_teachers", school.pk), data).status_code == 302
    teacher = school.teachers.get(staff_no="T2")
    assert teacher.subjects == ["美术", "书法"] and teacher.max_periods_week == 4
    duplicate = dict(data, name="另一个", staff_no="T1")
    body = coord.post(url("setup_teachers", school.pk), duplicate, headers=HX).content.decode()
    assert "field-error" in body and school.teachers.count() == 2
    bad_phone = dict(data, staff_no="T3", phone="12345")
    assert "field-error" in coord.post(url("setup_teachers", school.pk), bad_phone, headers=HX).content.decode()
    edit = dict(data, max_periods_week="8")
    assert coord.post(url("setup_teacher", school.pk, teacher.pk), edit).status_code == 302
    teacher.refresh_from_db()
    assert teacher.max_periods_week == 8


def test_a_teacher_with_sections_cannot_be_deleted(coord, world):
    teacher = world.school_a.teachers.get()
    response = coord.post(url("setup_teacher_delete", world.school_a.pk, teacher.pk), headers=HX)
    assert response.status_code == 200 and 'role="alert"' in response.content.decode()
    assert Teacher.objects.filter(pk=teacher.pk).exists()
    spare = services.teacher_create(school=world.school_a, name="代课", staff_no="T9")
    coord.post(url("setup_teacher_delete", world.school_a.pk, spare.pk), headers=HX)
    assert not Teacher.objects.filter(pk=spare.pk).exists()


# --- terms and calendar -------------------------------------------------------------------------------


def test_terms_and_calendar_exceptions(coord, world):
    school = world.school_a
    response = coord.post(url("setup_terms", school.pk), {"name": "2027春", "start": "2027-02-20", "end": "2027-07-05"})
    term = school.terms.get(name="2027春")
    assert response.status_code == 302 and response.url == url("setup_term", school.pk, term.pk)
    bad = coord.post(url("setup_terms", school.pk), {"name": "2027秋", "start": "2027-09-01", "end": "2027-08-01"})
    assert "field-error" in bad.content.decode() and not school.terms.filter(name="2027秋").exists()

    add = url("setup_exception_add", school.pk, term.pk)
    holiday = coord.post(add, {"date": "2027-05-03", "kind": "holiday", "note": "劳动节"}, headers=HX)
    assert holiday.status_code == 200 and "劳动节" in holiday.content.decode()
    # 调休: Sunday 2027-04-25 follows Monday's timetable
    coord.post(add, {"date": "2027-04-25", "kind": "workday", "follows_weekday": "0"}, headers=HX)
    assert term.exceptions.get(date=dt.date(2027, 4, 25)).follows_weekday == 0
    for data in (
        {"date": "2027-04-24", "kind": "workday"},  # no weekday to follow
        {"date": "2027-05-05", "kind": "workday", "follows_weekday": "1"},  # a Wednesday: already a school day
        {"date": "2027-05-08", "kind": "holiday"},  # Saturday: nothing to cancel
        {"date": "2027-09-01", "kind": "holiday"},  # outside the term
        {"date": "2027-05-03", "kind": "holiday"},  # already there
    ):
        body = coord.post(add, data, headers=HX).content.decode()
        assert "field-error" in body, data
    assert term.exceptions.count() == 2
    exception = term.exceptions.get(date=dt.date(2027, 5, 3))
    coord.post(url("setup_exception_delete", school.pk, exception.pk), headers=HX)
    assert term.exceptions.count() == 1


def test_term_cannot_shrink_past_its_exceptions(world):
    term = world.school_a.terms.get()
    services.calendar_exception_add(term=term, date=dt.date(2026, 10, 1), kind="holiday")
    with pytest.raises(DomainError) as info:
        services.term_update(term=term, name=term.name, start=dt.date(2026, 10, 8), end=term.end)
    assert "end" in info.value.fields


# --- courses and sections -----------------------------------------------------------------------------


def _course_data(**extra):
    data = {
        "kind": "club",
        "title": "儿童艺术插花",
        "grades": ["3", "4"],
        "seats_per_section": "20",
        "meetings_per_week": "1",
        "room_features": ["art"],
        "fee_per_class_hour": "3.00",
        "description": "",
    }
    data.update(extra)
    return data


def test_course_create_and_edit(coord, world):
    school = world.school_a
    response = coord.post(url("setup_courses", school.pk), _course_data())
    course = school.courses.get(title="儿童艺术插花")
    assert response.status_code == 302 and course.grades == [3, 4] and course.fee_per_class_hour == Decimal("3.00")
    coord.post(url("setup_course", school.pk, course.pk), _course_data(meetings_per_week="2", grades=["5"]))
    course.refresh_from_db()
    assert course.meetings_per_week == 2 and course.grades == [5]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fee_per_class_hour", "3.60"),  # over the 3.50 cap
        ("fee_per_class_hour", "-1"),
        ("grades", ["8"]),  # a primary school has no grade 8
        ("grades", []),
        ("meetings_per_week", "6"),
        ("seats_per_section", "0"),
        ("kind", "partner"),  # partner courses come from the partner catalogue
        ("title", "机器人社团"),  # taken
    ],
)
def test_course_validation(coord, world, field, value):
    before = world.school_a.courses.count()
    response = coord.post(url("setup_courses", world.school_a.pk), _course_data(**{field: value}), headers=HX)
    assert response.status_code == 200 and "field-error" in response.content.decode()
    assert world.school_a.courses.count() == before


def test_fee_cap_is_configurable(world, settings):
    settings.KEHOU_FEE_CAP_PER_CLASS_HOUR = "5.00"
    course = services.course_create(
        school=world.school_a, kind="club", title="书法", grades=[3], seats_per_section=20, fee_per_class_hour="4.50"
    )
    assert course.fee_per_class_hour == Decimal("4.50")
    settings.KEHOU_FEE_CAP_PER_CLASS_HOUR = "3.50"
    with pytest.raises(DomainError) as info:
        services.course_update(
            course=course, kind="club", title="书法", grades=[3], seats_per_section=20, fee_per_class_hour="4.50"
        )
    assert "fee_per_class_hour" in info.value.fields


def test_a_course_with_pupils_cannot_be_deleted_but_an_empty_one_can(coord, world):
    school = world.school_a
    response = coord.post(url("setup_course_delete", school.pk, world.section_a.course_id), headers=HX)
    assert 'role="alert"' in response.content.decode() and Course.objects.filter(pk=world.section_a.course_id).exists()
    course = services.course_create(school=school, kind="club", title="合唱", grades=[3], seats_per_section=30)
    services.section_create(course=course, term=school.terms.get())
    coord.post(url("setup_course_delete", school.pk, course.pk), headers=HX)
    assert not Course.objects.filter(pk=course.pk).exists()


def test_sections_add_edit_delete(coord, world):
    school = world.school_a
    course = world.section_a.course
    term = school.terms.get()
    teacher = school.teachers.get()
    add = url("setup_section_add", school.pk, course.pk)
    data = {"term": term.pk, "code": "", "capacity": "25", "teacher": teacher.pk, "school_class": world.class_a.pk}
    response = coord.post(add, data, headers=HX)
    assert response.status_code == 200 and 'id="section-section"' in response.content.decode()
    section = course.sections.get(code="2")  # the next free code
    assert (section.capacity, section.teacher, section.school_class) == (25, teacher, world.class_a)
    too_many = dict(data, code="3", capacity="31")  # more than the course's 30 seats per section
    assert "field-error" in coord.post(add, too_many, headers=HX).content.decode()
    duplicate = dict(data, code="1")
    assert "field-error" in coord.post(add, duplicate, headers=HX).content.decode()
    edit = {"term": term.pk, "code": "2", "capacity": "12", "teacher": "", "school_class": ""}
    assert coord.post(url("enrollment:section_edit", school.pk, section.pk), edit).status_code == 302
    section.refresh_from_db()
    assert section.capacity == 12 and section.teacher is None
    coord.post(url("setup_section_delete", school.pk, section.pk), headers=HX)
    assert not Section.objects.filter(pk=section.pk).exists()
    # the section with an enrolled pupil stays
    coord.post(url("setup_section_delete", school.pk, world.section_a.pk), headers=HX)
    assert Section.objects.filter(pk=world.section_a.pk).exists()


def test_section_form_with_another_schools_ids_is_404(coord, world):
    school = world.school_a
    course = world.section_a.course
    add = url("setup_section_add", school.pk, course.pk)
    b_teacher = Teacher.objects.create(school=world.school_b, name="李老师", staff_no="B1")
    base = {"term": school.terms.get().pk, "capacity": "10", "teacher": "", "school_class": ""}
    for tampered in (
        {"school_class": world.class_b.pk},
        {"teacher": b_teacher.pk},
        {"term": world.school_b.terms.get().pk},
        {"school_class": "1 OR 1=1"},
    ):
        assert coord.post(add, {**base, **tampered}, headers=HX).status_code == 404, tampered
    assert course.sections.count() == 1
    edit = url("enrollment:section_edit", school.pk, world.section_a.pk)
    assert coord.post(edit, {**base, "code": "1", "school_class": world.class_b.pk}).status_code == 404
    world.section_a.refresh_from_db()
    assert world.section_a.school_class is None


def test_section_services_validate(world):
    school = world.school_a
    term = school.terms.get()
    homework = services.course_create(
        school=school, kind="homework", title="作业辅导", grades=[3], seats_per_section=45
    )
    with pytest.raises(DomainError) as info:
        services.section_create(course=homework, term=term)
    assert "school_class" in info.value.fields  # homework help happens in a class
    assert services.section_create(course=homework, term=term, school_class=world.class_a).capacity == 45
    with pytest.raises(DomainError) as info:
        services.section_create(course=homework, term=Term.objects.get(school=world.school_b))
    assert info.value.code == "not_found"
    with pytest.raises(DomainError) as info:
        enrollment_services.section_update(section=world.section_a, term=term, code="1", capacity=0, by=None)
    assert "capacity" in info.value.fields


def test_course_seats_cannot_drop_below_a_sections_capacity(world):
    course = world.section_a.course
    with pytest.raises(DomainError) as info:
        services.course_update(course=course, kind="club", title=course.title, grades=[3], seats_per_section=10)
    assert "seats_per_section" in info.value.fields


# --- home and language --------------------------------------------------------------------------------


def test_school_home_links_the_setup_pages(coord, world):
    body = coord.get(url("school_home", world.school_a.pk)).content.decode()
    for name in ("setup_terms", "setup_grid", "setup_rooms", "setup_teachers", "setup_courses"):
        assert url(name, world.school_a.pk) in body
    assert reverse("pupils:pupils_import", args=[world.school_a.pk]) in body


def test_pages_are_chinese_by_default_and_english_on_request(coord, world):
    target = url("setup_rooms", world.school_a.pk)
    assert "添加场地" in coord.get(target).content.decode()
    body = coord.post(target, {"name": "新教室", "capacity": "0"}, headers=HX).content.decode()
    assert "容纳人数必须是 1 到 500 的整数" in body or "确保该值大于或等于" in body
    coord.cookies["django_language"] = "en"
    body = coord.get(target).content.decode()
    assert "Add a room" in body and "添加场地" not in body
    body = coord.post(target, {"name": "三(1)班教室", "capacity": "20"}, headers=HX).content.decode()
    assert "This school already has a room with this name." in body
    assert Room.objects.filter(school=world.school_a).count() == 1
