"""Per-pupil explanations made only of facts that can be re-checked against the result.

An explanation never says *why* in terms of the solver; it states what the parent can verify:
which choice the child got, and for every better choice not given, how many seats it had, that
they were all taken (or that it clashed in time with a better seat the child got, or that the
child already holds the most seats allowed), how many pupils of the child's priority group
ranked it at the same place, and the child's lottery number. `verify_explanations` recomputes
every one of these claims independently from the problem and the result.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from .domain import (
    GROUP_TITLES_EN,
    GROUP_TITLES_ZH,
    Allocation,
    Problem,
    Pupil,
    Section,
    standing_of,
    valid_choices,
)

REASONS = ("full", "time_clash", "seat_limit")


@dataclass(frozen=True)
class MissedChoice:
    """A choice ranked better than the child's worst seat (or any choice, if unplaced)."""

    rank: int
    section_id: int
    title: str
    capacity: int
    seats_taken: int
    requests_in_group: int  # pupils of the same priority group who ranked it at `rank`
    reason: str  # one of REASONS
    clash_with: int | None = None  # the better seat it clashes with, for "time_clash"


@dataclass(frozen=True)
class Explanation:
    pupil_id: int
    outcome: str  # "placed" | "unplaced" | "no_choices"
    got: tuple[tuple[int, int], ...]  # (rank, section id), best first
    group: str  # policy group that gave the child's standing, "" for none
    lottery_number: int
    max_seats: int
    missed: tuple[MissedChoice, ...]
    text_zh: str
    text_en: str


def _ord_en(rank: int) -> str:
    return {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}.get(rank, f"#{rank}")


def render(e: Explanation, titles: Mapping[int, str]) -> tuple[str, str]:
    """Chinese and English sentences, generated only from the explanation's fields."""
    gzh = GROUP_TITLES_ZH.get(e.group, e.group)
    gen = GROUP_TITLES_EN.get(e.group, e.group)
    zh: list[str] = []
    en: list[str] = []
    for mc in e.missed:
        if mc.reason == "full":
            zh.append(
                f"第{mc.rank}志愿（{mc.title}）有{mc.capacity}个名额，已满，"
                f"您所在优先组（{gzh}）有{mc.requests_in_group}人将其列为第{mc.rank}志愿"
            )
            en.append(
                f"choice {mc.rank} ({mc.title}) had {mc.capacity} seats, all taken, for "
                f"{mc.requests_in_group} {_ord_en(mc.rank)}-choice requests in your priority "
                f"group ({gen})"
            )
        elif mc.reason == "time_clash":
            other = titles.get(mc.clash_with or 0, f"#{mc.clash_with}")
            zh.append(f"第{mc.rank}志愿（{mc.title}）与您已获得的（{other}）时间冲突")
            en.append(f"choice {mc.rank} ({mc.title}) clashes in time with your seat in {other}")
        else:
            zh.append(f"第{mc.rank}志愿（{mc.title}）：您已获得上限{e.max_seats}个名额")
            en.append(f"choice {mc.rank} ({mc.title}): you hold the maximum of {e.max_seats} seats")
    if e.outcome == "no_choices":
        head_zh, head_en = "未填报有效志愿", "no valid choices were submitted"
    elif e.outcome == "unplaced":
        head_zh, head_en = "未获得名额", "no seat"
    else:
        head_zh = "获得" + "、".join(f"第{r}志愿（{titles.get(s, f'#{s}')}）" for r, s in e.got)
        head_en = "got " + ", ".join(f"choice {r} ({titles.get(s, f'#{s}')})" for r, s in e.got)
    body_zh = ("：" + "；".join(zh)) if zh else ""
    body_en = (": " + "; ".join(en)) if en else ""
    return (
        f"{head_zh}{body_zh}；您的抽签号为{e.lottery_number}",
        f"{head_en}{body_en}; your lottery number was {e.lottery_number}",
    )


def explain(problem: Problem, result: Allocation) -> dict[int, Explanation]:
    """Explanation for every pupil (works for the baselines too)."""
    sections = {s.id: s for s in problem.sections}
    taken: Counter[int] = Counter(s for seats in result.seats.values() for s in seats)
    group = {p.id: standing_of(p, problem.policy_for(p.school)).group for p in problem.pupils}
    requests: Counter[tuple[str, int, int]] = Counter()
    choices = {p.id: valid_choices(p, sections, problem.max_choices) for p in problem.pupils}
    for p in problem.pupils:
        for r, s in enumerate(choices[p.id], start=1):
            requests[group[p.id], s, r] += 1
    out: dict[int, Explanation] = {}
    for p in problem.pupils:
        out[p.id] = _explain_one(p, choices[p.id], result, sections, taken, group[p.id], requests, problem)
    return out


def _explain_one(
    p: Pupil,
    cs: list[int],
    result: Allocation,
    sections: Mapping[int, Section],
    taken: Counter[int],
    group: str,
    requests: Counter[tuple[str, int, int]],
    problem: Problem,
) -> Explanation:
    seats = result.seats.get(p.id, ())
    got = tuple((r, s) for r, s in enumerate(cs, start=1) if s in seats)
    worst = max((r for r, _ in got), default=len(cs) + 1)
    missed: list[MissedChoice] = []
    for r, s in enumerate(cs, start=1):
        if s in seats or r > worst:
            continue
        sec = sections[s]
        clash = next(
            (g for gr, g in got if gr < r and sec.overlaps(sections[g])),
            None,
        )
        if taken[s] >= sec.capacity:
            reason = "full"
            clash = None
        elif clash is not None:
            reason = "time_clash"
        elif len(got) >= p.max_seats:
            reason = "seat_limit"
        else:
            reason = "unexplained"  # verify_explanations reports it: should never happen
        missed.append(
            MissedChoice(
                rank=r,
                section_id=s,
                title=problem.title(s),
                capacity=sec.capacity,
                seats_taken=taken[s],
                requests_in_group=requests[group, s, r],
                reason=reason,
                clash_with=clash,
            )
        )
    outcome = "no_choices" if not cs else ("placed" if got else "unplaced")
    e = Explanation(
        pupil_id=p.id,
        outcome=outcome,
        got=got,
        group=group,
        lottery_number=result.lottery.get(p.id, 0),
        max_seats=p.max_seats,
        missed=tuple(missed),
        text_zh="",
        text_en="",
    )
    zh, en = render(e, problem.titles)
    return Explanation(**{**e.__dict__, "text_zh": zh, "text_en": en})


def verify_explanations(
    problem: Problem, result: Allocation, explanations: Mapping[int, Explanation] | None = None
) -> list[str]:
    """Re-check every claim of every explanation against the problem and result.

    Returns a list of human-readable errors (empty = all claims true). Recomputes with plain
    loops instead of reusing `explain`'s helpers, so a bug there cannot hide itself here.
    """
    if explanations is None:
        explanations = explain(problem, result)
    from .lottery import lottery_numbers

    errors: list[str] = []
    sec = {s.id: s for s in problem.sections}
    lot = lottery_numbers(result.seed, problem.pupils)
    pupils = {p.id: p for p in problem.pupils}
    per_group: dict[tuple[str, int, int], int] = {}
    for q in problem.pupils:
        qg = standing_of(q, problem.policy_for(q.school)).group
        qr: list[int] = []
        for t in q.choices:
            if t in sec and t not in qr and len(qr) < problem.max_choices:
                qr.append(t)
        for i, t in enumerate(qr, start=1):
            per_group[qg, t, i] = per_group.get((qg, t, i), 0) + 1
    taken: dict[int, int] = {}
    for q in result.seats.values():
        for t in q:
            taken[t] = taken.get(t, 0) + 1
    if set(explanations) != set(pupils):
        errors.append("explanations do not cover exactly the pupils of the problem")
    for pid, e in explanations.items():
        p = pupils.get(pid)
        if p is None:
            continue
        where = f"pupil {pid}"
        seats = tuple(result.seats.get(pid, ()))
        ranked = []
        for s in p.choices:
            if s in sec and s not in ranked and len(ranked) < problem.max_choices:
                ranked.append(s)
        if sorted(s for _r, s in e.got) != sorted(seats):
            errors.append(f"{where}: claims seats {e.got}, result has {seats}")
        for r, s in e.got:
            if r < 1 or r > len(ranked) or ranked[r - 1] != s:
                errors.append(f"{where}: section {s} was not its choice {r}")
        expected = "no_choices" if not ranked else ("placed" if seats else "unplaced")
        if e.outcome != expected:
            errors.append(f"{where}: outcome {e.outcome}, expected {expected}")
        if e.lottery_number != lot[pid] or e.lottery_number != result.lottery.get(pid):
            errors.append(f"{where}: lottery number {e.lottery_number} != {lot[pid]}")
        if e.group != standing_of(p, problem.policy_for(p.school)).group:
            errors.append(f"{where}: wrong priority group {e.group!r}")
        worst = max((r for r, _ in e.got), default=len(ranked) + 1)
        should_miss = [r for r, s in enumerate(ranked, start=1) if s not in seats and r <= worst]
        if [mc.rank for mc in e.missed] != should_miss:
            errors.append(f"{where}: missed choices {[m.rank for m in e.missed]} != {should_miss}")
        for mc in e.missed:
            s = mc.section_id
            if mc.rank > len(ranked) or ranked[mc.rank - 1] != s:
                errors.append(f"{where}: section {s} is not its choice {mc.rank}")
                continue
            holders = taken.get(s, 0)
            if mc.capacity != sec[s].capacity or mc.seats_taken != holders:
                errors.append(f"{where}: section {s} seats {mc.seats_taken}/{mc.capacity} wrong")
            if mc.title != problem.titles.get(s, f"#{s}"):
                errors.append(f"{where}: title of {s} wrong")
            same = per_group.get((e.group, s, mc.rank), 0)
            if mc.requests_in_group != same:
                errors.append(f"{where}: {same} requests in group for {s}, says {mc.requests_in_group}")
            if mc.reason == "full":
                if holders < sec[s].capacity:
                    errors.append(f"{where}: section {s} said full but has free seats")
            elif mc.reason == "time_clash":
                c = mc.clash_with
                if c not in seats or not sec[s].overlaps(sec[c]) or ranked.index(c) + 1 > mc.rank:
                    errors.append(f"{where}: no clash of {s} with a better seat {c}")
            elif mc.reason == "seat_limit":
                if len(seats) < p.max_seats:
                    errors.append(f"{where}: seat limit claimed with {len(seats)} seats")
            else:
                errors.append(f"{where}: choice {mc.rank} missed without a valid reason")
        zh, en = render(e, problem.titles)
        if (zh, en) != (e.text_zh, e.text_en):
            errors.append(f"{where}: text does not match its facts")
    return errors
