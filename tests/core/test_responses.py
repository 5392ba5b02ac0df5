"""Responses: `Vary: HX-Request` on pages (a cache never serves a fragment for a page), and the
site's own Chinese 404 page (the demo runs with DEBUG off, so never Django's debug page)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pages_and_their_fragments_vary_on_hx_request(client, world):
    client.force_login(world.users.coordinator_a)
    url = reverse("enrollment:school_pupils", args=[world.school_a.pk])
    page = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert page.status_code == fragment.status_code == 200
    assert len(fragment.content) < len(page.content)
    for response in (page, fragment):
        assert "HX-Request" in response["Vary"]


def test_json_answers_do_not_get_the_html_vary(client, world):
    client.force_login(world.users.parent_1)
    response = client.get("/api/v1/children")
    assert response.status_code == 200 and "HX-Request" not in response.get("Vary", "")


def test_not_found_is_the_sites_own_page_in_chinese(client, settings):
    assert settings.DEBUG is False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "未找到" in body and "Page not found at" not in body and "URLconf" not in body
