"""Why a timetable cannot be made: which few requirements clash, in plain words.

Two steps. ``precheck`` asks every rule for its counting impossibilities (``Rule.precheck``),
without a solver: a teacher needed for more meetings than they have slots, more kitchen meetings
than kitchen-room-slots, a group with more meetings than slots, no room large enough. If none is
found and the model is infeasible, a separate single-worker CP-SAT solve with one assumption
literal per requirement group returns ``sufficient_assumptions_for_infeasibility()``; the set is
shrunk while time allows, then phrased for a coordinator in Chinese and English by the rule that
posted it (``Rule.phrase``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from .check import ProblemIndex
from .domain import Problem, Violation
from .rules import REGISTRY, RULES, active


@dataclass(frozen=True)
class Explanation:
    """The verdict and the clashing requirements (empty when the problem is feasible)."""

    status: Literal["feasible", "infeasible", "unknown"]
    source: Literal["precheck", "core", "none"]
    clashes: tuple[Violation, ...]


def precheck(problem: Problem) -> list[Violation]:
    """Every rule's counting impossibilities (``Rule.precheck``), in registry order; each names
    its requirement in both languages."""
    ix = ProblemIndex(problem)
    return [
        Violation(rule.id, h.subjects, h.zh, h.en)
        for rule in REGISTRY
        if active(rule.id, problem.weights)
        for h in rule.precheck(ix)
    ]


def _phrase(ix: ProblemIndex, rule: str, subjects: tuple[str, ...]) -> Violation:
    """One requirement group of the model, said for a coordinator (``Rule.phrase``)."""
    zh, en = RULES[rule].phrase(ix, subjects)
    return Violation(rule, subjects, zh, en)


def explain(problem: Problem, *, time_limit: float = 10.0, seed: int = 0) -> Explanation:
    """Name the few requirements that cannot hold together, or say the problem is feasible."""
    found = precheck(problem)
    if found:
        return Explanation("infeasible", "precheck", tuple(found))
    from ortools.sat.python import cp_model

    from .model import build

    t0 = time.monotonic()
    mdl = build(problem, explain=True)
    mdl.cp.clear_objective()
    keys = list(mdl.lits)
    lits = [mdl.lits[k] for k in keys]

    def run(active: list[int], limit: float) -> tuple[int, list[int]]:
        m = mdl.cp.clone()
        m.clear_assumptions()
        m.add_assumptions([lits[j] for j in active])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1  # required for sufficient_assumptions_…
        solver.parameters.max_time_in_seconds = max(0.05, limit)
        solver.parameters.random_seed = seed
        st = solver.solve(m)
        core = []
        if st == cp_model.INFEASIBLE:
            pos = {lits[j].index: j for j in active}
            core = [pos[v] for v in solver.sufficient_assumptions_for_infeasibility() if v in pos]
        return st, core

    st, core = run(list(range(len(lits))), time_limit)
    if st in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Explanation("feasible", "none", ())
    if st != cp_model.INFEASIBLE:
        return Explanation("unknown", "none", ())
    # Shrink: drop a requirement when the rest is still infeasible (deletion filter).
    core = core or list(range(len(lits)))
    j = 0
    while j < len(core) and time.monotonic() - t0 < time_limit:
        trial = core[:j] + core[j + 1 :]
        st2, sub = run(trial, min(1.0, time_limit - (time.monotonic() - t0)))
        if st2 == cp_model.INFEASIBLE:
            core = [c for c in trial if c in set(sub)] if sub else trial
            j = min(j, len(core))
        else:
            j += 1
    # demands (unplaced) last: the interesting part is what blocks them
    order = sorted(core, key=lambda c: (keys[c][0] == "unplaced", keys[c]))
    ix = ProblemIndex(problem)
    return Explanation("infeasible", "core", tuple(_phrase(ix, *keys[c]) for c in order))
