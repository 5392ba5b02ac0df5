"""The 双随机 draw as one pure function (no Django): the site, `supervision_verify` and the bench share it.

The rule, published with every plan (anyone can re-run it from the public API's data):

1. The plan commits to `sha256(seed)` (hex) before the draw; the draw reveals `seed`, and
   `sha256(seed)` must equal the commitment.
2. Every institution id of the frozen population gets the score
   `HMAC-SHA256(key=seed, msg="institution:<id>")` (hex). The `n` lowest scores are the targets,
   in that order (ties cannot happen in practice; they fall back to the id).
3. For each target, in order, every inspector of the frozen pool without a declared conflict of
   interest with it gets `HMAC-SHA256(key=seed, msg="inspector:<target id>:<inspector id>")`.
   The lowest is taken first; then the lowest from another department; then the lowest of the
   rest until `per_target` inspectors are taken. Fewer than `per_target` eligible inspectors, or
   fewer than two departments among them, refuses the draw naming that target.
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

RULE = "hmac-sha256-lowest-v1"


class DrawError(Exception):
    """The draw cannot be made; `code` is a stable key, `target` the institution it stopped at."""

    def __init__(self, code: str, target: int | None = None) -> None:
        self.code = code
        self.target = target
        super().__init__(f"{code} (target {target})" if target is not None else code)


@dataclass(frozen=True)
class Pick:
    id: int
    score: str


@dataclass
class Drawn:
    targets: list[Pick] = field(default_factory=list)
    inspectors: dict[int, list[Pick]] = field(default_factory=dict)  # target id -> picks


def commitment_of(seed: str) -> str:
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def verify_commitment(seed: str, commitment: str) -> bool:
    return hmac.compare_digest(commitment_of(seed), (commitment or "").strip().lower())


def score(seed: str, message: str) -> str:
    return hmac.digest(seed.encode("utf-8"), message.encode("utf-8"), "sha256").hex()


def draw(
    *,
    seed: str,
    population: Iterable[int],
    n: int,
    inspectors: Iterable[tuple[int, str]],
    per_target: int = 2,
    conflicts: Iterable[tuple[int, int]] = (),
    min_departments: int = 2,
) -> Drawn:
    """Targets and their inspectors by the rule above. `inspectors` are (id, department) pairs,
    `conflicts` (inspector id, institution id) pairs."""
    ids = sorted(set(population))
    if n < 1 or n > len(ids):
        raise DrawError("too_many_targets" if n > len(ids) else "no_targets")
    if per_target < 2:
        raise DrawError("per_target")
    key = seed.encode("utf-8")
    digest = hmac.digest
    scored = heapq.nsmallest(n, ((digest(key, b"institution:%d" % i, "sha256"), i) for i in ids))
    pool = sorted(set(inspectors))
    conflicted: dict[int, set[int]] = {}
    for inspector_id, institution_id in conflicts:
        conflicted.setdefault(institution_id, set()).add(inspector_id)
    result = Drawn(targets=[Pick(i, s.hex()) for s, i in scored])
    for _s, target in scored:
        excluded = conflicted.get(target, set())
        prefix = b"inspector:%d:" % target
        ranked = sorted(
            (digest(key, prefix + b"%d" % inspector_id, "sha256"), inspector_id, department)
            for inspector_id, department in pool
            if inspector_id not in excluded
        )
        if len(ranked) < per_target or len({d for _s2, _i, d in ranked}) < min_departments:
            raise DrawError("too_few_inspectors", target)
        first = ranked[0]
        second = next(r for r in ranked[1:] if r[2] != first[2])
        picks = [first, second]
        for entry in ranked[1:]:
            if len(picks) >= per_target:
                break
            if entry is not second:
                picks.append(entry)
        result.inspectors[target] = [Pick(i, s.hex()) for s, i, _d in picks]
    return result
