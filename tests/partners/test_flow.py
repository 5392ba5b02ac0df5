"""Posting, review, offering, requesting and accepting partner courses (services and pages)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.errors import DomainError
from core.models import AuditEvent
from courses.models import Course, Section, Slot
from partners import selectors, services
from partners.models import HostRequest, PartnerAvailability, PartnerCourse, PartnerCourseReview, TravelTime
from tests.partners.conftest import course_data

pytestmark = pytest.mark.django_db


def _post_course(client, **over):
    data = course_data(**over)
    return client.post(reverse("partners:course_new"), data)


def _approved(pw, **over) -> PartnerCourse:
    course = services.partner_course_create(provider=pw.provider, by=pw.partner, **course_data(**over))
    services.partner_course_submit(course=course, by=pw.partner)
    return services.partner_course_approve(course=course, by=pw.world.users.bureau)


# --- posting and review -----------------------------------------------------------------------------------


def test_partner_posts_submits_and_bureau_approves_with_history(pw, login):
    client = login(pw.partner)
    response = _post_course(client)
    course = PartnerCourse.objects.get(title="果蔬雕刻")
    assert response.status_code == 302 and response.url == reverse("partners:course", args=[course.pk])
    assert course.status == "draft" and course.provider == pw.provider and course.fee_per_class_hour == Decimal("3.00")
    assert client.post(reverse("partners:course_submit", args=[course.pk])).status_code == 302
    course.refresh_from_db()
    assert course.status == "submitted"

    bureau = login(pw.world.users.bureau)
    page = bureau.get(reverse("partners:bureau_home"))
    assert "果蔬雕刻" in page.content.decode()
    response = bureau.post(reverse("partners:bureau_course_approve", args=[course.pk]), {"comment": "内容合适"})
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == "approved" and course.offered["title"] == "果蔬雕刻" and course.approved_at
    steps = list(PartnerCourseReview.objects.filter(course=course).order_by("at", "id").values_list("action", "by"))
    assert steps == [("submitted", pw.partner.pk), ("approved", pw.world.users.bureau.pk)]
    assert PartnerCourseReview.objects.get(course=course, action="approved").comment == "内容合适"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"partners.course.created", "partners.course.submitted", "partners.course.approved"} <= actions


def test_fee_is_capped_in_one_place(pw, settings):
    with pytest.raises(DomainError) as err:
        services.partner_course_create(provider=pw.provider, by=pw.partner, **course_data(fee_per_class_hour="3.51"))
    assert "fee_per_class_hour" in err.value.fields
    settings.KEHOU_FEE_CAP_PER_CLASS_HOUR = "5.00"
    course = services.partner_course_create(provider=pw.provider, by=pw.partner, **course_data(fee_per_class_hour="4"))
    assert course.fee_per_class_hour == Decimal("4")


def test_return_needs_a_comment_and_keeps_course_hidden(pw, login):
    course = services.partner_course_create(provider=pw.provider, by=pw.partner, **course_data())
    services.partner_course_submit(course=course, by=pw.partner)
    with pytest.raises(DomainError) as err:
        services.partner_course_return(course=course, by=pw.world.users.bureau, comment=" ")
    assert err.value.code == "validation_error"
    services.partner_course_return(course=course, by=pw.world.users.bureau, comment="请补充安全说明")
    course.refresh_from_db()
    assert course.status == "returned" and not course.is_offered
    page = login(pw.partner).get(reverse("partners:course", args=[course.pk])).content.decode()
    assert "请补充安全说明" in page


def test_only_the_bureau_approves(pw, login):
    course = services.partner_course_create(provider=pw.provider, by=pw.partner, **course_data())
    services.partner_course_submit(course=course, by=pw.partner)
    url = reverse("partners:bureau_course_approve", args=[course.pk])
    for user in (pw.partner, pw.world.users.coordinator_a, pw.world.users.teacher_a, pw.world.users.parent_1):
        assert login(user).post(url).status_code == 403
    # a bureau of another district does not even see the course
    from accounts.models import Role, RoleGrant, User
    from courses.models import District

    other = District.objects.create(name="邻区", code="n")
    stranger = User.objects.create_user(username="bureau2", password="x-pass-12345")
    RoleGrant.objects.create(user=stranger, role=Role.BUREAU, district=other)
    assert login(stranger).post(url).status_code == 404
    course.refresh_from_db()
    assert course.status == "submitted"
    with pytest.raises(DomainError) as err:  # approving twice is refused
        services.partner_course_approve(course=_approved(pw, title="另一门"), by=pw.world.users.bureau)
    assert err.value.code == "partner_course_not_submitted"


def test_another_providers_course_cannot_be_edited(pw, login):
    client = login(pw.partner)
    assert client.get(reverse("partners:course", args=[pw.lego.pk])).status_code == 404
    response = client.post(reverse("partners:course", args=[pw.lego.pk]), course_data(title="改掉"))
    assert response.status_code == 404
    assert client.post(reverse("partners:course_submit", args=[pw.lego.pk])).status_code == 404
    pw.lego.refresh_from_db()
    assert pw.lego.title == "乐高创意搭建"


def test_changed_approved_course_goes_back_to_review_and_stays_offered_as_approved(pw, login):
    course = _approved(pw)
    school = pw.world.school_a
    client = login(pw.partner)
    response = client.post(reverse("partners:course", args=[course.pk]), course_data(title="果蔬雕刻进阶"))
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == "submitted" and course.title == "果蔬雕刻进阶"
    offers = {v.id: v.title for v in selectors.offered_courses_for_school(school=school)}
    assert offers[course.pk] == "果蔬雕刻"  # the last approved version
    with pytest.raises(DomainError) as err:  # in review: no further change
        services.partner_course_update(course=course, by=pw.partner, **course_data(title="再改"))
    assert err.value.code == "partner_course_in_review"
    services.partner_course_approve(course=course, by=pw.world.users.bureau)
    offers = {v.id: v.title for v in selectors.offered_courses_for_school(school=school)}
    assert offers[course.pk] == "果蔬雕刻进阶"


# --- what schools and families see ---------------------------------------------------------------------


def test_unapproved_course_is_invisible_to_schools_and_families(pw, login):
    draft = services.partner_course_create(provider=pw.provider, by=pw.partner, **course_data())
    services.partner_course_submit(course=draft, by=pw.partner)
    school = pw.world.school_a
    coord = login(pw.world.users.coordinator_a)
    page = coord.get(reverse("partners:school_catalogue", args=[school.pk])).content.decode()
    assert "中点" in page and "果蔬雕刻" not in page
    assert coord.get(reverse("partners:school_request", args=[school.pk, draft.pk])).status_code == 404
    with pytest.raises(DomainError) as err:
        services.host_request_create(
            school=school, term=pw.term_a, partner_course=draft, by=pw.world.users.coordinator_a
        )
    assert err.value.code == "partner_course_not_offered"
    assert not Course.objects.filter(partner_course=draft).exists()
    child = pw.world.children_a[0]
    family = login(pw.world.users.parent_1).get(reverse("enrollment:catalogue", args=[child.pk]))
    assert family.status_code == 200 and "果蔬雕刻" not in family.content.decode()
    # the photo of an unapproved course is not served to the coordinator either
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.partners.conftest import PNG

    photo = services.partner_photo_add(
        course=draft, upload=SimpleUploadedFile("a.png", PNG, "image/png"), by=pw.partner
    )
    coord = login(pw.world.users.coordinator_a)  # one test client: log the coordinator back in
    assert coord.get(reverse("partners:photo", args=[photo.pk])).status_code == 404


def test_expired_or_unapproved_provider_is_not_offered(pw):
    school = pw.world.school_a
    assert pw.pastry.pk in {v.id for v in selectors.offered_courses_for_school(school=school)}
    pw.provider.qualification_expires = dt.date(2020, 1, 1)
    pw.provider.save()
    assert pw.pastry.pk not in {v.id for v in selectors.offered_courses_for_school(school=school)}
    pw.provider.qualification_expires = None
    pw.provider.qualification_status = "pending"
    pw.provider.save()
    assert pw.pastry.pk not in {v.id for v in selectors.offered_courses_for_school(school=school)}


def test_offers_follow_grades_and_reach(pw):
    school_a, school_b = pw.world.school_a, pw.world.school_b
    services.partner_availability_set(teacher=pw.teacher, cells=[], school_ids=[school_b.pk], by=pw.partner)
    assert pw.pastry.pk not in {v.id for v in selectors.offered_courses_for_school(school=school_a)}
    assert pw.pastry.pk in {v.id for v in selectors.offered_courses_for_school(school=school_b)}
    pw.pastry.grades = [7, 8]
    pw.pastry.save()
    assert pw.pastry.pk not in {v.id for v in selectors.offered_courses_for_school(school=school_b)}


# --- requests and acceptance ---------------------------------------------------------------------------


def test_coordinator_requests_and_provider_accepts_creating_course_and_sections(pw, login):
    school = pw.world.school_a
    PartnerAvailability.objects.bulk_create(
        [PartnerAvailability(teacher=pw.teacher, weekday=w, session=2) for w in (1, 3)]
    )
    coord = login(pw.world.users.coordinator_a)
    response = coord.post(
        reverse("partners:school_request", args=[school.pk, pw.pastry.pk]),
        {"term": pw.term_a.pk, "sections": 2, "preferred_weekdays": [1, 3], "note": "四年级"},
    )
    assert response.status_code == 302
    row = HostRequest.objects.get()
    assert row.status == "open" and row.preferred_weekdays == [1, 3]

    partner = login(pw.partner)
    assert "锦溪小学" in partner.get(reverse("partners:home")).content.decode()
    response = partner.post(reverse("partners:request_accept", args=[row.pk]), {"teacher": pw.teacher.pk})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "accepted" and row.teacher == pw.teacher
    course = Course.objects.get(school=school, partner_course=pw.pastry)
    assert course.kind == "partner" and course.title == "中点" and course.grades == [4, 5, 6]
    assert course.room_features == ["kitchen"] and row.course == course
    sections = list(Section.objects.filter(course=course).order_by("code"))
    assert [(s.code, s.teacher_id, s.term_id, s.capacity) for s in sections] == [
        ("1组", pw.teacher.pk, pw.term_a.pk, 20),
        ("2组", pw.teacher.pk, pw.term_a.pk, 20),
    ]
    # the teacher is unavailable at school A outside Tue/Thu session 2
    blocked = set(pw.teacher.unavailable_slots.filter(school=school).values_list("weekday", "session"))
    free = set(Slot.objects.filter(school=school).values_list("weekday", "session")) - blocked
    assert free == {(1, 2), (3, 2)}
    assert AuditEvent.objects.filter(action="partners.request.accepted", school_id=school.pk).exists()
    # the host school's catalogue for families now lists it (a Course of kind partner at the school)
    assert Course.objects.filter(school=school, kind="partner", partner_course=pw.pastry).count() == 1
    # the bureau sees the provider serving school A
    reach = {r.provider.pk: r for r in selectors.provider_list_for_bureau(actor=_actor(pw.world.users.bureau))}
    assert [s.name for s in reach[pw.provider.pk].served] == ["锦溪小学"]


def _actor(user):
    from accounts.access import actor_for

    return actor_for(user)


def test_accept_is_atomic(pw, monkeypatch):
    row = services.host_request_create(
        school=pw.world.school_a, term=pw.term_a, partner_course=pw.pastry, sections=3, by=pw.world.users.coordinator_a
    )

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_sync_unavailable", boom)
    with pytest.raises(RuntimeError):
        services.host_request_accept(host_request=row, by=pw.partner, teacher=pw.teacher)
    row.refresh_from_db()
    assert row.status == "open"
    assert not Course.objects.filter(partner_course=pw.pastry).exists()
    assert not Section.objects.filter(course__partner_course=pw.pastry).exists()


def test_accept_and_decline_only_open_requests_by_the_provider(pw, login):
    row = services.host_request_create(
        school=pw.world.school_a, term=pw.term_a, partner_course=pw.pastry, by=pw.world.users.coordinator_a
    )
    other = login(pw.other_user)
    assert (
        other.post(reverse("partners:request_accept", args=[row.pk]), {"teacher": pw.other_teacher.pk}).status_code
        == 404
    )
    with pytest.raises(DomainError):  # a teacher of another provider cannot be sent
        services.host_request_accept(host_request=row, by=pw.partner, teacher=pw.other_teacher)
    services.host_request_decline(host_request=row, by=pw.partner, note="本学期排满")
    with pytest.raises(DomainError) as err:
        services.host_request_accept(host_request=row, by=pw.partner, teacher=pw.teacher)
    assert err.value.code == "host_request_not_open"


def test_duplicate_open_requests_are_refused(pw, login):
    school = pw.world.school_a
    args = {"school": school, "term": pw.term_a, "partner_course": pw.pastry, "by": pw.world.users.coordinator_a}
    first = services.host_request_create(**args)
    with pytest.raises(DomainError) as err:
        services.host_request_create(**args)
    assert err.value.code == "host_request_exists"
    coord = login(pw.world.users.coordinator_a)
    response = coord.post(
        reverse("partners:school_request", args=[school.pk, pw.pastry.pk]), {"term": pw.term_a.pk, "sections": 1}
    )
    assert response.status_code == 200
    assert DomainError("host_request_exists").message() in response.content.decode()
    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        HostRequest.objects.create(partner_course=pw.pastry, school=school, term=pw.term_a)
    # once answered, the school may ask again (e.g. for more sections)
    services.host_request_withdraw(host_request=first, by=pw.world.users.coordinator_a)
    assert services.host_request_create(**args).status == "open"


def test_second_accept_adds_sections_to_the_same_host_course(pw):
    for _ in range(2):
        row = services.host_request_create(
            school=pw.world.school_a, term=pw.term_a, partner_course=pw.pastry, by=pw.world.users.coordinator_a
        )
        services.host_request_accept(host_request=row, by=pw.partner, teacher=pw.teacher)
    course = Course.objects.get(partner_course=pw.pastry)
    assert sorted(course.sections.values_list("code", flat=True)) == ["1组", "2组"]


# --- the partner teacher's limits -------------------------------------------------------------------------


def test_partner_teacher_cannot_edit_host_courses_or_see_pupils_beyond_own_rosters(pw, login):
    from enrollment.models import Enrollment, Student

    school = pw.world.school_a
    row = services.host_request_create(
        school=school, term=pw.term_a, partner_course=pw.pastry, by=pw.world.users.coordinator_a
    )
    services.host_request_accept(host_request=row, by=pw.partner, teacher=pw.teacher)
    own = Section.objects.get(course__partner_course=pw.pastry)
    from courses.models import SchoolClass

    class4 = SchoolClass.objects.create(school=school, grade=4, number=1)
    grade4 = Student.objects.create(
        school=school,
        school_class=class4,
        family=pw.world.children_a[0].family,
        student_no="G0100",
        name="王小军",
        sex="M",
        grade=4,
    )
    Enrollment.objects.create(student=grade4, section=own, status="enrolled")
    client = login(pw.partner)
    school_course = pw.world.section_a.course  # 机器人社团, the school's own course
    forbidden = [
        reverse("courses:setup_courses", args=[school.pk]),
        reverse("courses:setup_course", args=[school.pk, school_course.pk]),
        reverse("courses:setup_course", args=[school.pk, own.course.pk]),
        reverse("enrollment:school_pupils", args=[school.pk]),
        reverse("enrollment:section_roster", args=[school.pk, pw.world.section_a.pk]),
        reverse("enrollment:section_roster", args=[school.pk, own.pk]),
    ]
    for url in forbidden:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"title": "改名"}).status_code == 403, url
    school_course.refresh_from_db()
    assert school_course.title == "机器人社团"
    roster = client.get(reverse("enrollment:partner_roster", args=[own.pk]))
    assert roster.status_code == 200
    text = roster.content.decode()
    assert "王小军" in text and "王小明" not in text  # 王小明 is in the school's own club, not in this section
    assert client.get(reverse("enrollment:partner_roster", args=[pw.world.section_a.pk])).status_code == 404


def test_availability_page_saves_cells_and_reach_and_updates_host_slots(pw, login):
    school = pw.world.school_a
    row = services.host_request_create(
        school=school, term=pw.term_a, partner_course=pw.pastry, by=pw.world.users.coordinator_a
    )
    services.host_request_accept(host_request=row, by=pw.partner, teacher=pw.teacher)
    assert not pw.teacher.unavailable_slots.exists()  # nothing stated: any time
    client = login(pw.partner)
    assert client.get(reverse("partners:availability")).status_code == 200
    response = client.post(
        reverse("partners:availability"), {"cell": ["0-1", "4-2", "9-9"], "school": [school.pk, pw.world.school_b.pk]}
    )
    assert response.status_code == 302
    assert set(PartnerAvailability.objects.filter(teacher=pw.teacher).values_list("weekday", "session")) == {
        (0, 1),
        (4, 2),
    }
    assert pw.teacher.unavailable_slots.filter(school=school).count() == 8


# --- bureau: travel times and qualification -----------------------------------------------------------


def test_travel_matrix_is_symmetric(pw, login):
    a, b = pw.world.school_a, pw.world.school_b
    client = login(pw.world.users.bureau)
    response = client.post(reverse("partners:bureau_travel"), {"from_school": a.pk, "to_school": b.pk, "minutes": 25})
    assert response.status_code == 302
    assert TravelTime.objects.get(from_school=a, to_school=b).minutes == 25
    assert TravelTime.objects.get(from_school=b, to_school=a).minutes == 25
    services.travel_time_set(a=b, b=a, minutes=30, by=pw.world.users.bureau)
    assert set(TravelTime.objects.values_list("minutes", flat=True)) == {30}
    matrix = selectors.travel_matrix_for_bureau(actor=_actor(pw.world.users.bureau))
    ids = [s.pk for s in matrix.schools]
    grid = {(x.pk, ids[j]): m for x, cells in matrix.rows for j, m in enumerate(cells)}
    assert grid[a.pk, b.pk] == grid[b.pk, a.pk] == 30
    response = client.post(
        reverse("partners:bureau_travel"),
        {"from_school": a.pk, "to_school": a.pk, "minutes": 5},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and 'id="travel-panel"' in response.content.decode()
    assert "<html" not in response.content.decode()  # the fragment only
    assert login(pw.world.users.coordinator_a).get(reverse("partners:bureau_travel")).status_code == 403


def test_bureau_sets_qualification(pw, login):
    client = login(pw.world.users.bureau)
    url = reverse("partners:bureau_provider_qualification", args=[pw.other_provider.pk])
    assert client.post(url, {"status": "rejected", "expires": ""}).status_code == 302
    pw.other_provider.refresh_from_db()
    assert pw.other_provider.qualification_status == "rejected"
    assert pw.lego.pk not in {v.id for v in selectors.offered_courses_for_school(school=pw.world.school_a)}
    assert login(pw.partner).post(url, {"status": "approved"}).status_code == 403


def test_photos_are_checked_stored_privately_and_served_through_a_view(pw, login, settings):
    from tests.partners.conftest import PNG

    client = login(pw.partner)
    url = reverse("partners:photo_add", args=[pw.pastry.pk])
    bad = client.post(url, {"photo": _upload("x.png", b"<script>alert(1)</script>"), "caption": ""})
    assert bad.status_code == 422 and not pw.pastry.photos.exists()
    assert client.post(url, {"photo": _upload("a.png", PNG), "caption": "成品"}).status_code == 302
    photo = pw.pastry.photos.get()
    assert photo.content_type == "image/png" and photo.file.path.startswith(str(settings.MEDIA_ROOT))
    served = client.get(reverse("partners:photo", args=[photo.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG
    assert login(pw.world.users.coordinator_a).get(reverse("partners:photo", args=[photo.pk])).status_code == 200
    assert login(pw.other_user).get(reverse("partners:photo", args=[photo.pk])).status_code == 404
    assert login(pw.world.users.parent_1).get(reverse("partners:photo", args=[photo.pk])).status_code == 403
    client = login(pw.partner)
    big = client.post(url, {"photo": _upload("b.png", PNG + b"\0" * (2 * 1024 * 1024))})
    assert big.status_code == 422
    assert login(pw.other_user).post(url, {"photo": _upload("c.png", PNG)}).status_code == 404


def _upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="image/png")


def test_pages_render_for_each_role(pw, login):
    _approved(pw)
    assert login(pw.partner).get(reverse("partners:home")).status_code == 200
    assert login(pw.partner).get(reverse("partners:course_new")).status_code == 200
    bureau = login(pw.world.users.bureau)
    for url in (
        reverse("partners:bureau_home"),
        reverse("partners:bureau_travel"),
        reverse("partners:bureau_course", args=[pw.pastry.pk]),
    ):
        assert bureau.get(url).status_code == 200
    coord = login(pw.world.users.coordinator_a)
    page = coord.get(reverse("partners:school_catalogue", args=[pw.world.school_a.pk]), {"kind": "labour"})
    assert page.status_code == 200 and "中点" in page.content.decode() and "乐高" not in page.content.decode()
    fragment = coord.get(
        reverse("partners:school_catalogue", args=[pw.world.school_a.pk]), headers={"HX-Request": "true"}
    )
    assert 'id="offer-list"' in fragment.content.decode() and "<html" not in fragment.content.decode()
    assert coord.get(reverse("partners:school_catalogue", args=[pw.world.school_b.pk])).status_code == 404
    assert login(pw.world.users.parent_1).get(reverse("partners:home")).status_code == 403


def test_accept_with_htmx_returns_the_dashboard_fragment_with_the_notice(pw, login):
    row = services.host_request_create(
        school=pw.world.school_a, term=pw.term_a, partner_course=pw.pastry, by=pw.world.users.coordinator_a
    )
    response = login(pw.partner).post(
        reverse("partners:request_accept", args=[row.pk]), {"teacher": pw.teacher.pk}, headers={"HX-Request": "true"}
    )
    text = response.content.decode()
    assert response.status_code == 200 and 'id="partner-dashboard"' in text and "<html" not in text
    assert (
        "锦溪小学" in text
        and reverse("enrollment:partner_roster", args=[Section.objects.get(course__partner_course=pw.pastry).pk])
        in text
    )
