"""Letters to families (告家长书): the bureau to its district, a school to its own families; the audience
read when the worker sends it; each guardian's inbox; the author's counts; scope and bad input."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.access import actor_for
from accounts.models import Role, RoleGrant
from core.errors import DomainError
from core.models import AuditEvent
from courses.models import District, SchoolClass
from enrollment.models import Guardian, Student
from letters import services
from letters.models import Letter
from messaging.models import Channel, Delivery, DeliveryStatus, Message
from tests.enrollment import factories as f
from tests.messaging.gateway import FakeGateway

pytestmark = pytest.mark.django_db


def _write(user, **kwargs) -> Letter:
    kwargs.setdefault("title", "致家长的一封信")
    kwargs.setdefault("body", "各位家长：课后服务自愿参加。")
    return services.letter_write(actor=actor_for(user), by=user, **kwargs)


def _inbox(user) -> list[str]:
    return list(Message.objects.filter(recipient=user, kind="letter").values_list("title", flat=True))


def test_a_district_letter_reaches_every_guardian_of_the_small_demo_district_in_site():
    call_command("seed_demo", "--size", "small", verbosity=0)
    bureau = RoleGrant.objects.filter(role=Role.BUREAU).select_related("user").first().user
    [district_id] = actor_for(bureau).district_ids
    district = District.objects.get(pk=district_id)
    letter = _write(bureau, title="寒假安全告家长书")
    assert letter.status == Letter.Status.QUEUED and not Message.objects.filter(kind="letter").exists()
    sent = services.letters_send_due()  # the worker's periodic job
    expected = set(
        Guardian.objects.filter(
            family__children__school__district=district, family__children__on_roll=True
        ).values_list("user_id", flat=True)
    )
    got = list(Message.objects.filter(kind="letter").values_list("recipient_id", flat=True))
    assert sent == len(got) == len(expected) > 100
    assert set(got) == expected and len(set(got)) == len(got)  # every guardian once
    assert Delivery.objects.filter(message__kind="letter", channel=Channel.IN_SITE, status="delivered").count() == sent
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT and letter.recipients == sent
    assert services.letters_send_due() == 0  # never twice


def test_the_bureau_chooses_schools_and_grades_and_sees_the_counts(world, client, settings):
    settings.KEHOU_SMS_URL = ""
    other = f.pupils(
        2,
        world.school_a,
        SchoolClass.objects.create(school=world.school_a, grade=5, number=1),
        prefix="G5",
        with_parent=True,
    )
    client.force_login(world.users.bureau)
    response = client.post(
        reverse("letters:bureau_letters"),
        {"title": "五年级家长会", "body": "周五下午家长会。", "schools": [world.school_a.pk], "grades": ["5"]},
    )
    letter = Letter.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("letters:letter_detail", args=[letter.pk])
    assert AuditEvent.objects.filter(action="letters.letter.created").count() == 1
    services.letters_send_due()
    guardians = Guardian.objects.filter(family__children__in=other)
    assert sorted(Message.objects.values_list("recipient_id", flat=True)) == sorted(g.user_id for g in guardians)
    assert not _inbox(world.users.parent_1) and not _inbox(world.users.parent_2)  # grade 3 families
    # a guardian reads it in the site: the bureau's count says read
    reader = guardians.first().user
    message = Message.objects.get(recipient=reader)
    client.force_login(reader)
    page = client.get(reverse("messaging:inbox")).content.decode()
    assert "五年级家长会" in page and "周五下午家长会" in page
    client.post(reverse("messaging:read", args=[message.pk]), HTTP_HX_REQUEST="true")
    client.force_login(world.users.bureau)
    page = client.get(reverse("letters:letter_detail", args=[letter.pk])).content.decode()
    counts = client.get(reverse("letters:letter_detail", args=[letter.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="letter-counts"' in counts and "<html" not in counts
    letter = client.get(f"/api/v1/letters/{letter.pk}").json()
    [site] = letter["counts"]
    assert (site["channel"], site["total"], site["delivered"], site["read"], site["failed"]) == ("site", 2, 2, 1, 0)
    assert "五年级家长会" in client.get(reverse("letters:bureau_letters")).content.decode()


def test_a_school_writes_to_its_own_classes_only(world, client):
    class_2 = SchoolClass.objects.create(school=world.school_a, grade=3, number=2)
    in_2 = f.pupils(1, world.school_a, class_2, prefix="C2", with_parent=True)
    client.force_login(world.users.coordinator_a)
    response = client.post(
        reverse("letters:school_letters", args=[world.school_a.pk]),
        {"title": "三(2)班通知", "body": "明天带剪刀。", "classes": [class_2.pk]},
    )
    assert response.status_code == 302
    services.letters_send_due()
    assert list(Message.objects.values_list("recipient_id", flat=True)) == [
        Guardian.objects.get(family__children=in_2[0]).user_id
    ]
    # another school's coordinator sees neither the letter nor the school's page
    letter = Letter.objects.get()
    client.force_login(world.users.coordinator_b)
    assert client.get(reverse("letters:letter_detail", args=[letter.pk])).status_code == 404
    assert client.get(reverse("letters:school_letters", args=[world.school_a.pk])).status_code == 404
    # … and cannot write to school A's classes from school B
    response = client.post(
        reverse("letters:school_letters", args=[world.school_b.pk]),
        {"title": "x", "body": "y", "classes": [class_2.pk]},
    )
    assert response.status_code == 404 and list(response.context["error"].fields) == ["classes"]
    assert 'class="field-error"' in response.content.decode()
    assert Letter.objects.count() == 1


def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(world, client):
    client.force_login(world.users.bureau)
    response = client.post(reverse("letters:bureau_letters"), {"title": " ", "body": "", "grades": ["12"]})
    assert response.status_code == 422
    page = response.content.decode()
    assert "部分字段填写有误" in page and page.count('class="field-error"') == 3  # title, body, grades
    with pytest.raises(DomainError) as error:
        _write(world.users.bureau, title="", body="x" * 2001, grades=["abc"])
    assert set(error.value.fields) == {"title", "body", "grades"}
    with pytest.raises(DomainError) as error:
        _write(world.users.bureau, grades=[9])  # nobody in grade 9
    assert error.value.code == "no_recipients" and error.value.status == 409
    other = District.objects.create(name="别区", code="o")
    from courses.models import School

    far = School.objects.create(district=other, code="Z1", name="别区小学")
    with pytest.raises(DomainError) as error:
        _write(world.users.bureau, school_ids=[far.pk])
    assert error.value.code == "not_found" and "schools" in error.value.fields
    with pytest.raises(DomainError):
        _write(world.users.parent_1)  # not the bureau
    assert not Letter.objects.exists() and not AuditEvent.objects.filter(action__startswith="letters.letter").exists()


def test_the_api_writes_and_lists_letters_in_scope(world, client):
    client.force_login(world.users.coordinator_a)
    response = client.post(
        "/api/v1/letters",
        {"title": "通知", "body": "明天放假", "school_id": world.school_a.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "queued"
    response = client.post(
        "/api/v1/letters",
        {"title": "通知", "body": "明天放假", "school_id": world.school_b.pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    response = client.post("/api/v1/letters", {"title": "x", "body": "x"}, content_type="application/json")
    assert response.status_code == 403  # a coordinator has no district to write to
    assert [x["title"] for x in client.get("/api/v1/letters").json()] == ["通知"]
    client.force_login(world.users.parent_1)
    assert client.get("/api/v1/letters").status_code == 403
    client.force_login(world.users.bureau)
    assert [x["title"] for x in client.get("/api/v1/letters").json()] == ["通知"]  # its district's schools' letters
    response = client.post("/api/v1/letters", {"title": "", "body": "x"}, content_type="application/json")
    assert response.status_code == 422 and "body.payload.title" in response.json()["fields"]


def test_a_family_sees_its_log_per_channel(world, client, settings):
    settings.KEHOU_MESSAGING_BACKOFF_SECONDS = 0
    with FakeGateway() as gateway:
        settings.KEHOU_SMS_URL = gateway.url
        _write(world.users.bureau, title="全区告家长书")
        services.letters_send_due()
        from messaging.services import deliver_due

        deliver_due()
    assert Delivery.objects.filter(channel=Channel.SMS, status=DeliveryStatus.DELIVERED).count() == 2
    client.force_login(world.users.parent_1)
    page = client.get(reverse("letters:family_messages")).content.decode()
    assert "全区告家长书" in page and "王芳" in page
    [row] = client.get("/api/v1/family/messages").json()
    assert row["channels"] == {"site": "delivered", "sms": "delivered"}
    assert Student.objects.filter(family__guardians__user=world.users.parent_2).exists()
    assert "全区告家长书" in [m["title"] for m in client.get("/api/v1/messages").json()]


def test_a_send_that_stopped_half_way_resumes_without_writing_anyone_twice(world, settings):
    import datetime as dt

    from django.utils import timezone

    from messaging.services import Outgoing, send

    more = f.pupils(5, world.school_a, world.class_a, prefix="H", with_parent=True)
    letter = _write(world.users.bureau)
    settings.KEHOU_LETTER_RESUME_SECONDS = 60
    # a worker took it five minutes ago and wrote two guardians' messages, then died
    taken = services._take(letter.pk, timezone.now() - dt.timedelta(minutes=5))
    first_two = Guardian.objects.filter(family__children__in=more[:2]).values_list("user_id", flat=True)
    send((Outgoing(recipient_id=u, kind="letter", title="t") for u in first_two), batch=taken.batch)
    assert services.letters_send_due() == 5  # resumed: the five not written yet (3 + the world's two families)
    letter.refresh_from_db()
    assert letter.status == Letter.Status.SENT and letter.recipients == 7
    users = list(Message.objects.filter(batch=letter.batch).values_list("recipient_id", flat=True))
    assert len(users) == len(set(users)) == 7  # nobody twice
    assert Delivery.objects.filter(message__batch=letter.batch, channel=Channel.IN_SITE).count() == 7
    assert services.letters_send_due() == 0


def test_a_letter_being_sent_is_not_taken_by_a_second_worker(world):
    from django.utils import timezone

    letter = _write(world.users.bureau)
    assert services._take(letter.pk, timezone.now()) is not None
    assert services._take(letter.pk, timezone.now()) is None  # sending, and alive
    assert services.letters_send_due() == 0
