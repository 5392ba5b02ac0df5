"""Levels 1-3 of the allocation (seated, seated per standing, rank per standing) as exact min-cost flows.

See the package docstring of `solve`: consecutive levels are packed into one integer cost, each
pack is one min-cost circulation, and node potentials from Bellman-Ford on the residual graph fix
every arc whose flow is the same in EVERY optimal solution, so the next pack (and CP-SAT's sibling
level after them) optimises over exactly the optimal face. Pure Python + OR-Tools (no Django).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .solve import Component, _Level

FLOW_BUDGET = 2**36  # OR-Tools min-cost flow scales costs by the node count internally


class AllocationError(RuntimeError):
    """The solver did not prove optimality (should not happen: there is no time limit)."""


def level_value(lv: _Level, sol: list[int]) -> int:
    return sum(c * sol[v] for v, c in zip(lv.vars, lv.coeffs, strict=True))


FLOW_BRANCHES = 32  # most flow solves per component before falling back to CP-SAT


def flow_search(
    comp: Component,
    choice: dict[int, list[int]],
    x: dict[tuple[int, int], int],
    seated: dict[int, list[int]],
    levels: list[_Level],
) -> _Flow | None:
    """Branch on violated 3-path clashes; every leaf is an exact flow problem.

    The lexicographic optimum is the best leaf. If several leaves tie, the optimal face is
    their union, so only variables fixed to the same value in all of them stay fixed.
    """
    stack: list[dict[int, bool]] = [{}]
    leaves: list[tuple[list[int], _Flow]] = []
    runs = 0
    while stack:
        modes = stack.pop()
        runs += 1
        if runs > FLOW_BRANCHES:
            return None
        r = flow_phase(comp, choice, x, seated, levels, modes)
        if r is None:
            return None
        if isinstance(r, int):
            stack.append({**modes, r: True})
            stack.append({**modes, r: False})
            continue
        sol = defaultdict(int, r.sol)
        leaves.append(([level_value(lv, sol) for lv in levels], r))  # type: ignore[arg-type]
    best = max(v for v, _ in leaves)
    tied = [f for v, f in leaves if v == best]
    fixed = {k: val for k, val in tied[0].fixed.items() if all(f.fixed.get(k) == val for f in tied)}
    return _Flow(sol=tied[0].sol, fixed=fixed)


@dataclass
class _Flow:
    sol: dict[int, int]  # model variable -> value in a lexicographically optimal flow
    fixed: dict[int, int]  # model variable -> value it has in EVERY optimal flow


def flow_phase(
    comp: Component,
    choice: dict[int, list[int]],
    x: dict[tuple[int, int], int],
    seated: dict[int, list[int]],
    levels: list[_Level],
    modes: Mapping[int, bool] | None = None,
) -> _Flow | int | None:
    """Levels 1-3 (seated, seated per standing, rank per standing) as min-cost flows.

    Network: S -> pupil (first unit = y, the rest up to max_seats), pupil -> [clash group] ->
    section (= x), section -> T (capacity), T -> S. Each pack of levels is one min-cost
    circulation; then node potentials (Bellman-Ford on the residual graph) give reduced costs,
    and by complementary slackness an arc with reduced cost > 0 (< 0) carries its lower (upper)
    bound in EVERY optimal flow: we fix it, so the next pack optimises over exactly the optimal
    face. Integer arithmetic throughout: exact. Clashes that are not cliques (A-B, B-C but A, C
    compatible) cannot be expressed; `modes[pupil]` splits such a 3-path exactly into "middle
    choice only" (True) or "no middle choice" (False). Returns the id of a pupil whose
    unsplit path the optimum violates (the caller branches), or None for clash patterns we
    do not split (the caller falls back to plain CP-SAT).
    """
    modes = modes or {}
    import numpy as np
    from ortools.graph.python import min_cost_flow

    secs = comp.sections
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    arc_of: dict[int, int] = {}  # model variable -> arc

    def arc(t: int, h: int, cap: int, var: int = -1) -> None:
        if var >= 0:
            arc_of[var] = len(tails)
        tails.append(t)
        heads.append(h)
        caps.append(cap)

    S, T = 0, 1
    node = 2
    sec_node: dict[int, int] = {}
    for s in sorted(secs):
        sec_node[s] = node
        node += 1
    relaxed: list[tuple[int, list[int]]] = []
    closed: set[int] = set()  # arcs excluded by a mode
    arc(T, S, sum(sec.capacity for sec in secs.values()))
    for s in sorted(secs):
        arc(sec_node[s], T, secs[s].capacity)
    for p in comp.pupils:
        cs = choice[p.id]
        if not cs:
            continue
        pn = node
        node += 1
        arc(S, pn, 1, seated[p.id][0])
        if p.max_seats > 1:
            arc(S, pn, min(p.max_seats, len(cs)) - 1)
        target = dict.fromkeys(range(len(cs)), pn)
        if p.max_seats > 1:
            clash = [[i != j and secs[cs[i]].overlaps(secs[cs[j]]) for j in range(len(cs))] for i in range(len(cs))]
            seen: set[int] = set()
            for i in range(len(cs)):
                if i in seen:
                    continue
                group, todo = {i}, [i]
                while todo:
                    a = todo.pop()
                    for b in range(len(cs)):
                        if clash[a][b] and b not in group:
                            group.add(b)
                            todo.append(b)
                seen |= group
                if len(group) < 2:
                    continue
                if all(clash[a][b] for a in group for b in group if a != b):
                    gn = node
                    node += 1
                    arc(pn, gn, 1)
                    for a in group:
                        target[a] = gn
                else:
                    mid = [a for a in group if all(clash[a][b] for b in group if b != a)]
                    if len(group) != 3 or len(mid) != 1:
                        return None
                    if p.id in modes:
                        keep = {mid[0]} if modes[p.id] else group - {mid[0]}
                        closed.update(x[p.id, r + 1] for r in group - keep)
                    else:
                        relaxed.append((p.id, cs))
        for r, s in enumerate(cs, start=1):
            arc(target[r - 1], sec_node[s], 0 if x[p.id, r] in closed else 1, x[p.id, r])

    ta = np.array(tails, dtype=np.int64)
    ha = np.array(heads, dtype=np.int64)
    lo = np.zeros(len(tails), dtype=np.int64)
    hi = np.array(caps, dtype=np.int64)
    flows = lo.copy()
    nodes = np.arange(node, dtype=np.int64)
    arcs = np.arange(len(tails), dtype=np.int64)
    i = 0
    while i < len(levels):
        pack = [levels[i]]
        total = levels[i].ub + 1
        while i + len(pack) < len(levels) and total * (levels[i + len(pack)].ub + 1) <= FLOW_BUDGET:
            total *= levels[i + len(pack)].ub + 1
            pack.append(levels[i + len(pack)])
        i += len(pack)
        w = 1
        cost = np.zeros(len(tails), dtype=np.int64)
        for lv in reversed(pack):
            for v, c in zip(lv.vars, lv.coeffs, strict=True):
                cost[arc_of[v]] -= w * c
            w *= lv.ub + 1
        smcf = min_cost_flow.SimpleMinCostFlow()
        smcf.add_arcs_with_capacity_and_unit_cost(ta, ha, hi - lo, cost)
        supply = np.zeros(node, dtype=np.int64)
        np.subtract.at(supply, ta, lo)
        np.add.at(supply, ha, lo)
        smcf.set_nodes_supplies(nodes, supply)
        status = smcf.solve()
        if status != smcf.OPTIMAL:
            raise AllocationError(f"min-cost flow at {pack[0].name}: status {status}")
        flows = lo + smcf.flows(arcs)
        # Potentials: shortest distances in the residual graph from a virtual root.
        fwd = flows < hi
        bwd = flows > lo
        u = np.concatenate([ta[fwd], ha[bwd]])
        v = np.concatenate([ha[fwd], ta[bwd]])
        c = np.concatenate([cost[fwd], -cost[bwd]])
        order = np.argsort(v, kind="stable")
        u, v, c = u[order], v[order], c[order]
        heads_v, starts = np.unique(v, return_index=True)
        d = np.zeros(node, dtype=np.int64)
        for _ in range(node + 1):
            best = np.minimum.reduceat(d[u] + c, starts)
            improved = best < d[heads_v]
            if not improved.any():
                break
            d[heads_v[improved]] = best[improved]
        else:
            raise AllocationError("negative cycle in an optimal residual graph")
        rc = cost + d[ta] - d[ha]
        lo, hi = np.where(rc < 0, hi, lo), np.where(rc > 0, lo, hi)

    value = {v: int(flows[a]) for v, a in arc_of.items()}
    for pid, cs in relaxed:
        got = [s for r, s in enumerate(cs, start=1) if value[x[pid, r]]]
        if any(secs[a].overlaps(secs[b]) for k, a in enumerate(got) for b in got[k + 1 :]):
            return pid
    fixed = {v: int(lo[a]) for v, a in arc_of.items() if lo[a] == hi[a]}
    return _Flow(sol=value, fixed=fixed)
