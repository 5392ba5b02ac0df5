"""Seat allocation after the preference window: pure Python + OR-Tools, no Django.

Objective (lexicographic: each level is optimised with every earlier level held at its optimum)

1. ``seated``: as many pupils as possible get at least one seat.
2. ``seated[standing=k]``: then, standing by standing (best first), as many pupils of that
   standing as possible are seated. Standing = the school's priority-group order (or weights);
   inside a group, pupils who missed their first choice last term stand first.
3. ``rank[standing=k,rank=r]``: rank welfare, standing by standing and, inside a standing, the
   number of seats at choice 1, then at choice 2, … Consequence: no pupil holds a worse choice
   where a better one was possible without making someone of equal or higher standing worse
   off or seating fewer pupils.
4. ``siblings_aligned``: the number of sibling pairs (also across schools) who are both seated
   and collected at the same times (same (weekday, end time) sets of their seats).
5. ``lottery``: remaining ties favour better lottery numbers: maximise
   Σ seats (R + 1 − rank) × (n − lottery position in the component).

Rounds: levels 1-5 allocate ONE seat per pupil (round 1). Pupils allowed more seats then get
further seats in round 2 from what is left (levels ``extra:seated``, ``extra:seated[…]``,
``extra:rank[…]`` with ranks among the still possible choices, ``extra:lottery``; no sibling
level): everyone's first seat comes before anyone's second seat.

Hard rules: section capacities; a pupil holds at most ``max_seats`` seats, only among its first
``max_choices`` distinct choices, never two that overlap in time.

Engine (``solve``): connected components of the pupil–section–family graph are independent
and solved in a process pool. Levels 1-3 of each round are min-cost flows, made exactly
lexicographic by fixing, after each pack of levels, every arc whose reduced cost proves it
has the same flow in all optimal solutions; CP-SAT (one worker, fixed seed) then decides the
sibling and lottery levels on that optimal face. ``solve_component(..., force_cp_sat=True)``
runs the same levels with CP-SAT alone (tests compare the two).

Lottery: commitment = sha256(seed) published before the window opens; pupil number from
sha256(f"{seed}:{pupil_id}") (see ``lottery``). Same problem + same seed → same seats, on any
machine, with any number of worker processes (``replay`` checks it).

Public API (what the Django side calls)::

    allocate(problem, seed, *, workers=1) -> Allocation
    first_come(problem, seed="") / random_serial_dictatorship(problem, seed)
        / weighted_greedy(problem, seed) -> Allocation
    explain(problem, allocation) -> dict[pupil_id, Explanation]
    verify_explanations(problem, allocation, explanations=None) -> list[str]  # [] = all true
    stats(problem, allocation, *, waitlist_threshold=0.5) -> AllocationStats
    commitment(seed), verify_commitment(seed, published), new_seed(), lottery_numbers(seed, pupils)
    replay(problem, seed, published) -> bool
"""

from .baselines import first_come, random_serial_dictatorship, weighted_greedy
from .domain import (
    POLICY_GROUPS,
    Allocation,
    LevelValue,
    Meeting,
    PriorityPolicy,
    Problem,
    Pupil,
    Section,
)
from .explain import Explanation, MissedChoice, explain, verify_explanations
from .help import HELP_TEXT_EN, HELP_TEXT_ZH
from .lottery import commitment, lottery_numbers, new_seed, verify_commitment
from .solve import AllocationError, allocate, replay
from .stats import AllocationStats, SectionLoad, stats

__all__ = [
    "HELP_TEXT_EN",
    "HELP_TEXT_ZH",
    "POLICY_GROUPS",
    "Allocation",
    "AllocationError",
    "AllocationStats",
    "Explanation",
    "LevelValue",
    "Meeting",
    "MissedChoice",
    "PriorityPolicy",
    "Problem",
    "Pupil",
    "Section",
    "SectionLoad",
    "allocate",
    "commitment",
    "explain",
    "first_come",
    "lottery_numbers",
    "new_seed",
    "random_serial_dictatorship",
    "replay",
    "stats",
    "verify_commitment",
    "verify_explanations",
    "weighted_greedy",
]
