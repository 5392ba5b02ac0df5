"""Issue 15 §3: the OpenAPI document tells the truth. Schemathesis runs in-process against the WSGI
application (no server) as a parent, a coordinator, a partner teacher and the bureau, with every
check, and must report no failure.

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


#: Left out of this run, and why: supervision's register and plan writes refuse by rules no schema can
#: state — the credit code's check characters (a field error, issue 16) and a plan's targets against its
#: frozen population (400, issue 16) — which schemathesis' positive-data check counts as lies. Their
#: inputs are still walked by tests/config/test_api_bounds.py; the conflict is noted on issues 15 and 16.
SUPERVISION_WRITES = ("/supervision/",)


def _operation_ids(role: str) -> list[str]:
    """The operations this role may use (the others answer 403 before any input is looked at, and
    the walk of tests/config/test_api_bounds.py covers their inputs): a run a quarter as long."""
    from accounts.access import ACCESS_ATTR, AUTHENTICATED, PUBLIC
    from config.api import api

    ids = []
    for _prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                access = getattr(operation.view_func, ACCESS_ATTR, None)
                if path.startswith(SUPERVISION_WRITES) and set(operation.methods) & {"POST", "PUT", "PATCH"}:
                    continue
                if access in (PUBLIC, AUTHENTICATED) or role in access:
                    ids.append(api.get_openapi_operation_id(operation))
    return ids


def _run(user, role: str, timings: dict | None = None) -> list[str]:
    import schemathesis
    from schemathesis import engine
    from schemathesis.engine import events

    from config.wsgi import application

    _in_process_transport()
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
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status.name == "FAILURE":
                        failures.append(f"{user.username} {event.recorder.label}: {check.name} {check.failure_info}")
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
    ):
        failures += _run(user, role)
    if os.environ.get("KEHOU_SCHEMATHESIS_DUMP"):
        with open(os.environ["KEHOU_SCHEMATHESIS_DUMP"], "w") as out:
            out.write("\n".join(failures))
    assert failures == [], "\n".join(failures[:40])
