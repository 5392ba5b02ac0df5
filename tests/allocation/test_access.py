"""Allocation pages and API: who may run, publish and read what (another school or family: 404)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from allocation import services
from allocation.models import AllocationOutcome, AllocationRun
from tests.allocation.test_flow import SEED, alloc  # noqa: F401  (fixture)


def _urls(a, run=None):
    school, window = a.window.school_id, a.window.pk
    urls = {
        "home": reverse("allocation:home", args=[school, window]),
        "start": reverse("allocation:start", args=[school, window]),
    }
    if run is not None:
        urls["run"] = reverse("allocation:run", args=[school, window, run.pk])
        urls["publish"] = reverse("allocation:publish", args=[school, window, run.pk])
    return urls


@pytest.mark.django_db
def test_coordinator_runs_reviews_and_publishes_through_the_pages(alloc, login):  # noqa: F811
    client = login(alloc.coord)
    page = client.get(_urls(alloc)["home"])
    assert page.status_code == 200
    assert alloc.window.lottery_seed_hash in page.content.decode()
    assert client.post(_urls(alloc)["start"], {"seed": "wrong"}).status_code == 302
    assert not AllocationRun.objects.exists()
    response = client.post(_urls(alloc)["start"], {"seed": SEED})
    run = AllocationRun.objects.get()
    assert response.url == _urls(alloc, run)["run"]
    fragment = client.get(_urls(alloc, run)["run"], headers={"HX-Request": "true"})
    assert 'id="run-progress"' in fragment.content.decode() and "<html" not in fragment.content.decode()
    services.allocation_run_execute(run_id=run.pk)
    review = client.get(_urls(alloc, run)["run"]).content.decode()
    assert 'data-testid="comparison"' in review
    assert """hx-vals='{"confirmed": "yes"}'""" in review  # with JavaScript: the dialog, then confirmed
    # without JavaScript the POST first shows the question with the numbers, and publishes nothing
    asked = client.post(_urls(alloc, run)["publish"])
    assert asked.status_code == 200 and 'id="confirm-action"' in asked.content.decode()
    assert "发布分配结果？" in asked.content.decode() and 'name="confirmed" value="yes"' in asked.content.decode()
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert client.post(_urls(alloc, run)["publish"], {"confirmed": "yes"}).status_code == 302
    run.refresh_from_db()
    assert run.status == "published"


@pytest.mark.django_db
def test_coordinator_of_another_school_gets_404(alloc, login, world):  # noqa: F811
    run = services.allocation_run_request(window=alloc.window, seed=SEED, by=alloc.coord)
    services.allocation_run_execute(run_id=run.pk)
    client = login(world.users.coordinator_b)
    urls = _urls(alloc, run)
    assert client.get(urls["home"]).status_code == 404
    assert client.post(urls["start"], {"seed": SEED}).status_code == 404
    assert client.get(urls["run"]).status_code == 404
    assert client.post(urls["publish"], {"confirmed": "yes"}).status_code == 404
    # The same run under school B's id is not found either.
    other = reverse("allocation:run", args=[world.school_b.pk, alloc.window.pk, run.pk])
    assert client.get(other).status_code == 404
    api = f"/api/v1/schools/{alloc.window.school_id}/windows/{alloc.window.pk}/allocation-runs"
    assert client.post(api, {"seed": SEED}, content_type="application/json").status_code == 404
    assert client.get(f"{api}/{run.pk}").status_code == 404
    assert client.post(f"{api}/{run.pk}/publish").status_code == 404
    run.refresh_from_db()
    assert run.status == "succeeded"
    # A parent may not use coordinator pages at all.
    assert login(world.users.parent_1).get(urls["home"]).status_code == 403


@pytest.mark.django_db
def test_api_start_read_publish(alloc, login):  # noqa: F811
    client = login(alloc.coord)
    api = f"/api/v1/schools/{alloc.window.school_id}/windows/{alloc.window.pk}/allocation-runs"
    bad = client.post(api, {"seed": "wrong"}, content_type="application/json")
    assert bad.status_code == 409 and bad.json()["code"] == "allocation_seed_mismatch"
    started = client.post(api, {"seed": SEED}, content_type="application/json")
    assert started.status_code == 202, started.content
    run_id = started.json()["id"]
    services.allocation_run_execute(run_id=run_id)
    body = client.get(f"{api}/{run_id}").json()
    assert body["status"] == "succeeded" and "random_serial_dictatorship" in body["stats"]
    published = client.post(f"{api}/{run_id}/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = client.post(f"{api}/{run_id}/publish")
    assert again.status_code == 409 and again.json()["code"] == "allocation_published"
    lottery = client.get(f"/api/v1/windows/{alloc.window.pk}/lottery").json()
    assert lottery["seed"] == SEED and lottery["commitment"] == alloc.window.lottery_seed_hash


@pytest.mark.django_db
def test_parent_sees_only_their_own_childs_explanation(alloc, login, world):  # noqa: F811
    run = services.allocation_run_request(window=alloc.window, seed=SEED, by=alloc.coord)
    services.allocation_run_execute(run_id=run.pk)
    run.refresh_from_db()
    services.allocation_publish(run=run, by=alloc.coord)
    mine = AllocationOutcome.objects.get(run=run, student=alloc.child)
    theirs = AllocationOutcome.objects.get(run=run, student=alloc.others[0])
    client = login(world.users.parent_1)
    home = client.get(reverse("enrollment:parent_home")).content.decode()
    detail = client.get(reverse("enrollment:child_detail", args=[alloc.child.pk])).content.decode()
    for page in (home, detail):
        assert mine.text_zh in page or mine.text_en in page
        assert f"抽签号为{theirs.detail['lottery_number']}" not in page
    assert client.get(reverse("enrollment:child_detail", args=[alloc.others[0].pk])).status_code == 404
    assert client.get(f"/api/v1/children/{alloc.child.pk}/allocation").json()["text_zh"] == mine.text_zh
    assert client.get(f"/api/v1/children/{alloc.others[0].pk}/allocation").status_code == 404
    assert client.get(reverse("allocation:leftover", args=[alloc.others[0].pk])).status_code == 404


@pytest.mark.django_db
def test_verify_and_help_pages(alloc, login, world):  # noqa: F811
    client = login(world.users.parent_1)
    verify = reverse("allocation:verify", args=[alloc.window.pk])
    before = client.get(verify).content.decode()
    assert alloc.window.lottery_seed_hash in before and SEED not in before
    run = services.allocation_run_request(window=alloc.window, seed=SEED, by=alloc.coord)
    services.allocation_run_execute(run_id=run.pk)
    run.refresh_from_db()
    services.allocation_publish(run=run, by=alloc.coord)
    assert SEED in client.get(verify).content.decode()
    help_page = client.get(reverse("allocation:help"))
    assert help_page.status_code == 200 and "抽签" in help_page.content.decode()


@pytest.mark.django_db
def test_unplaced_pupil_gets_a_head_start_on_leftover_seats(alloc, login, world):  # noqa: F811
    from enrollment.models import Enrollment
    from tests.enrollment import factories as f

    spare = f.section(world.school_a, "书法", capacity=3)
    run = services.allocation_run_request(window=alloc.window, seed=SEED, by=alloc.coord)
    services.allocation_run_execute(run_id=run.pk)
    run.refresh_from_db()
    services.allocation_publish(run=run, by=alloc.coord)
    outcome = AllocationOutcome.objects.get(run=run, best_rank__isnull=True)
    student = outcome.student
    parent = student.family.guardians.first().user
    client = login(parent)
    page = client.get(reverse("allocation:leftover", args=[student.pk]))
    assert spare.course.title in page.content.decode()
    client.post(reverse("allocation:leftover", args=[student.pk]), {"section": spare.pk})
    assert Enrollment.objects.filter(student=student, section=spare, status="enrolled").exists()
