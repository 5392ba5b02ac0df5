"""Every URL and API operation declares its audience; an undeclared one is caught."""

from __future__ import annotations

import sys
import types

import pytest
from django.http import HttpResponse
from django.urls import path

from accounts.checks import check_every_route_declares_access, iter_api_operations, iter_url_patterns, undeclared_routes
from config.api import api


def test_every_route_and_api_operation_is_declared():
    assert undeclared_routes(api=api) == []
    # and the enumeration really sees the project's routes, not an empty list
    routes = [route for route, _ns, _p in iter_url_patterns()]
    assert "family/child/<int:student_id>/" in routes
    assert any(p == "/children/{student_id}" for _m, p, _f in iter_api_operations(api))


def _undeclared_view(request):
    return HttpResponse("I forgot to say who may see me")


@pytest.fixture
def urlconf_with_undeclared_view():
    module = types.ModuleType("tests_undeclared_urls")
    from config.urls import urlpatterns

    module.urlpatterns = [*urlpatterns, path("oops/", _undeclared_view, name="oops")]
    sys.modules[module.__name__] = module
    yield module.__name__
    del sys.modules[module.__name__]


def test_an_undeclared_view_is_reported(urlconf_with_undeclared_view, settings):
    assert undeclared_routes(urlconf_with_undeclared_view) == [
        "/oops/ (tests.accounts.test_route_rules._undeclared_view)"
    ]
    settings.ROOT_URLCONF = urlconf_with_undeclared_view
    errors = check_every_route_declares_access()
    assert [e.id for e in errors] == ["kehou.E001"]
    assert "/oops/" in errors[0].msg


def test_an_undeclared_api_operation_is_reported():
    from ninja import NinjaAPI, Router

    extra_api = NinjaAPI(urls_namespace="extra-api-test")
    router = Router()

    @router.get("/leak")
    def leak(request):
        return {"everything": True}

    extra_api.add_router("/", router)
    missing = undeclared_routes(urlconf="config.urls", api=extra_api)
    assert missing == ["GET /api/v1/leak (tests.accounts.test_route_rules.leak)"]
