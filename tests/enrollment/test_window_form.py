"""Issue 13 item 10: the window form starts with no priority groups; overlapping windows of one
school and term are refused, naming the other window."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from core.errors import DomainError
from enrollment import services
from enrollment.models import EnrollmentWindow
from tests.enrollment import factories as f
from tests.enrollment.test_views import _window_form

pytestmark = pytest.mark.django_db


def test_a_new_window_form_is_empty_and_saves_as_it_is(client, world):
    client.force_login(world.users.coordinator_a)
    school = world.school_a
    url = reverse("enrollment:window_new", args=[school.pk])
    page = client.get(url).content.decode()
    field = re.search(r'<input[^>]*name="priority_order"[^>]*>', page).group(0)
    assert "[]" not in field and 'value="' not in field.replace('value=""', "")
    assert client.post(url, _window_form(f.term_of(school), priority_order="")).status_code == 302
    assert school.windows.get().priority_order == []
    edit = client.get(reverse("enrollment:window_edit", args=[school.pk, school.windows.get().pk])).content.decode()
    assert "[]" not in re.search(r'<input[^>]*name="priority_order"[^>]*>', edit).group(0)


def test_an_overlapping_window_of_the_same_term_is_refused_naming_the_other(client, world):
    client.force_login(world.users.coordinator_a)
    school = world.school_a
    url = reverse("enrollment:window_new", args=[school.pk])
    assert client.post(url, _window_form(f.term_of(school))).status_code == 302  # 02-20 … 02-27
    body = client.post(
        url,
        _window_form(f.term_of(school), mode="first_come", opens_at="2027-02-25T08:00", closes_at="2027-03-05T20:00"),
    ).content.decode()
    assert "同一学期已有另一个报名窗口" in body and "2027-02-20 08:00" in body
    assert school.windows.count() == 1
    # right after it closes is fine
    ok = _window_form(f.term_of(school), mode="first_come", opens_at="2027-02-27T20:00", closes_at="2027-03-05T20:00")
    assert client.post(url, ok).status_code == 302
    assert school.windows.count() == 2


def test_moving_a_window_onto_another_is_refused_by_the_service(world):
    school = world.school_a
    first = f.window(school, "first_come")
    later = f.window(school, "preference", open_=False)
    data = {"term": later.term, "mode": later.mode, "opens_at": first.opens_at, "closes_at": first.closes_at}
    with pytest.raises(DomainError) as refused:
        services.window_save(school=school, by=None, data=data, window=later)
    assert refused.value.code == "window_overlaps" and refused.value.fields["window"] == first.pk
    assert EnrollmentWindow.objects.get(pk=later.pk).opens_at != first.opens_at


def test_priority_groups_by_their_names_in_either_language_and_help_in_the_readers(world):
    """The help lists the groups in the reader's language (no Chinese in English); names with spaces
    ("left-behind child") are one name, and Chinese names may also be separated by spaces."""
    from django.utils import translation

    from enrollment.forms import WindowForm

    school = world.school_a
    data = _window_form(f.term_of(school), priority_order="disabled, left-behind child；留守儿童")
    with translation.override("en"):
        form = WindowForm(data=data, school=school)
        assert "left-behind child" in str(form.fields["priority_order"].help_text)
        assert not re.search(r"[\u4e00-\u9fff]", str(form.fields["priority_order"].help_text))
        assert not form.is_valid() and "listed twice" in str(form.errors["priority_order"])
        data["priority_order"] = "disabled, left-behind child, low-income family"
        form = WindowForm(data=data, school=school)
        assert form.is_valid(), form.errors
        assert form.cleaned_data["priority_order"] == ["disabled", "left_behind", "low_income"]
    with translation.override("zh-hans"):
        data["priority_order"] = "残疾 留守儿童、家庭困难"
        form = WindowForm(data=data, school=school)
        assert form.is_valid(), form.errors
        assert form.cleaned_data["priority_order"] == ["disabled", "left_behind", "low_income"]
        assert "残疾" in str(form.fields["priority_order"].help_text)
