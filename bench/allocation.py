"""Benchmark the seat allocation on the demo district database, through the Django adapter.

Usage::

    SQLITE_PATH=/tmp/alloc.sqlite3 .venv/bin/python manage.py migrate -v0
    SQLITE_PATH=/tmp/alloc.sqlite3 .venv/bin/python manage.py seed_demo --size district --timetables all
    SQLITE_PATH=/tmp/alloc.sqlite3 .venv/bin/python bench/allocation.py --workers 2

For every preference window the adapter builds the Problem exactly as the worker does
(`allocation_adapter.problem_build`); then ours and the three baselines run on the same data with
the window's demo lottery seed. Figures are summed over the district (pupils with choices):
first-choice %, mean best rank, pupils without a seat while a seat they ranked stayed free,
sibling pairs aligned (both seated, collected at the same times), first-choice % per priority
group, and time. A second pass solves the whole district as ONE problem (all schools, siblings
across schools both free to move) with `workers` processes. Writes bench/results/allocation.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from allocation import engine  # noqa: E402
from allocation.adapter import problem_build  # noqa: E402
from allocation.engine.domain import GROUP_TITLES_EN, POLICY_GROUPS, valid_choices  # noqa: E402
from allocation.engine.stats import aligned  # noqa: E402
from demo.district import demo_lottery_seed  # noqa: E402
from enrollment.models import EnrollmentWindow  # noqa: E402

METHODS = (
    ("optimal", "ours (lexicographic optimal)"),
    ("random_serial_dictatorship", "random serial dictatorship"),
    ("weighted_greedy", "weighted greedy"),
    ("first_come", "first come (click race)"),
)


class Tally:
    """District totals of one method over many (problem, allocation) pairs."""

    def __init__(self) -> None:
        self.pupils = self.placed = self.first = self.rank_sum = self.waste = 0
        self.pairs = self.aligned = 0
        self.seconds = 0.0
        self.group = defaultdict(lambda: [0, 0])
        self.seats = 0

    def add(self, problem: engine.Problem, alloc: engine.Allocation, *, only: frozenset[int] | None = None) -> None:
        sections = {s.id: s for s in problem.sections}
        taken: dict[int, int] = defaultdict(int)
        for seats in alloc.seats.values():
            for s in seats:
                taken[s] += 1
        self.seats += sum(len(v) for k, v in alloc.seats.items() if only is None or k in only)
        for p in problem.pupils:
            if only is not None and p.id not in only:
                continue
            cs = valid_choices(p, sections, problem.max_choices)
            if not cs:
                continue
            seats = alloc.seats.get(p.id, ())
            ranks = [r for r, s in enumerate(cs, start=1) if s in seats]
            self.pupils += 1
            if ranks:
                self.placed += 1
                self.rank_sum += min(ranks)
            elif any(taken[s] < sections[s].capacity for s in cs):
                self.waste += 1
            got_first = 1 in ranks
            self.first += got_first
            for g in [g for g in POLICY_GROUPS if g in p.groups] or [""]:
                self.group[g][0] += got_first
                self.group[g][1] += 1
        by_family: dict[int, list[engine.Pupil]] = defaultdict(list)
        for p in problem.pupils:
            if p.family is not None:
                by_family[p.family].append(p)
        for kids in by_family.values():
            for i, a in enumerate(kids):
                for b in kids[i + 1 :]:
                    if only is not None and a.id not in only and b.id not in only:
                        continue
                    sa, sb = alloc.seats.get(a.id, ()), alloc.seats.get(b.id, ())
                    if sa and sb:
                        self.pairs += 1
                        self.aligned += aligned(sa, sb, sections)
        self.seconds += alloc.seconds

    def pct(self, a: int, b: int) -> str:
        return f"{100 * a / b:.1f}" if b else "–"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "allocation.md"))
    args = ap.parse_args()

    windows = list(
        EnrollmentWindow.objects.filter(mode=EnrollmentWindow.Mode.PREFERENCE).select_related("school").order_by("pk")
    )
    tallies = {m: Tally() for m, _ in METHODS}
    ceiling = [0, 0]  # first choices no allocation can exceed, pupils with choices
    t_build = t_ours = 0.0
    built_all = []
    t_all0 = time.perf_counter()
    for w in windows:
        seed = demo_lottery_seed(w.school.code)
        if not engine.verify_commitment(seed, w.lottery_seed_hash):
            print(f"window {w.pk}: demo seed does not match the commitment, skipped", file=sys.stderr)
            continue
        t0 = time.perf_counter()
        built = problem_build(w)
        t_build += time.perf_counter() - t0
        built_all.append((w, built, seed))
        own = engine.Problem(
            pupils=tuple(p for p in built.problem.pupils if p.id in built.pupil_ids),
            sections=built.problem.sections,
            max_choices=built.problem.max_choices,
        )
        st = engine.stats(own, engine.Allocation(method="-", seed="", commitment="", seats={}, lottery={}))
        ceiling[0] += round(st.first_choice_ceiling_pct * st.with_choices / 100)
        ceiling[1] += st.with_choices
        for method, _label in METHODS:
            t1 = time.perf_counter()
            if method == "optimal":
                alloc = engine.allocate(built.problem, seed)
                t_ours += time.perf_counter() - t1
            else:
                alloc = getattr(engine, method)(built.problem, seed)
            tallies[method].add(built.problem, alloc, only=built.pupil_ids)
    t_per_window = time.perf_counter() - t_all0

    # The whole district as one problem: fixed siblings dropped (their windows' pupils are in it).
    pupils, sections, policies, titles = [], [], {}, {}
    for _w, built, _seed in built_all:
        pupils += [p for p in built.problem.pupils if p.id in built.pupil_ids]
        sections += [s for s in built.problem.sections if s.id > 0]
        policies.update(built.problem.school_policies)
        titles.update(built.problem.titles)
    district = engine.Problem(
        pupils=tuple(pupils),
        sections=tuple(sections),
        school_policies=policies,
        titles=titles,
        max_choices=max((w.max_choices for w, _b, _s in built_all), default=3),
    )
    seed = "kehou-bench-district"
    t0 = time.perf_counter()
    whole = engine.allocate(district, seed, workers=args.workers)
    t_whole = time.perf_counter() - t0
    t0 = time.perf_counter()
    whole1 = engine.allocate(district, seed, workers=1)
    t_whole1 = time.perf_counter() - t0
    same = whole.fingerprint() == whole1.fingerprint()
    whole_tally = Tally()
    whole_tally.add(district, whole)
    rsd_tally = Tally()
    rsd_tally.add(district, engine.random_serial_dictatorship(district, seed))

    lines = render(args, windows, built_all, tallies, t_build, t_ours, t_per_window, ceiling)
    lines += [
        "",
        f"## The whole district as one problem ({len(district.pupils)} pupils, {len(district.sections)} sections)",
        "",
        "| run | first choice % | seated | time (s) |",
        "|---|---:|---:|---:|",
        f"| ours, workers={args.workers} | {whole_tally.pct(whole_tally.first, whole_tally.pupils)} | "
        f"{whole_tally.placed} | {t_whole:.1f} |",
        f"| ours, workers=1 | – | – | {t_whole1:.1f} |",
        f"| random serial dictatorship | {rsd_tally.pct(rsd_tally.first, rsd_tally.pupils)} | {rsd_tally.placed} | – |",
        "",
        f"Same seats with 1 and {args.workers} workers: {'yes' if same else '**NO**'} "
        f"(fingerprint {whole.fingerprint()[:16]}…); {whole.components} components.",
    ]
    text = "\n".join(lines) + "\n"
    Path(args.out).write_text(text, encoding="utf-8")
    print(text)


def render(args, windows, built_all, tallies, t_build, t_ours, t_per_window, ceiling) -> list[str]:
    n_pupils = sum(len(b.pupil_ids) for _w, b, _s in built_all)
    n_fixed = sum(len(b.fixed_ids) for _w, b, _s in built_all)
    with_times = sum(b.notes["sections_with_times"] for _w, b, _s in built_all)
    n_sections = sum(b.notes["sections"] for _w, b, _s in built_all)
    lines = [
        "# Seat allocation on the demo district (through the Django adapter)",
        "",
        f"Command: `SQLITE_PATH=/tmp/alloc.sqlite3 .venv/bin/python bench/allocation.py --workers {args.workers}` "
        "on `seed_demo --size district --timetables all` (every school's timetable solved and published).",
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}.",
        "",
        f"{len(built_all)} preference windows (one per school), {n_pupils} pupils with choices, {n_sections} ranked "
        f"sections ({with_times} with published times), {n_fixed} siblings of other schools added as fixed pupils.",
        f"Time: adapter (DB → Problem) {t_build:.1f} s, ours {t_ours:.1f} s, everything incl. the 3 baselines and "
        f"statistics {t_per_window:.1f} s (one process, window by window, as the worker does).",
        "",
        "| method | first choice % | mean best rank | seated | unseated while a ranked seat stayed free "
        "| sibling pairs aligned % | time (s) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for method, label in METHODS:
        t = tallies[method]
        mean = f"{t.rank_sum / t.placed:.3f}" if t.placed else "–"
        lines.append(
            f"| {label} | {t.pct(t.first, t.pupils)} | {mean} | {t.placed} / {t.pupils} | {t.waste} | "
            f"{t.pct(t.aligned, t.pairs)} ({t.aligned}/{t.pairs}) | {t.seconds:.2f} |"
        )
    lines += ["", "First choice % per priority group:", ""]
    groups = [*POLICY_GROUPS, ""]
    lines.append("| method | " + " | ".join(f"{GROUP_TITLES_EN[g]}" for g in groups) + " |")
    lines.append("|---|" + "---:|" * len(groups))
    for method, label in METHODS:
        t = tallies[method]
        cells = [f"{t.pct(*t.group[g])} (n={t.group[g][1]})" for g in groups]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    ours, rsd = tallies["optimal"], tallies["random_serial_dictatorship"]
    if ours.pupils:
        gain = 100 * (ours.first - rsd.first) / ours.pupils
        lines += [
            "",
            f"First-choice rate, ours vs random serial dictatorship: {gain:+.1f} points; seated "
            f"{ours.placed - rsd.placed:+d} pupils.",
            f"First-choice ceiling (Σ over sections of min(seats, first-choice requests): no allocation, "
            f"whatever its rules, gives more first choices): {ours.pct(*ceiling)} %, i.e. "
            f"{100 * (ceiling[0] - rsd.first) / ours.pupils:+.1f} points above random serial dictatorship.",
        ]
    return lines


if __name__ == "__main__":
    main()
