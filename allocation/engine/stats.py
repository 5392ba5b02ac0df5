"""Quality figures of any allocation (ours or a baseline), computed from seats alone."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .domain import POLICY_GROUPS, Allocation, Problem, Section, valid_choices


@dataclass(frozen=True)
class SectionLoad:
    section_id: int
    capacity: int
    taken: int
    waitlist: int  # pupils who ranked it above their best seat (or are unplaced) and missed it
    propose_new_section: bool  # waitlist >= threshold × capacity


@dataclass(frozen=True)
class AllocationStats:
    method: str
    pupils: int
    with_choices: int
    placed: int
    unplaced: int
    first_choice_pct: float  # of pupils with choices, share holding their first choice
    # No allocation can beat this: each section gives at most `capacity` first choices, so at most
    # Σ min(capacity, first-choice requests) pupils hold their first choice (same for every method).
    first_choice_ceiling_pct: float
    mean_rank: float  # best rank held, over placed pupils
    rank_distribution: Mapping[int, int]  # best rank held -> pupils; 0 = unplaced
    unplaced_with_free_ranked_seat: int  # unplaced although a section they ranked had room
    sibling_pairs: int  # pairs of siblings who are both placed
    siblings_aligned: int
    siblings_aligned_pct: float
    first_choice_pct_by_group: Mapping[str, float]  # "" = in no policy group
    sections: tuple[SectionLoad, ...]
    sections_to_open: tuple[int, ...]
    seconds: float


def pickup_pattern(seats: Sequence[int], sections: Mapping[int, Section]) -> frozenset:
    """The set of (weekday, end minute) sets a parent must come for."""
    return frozenset(sections[s].pickup for s in seats)


def aligned(a: Sequence[int], b: Sequence[int], sections: Mapping[int, Section]) -> bool:
    """Siblings are aligned when both hold seats and are collected at the same times."""
    return bool(a) and bool(b) and pickup_pattern(a, sections) == pickup_pattern(b, sections)


def stats(problem: Problem, result: Allocation, *, waitlist_threshold: float = 0.5) -> AllocationStats:
    """All figures the bench and the bureau dashboard show for one allocation."""
    sections = {s.id: s for s in problem.sections}
    taken: Counter[int] = Counter(s for seats in result.seats.values() for s in seats)
    waitlist: Counter[int] = Counter()
    dist: Counter[int] = Counter()
    fc_by_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with_choices = placed = first = rank_sum = free_waste = 0
    first_requests: Counter[int] = Counter()
    for p in problem.pupils:
        cs = valid_choices(p, sections, problem.max_choices)
        if not cs:
            continue
        with_choices += 1
        first_requests[cs[0]] += 1
        seats = result.seats.get(p.id, ())
        ranks = [r for r, s in enumerate(cs, start=1) if s in seats]
        best = min(ranks, default=0)
        dist[best] += 1
        if best:
            placed += 1
            rank_sum += best
        got_first = 1 in ranks
        first += got_first
        for g in [g for g in POLICY_GROUPS if g in p.groups] or [""]:
            fc_by_group[g][0] += got_first
            fc_by_group[g][1] += 1
        for r, s in enumerate(cs, start=1):
            if s not in seats and (not best or r < best):
                waitlist[s] += 1
        if not best and any(taken[s] < sections[s].capacity for s in cs):
            free_waste += 1
    by_family: dict[int, list[int]] = defaultdict(list)
    for p in problem.pupils:
        if p.family is not None and result.seats.get(p.id):
            by_family[p.family].append(p.id)
    pairs = ok = 0
    for ids in by_family.values():
        ids.sort()
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                pairs += 1
                ok += aligned(result.seats[a], result.seats[b], sections)
    loads = tuple(
        SectionLoad(
            section_id=s.id,
            capacity=s.capacity,
            taken=taken[s.id],
            waitlist=waitlist[s.id],
            propose_new_section=waitlist[s.id] >= waitlist_threshold * s.capacity and waitlist[s.id] > 0,
        )
        for s in problem.sections
    )
    return AllocationStats(
        method=result.method,
        pupils=len(problem.pupils),
        with_choices=with_choices,
        placed=placed,
        unplaced=with_choices - placed,
        first_choice_pct=100.0 * first / with_choices if with_choices else 0.0,
        first_choice_ceiling_pct=(
            100.0 * sum(min(sections[s].capacity, n) for s, n in first_requests.items()) / with_choices
            if with_choices
            else 0.0
        ),
        mean_rank=rank_sum / placed if placed else 0.0,
        rank_distribution=dict(sorted(dist.items())),
        unplaced_with_free_ranked_seat=free_waste,
        sibling_pairs=pairs,
        siblings_aligned=ok,
        siblings_aligned_pct=100.0 * ok / pairs if pairs else 100.0,
        first_choice_pct_by_group={g: 100.0 * v[0] / v[1] for g, v in sorted(fc_by_group.items()) if v[1]},
        sections=loads,
        sections_to_open=tuple(sl.section_id for sl in loads if sl.propose_new_section),
        seconds=result.seconds,
    )
