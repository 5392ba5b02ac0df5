"""Baselines the optimal allocation is measured against (and what parents are used to).

All three are serial: pupils are taken one at a time in some order, and each takes its best
still-free choices that do not clash in time, up to `max_seats`. Seats are never freed, so
every seat a pupil missed was full when the pupil's turn came (explanations hold for them too).

- `first_come`: order by `submitted_at` (the click-race), ties by lottery.
- `random_serial_dictatorship`: order by the same lottery as `allocate` (same seed).
- `weighted_greedy`: missed first choice last term, then new pupils, then younger grades,
  then lottery.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence

from .domain import Allocation, Problem, Pupil, Section, valid_choices
from .lottery import commitment, digest, lottery_numbers, lottery_order


def serial_fill(
    order: Iterable[Pupil],
    sections: Mapping[int, Section],
    max_choices: int,
    used: dict[int, int] | None = None,
) -> dict[int, tuple[int, ...]]:
    """Give each pupil in `order` its best free, non-clashing choices up to `max_seats`."""
    used = {} if used is None else used
    seats: dict[int, tuple[int, ...]] = {}
    for p in order:
        got: list[int] = []
        for s in valid_choices(p, sections, max_choices):
            if len(got) >= p.max_seats:
                break
            sec = sections[s]
            if used.get(s, 0) >= sec.capacity:
                continue
            if any(sec.overlaps(sections[g]) for g in got):
                continue
            got.append(s)
            used[s] = used.get(s, 0) + 1
        seats[p.id] = tuple(got)
    return seats


def _run(method: str, problem: Problem, seed: str, order: Sequence[Pupil]) -> Allocation:
    t0 = time.perf_counter()
    sections = {s.id: s for s in problem.sections}
    seats = serial_fill(order, sections, problem.max_choices)
    return Allocation(
        method=method,
        seed=seed,
        commitment=commitment(seed),
        seats=seats,
        lottery=lottery_numbers(seed, problem.pupils),
        seconds=time.perf_counter() - t0,
    )


def first_come(problem: Problem, seed: str = "") -> Allocation:
    """Today's click-race: earliest submission first."""
    order = sorted(problem.pupils, key=lambda p: (p.submitted_at, digest(seed, p.id), p.id))
    return _run("first_come", problem, seed, order)


def random_serial_dictatorship(problem: Problem, seed: str) -> Allocation:
    """Lottery order (the same numbers `allocate` publishes), each takes the best left."""
    by_id = {p.id: p for p in problem.pupils}
    order = [by_id[i] for i in lottery_order(seed, problem.pupils)]
    return _run("rsd", problem, seed, order)


def weighted_greedy(problem: Problem, seed: str) -> Allocation:
    """A hand-made rule many schools use: past unmet choice, new pupils, younger grades first."""
    order = sorted(
        problem.pupils,
        key=lambda p: (
            not p.missed_first_choice_last_term,
            not p.new_pupil,
            p.grade,
            digest(seed, p.id),
            p.id,
        ),
    )
    return _run("weighted_greedy", problem, seed, order)
