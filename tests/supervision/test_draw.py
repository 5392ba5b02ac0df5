"""The pure draw: reproducible, targets distinct, ≥ 2 inspectors from ≥ 2 departments, conflicts kept out."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from supervision.draw import DrawError, commitment_of, draw, verify_commitment

INSPECTORS = [(i, ["education", "market", "civil", "fire"][i % 4]) for i in range(1, 41)]


def test_same_seed_same_draw_other_seed_other_draw():
    a = draw(seed="s1", population=range(1, 201), n=7, inspectors=INSPECTORS)
    b = draw(seed="s1", population=reversed(range(1, 201)), n=7, inspectors=list(reversed(INSPECTORS)))
    c = draw(seed="s2", population=range(1, 201), n=7, inspectors=INSPECTORS)
    assert [t.id for t in a.targets] == [t.id for t in b.targets]
    assert a.inspectors == b.inspectors
    assert [t.id for t in a.targets] != [t.id for t in c.targets]


def test_targets_are_the_lowest_hmac_scores():
    result = draw(seed="k", population=range(1, 51), n=5, inspectors=INSPECTORS)
    by_hand = sorted(range(1, 51), key=lambda i: hmac.new(b"k", b"institution:%d" % i, hashlib.sha256).digest())
    assert [t.id for t in result.targets] == by_hand[:5]


def test_each_target_has_two_departments_and_no_conflicted_inspector():
    conflicts = [(i, t) for t in range(1, 101) for i in range(1, 20)]  # half the pool conflicted everywhere
    result = draw(seed="x", population=range(1, 101), n=10, inspectors=INSPECTORS, per_target=3, conflicts=conflicts)
    departments = dict(INSPECTORS)
    assert len({t.id for t in result.targets}) == 10
    for target in result.targets:
        picks = [p.id for p in result.inspectors[target.id]]
        assert len(picks) == len(set(picks)) == 3
        assert len({departments[p] for p in picks}) >= 2
        assert all(p >= 20 for p in picks)


def test_refusals():
    with pytest.raises(DrawError) as too_many:
        draw(seed="x", population=range(1, 6), n=6, inspectors=INSPECTORS)
    assert too_many.value.code == "too_many_targets"
    one_department = [(i, "education") for i in range(1, 10)]
    with pytest.raises(DrawError) as few:
        draw(seed="x", population=range(1, 6), n=2, inspectors=one_department)
    assert few.value.code == "too_few_inspectors" and few.value.target in range(1, 6)


def test_commitment():
    assert commitment_of("abc") == hashlib.sha256(b"abc").hexdigest()
    assert verify_commitment("abc", commitment_of("abc").upper())
    assert not verify_commitment("abd", commitment_of("abc"))
