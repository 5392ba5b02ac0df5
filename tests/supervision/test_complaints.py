"""Complaints: the closed loop walked through the pages, deadlines in working days of the term
calendar, refusals (409 invalid_transition, closing without outcome, another district's 404), the
public check code and its throttle, feedback of named pupils to their own schools only, and the
forced-participation counts on the bureau's voluntariness page."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleGrant, User
from courses.models import CalendarException, District, School, Term
from messaging.models import Message
from participation.voluntariness import COMPLAINT_COUNTS, voluntariness_for_bureau
from supervision.models import Complaint, ComplaintEvent, Notice
from supervision.services import complaints as services
from supervision.workdays import add_working_days
from tests.conftest import PASSWORD
from tests.supervision.conftest import make_institution

pytestmark = pytest.mark.django_db

CONTACT_PHONE = "13912345678"
CONTACT_NAME = "赵联系人"


def _user(username: str, role: str, **scope) -> User:
    user = User.objects.create(username=username, password=make_password(PASSWORD), display_name=username)
    RoleGrant.objects.create(user=user, role=role, **scope)
    return user


@pytest.fixture
def cw(world):
    """The test world plus hotline staff, an institution, a third school with its coordinator and a
    second district with its own bureau, hotline and complaint."""
    other = District.objects.create(name="邻区", code="t2")
    school_c = School.objects.create(district=world.district, code="C1", name="花桥小学", kind=School.Kind.PRIMARY)
    Term.objects.create(school=school_c, name="2026秋", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 22))
    ns = SimpleNamespace(
        w=world,
        other=other,
        school_c=school_c,
        coordinator_c=_user("coord_c", Role.COORDINATOR, school=school_c),
        hotline=_user("hotline1", Role.HOTLINE, district=world.district),
        hotline2=_user("hotline2", Role.HOTLINE, district=world.district),
        other_hotline=_user("hotline_other", Role.HOTLINE, district=other),
        other_bureau=_user("bureau_other", Role.BUREAU, district=other),
        institution=make_institution(world.district, 1, name="启明学科培训学校"),
    )
    ns.other_complaint, _code = services.complaint_submit(
        district=other,
        channel=Complaint.Channel.HOTLINE,
        data={
            "category": "pricing",
            "subject_kind": "unregistered",
            "operator_name": "邻区某工作室",
            "operator_address": "邻区某路1号",
            "description": "乱收费",
            "contact_phone": "13700000000",
        },
        by=ns.other_hotline,
    )
    return ns


def _data(**over):
    data = {
        "category": "weekend_subject",
        "subject_kind": "institution",
        "institution_id": None,
        "description": "周六上午在机构上数学课。",
        "contact_name": CONTACT_NAME,
        "contact_phone": CONTACT_PHONE,
    }
    data.update(over)
    return data


def _submit(cw, *, channel="hotline", by=None, pupils=(), now=None, **over):
    data = _data(**{"institution_id": cw.institution.pk, **over})
    return services.complaint_submit(
        district=cw.w.district, channel=channel, data=data, pupils=list(pupils), by=by or cw.hotline, now=now
    )


def _to_verifying(cw, complaint, today=None):
    services.complaint_assign(complaint=complaint, handler=cw.hotline, by=cw.w.users.bureau, today=today)
    return services.complaint_start_verification(complaint=complaint, by=cw.hotline, today=today)


# --- the pure working-day function ------------------------------------------------------------------


def test_working_days_skip_holidays_count_swapped_days_and_use_mon_to_fri_outside_terms():
    term = {dt.date(2026, 9, 1) + dt.timedelta(days=n) for n in range(60)}
    holidays = {dt.date(2026, 10, 1) + dt.timedelta(days=n) for n in range(7)}
    swapped = {dt.date(2026, 10, 10)}  # a Saturday worked (调休)
    school = {d for d in term if d.weekday() < 5 and d not in holidays} | swapped
    # Wednesday 30 September + 3 working days: 8 Oct (Thu), 9 Oct (Fri), 10 Oct (the swapped Saturday)
    assert add_working_days(dt.date(2026, 9, 30), 3, school_days=school, term_dates=term) == dt.date(2026, 10, 10)
    assert add_working_days(dt.date(2026, 9, 30), 0, school_days=school, term_dates=term) == dt.date(2026, 9, 30)
    # outside every term (summer): Monday to Friday count, weekends do not
    assert add_working_days(dt.date(2026, 7, 31), 1, school_days=set(), term_dates=set()) == dt.date(2026, 8, 3)
    with pytest.raises(ValueError):
        add_working_days(dt.date(2026, 7, 31), -1, school_days=set(), term_dates=set())


# --- the walk through the pages ----------------------------------------------------------------------


def test_public_complaint_to_closure_through_the_pages(client, cw):
    """Public form → code → bureau assigns → verification → substantiated → notice → follow-up →
    reply → satisfaction call-back → closed; the public page then shows the status and the reply."""
    response = client.post(
        reverse("supervision:public_complaint_new"),
        {
            "d": cw.w.district.code,
            "category": "prepaid",
            "subject_kind": "institution",
            "institution_id": cw.institution.pk,
            "description": "要求一次性预交一年学费。",
            "contact_name": CONTACT_NAME,
            "contact_phone": CONTACT_PHONE,
        },
        REMOTE_ADDR="10.0.0.8",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    done = client.get(response["Location"])
    code = re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", done.content.decode()).group(0)
    assert client.get(reverse("supervision:public_complaint_done")).status_code == 302  # shown once
    complaint = Complaint.objects.get(channel="public")
    assert complaint.code_hash == services.code_hash(code) and code not in complaint.code_hash

    client.force_login(cw.w.users.bureau)
    detail = client.get(reverse("supervision:complaint", args=[complaint.pk]))
    assert detail.status_code == 200 and CONTACT_PHONE not in detail.content.decode()
    act = lambda action, **data: client.post(  # noqa: E731
        reverse("supervision:complaint_action", args=[complaint.pk, action]), data
    )
    act("assign", handler=cw.hotline.pk)
    complaint.refresh_from_db()
    assert complaint.status == "assigned" and complaint.handler_id == cw.hotline.pk

    client.force_login(cw.hotline)
    assert CONTACT_PHONE in client.get(reverse("supervision:complaint", args=[complaint.pk])).content.decode()
    act("verify", note="电话联系机构")
    act("finding", outcome="substantiated", finding="机构确有预收一年学费。")
    rectify_by = timezone.localdate() + dt.timedelta(days=10)
    act("rectify", rectification="退还超过3个月的预收费", rectify_by=rectify_by.isoformat(), issue_notice="on")
    complaint.refresh_from_db()
    assert complaint.status == "rectifying" and complaint.notice is not None
    notice = Notice.objects.get(pk=complaint.notice_id)
    assert notice.institution_id == cw.institution.pk and notice.deadline == rectify_by
    act("follow_up", note="回头看：已退费")
    act("reply", reply="经核实，机构已整改并退费。")
    act("callback", satisfaction="satisfied", note="家长满意")
    act("close", note="办结")
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.satisfaction == "satisfied" and complaint.closed_at
    actions = list(complaint.events.values_list("action", flat=True))
    assert actions == [
        "received",
        "assigned",
        "verifying",
        "found",
        "rectifying",
        "notice",
        "followed_up",
        "replied",
        "callback",
        "closed",
    ]
    history = client.get(reverse("supervision:complaint", args=[complaint.pk])).content.decode()
    assert "hotline1" in history and "bureau" in history  # who did each step

    client.logout()
    follow = client.post(reverse("supervision:public_complaint_follow"), {"code": code.lower()})
    page = follow.content.decode()
    assert follow.status_code == 200 and "经核实，机构已整改并退费。" in page
    assert '<span class="tag ok">' in page  # the closed status
    assert "要求一次性预交一年学费" not in page and CONTACT_PHONE not in page  # status and reply only


def test_overdue_is_counted_in_working_days_of_the_term_calendar(client, cw):
    """Received the day before National Day: the holiday week does not count, the swapped Saturday
    does; the complaint is overdue only after the 10th working day."""
    for term in Term.objects.filter(school__district=cw.w.district):
        for n in range(7):
            CalendarException.objects.create(
                term=term, date=dt.date(2026, 10, 1) + dt.timedelta(days=n), kind="holiday"
            )
        CalendarException.objects.create(term=term, date=dt.date(2026, 10, 10), kind="workday", follows_weekday=4)
    received = timezone.make_aware(dt.datetime(2026, 9, 30, 10, 0))
    complaint, _code = _submit(cw, now=received)
    assert complaint.due == dt.date(2026, 10, 8)  # assignment: the first working day after the holiday
    _to_verifying(cw, complaint, today=dt.date(2026, 10, 8))
    complaint.refresh_from_db()
    # Oct 8, 9, 10 (调休 Saturday), 12–16, 19, 20: the 10th working day (calendar days would give Oct 14)
    assert complaint.due == dt.date(2026, 10, 20)
    assert not complaint.is_overdue(dt.date(2026, 10, 20))
    assert complaint.is_overdue(dt.date(2026, 10, 21))
    from supervision import selectors_complaints as sel

    qs = Complaint.objects.filter(district=cw.w.district)
    assert sel.complaint_stats(qs, today=dt.date(2026, 10, 20))["totals"]["overdue"] == 0
    assert sel.complaint_stats(qs, today=dt.date(2026, 10, 21))["totals"]["overdue"] == 1
    # and on the pages, today being past the deadline
    client.force_login(cw.w.users.bureau)
    listing = client.get(reverse("supervision:complaints"), {"overdue": "1"}).content.decode()
    assert complaint.label in listing and 'class="overdue"' in listing
    client.force_login(cw.hotline)
    desk = client.get(reverse("supervision:hotline_home")).content.decode()
    assert complaint.label in desk
    # on a phone the rows become cards (a "label  value" line per cell), not seven squeezed columns
    assert 'class="complaint-table stack"' in desk and 'data-label="类别"' in desk


# --- refusals ---------------------------------------------------------------------------------------


def test_out_of_order_steps_are_409_and_other_districts_are_404(client, cw):
    from accounts.models import ApiToken

    complaint, _code = _submit(cw)
    _token, raw = ApiToken.issue(user=cw.hotline)
    api = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = f"/api/v1/supervision/complaints/{complaint.pk}"
    # not yet the handler: 403 with its code
    response = client.post(f"{url}/verify", {}, content_type="application/json", **api)
    assert response.status_code == 403 and response.json()["code"] == "complaint_not_handler"
    assert client.post(f"{url}/take", {}, content_type="application/json", **api).status_code == 200
    # a finding before verification started
    finding = {"outcome": "substantiated", "finding": "x"}
    response = client.post(f"{url}/finding", finding, content_type="application/json", **api)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    # closing without an outcome
    response = client.post(f"{url}/close", {}, content_type="application/json", **api)
    assert response.status_code == 409 and response.json()["code"] == "complaint_outcome_missing"
    client.post(f"{url}/verify", {}, content_type="application/json", **api)
    client.post(
        f"{url}/finding", {"outcome": "unsubstantiated", "finding": "未发现"}, content_type="application/json", **api
    )
    # closing without a reply
    response = client.post(f"{url}/close", {}, content_type="application/json", **api)
    assert response.status_code == 409 and response.json()["code"] == "complaint_reply_missing"
    # rectification after "not substantiated" is out of order
    rectify = {"rectification": "x", "rectify_by": "2099-01-01"}
    response = client.post(f"{url}/rectify", rectify, content_type="application/json", **api)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    client.post(f"{url}/reply", {"reply": "经核实未发现问题"}, content_type="application/json", **api)
    assert client.post(f"{url}/close", {}, content_type="application/json", **api).json()["status"] == "closed"
    response = client.post(f"{url}/verify", {}, content_type="application/json", **api)
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    # another district's complaint: 404 for hotline and bureau, on pages and in the API
    other = cw.other_complaint
    assert client.get(f"/api/v1/supervision/complaints/{other.pk}", **api).status_code == 404
    assert (
        client.post(
            f"/api/v1/supervision/complaints/{other.pk}/take", {}, content_type="application/json", **api
        ).status_code
        == 404
    )
    client.force_login(cw.w.users.bureau)
    assert client.get(reverse("supervision:complaint", args=[other.pk])).status_code == 404
    assert (
        client.post(
            reverse("supervision:complaint_action", args=[other.pk, "assign"]), {"handler": cw.hotline.pk}
        ).status_code
        == 404
    )
    listed = client.get("/api/v1/supervision/complaints", **api).json()["results"]
    assert other.pk not in [r["id"] for r in listed] and complaint.pk in [r["id"] for r in listed]
    # the bureau cannot assign to hotline staff of another district
    fresh, _code = _submit(cw)
    with pytest.raises(Exception) as refused:
        services.complaint_assign(complaint=fresh, handler=cw.other_hotline, by=cw.w.users.bureau)
    assert getattr(refused.value, "code", "") == "validation_error"
    # and other roles are kept out
    client.force_login(cw.w.users.coordinator_a)
    assert client.get(reverse("supervision:complaints")).status_code == 403
    assert client.get(reverse("supervision:hotline_home")).status_code == 403


def test_a_notice_needs_a_registered_institution(cw):
    complaint, _code = _submit(
        cw, subject_kind="unregistered", institution_id=None, operator_name="某工作室", operator_address="花桥镇1号"
    )
    _to_verifying(cw, complaint)
    services.complaint_record_finding(complaint=complaint, by=cw.hotline, outcome="substantiated", finding="属实")
    with pytest.raises(Exception) as refused:
        services.complaint_order_rectification(
            complaint=complaint,
            by=cw.hotline,
            rectification="停止培训",
            rectify_by=timezone.localdate(),
            issue_notice=True,
        )
    assert refused.value.code == "complaint_notice_needs_institution"
    services.complaint_refer(complaint=complaint, by=cw.hotline, note="无证经营，移交综合行政执法")
    assert Complaint.objects.get(pk=complaint.pk).status == "referred"


def test_intake_refuses_bad_input_with_field_errors(cw):
    with pytest.raises(Exception) as bad:
        services.complaint_submit(
            district=cw.w.district,
            channel="public",
            data={"category": "nonsense", "subject_kind": "school", "school_id": cw.other.pk * 1000, "description": ""},
        )
    assert bad.value.code == "validation_error"
    assert {"category", "description", "contact_phone"} <= set(bad.value.fields)
    # a well-formed complaint about a school that is not the district's: 404, like every foreign id
    with pytest.raises(Exception) as unknown:
        services.complaint_submit(
            district=cw.w.district,
            channel="public",
            data={
                "category": "other",
                "subject_kind": "school",
                "school_id": cw.other.pk * 1000,
                "description": "周末补课",
                "contact_phone": "13800000009",
            },
        )
    assert unknown.value.code == "not_found" and unknown.value.status == 404 and "school_id" in unknown.value.fields


# --- the public check code ----------------------------------------------------------------------------


def test_check_code_is_unguessable_and_wrong_codes_are_throttled(client, cw):
    complaint, code = _submit(cw, channel="public", by=None)
    assert len(re.sub(r"[^0-9A-Z]", "", code)) == 16
    assert {services.new_code() for _ in range(50)}.__len__() == 50
    url = reverse("supervision:public_complaint_follow")
    assert client.post(url, {"code": code}, REMOTE_ADDR="10.1.1.1").status_code == 200
    for n in range(services.FOLLOW_FAILURES_PER_WINDOW):
        wrong = client.post(url, {"code": f"AAAA-AAAA-AAAA-AA{n:02d}"}, REMOTE_ADDR="10.1.1.1")
        assert wrong.status_code == 200 and complaint.label not in wrong.content.decode()
    # now even the right code is refused from that address for a while; another address still works
    assert client.post(url, {"code": code}, REMOTE_ADDR="10.1.1.1").status_code == 429
    assert client.post(url, {"code": code}, REMOTE_ADDR="10.1.1.2").status_code == 200
    # the API says the same
    response = client.post(
        "/api/v1/supervision/complaints-follow", {"code": code}, content_type="application/json", REMOTE_ADDR="10.1.1.1"
    )
    assert response.status_code == 429 and response.json()["code"] == "complaint_throttled"
    response = client.post(
        "/api/v1/supervision/complaints-follow",
        {"code": "ZZZZ"},
        content_type="application/json",
        REMOTE_ADDR="10.1.1.3",
    )
    assert response.status_code == 404 and response.json()["code"] == "complaint_code_unknown"


def test_public_submissions_are_limited_per_address(client, cw):
    payload = {
        "category": "advertising",
        "subject_kind": "unregistered",
        "operator_name": "某培训",
        "operator_address": "城南街道2号",
        "description": "小区张贴学科类培训广告",
        "contact_phone": CONTACT_PHONE,
    }
    url = f"/api/v1/supervision/complaints/public/{cw.w.district.code}"
    for _n in range(services.PUBLIC_SUBMISSIONS_PER_HOUR):
        response = client.post(url, payload, content_type="application/json", REMOTE_ADDR="10.2.2.2")
        assert response.status_code == 201 and response.json()["check_code"]
    response = client.post(url, payload, content_type="application/json", REMOTE_ADDR="10.2.2.2")
    assert response.status_code == 429 and response.json()["code"] == "complaint_throttled"
    assert (
        client.post("/api/v1/supervision/complaints/public/nope", payload, content_type="application/json").status_code
        == 404
    )


# --- privacy: the contact ------------------------------------------------------------------------------


def _xlsx_text(content: bytes) -> str:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return "".join(book.read(name).decode("utf-8") for name in book.namelist() if name.endswith(".xml"))


def test_the_contact_never_appears_in_lists_statistics_exports_or_events(client, cw):
    from accounts.models import ApiToken
    from core.models import AuditEvent

    handled, _code = _submit(cw, description="周末上课。")
    _to_verifying(cw, handled)
    public, _code = _submit(cw, channel="public", by=None, description=f"请打{CONTACT_PHONE}联系我")
    site, _code = _submit(cw, channel="site", by=cw.w.users.parent_1, contact_phone="", contact_name="")
    seen: dict[str, str] = {}
    for user in (cw.w.users.bureau, cw.hotline2, cw.hotline):
        client.force_login(user)
        _token, raw = ApiToken.issue(user=user)
        api = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        seen[f"{user} list"] = client.get(reverse("supervision:complaints")).content.decode()
        seen[f"{user} filtered"] = client.get(reverse("supervision:complaints"), {"channel": "public"}).content.decode()
        seen[f"{user} api list"] = client.get("/api/v1/supervision/complaints", **api).content.decode()
        seen[f"{user} api stats"] = client.get("/api/v1/supervision/complaints/stats", **api).content.decode()
        seen[f"{user} public detail"] = client.get(reverse("supervision:complaint", args=[public.pk])).content.decode()
        seen[f"{user} api public detail"] = client.get(
            f"/api/v1/supervision/complaints/{public.pk}", **api
        ).content.decode()
        if user != cw.w.users.bureau:
            seen[f"{user} desk"] = client.get(reverse("supervision:hotline_home")).content.decode()
        if user == cw.w.users.bureau:
            seen["export"] = _xlsx_text(client.get(reverse("supervision:complaints_export")).content)
            seen[f"{user} handled detail"] = client.get(
                reverse("supervision:complaint", args=[handled.pk])
            ).content.decode()
        if user == cw.hotline2:
            seen[f"{user} handled detail"] = client.get(
                reverse("supervision:complaint", args=[handled.pk])
            ).content.decode()
    seen["events"] = " ".join(ComplaintEvent.objects.values_list("note", flat=True))
    seen["audit"] = " ".join(str(d) for d in AuditEvent.objects.values_list("data", flat=True))
    seen["parent's phone in lists"] = seen[f"{cw.w.users.bureau} list"]
    for where, text in seen.items():
        assert CONTACT_PHONE not in text, where
        assert CONTACT_NAME not in text, where
        assert "13800000001" not in text, where  # the parent's own phone, taken as the site complaint's contact
    # the handler does see it (so the scan above can fail)
    client.force_login(cw.hotline)
    mine = client.get(reverse("supervision:complaint", args=[handled.pk])).content.decode()
    assert CONTACT_PHONE in mine and CONTACT_NAME in mine
    _token, raw = ApiToken.issue(user=cw.hotline)
    body = client.get(f"/api/v1/supervision/complaints/{handled.pk}", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert body["contact_phone"] == CONTACT_PHONE
    assert Complaint.objects.get(pk=site.pk).contact_phone == "13800000001"


# --- feedback to schools -------------------------------------------------------------------------------


def test_weekend_complaint_naming_two_pupils_of_two_schools_tells_exactly_those_two_schools(client, cw):
    w = cw.w
    pupils = [
        {"name": "王小明", "school_id": w.school_a.pk},  # by name and school
        {"student_no": "G0002"},  # by 学籍号 (李小红 of school B)
        {"name": "查无此人", "school_id": cw.school_c.pk},  # not on school C's roll: nobody is told
    ]
    complaint, _code = _submit(cw, pupils=pupils)
    before = Message.objects.count()
    _to_verifying(cw, complaint)
    assert Message.objects.count() == before  # nothing before it is substantiated
    services.complaint_record_finding(complaint=complaint, by=cw.hotline, outcome="substantiated", finding="属实")
    sent = list(Message.objects.filter(kind="complaint_pupils"))
    assert sorted(m.recipient_id for m in sent) == sorted([w.users.coordinator_a.pk, w.users.coordinator_b.pk])
    to_a = next(m for m in sent if m.recipient_id == w.users.coordinator_a.pk)
    to_b = next(m for m in sent if m.recipient_id == w.users.coordinator_b.pk)
    assert "王小明" in to_a.body and "李小红" not in to_a.body
    assert "李小红" in to_b.body and "王小明" not in to_b.body
    assert Message.objects.exclude(kind="complaint_pupils").filter(created_at__gte=complaint.received_at).count() == 0
    assert set(complaint.school_feedback.values_list("school_id", flat=True)) == {w.school_a.pk, w.school_b.pk}
    # never by name to the bureau: its detail page, statistics and export carry no pupil's name
    client.force_login(w.users.bureau)
    bureau_views = [
        client.get(reverse("supervision:complaint", args=[complaint.pk])).content.decode(),
        client.get(reverse("supervision:complaints")).content.decode(),
        _xlsx_text(client.get(reverse("supervision:complaints_export")).content),
    ]
    for text in bureau_views:
        assert "王小明" not in text and "李小红" not in text and "G0002" not in text
    assert "锦溪小学" in bureau_views[0]  # which schools were told is shown
    # told once: recording the finding cannot happen again, and telling again sends nothing
    assert services.schools_tell(complaint=complaint) == 0
    assert Message.objects.filter(kind="complaint_pupils").count() == 2


def test_an_unsubstantiated_or_other_category_complaint_tells_no_school(cw):
    complaint, _code = _submit(cw, pupils=[{"student_no": "G0001"}])
    _to_verifying(cw, complaint)
    services.complaint_record_finding(complaint=complaint, by=cw.hotline, outcome="unsubstantiated", finding="不实")
    other, _code = _submit(cw, category="pricing", pupils=[{"student_no": "G0001"}])
    _to_verifying(cw, other)
    services.complaint_record_finding(complaint=other, by=cw.hotline, outcome="substantiated", finding="属实")
    assert not Message.objects.filter(kind="complaint_pupils").exists()


# --- forced participation on the bureau's voluntariness page ------------------------------------------


def test_forced_participation_complaints_count_on_the_schools_bureau_page(cw):
    from accounts.access import actor_for

    assert "supervision.forced_participation" in COMPLAINT_COUNTS.keys()
    w = cw.w
    forced, _code = _submit(
        cw, category="forced_participation", subject_kind="school", institution_id=None, school_id=w.school_a.pk
    )
    _submit(cw, category="forced_participation", subject_kind="school", institution_id=None, school_id=w.school_a.pk)
    flags = {f.school_id: f for f in voluntariness_for_bureau(actor=actor_for(w.users.bureau))["schools"]}
    assert flags[w.school_a.pk].complaints == 2 and flags[w.school_a.pk].flagged
    assert flags[w.school_b.pk].complaints == 0
    _to_verifying(cw, forced)
    services.complaint_record_finding(complaint=forced, by=cw.hotline, outcome="unsubstantiated", finding="自愿参加")
    flags = {f.school_id: f for f in voluntariness_for_bureau(actor=actor_for(w.users.bureau))["schools"]}
    assert flags[w.school_a.pk].complaints == 1


# --- parents --------------------------------------------------------------------------------------------


def test_a_parent_files_follows_and_gets_the_reply_as_a_message(client, cw):
    w = cw.w
    client.force_login(w.users.parent_1)
    response = client.post(
        reverse("supervision:my_complaint_new"),
        {
            "category": "forced_participation",
            "subject_kind": "school",
            "school_id": w.school_a.pk,
            "description": "班主任要求必须参加课后服务。",
        },
    )
    assert response.status_code == 302
    complaint = Complaint.objects.get(complainant=w.users.parent_1)
    assert complaint.channel == "site"
    assert complaint.label in client.get(reverse("supervision:my_complaints")).content.decode()
    client.force_login(w.users.parent_2)
    assert client.get(reverse("supervision:my_complaint", args=[complaint.pk])).status_code == 404
    assert complaint.label not in client.get(reverse("supervision:my_complaints")).content.decode()
    _to_verifying(cw, complaint)
    services.complaint_record_finding(complaint=complaint, by=cw.hotline, outcome="substantiated", finding="属实")
    services.complaint_reply(complaint=complaint, by=cw.hotline, text="已责令学校改正，课后服务自愿参加。")
    message = Message.objects.get(kind="complaint_reply")
    assert message.recipient_id == w.users.parent_1.pk and "自愿参加" in message.body
    client.force_login(w.users.parent_1)
    page = client.get(reverse("supervision:my_complaint", args=[complaint.pk])).content.decode()
    assert "已责令学校改正" in page
