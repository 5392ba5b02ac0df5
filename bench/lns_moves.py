"""Where a large-neighbourhood move's time goes, and which pieces pay, on one ITC-2007 instance.

    .venv/bin/python bench/lns_moves.py --instance comp07 --warm 60 --sizes 30 60 100 --moves 30

Why: whole runs are too noisy to judge a change to the repairs (comp07 at 60 s: 49–58 between two
seeds of one engine). Here the product's ``solve`` runs for ``--warm`` seconds to get an incumbent
like the ones the search meets mid-run (kept in /tmp per instance, warm time and seed, so a second
run starts from the same one); then the same ``--moves`` neighbourhoods (kinds in turn, a fixed
random seed) are drawn at each size and re-placed by the product's ``lns.repair``, each from that
incumbent. Per size and kind: the wall time of a move, CP-SAT's part of it (the rest is building the
model, the hint and reading the answer), how many repairs CP-SAT proved best, how many improved, and
the cost removed per second of moves. Run it before and after a change to ``repair`` or ``build``,
or with ``--set NAME=VALUE`` to try another value of one of ``lns``'s constants.
Writes ``bench/results/lns-moves-<label>.md``.

``--improve SECS --search-seeds 0 1 2`` runs the whole search instead (``lns.improve``, the code
``solve`` runs after its first timetable) for SECS seconds from that one incumbent, once per seed:
how far the search gets from a timetable it has stalled on, without the noise of the first minutes
(two whole runs part ways early and end in different basins). Several ``--instance`` may be given.

    .venv/bin/python bench/lns_moves.py --instance comp10 comp20 --warm 120 --improve 120 --search-seeds 0 1 2
"""

from __future__ import annotations

import argparse
import ast
import os
import pickle
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scheduling.solver import lns  # noqa: E402
from scheduling.solver.ctt import read_ctt, to_problem  # noqa: E402
from scheduling.solver.domain import Placement, Problem  # noqa: E402
from scheduling.solver.solve import solve  # noqa: E402

KINDS = [k for k in lns.KINDS if not k.endswith("rooms")] + [k for k in lns.KINDS if k.endswith("rooms")]


def incumbent(problem: Problem, name: str, warm: float, seed: int) -> tuple[list[Placement], int]:
    """The product's timetable after ``warm`` seconds (cached: the same start for every run)."""
    cache = Path(f"/tmp/kehou-lns-moves-{name}-{warm:g}s-seed{seed}.pkl")
    if cache.exists():
        placements, cost = pickle.loads(cache.read_bytes())
        return placements, cost
    r = solve(problem, time_limit=warm, workers=1, seed=seed)
    cache.write_bytes(pickle.dumps((r.placements, r.cost)))
    return r.placements, r.cost


def main() -> int:
    if os.environ.get("PYTHONHASHSEED") != "0":
        # set iteration order decides some draws: the same moves in every run only with one hash seed
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=str(ROOT.parent / "shared/benchmarks/itc2007-cbctt"))
    ap.add_argument("--instance", nargs="+", default=["comp07"])
    ap.add_argument("--warm", type=float, default=60.0, help="seconds of solve for the incumbent")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sizes", type=int, nargs="+", default=[30, 60, 100])
    ap.add_argument("--moves", type=int, default=30, help="neighbourhoods per size")
    ap.add_argument("--label", default="")
    ap.add_argument("--improve", type=float, default=0.0, help="seconds of lns.improve per seed (a search run)")
    ap.add_argument("--search-seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE",
                    help="override a constant of scheduling.solver.lns for this run (an A/B)")  # fmt: skip
    a = ap.parse_args()
    for item in a.set:
        name, _, value = item.partition("=")
        if not hasattr(lns, name):
            ap.error(f"scheduling.solver.lns has no {name}")
        setattr(lns, name, ast.literal_eval(value))
    if a.improve:
        return search_runs(a)
    if len(a.instance) != 1:
        ap.error("the moves mode takes one --instance")
    a.instance = a.instance[0]
    problem = to_problem(read_ctt(Path(a.dir) / f"{a.instance}.ctt"))
    current, cost = incumbent(problem, a.instance, a.warm, a.seed)
    # imported before the first move is timed
    import ortools.sat.python.cp_model  # noqa: F401

    import scheduling.solver.model  # noqa: F401

    shape = lns._Shape(problem)
    label = a.label or f"{a.instance}-{a.warm:g}s"
    out = ROOT / "bench" / "results" / f"lns-moves-{label}.md"
    lines = [
        f"# LNS moves on {a.instance} — {label}",
        "",
        f"- command: `{' '.join(['.venv/bin/python', 'bench/lns_moves.py', *sys.argv[1:]])}`",
        f"- incumbent: the product's `solve` after {a.warm:g} s (seed {a.seed}), cost {cost}; every move starts "
        f"from it; started {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average "
        f"{os.getloadavg()[0]:.1f}",
        f"- engine: `lns.repair` (CP-SAT {lns.REPAIR_LIMIT:g} s at most, one worker) on `lns._neighbourhood` / "
        "`lns._rooms_neighbourhood`; kinds in turn; wall = the whole `repair` call, CP-SAT = its own wall time",
        "",
        "| size | kind | moves | wall s/move | CP-SAT s/move | other s/move | proved best | improved | removed "
        "| removed per s |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size in a.sizes:
        rng = random.Random(a.seed * 1000 + size)
        rows: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0, 0, 0])
        for n in range(a.moves):
            kind = KINDS[n % len(KINDS)]
            if kind.endswith("rooms"):
                freed, allowed = lns._rooms_neighbourhood(current, rng, every=False, week=kind == "week rooms")
            else:
                kind, freed, allowed = lns._neighbourhood(shape, current, size, rng, kind)
            t = time.monotonic()
            got = lns.repair(problem, current, freed, allowed, time_limit=lns.REPAIR_LIMIT, seed=n,
                             room_choices=None if kind.endswith("rooms") else lns.ROOM_CHOICES)  # fmt: skip
            wall = time.monotonic() - t
            row = rows[kind]
            row[0] += 1
            row[1] += wall
            if got is not None:
                new, closed, seconds = got
                _, d_cost = lns._delta(problem, current, new)
                row[2] += seconds
                row[3] += int(closed)
                row[4] += int(d_cost < 0)
                row[5] += max(0, -d_cost)
        total = [sum(r[i] for r in rows.values()) for i in range(6)]
        for kind, r in [*sorted(rows.items()), ("all", total)]:
            m = max(1, int(r[0]))
            lines.append(
                f"| {size} | {kind} | {int(r[0])} | {r[1] / m:.3f} | {r[2] / m:.3f} | {(r[1] - r[2]) / m:.3f} "
                f"| {int(r[3])} | {int(r[4])} | {int(r[5])} | {r[5] / max(r[1], 1e-9):.2f} |"
            )
        print(f"size {size}: {total[1] / a.moves:.3f} s/move, CP-SAT {total[2] / a.moves:.3f}, "
              f"{int(total[4])} improved, {int(total[5])} removed", flush=True)  # fmt: skip
        out.write_text("\n".join(lines) + "\n")
    print(out)
    return 0


def search_runs(a: argparse.Namespace) -> int:
    """``lns.improve`` for ``a.improve`` seconds from each instance's incumbent, once per seed."""
    label = a.label or f"search-{a.improve:g}s"
    out = ROOT / "bench" / "results" / f"lns-moves-{label}.md"
    settings = ", ".join(a.set) or "none"
    lines = [
        f"# LNS search from a stalled incumbent — {label}",
        "",
        f"- command: `{' '.join(['.venv/bin/python', 'bench/lns_moves.py', *sys.argv[1:]])}`",
        f"- incumbent: the product's `solve` after {a.warm:g} s (seed {a.seed}); then `lns.improve` for "
        f"{a.improve:g} s from it, once per seed; constants set: {settings}; started "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {os.getloadavg()[0]:.1f}",
        "",
        "| instance | seed | start cost | end cost | moves | kicks |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    total = 0
    for name in a.instance:
        problem = to_problem(read_ctt(Path(a.dir) / f"{name}.ctt"))
        current, cost = incumbent(problem, name, a.warm, a.seed)
        for seed in a.search_seeds:
            found = lns.improve(problem, list(current), deadline=time.monotonic() + a.improve, seed=seed)
            total += found.cost
            lines.append(f"| {name} | {seed} | {cost} | {found.cost} | {found.iterations} | {found.kicks} |")
            print(lines[-1], flush=True)
            out.write_text("\n".join(lines) + "\n")
    lines += ["", f"Sum of the end costs: {total}."]
    out.write_text("\n".join(lines) + "\n")
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
