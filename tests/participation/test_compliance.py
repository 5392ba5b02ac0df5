"""5+2 compliance: each rule alone on the smallest week, the warning before publishing (with the
rule's sentence), the school's page and the bureau's table; voluntariness flags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from courses.models import Course, Slot, Teacher
from enrollment.models import DismissalRules, Enrollment, RosterProposal
from participation.compliance import rules
from participation.compliance.rules import ClassHomework, Facts, ServiceDay
from participation.models import DistrictPolicy
from participation.voluntariness import COMPLAINT_COUNTS, voluntariness_for_bureau
from scheduling.models import Timetable
from scheduling.publish_checks import publish_warnings
from tests.enrollment import factories as f
from tests.scheduling.factories import add_timetable_data, make_timetable

pytestmark = pytest.mark.django_db
T = dt.time


def _week(end=T(17, 40), start=T(15, 30), days=range(5)) -> Facts:
    return Facts(
        days={d: ServiceDay(d, start, end) for d in days},
        off_work=T(17, 30),
        classes=[ClassHomework("三年级（1）班", 40, 45, True)],
        extended_until=T(18, 30),
    )


def test_a_compliant_week_has_no_findings():
    assert rules.evaluate(_week()) == []


@pytest.mark.parametrize(
    ("facts", "rule_id"),
    [
        (_week(days=range(4)), "five_days"),
        (_week(start=T(16, 0), end=T(17, 40)), "two_hours"),
        (_week(start=T(15, 0), end=T(17, 0)), "ends_after_work"),
        (
            Facts(days=_week().days, classes=[ClassHomework("三年级（1）班", 50, 45, True)], extended_until=T(18, 0)),
            "homework_for_all",
        ),
        (
            Facts(days=_week().days, classes=[ClassHomework("三年级（2）班", 40, 0, False)], extended_until=T(18, 0)),
            "homework_for_all",
        ),
        (Facts(days=_week().days, classes=[], extended_until=None), "extended_care"),
    ],
)
def test_each_rule_alone_decides(facts, rule_id):
    assert [f.rule_id for f in rules.evaluate(facts)] == [rule_id]


def test_rule_sentences_are_in_chinese_with_the_off_work_time():
    with translation.override("zh-hans"):
        [finding] = rules.evaluate(_week(start=T(15, 0), end=T(17, 0)))
        assert finding.sentence == "课后服务结束时间不早于当地正常下班时间（17:30）。"
        assert finding.details[0] == "周一 17:00 结束。"


@pytest.fixture
def early(world):
    """School A: a draft whose every day ends at 17:00 (session 2 moved to 16:00–17:00)."""
    tt = add_timetable_data(world)
    Slot.objects.filter(school=world.school_a, session=1).update(start=T(15, 0), end=T(16, 0))
    Slot.objects.filter(school=world.school_a, session=2).update(start=T(16, 0), end=T(17, 0))
    s, r, (zhang, li, wang) = tt.slots, tt.rooms, tt.teachers
    rows = []
    for day in range(5):
        rows.append((tt.homework[0], day, s[day, 1], r[0], li))
        rows.append((tt.homework[1], day, s[day, 1], r[1], wang))
    rows += [(world.section_a, m, s[day, 2], r[0], zhang) for m, day in enumerate((0, 2, 4))]
    rows += [(tt.clubs[1], 0, s[1, 2], r[1], wang), (tt.clubs[1], 1, s[3, 2], r[1], wang)]
    Course.objects.filter(sections=tt.homework[0]).update(meetings_per_week=5)
    Course.objects.filter(sections=world.section_a).update(meetings_per_week=3)
    Teacher.objects.filter(school=world.school_a).update(max_periods_week=10)
    draft = make_timetable(school=world.school_a, term=tt.term, rows=rows)
    pupils = f.pupils(10, world.school_a, world.class_a, prefix="H")
    pupils += f.pupils(10, world.school_a, tt.class_2, prefix="K")
    DismissalRules.objects.create(school=world.school_a, extended_until=T(18, 30))
    DistrictPolicy.objects.create(district=world.district, off_work_time=T(17, 30))
    return tt, draft


def test_a_timetable_ending_at_17_is_flagged_before_publish_and_listed_for_the_bureau(client, world, early):
    _tt, draft = early
    from scheduling import services as scheduling_services

    assert scheduling_services.timetable_rescore(timetable=draft).hard_violations == 0, draft.hard_by_rule
    warnings = publish_warnings(draft)
    assert [w.rule_id for w in warnings] == ["ends_after_work"]
    client.force_login(world.users.coordinator_a)
    url = reverse("scheduling:publish", args=[world.school_a.pk, draft.pk])
    page = client.get(url).content.decode()
    assert "课后服务结束时间不早于当地正常下班时间（17:30）。" in page
    assert "周一 17:00 结束。" in page and "仍然发布" in page
    draft.refresh_from_db()
    assert draft.status == "draft"  # the confirmation writes nothing
    assert client.post(url).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "published"  # a warning never blocks
    page = client.get(reverse("participation:school_compliance", args=[world.school_a.pk])).content.decode()
    assert "课后服务结束时间不早于当地正常下班时间（17:30）。" in page
    client.force_login(world.users.bureau)
    page = client.get(reverse("participation:bureau_compliance")).content.decode()
    row = page[page.index(f'id="compliance-{world.school_a.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'class="flagged"' in row and 'data-rule="ends_after_work"><span class="warn-text"' in row
    assert 'data-rule="five_days"><span class="ok-text"' in row
    assert "学生H0" not in page  # no names


def test_the_district_setting_decides(client, world, early):
    _tt, draft = early
    DistrictPolicy.objects.filter(district=world.district).update(off_work_time=T(17, 0))
    assert publish_warnings(draft) == []


def test_homework_for_every_class_and_extended_care_come_from_the_apps_above(world, early):
    tt, draft = early
    draft.placements.filter(section=tt.homework[1]).delete()
    DismissalRules.objects.filter(school=world.school_a).update(extended_until=None)
    found = {w.rule_id: w.details for w in publish_warnings(draft)}
    assert set(found) == {"ends_after_work", "homework_for_all", "extended_care"}
    assert (
        found["homework_for_all"] == ["三年级（2）班: no homework help in the timetable."]
        or "2" in found["homework_for_all"][0]
    )


def test_compliance_pages_are_scoped(client, world, early):
    client.force_login(world.users.coordinator_b)
    assert client.get(reverse("participation:school_compliance", args=[world.school_a.pk])).status_code == 404
    client.force_login(world.users.parent_1)
    assert client.get(reverse("participation:bureau_compliance")).status_code == 403


def test_a_school_without_a_published_timetable_is_listed(client, world):
    client.force_login(world.users.bureau)
    page = client.get(reverse("participation:bureau_compliance")).content.decode()
    assert f'id="compliance-{world.school_a.pk}" class="flagged"' in page


# --- voluntariness -------------------------------------------------------------------------------


def test_near_universal_participation_without_exits_and_complaints_are_flagged(client, world):
    a = world.school_a
    pupils = f.pupils(30, a, world.class_a, prefix="V")
    club = f.section(a, "合唱", capacity=40)
    for p in pupils:
        Enrollment.objects.create(student=p, section=club, status="enrolled")
    from accounts.access import actor_for

    actor = actor_for(world.users.bureau)
    flags = {s.school_id: s for s in voluntariness_for_bureau(actor=actor)["schools"]}
    assert flags[a.pk].rate == 100.0 and flags[a.pk].near_universal
    assert not flags[world.school_b.pk].near_universal  # too few pupils to say
    # one family declining a proposal is a sign of real choice
    RosterProposal.objects.create(student=pupils[0], section=world.section_a, reason="x", status="declined")
    flags = {s.school_id: s for s in voluntariness_for_bureau(actor=actor)["schools"]}
    assert not flags[a.pk].near_universal and flags[a.pk].left == 1
    # the supervision app's complaint counts plug in through the extension point
    COMPLAINT_COUNTS.register(lambda ids: {world.school_b.pk: 2}, key="tests.complaints")
    try:
        flags = {s.school_id: s for s in voluntariness_for_bureau(actor=actor)["schools"]}
        assert flags[world.school_b.pk].complaints == 2 and flags[world.school_b.pk].flagged
        client.force_login(world.users.bureau)
        page = client.get(reverse("participation:bureau_home")).content.decode()
        assert f'id="voluntariness-{world.school_b.pk}"' in page
    finally:
        COMPLAINT_COUNTS._items = [i for i in COMPLAINT_COUNTS._items if i[1] != "tests.complaints"]


def test_the_publish_confirmation_needs_the_coordinator(client, world, early):
    _tt, draft = early
    client.force_login(world.users.coordinator_b)
    assert client.get(reverse("scheduling:publish", args=[world.school_a.pk, draft.pk])).status_code == 404
    assert Timetable.objects.get(pk=draft.pk).status == "draft"
