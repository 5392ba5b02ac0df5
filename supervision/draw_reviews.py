"""The draw of course-review experts as one pure function (no Django), by the inspection draw's rule.

The rule, published with every review (anyone can re-run it from the review's frozen inputs):

1. The review commits to `sha256(seed)` (hex) before the draw (`supervision.draw.commitment_of`);
   the draw reveals `seed`, and `sha256(seed)` must equal the commitment.
2. The frozen pool is the district's active experts whose subjects include the course's subject
   area, less those with a declared conflict of interest with the course's institution.
3. Every expert of the pool gets `HMAC-SHA256(key=seed, msg="expert:<review id>:<expert id>")`
   (`supervision.draw.score`). The `n` lowest scores are drawn, in that order (n ≥ 3).
4. A further expert (a tie, or a drawn expert who recuses) is the lowest-scored expert of the same
   ranking not yet taken — so the whole sequence is fixed by the seed at the draw, and
   `manage.py review_verify REVIEW` (`verify` below) re-derives it.
"""

from __future__ import annotations

from collections.abc import Iterable

from supervision.draw import DrawError, Pick, score, verify_commitment

RULE = "hmac-sha256-lowest-experts-v1"
MIN_EXPERTS = 3


def eligible(experts: Iterable[tuple[int, Iterable[str]]], subject: str, conflicts: Iterable[int] = ()) -> list[int]:
    """The pool for a course: (id, subjects) pairs whose subjects include `subject`, less `conflicts`."""
    excluded = set(conflicts)
    return sorted({i for i, subjects in experts if subject in set(subjects) and i not in excluded})


def ranking(*, seed: str, review_id: int, pool: Iterable[int]) -> list[Pick]:
    """Every expert of the pool, lowest score first (ties, impossible in practice, fall back to the id)."""
    scored = sorted((score(seed, f"expert:{review_id}:{i}"), i) for i in set(pool))
    return [Pick(i, s) for s, i in scored]


def draw_experts(*, seed: str, review_id: int, pool: Iterable[int], n: int = MIN_EXPERTS) -> list[Pick]:
    """The first `n` of the ranking; fewer than `n` (or n < 3) refuses the draw."""
    if n < MIN_EXPERTS:
        raise DrawError("too_few_experts_asked")
    ranked = ranking(seed=seed, review_id=review_id, pool=pool)
    if len(ranked) < n:
        raise DrawError("too_few_experts")
    return ranked[:n]


def next_expert(*, seed: str, review_id: int, pool: Iterable[int], taken: Iterable[int]) -> Pick:
    """The lowest-ranked expert not yet taken (a tie's further expert, or a recusal's replacement)."""
    done = set(taken)
    for pick in ranking(seed=seed, review_id=review_id, pool=pool):
        if pick.id not in done:
            return pick
    raise DrawError("too_few_experts")


def verify(*, seed: str, commitment: str, review_id: int, pool: Iterable[int], drawn: list[int]) -> list[str]:
    """The differences between a review's drawn experts (`drawn`, by rank: the first draw, then every
    further expert) and the rule re-run on its frozen pool; [] when they agree."""
    problems = []
    if not verify_commitment(seed, commitment):
        problems.append("sha256(seed) does not equal the commitment")
    expected = [p.id for p in ranking(seed=seed, review_id=review_id, pool=pool)][: len(drawn)]
    if expected != list(drawn):
        problems.append(f"experts differ: drawn {list(drawn)}, derived {expected}")
    return problems
