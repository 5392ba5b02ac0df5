"""Two desks press "next step" at once, and the bureau clicks "open all" twice: the case moves once
(the other desk gets 409 invalid_transition) and every institution gets exactly one case — on SQLite
(IMMEDIATE transactions queue) and on PostgreSQL (row and district locks)."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from core.errors import DomainError
from supervision.models import ConversionCase, ConversionEvent, Institution
from supervision.models.conversion import Step, Target, materials_of
from supervision.services import conversion as services
from tests.supervision.conftest import build_sup, make_institution

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 6


def _together(work) -> tuple[list, list]:
    barrier = threading.Barrier(THREADS)
    results, errors, lock = [], [], threading.Lock()

    def run(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                outcome = work(n)
            except DomainError as error:
                outcome = error.code
            with lock:
                results.append(outcome)
        except BaseException as error:  # reported below
            with lock:
                errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_a_step_pressed_at_once_by_several_desks_is_taken_once():
    sup = build_sup()
    institution = make_institution(sup.district, 600, legal_form="for_profit")
    case = services.case_open(institution=institution, target=Target.NON_PROFIT)
    for m in materials_of(Target.NON_PROFIT, Step.MATERIALS):
        services.material_receive(case=case, code=m.code)
    results, errors = _together(lambda n: services.case_advance(case=case, to=Step.MATERIALS).step)
    assert errors == []
    assert sorted(results) == ["invalid_transition"] * (THREADS - 1) + ["materials"]
    assert ConversionEvent.objects.filter(case=case, kind="step").count() == 1


def test_open_all_clicked_at_once_opens_each_case_once():
    sup = build_sup()
    for n in range(8):
        make_institution(sup.district, 700 + n, legal_form="for_profit")
    results, errors = _together(lambda n: len(services.cases_open_all(district=sup.district)))
    assert errors == []
    assert sum(results) == 8 and sorted(results)[-1] == 8  # one call opened them all, the others none
    eligible = Institution.objects.filter(district=sup.district, legal_form="for_profit")
    assert ConversionCase.objects.filter(institution__in=eligible).count() == 8
