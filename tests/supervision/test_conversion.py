"""转登 one-stop window: steps in order per target, materials gate each step, the register follows at
done, the summary equals the cases, districts are kept apart."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import DomainError
from core.models import AuditEvent
from supervision import selectors_conversion as reads
from supervision.models import ConversionCase, ConversionEvent, Institution, InstitutionChange
from supervision.models.conversion import MATERIALS, PATHS, Step, Target, materials_of
from supervision.services import conversion as services
from tests.supervision.conftest import make_institution

pytestmark = pytest.mark.django_db
FOR_PROFIT = {"legal_form": Institution.LegalForm.FOR_PROFIT}


def _for_profit(sup, n: int, **over) -> Institution:
    return make_institution(sup.district, 100 + n, name=f"营利机构{n:02d}", **{**FOR_PROFIT, **over})


def _receive_all(case, step: str) -> None:
    for m in materials_of(case.target, step):
        services.material_receive(case=case, code=m.code)


def _walk(case, *, until: str = Step.DONE) -> ConversionCase:
    """Take every step (with its materials) up to `until`."""
    case.refresh_from_db()
    while case.step != until:
        following = case.next_step
        _receive_all(case, following)
        case = services.case_advance(case=case, to=following)
    return case


def test_the_step_list_is_data_per_target():
    assert PATHS[Target.NON_PROFIT] == (
        "intake",
        "materials",
        "licence_reissued",
        "civil_registered",
        "business_cancelled",
        "done",
    )
    assert Step.CIVIL_REGISTERED not in PATHS[Target.DEREGISTER]  # no civil-affairs registration
    assert Step.LICENCE_CANCELLED in PATHS[Target.DEREGISTER] and Step.BUSINESS_CANCELLED in PATHS[Target.DEREGISTER]
    assert Step.BUSINESS_CHANGED in PATHS[Target.NON_SUBJECT]
    for target, path in PATHS.items():
        assert path[0] == Step.INTAKE and path[-1] == Step.DONE
        assert all(m.step in path and m.step != Step.INTAKE for m in MATERIALS[target])  # every gate reachable
        assert len({m.code for m in MATERIALS[target]}) == len(MATERIALS[target])


def test_only_for_profit_subject_institutions_get_one_case_each(sup):
    fp = _for_profit(sup, 1)
    case = services.case_open(institution=fp, target=Target.NON_PROFIT, by=sup.bureau)
    assert (case.step, case.holder) == (Step.INTAKE, "education")
    with pytest.raises(DomainError) as caught:
        services.case_open(institution=fp, target=Target.DEREGISTER)
    assert caught.value.code == "conversion_case_exists" and caught.value.status == 409
    for institution in (
        sup.institutions[0],  # non-profit
        _for_profit(sup, 2, kind=Institution.Kind.NON_SUBJECT),
        _for_profit(sup, 3, status=Institution.Status.CLOSED),
    ):
        with pytest.raises(DomainError) as caught:
            services.case_open(institution=institution)
        assert caught.value.code == "conversion_not_eligible"
    with pytest.raises(DomainError) as caught:
        services.case_open(institution=_for_profit(sup, 4), target="sideways")
    assert caught.value.code == "validation_error"
    assert ConversionCase.objects.count() == 1
    assert AuditEvent.objects.filter(action="supervision.conversion_case.created").count() == 1


def test_open_all_is_idempotent_and_stays_in_its_district(sup):
    mine = [_for_profit(sup, n) for n in range(5)]
    services.case_open(institution=mine[0], target=Target.DEREGISTER)
    make_institution(sup.other, 300, name="邻区营利机构", **FOR_PROFIT)
    opened = services.cases_open_all(district=sup.district, target=Target.NON_PROFIT, by=sup.bureau)
    assert sorted(c.institution_id for c in opened) == sorted(i.pk for i in mine[1:])
    assert services.cases_open_all(district=sup.district) == []
    assert ConversionCase.objects.filter(district=sup.district).count() == 5
    assert not ConversionCase.objects.filter(district=sup.other).exists()
    assert ConversionCase.objects.get(institution=mine[0]).target == Target.DEREGISTER  # untouched


def test_steps_are_taken_in_order_only(sup):
    case = services.case_open(institution=_for_profit(sup, 1), target=Target.NON_PROFIT)
    _receive_all(case, Step.MATERIALS)
    for wrong in (Step.LICENCE_REISSUED, Step.DONE, Step.INTAKE, Step.LICENCE_CANCELLED, "nonsense"):
        with pytest.raises(DomainError) as caught:
            services.case_advance(case=case, to=wrong)
        assert caught.value.code == "invalid_transition" and caught.value.status == 409
    case = services.case_advance(case=case, to=Step.MATERIALS)
    with pytest.raises(DomainError) as caught:  # the same step twice (a double click) is refused
        services.case_advance(case=case, to=Step.MATERIALS)
    assert caught.value.code == "invalid_transition"
    case.refresh_from_db()
    assert case.step == Step.MATERIALS


def test_a_step_with_missing_materials_is_refused_naming_them(sup):
    case = services.case_open(institution=_for_profit(sup, 1), target=Target.NON_PROFIT)
    gate = materials_of(Target.NON_PROFIT, Step.MATERIALS)
    for m in gate[:-2]:
        services.material_receive(case=case, code=m.code)
    with pytest.raises(DomainError) as caught:
        services.case_advance(case=case, to=Step.MATERIALS)
    assert caught.value.code == "conversion_materials_missing" and caught.value.status == 409
    from django.utils import translation

    for language in ("en", "zh-hans"):  # named in the reader's language
        message = caught.value.message(language)
        with translation.override(language):
            for m in gate[-2:]:
                assert str(m.label) in message
            for m in gate[:-2]:
                assert str(m.label) not in message
    case.refresh_from_db()
    assert case.step == Step.INTAKE
    with pytest.raises(DomainError) as caught:  # a material of another target's checklist
        services.material_receive(case=case, code="civil_certificate_x")
    assert caught.value.code == "conversion_material_unknown" and caught.value.status == 409


@pytest.mark.parametrize(
    ("target", "field", "after"),
    [
        (Target.NON_PROFIT, "legal_form", "non_profit"),
        (Target.NON_SUBJECT, "kind", "non_subject"),
        (Target.DEREGISTER, "status", "closed"),
    ],
)
def test_at_done_the_register_follows_through_its_history(sup, target, field, after):
    institution = _for_profit(sup, 1, status=Institution.Status.CONVERTING)
    case = services.case_open(institution=institution, target=target, by=sup.bureau)
    case = _walk(case, until=PATHS[target][-2])
    institution.refresh_from_db()
    assert getattr(institution, field) != after  # nothing changes before done
    case = services.case_advance(case=case, to=Step.DONE, by=sup.bureau)
    institution.refresh_from_db()
    assert getattr(institution, field) == after
    change = InstitutionChange.objects.filter(institution=institution, source="conversion").get()
    assert change.after[field] == after and change.by == sup.bureau
    if target != Target.DEREGISTER:
        assert institution.status == Institution.Status.OPERATING and change.after["status"] == "operating"
    assert case.done_at is not None and case.holder == ""
    assert AuditEvent.objects.filter(action="supervision.conversion_case.closed", object_id=str(case.pk)).exists()
    with pytest.raises(DomainError) as caught:
        services.material_receive(case=case, code=MATERIALS[target][0].code)
    assert caught.value.code == "conversion_case_done"


def test_target_changes_only_at_intake_and_the_checklist_follows(sup):
    case = services.case_open(institution=_for_profit(sup, 1), target=Target.NON_PROFIT)
    case = services.case_set_target(case=case, target=Target.DEREGISTER)
    assert case.steps == PATHS[Target.DEREGISTER]
    with pytest.raises(DomainError):
        services.material_receive(case=case, code="charter")  # non-profit only
    _receive_all(case, Step.MATERIALS)
    case = services.case_advance(case=case, to=Step.MATERIALS)
    with pytest.raises(DomainError) as caught:
        services.case_set_target(case=case, target=Target.NON_PROFIT)
    assert caught.value.code == "conversion_target_locked"


def test_visits_are_counted_and_bad_dates_refused(sup):
    case = services.case_open(institution=_for_profit(sup, 1))
    today = dt.date.today()
    services.visit_record(case=case, visited_on=today, purpose="递交全部材料", today=today)
    with pytest.raises(DomainError) as caught:
        services.visit_record(case=case, visited_on=today + dt.timedelta(days=1), purpose="x", today=today)
    assert "visited_on" in caught.value.fields
    with pytest.raises(DomainError) as caught:
        services.visit_record(case=case, visited_on="2026-13-01", purpose="  ", today=today)
    assert set(caught.value.fields) == {"visited_on", "purpose"}
    assert case.visits.count() == 1
    assert ConversionEvent.objects.filter(case=case, kind="visit").count() == 1


def test_the_summary_equals_the_cases(sup):
    today = dt.date(2026, 12, 10)
    services.setting_update(district=sup.district, deadline=dt.date(2026, 12, 1), by=sup.bureau)
    cases = [services.case_open(institution=_for_profit(sup, n), target=list(Target)[n % 3]) for n in range(7)]
    _walk(cases[0])
    _walk(cases[1])
    _walk(cases[2], until=Step.MATERIALS)
    for case, n in ((cases[0], 1), (cases[1], 3), (cases[2], 2), (cases[3], 1)):
        for k in range(n):
            services.visit_record(case=case, visited_on=today - dt.timedelta(days=k), purpose="窗口办理", today=today)
    # an extension is the case's own deadline: one still running, one itself passed
    services.case_extend(case=cases[4], extended_to=dt.date(2026, 12, 20), reason="等待清税证明", by=sup.bureau)
    services.case_extend(case=cases[5], extended_to=dt.date(2026, 12, 5), reason="补正材料", by=sup.bureau)
    # another district's cases, overdue too, never counted here
    services.setting_update(district=sup.other, deadline=dt.date(2026, 11, 1))
    services.case_open(institution=make_institution(sup.other, 301, **FOR_PROFIT))
    from accounts.access import actor_for

    qs = reads.cases_for_bureau(actor_for(sup.bureau))
    s = reads.summary(qs, today=today)
    rows = list(ConversionCase.objects.filter(district=sup.district).prefetch_related("visits"))
    deadline = dt.date(2026, 12, 1)
    visits = [len(c.visits.all()) for c in rows]
    assert s.total == len(rows) == 7
    assert s.done == sum(c.step == Step.DONE for c in rows) == 2
    assert s.in_progress == sum(c.step != Step.DONE for c in rows) == 5
    assert s.overdue == sum(c.is_overdue(today, deadline) for c in rows) == 4
    assert s.visits == sum(visits) == 7
    assert s.mean_visits == round(sum(visits) / len(rows), 2) == 1.0
    assert s.within_one == sum(v <= 1 for v in visits) == 5
    assert s.share_within_one == round(100 * 5 / 7, 1)
    assert sum(s.by_step.values()) == s.total
    # the same rule as the list filters
    for state, expected in (("done", s.done), ("in_progress", s.in_progress), ("overdue", s.overdue)):
        filtered, _f = reads.filter_cases(qs, {"state": state}, today=today)
        assert filtered.count() == expected
    # before the deadline nothing is overdue; without a district deadline only the passed extension
    assert reads.summary(qs, today=deadline).overdue == 0
    services.setting_update(district=sup.district, deadline=None)
    assert reads.summary(qs, today=today).overdue == 1
    services.case_extend(case=cases[5], extended_to=None, by=sup.bureau)  # withdrawn
    assert reads.summary(qs, today=today).overdue == 0
    with pytest.raises(DomainError) as caught:
        services.case_extend(case=cases[5], extended_to=dt.date(2027, 1, 1), reason=" ")
    assert "reason" in caught.value.fields
    assert reads.summary(qs.none()).mean_visits is None


def test_history_records_every_event_in_order(sup):
    case = services.case_open(institution=_for_profit(sup, 1), target=Target.DEREGISTER, by=sup.bureau)
    services.visit_record(case=case, visited_on=dt.date.today(), purpose="受理", by=sup.bureau)
    _walk(case, until=Step.MATERIALS)
    kinds = list(case.events.order_by("at", "id").values_list("kind", flat=True))
    n = len(materials_of(Target.DEREGISTER, Step.MATERIALS))
    assert kinds == ["opened", "visit", *["material"] * n, "step"]
    detail = reads.case_detail(ConversionCase.objects.get(pk=case.pk))
    assert [s.state for s in detail["steps"]] == ["done", "current", "next", "todo", "todo"]
    assert [m["code"] for m in detail["missing"]] == ["licence_cancellation"]
    assert len(detail["events"]) == len(kinds)
