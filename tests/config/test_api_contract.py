"""Issue 15 §3: the OpenAPI document tells the truth. Schemathesis runs in-process against the WSGI
application (no server) as a parent, a coordinator, a partner teacher and the bureau — and as
hotline staff, a review expert, an institution and an inspector, whose operations nobody else may
use — with every check, and must report no failure. Nothing is left out.

In `make test` a short run: examples, fuzzing and stateful phases, two examples per operation, in
the PostgreSQL pass only (skipped on SQLite), so the suite stays within its time budget. The full
run adds the coverage phase (every boundary and every negative value of every parameter; minutes on
this machine): `KEHOU_SCHEMATHESIS_FULL=1` (with `KEHOU_SCHEMATHESIS_EXAMPLES=n` for more examples).
`KEHOU_SCHEMATHESIS_ANY_DB=1` runs it on SQLite too.
"""

from __future__ import annotations

import os

import pytest
from django.db import connection

from accounts.models import ApiToken

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FULL = bool(os.environ.get("KEHOU_SCHEMATHESIS_FULL"))
EXAMPLES = int(os.environ.get("KEHOU_SCHEMATHESIS_EXAMPLES", "5" if FULL else "2"))


def _in_process_transport() -> None:
    """schemathesis 4.32 passes socket options (max_redirects …) to werkzeug's in-process client in
    its stateful phase, which refuses them; drop them (they mean nothing without a socket)."""
    from schemathesis.transport.wsgi import WSGITransport

    if getattr(WSGITransport.send, "_kehou", False):
        return
    original = WSGITransport.send

    def send(self, case, *, session=None, **kwargs):
        for name in ("max_redirects", "verify", "cert", "proxies"):
            kwargs.pop(name, None)
        return original(self, case, session=session, **kwargs)

    send._kehou = True
    WSGITransport.send = send

    # Werkzeug's in-process multipart encoder drops the line break after an empty part ("fee": ""),
    # so Django reads the field as absent — a request no HTTP client sends. Encode the parts as the
    # HTTP transport does (urllib3), so the application sees what a client would send.
    from schemathesis.transport.requests import prepare_multipart_parts
    from schemathesis.transport.serialization import serialize_binary
    from schemathesis.transport.wsgi import WSGI_TRANSPORT
    from urllib3.filepost import encode_multipart_formdata

    werkzeug_multipart = WSGI_TRANSPORT._serializers["multipart/form-data"]

    def multipart(ctx, value):
        if not isinstance(value, dict):
            return werkzeug_multipart(ctx, value)
        files, data = prepare_multipart_parts(ctx, value)
        fields: list = [(name, str(v)) for name, v in (data or {}).items()]
        for name, part in files or []:
            filename, content, *content_type = part if isinstance(part, tuple) else (None, part)
            content = content if isinstance(content, str) else serialize_binary(content)
            fields.append((name, (filename, content, *content_type)) if filename or content_type else (name, content))
        body, content_type = encode_multipart_formdata(fields)
        return {"data": body, "content_type": content_type}

    WSGI_TRANSPORT._serializers["multipart/form-data"] = multipart


def _credit_codes() -> None:
    """The register's credit codes carry two check characters no pattern can state; the document
    names them as `format: credit-code`, and schemathesis draws such codes from supervision.credit_code."""
    import schemathesis
    from hypothesis import strategies as st

    from supervision import credit_code
    from supervision.schemas import CREDIT_CODE_FORMAT

    registrars = st.sampled_from([(r, k) for r, kinds in credit_code.REGISTRARS.items() for k in kinds])
    region = st.text("0123456789", min_size=6, max_size=6)
    org8 = st.text(st.sampled_from(credit_code.ALPHABET), min_size=8, max_size=8)
    codes = st.tuples(registrars, region, org8).map(lambda t: credit_code.make(t[0][0], t[0][1], t[1], t[2]))
    schemathesis.openapi.format(CREDIT_CODE_FORMAT, codes)


def _materials() -> None:
    """A course's materials are PDF, PNG or JPEG files by their bytes (the document names them
    `format: material-file`): schemathesis sends such files."""
    import schemathesis
    from hypothesis import strategies as st

    from supervision.api_reviews import MATERIAL_FILE_FORMAT

    heads = st.sampled_from([b"%PDF-1.4\n", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0"])
    files = st.tuples(heads, st.binary(min_size=1, max_size=64)).map(lambda parts: parts[0] + parts[1])
    schemathesis.openapi.format(MATERIAL_FILE_FORMAT, files)


def _more_roles(world) -> list[tuple]:
    """Hotline staff, an expert, an institution's account and an inspector of the world's district:
    the complaint workflow, the course review and the institution's pages are theirs alone."""
    from accounts.models import Role, RoleGrant, User
    from supervision.models import Expert, Inspector, InstitutionAccount
    from tests.supervision.conftest import make_institution

    def user(name: str, role: str) -> User:
        made = User.objects.create(username=name, display_name=name)
        RoleGrant.objects.create(user=made, role=role, district=world.district)
        return made

    hotline, expert, institution, inspector = (
        user("hotline", Role.HOTLINE),
        user("expert", Role.EXPERT),
        user("institution", Role.INSTITUTION),
        user("inspector", Role.INSPECTOR),
    )
    Expert.objects.create(district=world.district, user=expert, code="ZJ900", name="专家", subjects=["arts"])
    Inspector.objects.create(district=world.district, user=inspector, code="JC900", name="检查员", department="fire")
    InstitutionAccount.objects.create(user=institution, institution=make_institution(world.district, 900))
    return [(hotline, "hotline"), (expert, "expert"), (institution, "institution"), (inspector, "inspector")]


def _operation_ids(role: str) -> list[str]:
    """The operations this role may use (the others answer 403 before any input is looked at, and
    the walk of tests/config/test_api_bounds.py covers their inputs): a run a quarter as long."""
    from accounts.access import ACCESS_ATTR, AUTHENTICATED, PUBLIC
    from config.api import api

    ids = []
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                access = getattr(operation.view_func, ACCESS_ATTR, None)
                if access in (PUBLIC, AUTHENTICATED) or role in access:
                    ids.append(api.get_openapi_operation_id(operation))
    return ids


def _answer(recorder, case_id: str) -> str:
    """The server's answer to the failing case (status and the start of the body): why it refused."""
    interaction = recorder.interactions.get(case_id)
    response = interaction and interaction.response
    if response is None:
        return ""
    return f" → {response.status_code} {response.content[:300].decode('utf-8', 'replace')}"


def _run(user, role: str, timings: dict | None = None) -> list[str]:
    import schemathesis
    from schemathesis import engine
    from schemathesis.engine import events

    from config.wsgi import application

    _in_process_transport()
    _credit_codes()
    _materials()
    _token, raw = ApiToken.issue(user=user)
    config = schemathesis.Config.from_dict(
        {
            "seed": 15,
            "headers": {"Authorization": f"Bearer {raw}"},
            "max-failures": 50,
            "checks": {"enabled": True},
            "generation": {"max-examples": EXAMPLES, "deterministic": True, "no-shrink": True},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": FULL, "unexpected-methods": [], "generate-duplicate-query-parameters": False},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True, "max-steps": EXAMPLES * 4},
            },
            "suppress-health-check": ["all"],
        }
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=config)
    schema = schema.include(operation_id=_operation_ids(role))
    failures: list[str] = []
    for event in engine.from_schema(schema).execute():
        if timings is not None and isinstance(event, events.PhaseStarted | events.PhaseFinished):
            timings.setdefault(str(event.phase.name), []).append(event.timestamp)
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            for case_id, checks in event.recorder.checks.items():
                for check in checks:
                    if check.status.name == "FAILURE":
                        failures.append(
                            f"{user.username} {event.recorder.label}: {check.name} {check.failure_info}"
                            f"{_answer(event.recorder, case_id)}"
                        )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"{user.username}: error {getattr(event, 'info', None) or event.exception}")
    return failures


@pytest.mark.skipif(
    connection.vendor != "postgresql" and not os.environ.get("KEHOU_SCHEMATHESIS_ANY_DB"),
    reason="runs in the PostgreSQL pass of make test only",
)
def test_schemathesis_finds_no_failure_as_any_role(world):
    failures = []
    users = world.users
    for user, role in (
        (users.parent_1, "parent"),
        (users.coordinator_a, "coordinator"),
        (users.partner, "partner_teacher"),
        (users.bureau, "bureau"),
        *_more_roles(world),
    ):
        failures += _run(user, role)
    if os.environ.get("KEHOU_SCHEMATHESIS_DUMP"):
        with open(os.environ["KEHOU_SCHEMATHESIS_DUMP"], "w") as out:
            out.write("\n".join(failures))
    assert failures == [], "\n".join(failures[:40])
