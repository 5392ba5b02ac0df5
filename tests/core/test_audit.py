"""The audit log's one vocabulary: every action name written in the code is registered and follows
`<app>.<entity>.<past participle>`; recording an unregistered name fails at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.audit import ACTIONS, NAME_RE, VERBS, audit_record, validate_action
from tests.core.test_layers import APPS  # the one list of our apps, bottom to top

ROOT = Path(__file__).resolve().parents[2]
# "app.entity.verb" string literals passed as an audit action, directly or via a helper
LITERAL = re.compile(r"""(?:action=|_audit\(\s*|REAPED_ACTION = )\s*["']([a-z_]+\.[a-z_]+\.[a-z_]+)["']""")


def _names_in_code() -> set[str]:
    names = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            names |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    return names


def test_every_action_written_in_the_code_is_registered():
    names = _names_in_code()
    assert len(names) > 50, "the scan finds the audit calls"
    assert sorted(names - set(ACTIONS)) == []


def test_every_registered_name_follows_the_one_convention():
    for name in ACTIONS:
        match = NAME_RE.match(name)
        assert match is not None and match.group(1) in VERBS, name
        assert name.split(".")[0] in APPS, name


def test_recording_an_unregistered_or_malformed_name_fails(db):
    with pytest.raises(ValueError, match="not registered"):
        audit_record(action="enrollment.seat.expired")
    with pytest.raises(ValueError, match="past participle"):
        validate_action("enrollment.seat.grant")
    with pytest.raises(ValueError):
        validate_action("seat_granted")
