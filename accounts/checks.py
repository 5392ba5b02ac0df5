"""System check: every URL pattern and API operation declares who may use it.

`manage.py check` (and so `make test` and start-up) fails with kehou.E001 when a view or an API
operation has no `public` / `authenticated` / `allow(...)` declaration.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core import checks
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.access import declared_access

# Django's admin checks is_staff on every view itself; its URLs are listed but not declared one by one.
SELF_GUARDED_NAMESPACES = {"admin"}
API_NAMESPACE = "api"


def iter_url_patterns(urlconf: Any = None) -> Iterator[tuple[str, str | None, URLPattern]]:
    """(route, namespace, pattern) for every leaf pattern of the URL configuration."""

    def walk(patterns: list, prefix: str, namespace: str | None) -> Iterator[tuple[str, str | None, URLPattern]]:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), entry.namespace or namespace)
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), namespace, entry

    yield from walk(get_resolver(urlconf).url_patterns, "", None)


def iter_api_operations(api: Any) -> Iterator[tuple[str, str, Any]]:
    """(methods, path, view function) for every operation of a NinjaAPI."""
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield ",".join(operation.methods), prefix.rstrip("/") + "/" + path.lstrip("/"), operation.view_func


def undeclared_routes(urlconf: Any = None, api: Any = None) -> list[str]:
    """Every route or API operation without an access declaration."""
    missing = []
    for route, namespace, pattern in iter_url_patterns(urlconf):
        if namespace in SELF_GUARDED_NAMESPACES:
            continue
        if namespace == API_NAMESPACE and declared_access(pattern.callback) is None:
            continue  # operations are checked one by one below
        if declared_access(pattern.callback) is None:
            missing.append(f"/{route} ({pattern.lookup_str})")
    if api is not None:
        for methods, path, func in iter_api_operations(api):
            if declared_access(func) is None:
                missing.append(f"{methods} /api/v1{path} ({func.__module__}.{func.__name__})")
    return missing


@checks.register(checks.Tags.security, checks.Tags.urls)
def check_every_route_declares_access(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    from django.conf import settings
    from django.utils.module_loading import import_string

    api = import_string(settings.KEHOU_API)  # named in settings, like ROOT_URLCONF
    return [
        checks.Error(
            f"{route} does not declare who may use it",
            hint="Decorate it with accounts.access.public / authenticated / allow(...) "
            "(API: accounts.api_access.api_public / api_authenticated / api_allow).",
            id="kehou.E001",
        )
        for route in undeclared_routes(api=api)
    ]
