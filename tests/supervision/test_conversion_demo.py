"""The demo's 转登 window: cases in several states (done with the register followed, in progress,
one overdue), the institution login's own case, and a summary equal to the cases."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.access import actor_for
from accounts.models import User
from supervision import selectors_conversion as reads
from supervision.models import ConversionCase, InstitutionChange
from supervision.models.conversion import REGISTER_AT_DONE

pytestmark = pytest.mark.django_db


def test_the_demo_window_has_cases_in_several_states(client):
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    today = timezone.localdate()
    bureau = User.objects.get(username="bureau")
    cases = list(ConversionCase.objects.select_related("institution").prefetch_related("visits"))
    deadline = reads.deadline_for(cases[0].district_id)
    done = [c for c in cases if c.is_done]
    overdue = [c for c in cases if c.is_overdue(today, deadline)]
    assert len(cases) >= 8 and len(done) >= 1 and len(overdue) == 1
    assert len({c.step for c in cases}) >= 4
    for case in done:  # the register followed, through its history
        field, value = next(iter(REGISTER_AT_DONE[case.target].items()))
        assert getattr(case.institution, field) == value
        assert InstitutionChange.objects.filter(institution=case.institution, source="conversion").exists()
    s = reads.summary(reads.cases_for_bureau(actor_for(bureau)), today=today)
    visits = [len(c.visits.all()) for c in cases]
    assert (s.total, s.done, s.in_progress, s.overdue) == (len(cases), len(done), len(cases) - len(done), 1)
    assert s.visits == sum(visits) and s.within_one == sum(v <= 1 for v in visits) < len(cases)
    own = User.objects.get(username="institution").institution_account.institution
    assert ConversionCase.objects.filter(institution=own).exists()
    client.force_login(User.objects.get(username="institution"))
    assert 'id="conversion-card"' in client.get("/institution/").content.decode()
    client.force_login(bureau)
    assert client.get("/bureau/supervision/conversion/").status_code == 200
