"""Commit-and-reveal lottery: numbers anyone can recompute from the revealed seed.

Before the preference window opens the school publishes `commitment(seed)` = sha256(seed) in
hex. At allocation it reveals `seed`; anyone checks the hash and recomputes every number:

    digest(pupil) = sha256(f"{seed}:{pupil.id}".encode("utf-8"))   (pupil id in decimal)
    lottery number = 1 + position of the pupil in his or her school when the school's pupils are
                     sorted by (digest, id), ascending.  Smaller numbers win ties.

Across schools (partner sections, siblings) the digests themselves are compared.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable

from .domain import Pupil


def new_seed() -> str:
    """A fresh unguessable seed (128 bits, hex)."""
    return secrets.token_hex(16)


def commitment(seed: str) -> str:
    """Published before the window opens; proves the seed was fixed in advance."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def verify_commitment(seed: str, published: str) -> bool:
    return secrets.compare_digest(commitment(seed), published.strip().lower())


def digest(seed: str, pupil_id: int) -> bytes:
    return hashlib.sha256(f"{seed}:{pupil_id}".encode()).digest()


def lottery_order(seed: str, pupils: Iterable[Pupil]) -> list[int]:
    """All pupil ids, best lottery first (district-wide order by digest)."""
    return [p for _d, p in sorted((digest(seed, p.id), p.id) for p in pupils)]


def lottery_numbers(seed: str, pupils: Iterable[Pupil]) -> dict[int, int]:
    """Pupil id → lottery number (1-based position inside the pupil's school)."""
    by_school: dict[int, list[tuple[bytes, int]]] = defaultdict(list)
    for p in pupils:
        by_school[p.school].append((digest(seed, p.id), p.id))
    out: dict[int, int] = {}
    for rows in by_school.values():
        for i, (_d, pid) in enumerate(sorted(rows), start=1):
            out[pid] = i
    return out
