"""Issue 15: every operation of the API document refuses out-of-range integers, NUL, a lone surrogate
and over-long text with 422 — never a 500, never a 2xx. Generic over the OpenAPI document: a new
operation is walked without touching this file, and an unbounded integer, string or list fails here.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from accounts.models import ApiToken

pytestmark = pytest.mark.django_db

TOO_BIG = 2**63
TOO_SMALL = -(2**63) - 1


def _resolve(doc: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = {**doc["components"]["schemas"][name], **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _choices(doc: dict, schema: dict) -> list[dict]:
    """The alternatives of a schema (anyOf/oneOf), nulls left out."""
    schema = _resolve(doc, schema)
    alts = schema.get("anyOf") or schema.get("oneOf")
    if alts and "properties" in schema:  # an object's anyOf states which fields it needs (PlanIn)
        base = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
        return [{**base, "required": [*base.get("required", []), *alt.get("required", [])]} for alt in alts]
    if alts:
        return [c for alt in alts for c in _choices(doc, alt) if c.get("type") != "null"]
    return [schema]


def _sample(doc: dict, schema: dict) -> Any:
    """A valid value (the smallest that obviously fits)."""
    schema = _choices(doc, schema)[0]
    if schema.get("examples"):  # a format no pattern states (a credit code's check characters)
        return schema["examples"][0]
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if kind == "array":
        return [_sample(doc, schema["items"])] * schema.get("minItems", 0)
    if kind == "object":
        props = schema.get("properties", {})
        return {k: _sample(doc, props[k]) for k in schema.get("required", [])}
    if schema.get("format") == "date":
        return "2026-09-01"
    if schema.get("format") == "date-time":
        return "2026-09-01T08:00:00+08:00"
    return "a" * max(1, schema.get("minLength", 1))


def _bad_values(doc: dict, schema: dict, where: str, *, in_json: bool) -> list[tuple[str, Any]]:
    """(what, value) pairs that must each be refused; fails when the schema leaves a leaf unbounded."""
    out: list[tuple[str, Any]] = []
    for alt in _choices(doc, schema):
        kind = alt.get("type")
        if "enum" in alt or "const" in alt:
            out += [("NUL", "\x00"), ("not a choice", "x" * 200)]
        elif kind == "integer":
            assert "maximum" in alt and "minimum" in alt, f"{where}: integer without bounds"
            out += [("above max", alt["maximum"] + 1), ("below min", alt["minimum"] - 1)]
            out += [("2**63", TOO_BIG), ("-2**63-1", TOO_SMALL)]
        elif kind == "number":
            out += [("1e300", 1e300), ("-1e300", -1e300)]
        elif kind == "string":
            fmt = alt.get("format")
            if fmt not in ("date", "date-time", "time", "decimal"):
                assert "maxLength" in alt, f"{where}: string without maxLength"
                out.append(("over-long", "x" * (alt["maxLength"] + 1)))
            out.append(("NUL", "a\x00b"))
            if in_json:
                out.append(("lone surrogate", "\ud800"))
        elif kind == "array":
            assert "maxItems" in alt, f"{where}: list without maxItems"
            out.append(("too many items", [_sample(doc, alt["items"])] * (alt["maxItems"] + 1)))
            out += [
                (f"item {what}", [bad]) for what, bad in _bad_values(doc, alt["items"], where + "[]", in_json=in_json)
            ]
    return out


def _operations(doc: dict):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, op


def test_every_operation_refuses_unbounded_input_with_422(world):
    client = Client(raise_request_exception=False)
    doc = client.get("/api/v1/openapi.json").json()
    _token, raw = ApiToken.issue(user=world.users.bureau)
    auth = {"Authorization": f"Bearer {raw}"}
    walked, failures = 0, []
    for path, method, op in _operations(doc):
        params = op.get("parameters", [])
        valid = {p["name"]: _sample(doc, p["schema"]) for p in params}
        body_schema = None
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            body_schema = _resolve(doc, content["application/json"]["schema"])
        body = _sample(doc, body_schema) if body_schema else None

        def send(values: dict, payload: Any, _path=path, _method=method, _params=params) -> int:
            url = _path
            query, headers = {}, dict(auth)
            for p in _params:
                value = values[p["name"]]
                if p["in"] == "path":
                    url = url.replace("{" + p["name"] + "}", str(value).replace("\x00", "%00"))
                elif p["in"] == "query":
                    query[p["name"]] = value
                elif p["in"] == "header":
                    headers[p["name"]] = value
            if query:
                url += "?" + urlencode(query, doseq=True)
            data = json.dumps(payload) if payload is not None else ""
            response = client.generic(_method.upper(), url, data, content_type="application/json", headers=headers)
            return response.status_code

        cases: list[tuple[str, int]] = []
        if body_schema:  # a body that is not a JSON object is refused (400), never read as "no fields"
            status = send(valid, [None, None])
            if status != 400:
                failures.append(f"{method.upper()} {path} body [null, null] → {status}")
        for p in params:
            for what, bad in _bad_values(doc, p["schema"], f"{method} {path} {p['name']}", in_json=False):
                cases.append((f"{p['in']} {p['name']}: {what}", send({**valid, p["name"]: bad}, body)))
        # a body of alternatives (a discriminated union: oneOf) is walked in each of them
        variants = [] if not body_schema else [body_schema] if "properties" in body_schema else []
        for alt in [] if not body_schema or variants else body_schema.get("oneOf") or body_schema.get("anyOf") or []:
            variants.append(_resolve(doc, alt))
        for variant in variants:
            base = _sample(doc, variant)
            for name, prop in variant.get("properties", {}).items():
                for what, bad in _bad_values(doc, prop, f"{method} {path} body.{name}", in_json=True):
                    cases.append((f"body {variant.get('title', '')} {name}: {what}", send(valid, {**base, name: bad})))
        for what, status in cases:
            walked += 1
            if status != 422:
                failures.append(f"{method.upper()} {path} {what} → {status}")
    assert walked > 100
    assert failures == [], "\n".join(failures)
