"""The OpenAPI document is one JSON object per mapping: no key twice (YAML readers, such as the
docs page's swagger-ui, refuse a document where ninja's int-keyed 200 meets an `openapi_extra` "200")."""

from __future__ import annotations

import json

import pytest


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    keys = [k for k, _v in pairs]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    assert duplicated == [], f"keys twice in one mapping: {duplicated}"
    return dict(pairs)


@pytest.mark.django_db
def test_the_document_has_no_key_twice(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content, object_pairs_hook=_no_duplicates)
    regulator = document["paths"]["/api/v1/regulator/{part}.{fmt}"]["get"]["responses"]
    assert "200" in regulator and "404" in regulator


def _schema_classes() -> list[type]:
    from ninja import Schema

    seen, todo = [], [Schema]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return [c for c in seen if not c.__module__.startswith(("ninja", "pydantic", "tests"))]


@pytest.mark.django_db
def test_no_two_schemas_share_a_component_name(client):
    """The document names a schema by its class name: two classes of one name (course reviews'
    MaterialOut beside conversion's) silently became one, and described one API with the other's
    fields."""
    document = client.get("/api/v1/openapi.json").json()
    names = set(document["components"]["schemas"])
    by_name: dict[str, list[str]] = {}
    for cls in _schema_classes():
        if cls.__name__ in names:
            by_name.setdefault(cls.__name__, []).append(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: where for name, where in by_name.items() if len(where) > 1}
    assert shared == {}
