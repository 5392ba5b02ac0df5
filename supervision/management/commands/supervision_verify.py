"""Re-derive a published plan's draw from its public API data and compare it with what was published.

    manage.py supervision_verify PLAN                 # reads this site's public API in-process
    manage.py supervision_verify PLAN --url https://kehou.example.cn   # or any site over HTTP

Checks: sha256(seed) equals the commitment published before the draw; the pure draw
(`supervision.draw`) over the published inputs gives the same targets, in the same order, with the
same inspectors. Exits non-zero on any difference.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from supervision import draw


def fetch_public_plan(plan_id: int, url: str = "") -> dict[str, Any]:
    path = f"/api/v1/public/supervision/plans/{plan_id}"
    if url:
        with urllib.request.urlopen(url.rstrip("/") + path, timeout=30) as response:
            return json.loads(response.read().decode("utf-8"))
    from django.conf import settings
    from django.test import Client

    host = next((h for h in settings.ALLOWED_HOSTS if h and not h.startswith(".") and h != "*"), "localhost")
    response = Client(HTTP_HOST=host).get(path)
    if response.status_code != 200:
        raise CommandError(f"GET {path}: HTTP {response.status_code}")
    return response.json()


def verify(data: dict[str, Any]) -> list[str]:
    """The differences between the published draw and the draw re-run from the published inputs."""
    problems: list[str] = []
    seed = data.get("seed") or ""
    if not seed:
        return ["the plan has not been drawn yet (no seed published)"]
    if not draw.verify_commitment(seed, data["commitment"]):
        problems.append("sha256(seed) does not equal the published commitment")
    inputs = data["inputs"]
    again = draw.draw(
        seed=seed,
        population=inputs["population"],
        n=inputs["n"],
        inspectors=[(int(i), str(d)) for i, d in inputs["inspectors"]],
        per_target=inputs["per_target"],
        conflicts=[(int(a), int(b)) for a, b in inputs["conflicts"]],
    )
    published = [t["institution_id"] for t in sorted(data["targets"], key=lambda t: t["rank"])]
    derived = [p.id for p in again.targets]
    if published != derived:
        problems.append(f"targets differ: published {published}, derived {derived}")
    for target in data["targets"]:
        mine = [p.id for p in again.inspectors.get(target["institution_id"], [])]
        theirs = [i["id"] for i in target["inspectors"]]
        if mine != theirs:
            problems.append(f"inspectors of {target['institution']} differ: published {theirs}, derived {mine}")
    return problems


class Command(BaseCommand):
    help = "Re-run a published 双随机 draw from the public API and compare (exit 1 on a difference)."

    def add_arguments(self, parser):
        parser.add_argument("plan", type=int)
        parser.add_argument("--url", default="", help="base URL of the site (default: this site, in-process)")

    def handle(self, *args: Any, **options: Any) -> None:
        data = fetch_public_plan(options["plan"], options["url"])
        problems = verify(data)
        if problems:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(f"plan {options['plan']}: the draw does NOT verify")
        self.stdout.write(
            f"plan {options['plan']} verified: sha256(seed) = commitment {data['commitment'][:16]}…; "
            f"{len(data['targets'])} targets and their inspectors re-derived from "
            f"{len(data['inputs']['population'])} institutions and {len(data['inputs']['inspectors'])} inspectors"
        )
