"""The layer contract is kept by the code, not worked around: no app reaches for a model of an app
above it through the app registry (`apps.get_model`), which import-linter cannot see."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "core",
    "accounts",
    "messaging",
    "courses",
    "partners",
    "scheduling",
    "pupils",
    "enrollment",
    "letters",
    "allocation",
    "participation",
    "supervision",
    "demo",
]
GET_MODEL = re.compile(r"\bget_models?\s*\(")  # one model or the whole registry


def test_no_app_code_uses_apps_get_model():
    offenders = []
    for app in [*APPS, "config"]:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:  # historical models in data migrations are fine
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if GET_MODEL.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_the_settings_list_the_apps_in_layer_order():
    """INSTALLED_APPS lists our apps bottom to top, the same order as the import-linter layers."""
    import tomllib

    from django.conf import settings

    ours = [a for a in settings.INSTALLED_APPS if a in APPS]
    assert ours == APPS
    layers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    layered = next(c for c in layers if c["type"] == "layers")["layers"]
    assert list(reversed(layered)) == [*APPS, "config"]


SCOPE_ATTRS = re.compile(
    r"\bactor\.(district_ids|coordinator_school_ids|family_id|provider_ids|inspector_district_ids|institution_district_ids|hotline_district_ids|expert_district_ids)\b"
)
# Where the scope ids may be read: the actor itself, its home links, and the one visible_to_* each.
SCOPE_HOMES = {
    "accounts/access.py",
    "accounts/homes.py",
    "courses/models.py",
    "pupils/models.py",
    "partners/models.py",
    "supervision/models/register.py",
    "supervision/models/reviews.py",
}


def test_each_scope_is_written_once_in_its_visible_to_queryset():
    """A parent's pupils, a coordinator's school, the bureau's schools, a partner's providers: every
    selector starts from `X.objects.visible_to_*(actor)`; no module repeats the rule."""
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = str(path.relative_to(ROOT))
            if "migrations" in path.parts or rel in SCOPE_HOMES:
                continue
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if SCOPE_ATTRS.search(line):
                    offenders.append(f"{rel}:{n}: {line.strip()}")
    assert offenders == []
    for rel in SCOPE_HOMES - {"accounts/access.py", "accounts/homes.py"}:
        text = (ROOT / rel).read_text(encoding="utf-8")
        uses = [line for line in text.splitlines() if SCOPE_ATTRS.search(line)]
        # (pupils.models.parent_family: the parent's scope as a plain value, for the first-come
        # request's statement compiled once — core.hot — read next to visible_to_parent, which uses it)
        assert uses and all("return self." in line or line == "    return actor.family_id" for line in uses), rel
