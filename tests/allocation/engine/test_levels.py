"""One test per objective level, on the smallest problem where that level alone decides."""

from __future__ import annotations

import pytest

from allocation.engine import PriorityPolicy, Problem, allocate, lottery_numbers

from .conftest import pupil, sec

SEEDS = ["a", "b", "c", "d", "e", "f"]


@pytest.mark.parametrize("seed", SEEDS)
def test_level1_seat_as_many_pupils_as_possible(seed: str) -> None:
    # A would like X, but only if A takes Y can B (who ranked only X) be seated too.
    prob = Problem(pupils=(pupil(1, 10, 11), pupil(2, 10)), sections=(sec(10), sec(11)))
    res = allocate(prob, seed)
    assert res.seats == {1: (11,), 2: (10,)}


@pytest.mark.parametrize("seed", SEEDS)
def test_level2_priority_group_before_others(seed: str) -> None:
    prob = Problem(
        pupils=(pupil(1, 10), pupil(2, 10, groups=frozenset({"migrant"})), pupil(3, 10)),
        sections=(sec(10),),
    )
    assert allocate(prob, seed).seats[2] == (10,)


@pytest.mark.parametrize("seed", SEEDS)
def test_level2_school_order_decides_between_groups(seed: str) -> None:
    pupils = (
        pupil(1, 10, groups=frozenset({"left_behind"})),
        pupil(2, 10, groups=frozenset({"dual_earner"})),
    )
    default = Problem(pupils=pupils, sections=(sec(10),))
    assert allocate(default, seed).seats[1] == (10,)
    reordered = Problem(
        pupils=pupils,
        sections=(sec(10),),
        school_policies={1: PriorityPolicy(order=("dual_earner", "left_behind"))},
    )
    assert allocate(reordered, seed).seats[2] == (10,)


@pytest.mark.parametrize("seed", SEEDS)
def test_level2_missed_first_choice_last_term_first_within_group(seed: str) -> None:
    prob = Problem(
        pupils=(pupil(1, 10), pupil(2, 10, missed_first_choice_last_term=True)),
        sections=(sec(10),),
    )
    assert allocate(prob, seed).seats[2] == (10,)


@pytest.mark.parametrize("seed", SEEDS)
def test_level3_more_first_choices(seed: str) -> None:
    # Serial dictatorship with C first gives C X and leaves A its second choice.
    prob = Problem(
        pupils=(pupil(1, 10, 11), pupil(2, 11, 12), pupil(3, 10, 12)),
        sections=(sec(10), sec(11), sec(12)),
    )
    res = allocate(prob, seed)
    firsts = sum(1 for p in prob.pupils if res.seats[p.id][:1] == (p.choices[0],))
    assert firsts == 2 and all(res.seats.values())


@pytest.mark.parametrize("seed", SEEDS)
def test_level3_priority_pupil_keeps_better_rank(seed: str) -> None:
    # Both can be seated either way; the migrant pupil gets the first choice they share.
    prob = Problem(
        pupils=(pupil(1, 10, 11), pupil(2, 10, 11, groups=frozenset({"migrant"}))),
        sections=(sec(10), sec(11)),
    )
    assert allocate(prob, seed).seats == {1: (11,), 2: (10,)}


@pytest.mark.parametrize("seed", SEEDS)
def test_level4_siblings_collected_together(seed: str) -> None:
    # B and C tie on every better level; B's sister A is collected at 17:00 on Monday,
    # so B gets the section that ends then.
    prob = Problem(
        pupils=(
            pupil(1, 20, family=7, school=2),
            pupil(2, 10, 11, family=7),
            pupil(3, 10, 11),
        ),
        sections=(sec(20, cap=5), sec(10), sec(11, end=1080)),
    )
    res = allocate(prob, seed)
    assert res.seats[2] == (10,)
    assert {lv.name: lv.value for lv in res.levels}["siblings_aligned"] == 1


@pytest.mark.parametrize("seed", SEEDS)
def test_level5_lottery_breaks_remaining_ties(seed: str) -> None:
    prob = Problem(pupils=(pupil(1, 10), pupil(2, 10)), sections=(sec(10),))
    lot = lottery_numbers(seed, prob.pupils)
    winner = min(lot, key=lot.__getitem__)
    assert allocate(prob, seed).seats[winner] == (10,)


def test_lottery_winner_changes_with_seed() -> None:
    prob = Problem(pupils=(pupil(1, 10), pupil(2, 10)), sections=(sec(10),))
    winners = {next(p for p, s in allocate(prob, seed).seats.items() if s) for seed in SEEDS}
    assert winners == {1, 2}


def test_two_seats_never_overlap_and_respect_max_seats() -> None:
    prob = Problem(
        pupils=(pupil(1, 10, 11, 12, max_seats=2),),
        sections=(sec(10, cap=1), sec(11, cap=1, start=990, end=1050), sec(12, day=2)),
    )
    assert allocate(prob, "x").seats[1] == (10, 12)


@pytest.mark.parametrize("seed", SEEDS)
def test_level2_school_weights_add_up(seed: str) -> None:
    # With weights, two lesser groups together can outrank one stronger group.
    policy = PriorityPolicy(weights={"migrant": 3, "low_income": 2, "dual_earner": 2})
    prob = Problem(
        pupils=(
            pupil(1, 10, groups=frozenset({"migrant"})),
            pupil(2, 10, groups=frozenset({"low_income", "dual_earner"})),
        ),
        sections=(sec(10),),
        policy=policy,
    )
    assert allocate(prob, seed).seats[2] == (10,)


def test_second_seats_only_after_every_first_seat() -> None:
    # Pupil 1 may take two seats, but pupil 2's only seat comes first.
    prob = Problem(
        pupils=(pupil(1, 10, 11, max_seats=2), pupil(2, 11)),
        sections=(sec(10), sec(11, day=2)),
    )
    for seed in SEEDS:
        assert allocate(prob, seed).seats == {1: (10,), 2: (11,)}


def test_pupils_without_valid_choices_get_nothing_and_cost_nothing() -> None:
    prob = Problem(
        pupils=(pupil(1), pupil(2, 99), pupil(3, 10), pupil(4, 10)),
        sections=(sec(10),),
    )
    res = allocate(prob, "x", workers=2)
    assert res.seats[1] == () and res.seats[2] == ()
    assert sorted(len(s) for s in res.seats.values()) == [0, 0, 0, 1]
