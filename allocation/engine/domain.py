"""Input and output records of the seat allocation (pure Python, no Django).

Frozen dataclasses so that a problem can be hashed, pickled to a worker process and replayed
byte-for-byte by anyone who re-runs the allocation from the revealed lottery seed. Ids are ints
(the database primary keys); the Django adapter turns rows into these records and back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: A weekly meeting: (weekday 0=Monday … 6=Sunday, start minute, end minute after midnight).
Meeting = tuple[int, int, int]

#: Policy priority groups (政策优先组), stable snake_case ids shared with the site.
POLICY_GROUPS: tuple[str, ...] = (
    "left_behind",  # 留守儿童
    "migrant",  # 随迁子女
    "disabled",  # 残疾
    "low_income",  # 家庭困难
    "dual_earner",  # 双职工
)

GROUP_TITLES_ZH: Mapping[str, str] = {
    "left_behind": "留守儿童",
    "migrant": "随迁子女",
    "disabled": "残疾儿童",
    "low_income": "家庭困难",
    "dual_earner": "双职工家庭",
    "": "普通",
}
GROUP_TITLES_EN: Mapping[str, str] = {
    "left_behind": "left-behind children",
    "migrant": "migrant workers' children",
    "disabled": "disabled children",
    "low_income": "low-income families",
    "dual_earner": "dual-earner families",
    "": "general",
}


@dataclass(frozen=True)
class Section:
    """One teaching group with a fixed weekly time; `capacity` seats are allocated."""

    id: int
    capacity: int
    meetings: frozenset[Meeting]
    school: int | None = None

    def overlaps(self, other: Section) -> bool:
        """True when a pupil could not attend both (same weekday, intervals intersect)."""
        return any(d1 == d2 and s1 < e2 and s2 < e1 for d1, s1, e1 in self.meetings for d2, s2, e2 in other.meetings)

    @property
    def pickup(self) -> frozenset[tuple[int, int]]:
        """(weekday, end minute) pairs: when a parent collects the child after this section."""
        return frozenset((d, e) for d, _s, e in self.meetings)


@dataclass(frozen=True)
class Pupil:
    """A child with ranked choices (section ids, best first) from the preference window."""

    id: int
    school: int
    grade: int
    choices: tuple[int, ...]
    family: int | None = None
    groups: frozenset[str] = frozenset()
    missed_first_choice_last_term: bool = False
    max_seats: int = 1
    submitted_at: float = 0.0  # seconds since the window opened; only the first-come baseline
    new_pupil: bool = False  # first term at the school; only the weighted-greedy baseline


@dataclass(frozen=True)
class PriorityPolicy:
    """How a school orders the policy groups.

    `order`: groups best first; a pupil stands in the best group they belong to.
    `weights`: if given, replaces `order`: standing = sum of the pupil's group weights, higher
    first. `missed_first_choice_bonus`: inside a group, pupils who missed their first choice last
    term stand before the others of the same group.
    """

    order: tuple[str, ...] = POLICY_GROUPS
    weights: Mapping[str, int] | None = None
    missed_first_choice_bonus: bool = True


@dataclass(frozen=True)
class Problem:
    """Everything the allocation needs; `school_policies` overrides `policy` per school id."""

    pupils: tuple[Pupil, ...]
    sections: tuple[Section, ...]
    policy: PriorityPolicy = field(default_factory=PriorityPolicy)
    school_policies: Mapping[int, PriorityPolicy] = field(default_factory=dict)
    titles: Mapping[int, str] = field(default_factory=dict)
    max_choices: int = 3

    def policy_for(self, school: int) -> PriorityPolicy:
        return self.school_policies.get(school, self.policy)

    def title(self, section_id: int) -> str:
        return self.titles.get(section_id, f"#{section_id}")


@dataclass(frozen=True)
class Standing:
    """A pupil's place in the priority order: smaller `key` stands first.

    `group` is the policy group that gave the standing ('' for none), shown to parents.
    """

    key: int
    group: str
    missed_bonus: bool


def standing_of(pupil: Pupil, policy: PriorityPolicy) -> Standing:
    """Standing key = 2 × group tier + (0 if missed-first-choice bonus applies else 1)."""
    if policy.weights is not None:
        score = sum(policy.weights.get(g, 0) for g in pupil.groups)
        # Higher score first; scores are small ints, so map to a non-negative tier.
        tier = max(0, 1000 - score)
        best = max(
            (g for g in pupil.groups if policy.weights.get(g, 0) > 0),
            key=lambda g: (policy.weights.get(g, 0), g),  # type: ignore[union-attr]
            default="",
        )
    else:
        tiers = [i for i, g in enumerate(policy.order) if g in pupil.groups]
        tier = min(tiers) if tiers else len(policy.order)
        best = policy.order[tier] if tiers else ""
    bonus = policy.missed_first_choice_bonus and pupil.missed_first_choice_last_term
    return Standing(key=2 * tier + (0 if bonus else 1), group=best, missed_bonus=bonus)


def valid_choices(pupil: Pupil, sections: Mapping[int, Section], max_choices: int) -> list[int]:
    """The pupil's choices that the allocation considers: known sections, no repeats, at most
    `max_choices`. Rank = position in this list + 1."""
    out: list[int] = []
    for s in pupil.choices:
        if s in sections and s not in out:
            out.append(s)
        if len(out) == max_choices:
            break
    return out


@dataclass(frozen=True)
class LevelValue:
    """The optimum of one lexicographic level, summed over components (published with result)."""

    name: str
    value: int


@dataclass(frozen=True)
class Allocation:
    """Seats per pupil (section ids in the pupil's rank order) plus what is needed to re-run."""

    method: str
    seed: str
    commitment: str
    seats: Mapping[int, tuple[int, ...]]
    lottery: Mapping[int, int]
    levels: tuple[LevelValue, ...] = ()
    components: int = 0
    seconds: float = 0.0

    def fingerprint(self) -> str:
        """sha256 over the seats in a canonical order: publish it so a re-run can be compared."""
        import hashlib

        text = ";".join(f"{p}:{','.join(map(str, s))}" for p, s in sorted(self.seats.items()) if s)
        return hashlib.sha256(f"{self.method}|{text}".encode()).hexdigest()
