"""Deterministic synthetic district for tests and `bench/allocation_synthetic.py`.

Shape (defaults ≈ the seed document's district): 43 schools (30 primary, 13 junior-middle,
each junior school fed by 2–3 primaries: 对口), ~1,000 pupils per school, 3 ranked choices.
Each school offers clubs of 20–45 seats meeting once or twice a week after school, with
pickup times 17:00 / 17:30 / 18:00; club popularity is skewed so the popular clubs are 2–3×
oversubscribed on first choices while total capacity is ~10 % above the pupil count.
Families: ~15 % of pupils have a sibling in the district; a fifth of sibling pairs span a
primary and its junior school. Priority groups per family at policy-like rates: left-behind
5 %, migrant 12 %, disabled 1 % (per child), low-income 4 %, dual-earner 40 %.
"""

from __future__ import annotations

import random

from .domain import Problem, Pupil, Section

# (weekday set, start, end) templates for a section's weekly meetings.
_TIMES: tuple[tuple[tuple[int, ...], int, int], ...] = (
    ((0, 2), 16 * 60, 17 * 60),
    ((1, 3), 16 * 60, 17 * 60),
    ((0, 2), 16 * 60 + 30, 17 * 60 + 30),
    ((1, 3), 16 * 60 + 30, 17 * 60 + 30),
    ((4,), 15 * 60 + 30, 17 * 60),
    ((0,), 16 * 60 + 40, 18 * 60),
    ((2,), 16 * 60 + 40, 18 * 60),
    ((1, 3), 17 * 60, 18 * 60),
)
_CLUBS = (
    "机器人社团", "编程", "合唱团", "舞蹈", "篮球", "足球", "书法", "国画", "围棋", "象棋",
    "科学实验", "英语戏剧", "航模", "乒乓球", "田径", "朗诵", "剪纸", "陶艺", "管乐", "阅读",
    "中点制作", "果蔬雕刻", "儿童艺术插花", "创新小发明",
)  # fmt: skip


def district(
    seed: int = 0,
    *,
    primaries: int = 30,
    juniors: int = 13,
    pupils_per_school: int = 1000,
    choices: int = 3,
    capacity_ratio: float = 1.1,
) -> Problem:
    """A whole district; same `seed` → same problem (pure `random.Random`)."""
    rng = random.Random(seed)
    n_schools = primaries + juniors
    junior_of = {s: primaries + (s % juniors) for s in range(primaries)} if juniors else {}
    sections: list[Section] = []
    titles: dict[int, str] = {}
    school_sections: dict[int, list[tuple[int, float]]] = {}
    pupils: list[Pupil] = []
    next_section = 1
    for school in range(n_schools):
        size = max(5, int(rng.gauss(pupils_per_school, pupils_per_school * 0.1)))
        seats_needed = int(size * capacity_ratio * 1.1)  # ~10 % of pupils want two seats
        offered: list[tuple[int, float]] = []
        total = 0
        k = 0
        while total < seats_needed:
            cap = rng.randint(20, 45)
            days, start, end = _TIMES[rng.randrange(len(_TIMES))]
            sid = next_section
            next_section += 1
            sections.append(
                Section(
                    id=sid,
                    capacity=cap,
                    meetings=frozenset((d, start, end) for d in days),
                    school=school,
                )
            )
            titles[sid] = f"{_CLUBS[k % len(_CLUBS)]}{'' if k < len(_CLUBS) else k // len(_CLUBS) + 1}"
            # Popularity: heavy-tailed (Pareto, capped) x capacity: top clubs get 2-3x demand.
            offered.append((sid, cap * min(5.0, rng.paretovariate(2.2))))
            total += cap
            k += 1
        school_sections[school] = offered
        for _ in range(size):
            pupils.append(Pupil(id=len(pupils) + 1, school=school, grade=0, choices=()))  # filled below
    # Families: pair pupils into sibling groups (~15 % of pupils have a sibling).
    by_school: dict[int, list[int]] = {}
    for i, p in enumerate(pupils):
        by_school.setdefault(p.school, []).append(i)
    family: dict[int, int] = {}
    next_family = 1
    for school in range(n_schools):
        idx = by_school[school][:]
        rng.shuffle(idx)
        n_pairs = int(len(idx) * 0.15 / 2)
        for j in range(n_pairs):
            a = idx[2 * j]
            if school in junior_of and rng.random() < 0.2:
                # Sibling in the feeder junior school.
                pool = by_school[junior_of[school]]
                b = pool[rng.randrange(len(pool))]
            else:
                b = idx[2 * j + 1]
            if a in family or b in family:
                continue
            family[a] = family[b] = next_family
            next_family += 1
    fam_groups: dict[int, frozenset[str]] = {}
    out: list[Pupil] = []
    for i, p in enumerate(pupils):
        fam = family.get(i)
        if fam is None or fam not in fam_groups:
            g = set()
            r = rng.random()
            if r < 0.05:
                g.add("left_behind")
            elif r < 0.17:
                g.add("migrant")
            if rng.random() < 0.04:
                g.add("low_income")
            if "left_behind" not in g and rng.random() < 0.40:
                g.add("dual_earner")
            groups = frozenset(g)
            if fam is not None:
                fam_groups[fam] = groups
        else:
            groups = fam_groups[fam]
        if rng.random() < 0.01:
            groups = groups | {"disabled"}
        offered = school_sections[p.school]
        ranked = _weighted_sample(rng, offered, choices)
        grade = rng.randint(1, 6) if p.school < primaries else rng.randint(7, 9)
        out.append(
            Pupil(
                id=p.id,
                school=p.school,
                grade=grade,
                choices=tuple(ranked),
                family=fam,
                groups=groups,
                missed_first_choice_last_term=rng.random() < 0.15,
                max_seats=2 if rng.random() < 0.1 else 1,
                submitted_at=rng.expovariate(1 / 120.0),
                new_pupil=grade in (1, 7),
            )
        )
    return Problem(pupils=tuple(out), sections=tuple(sections), titles=titles, max_choices=choices)


def _weighted_sample(rng: random.Random, items: list[tuple[int, float]], k: int) -> list[int]:
    """k distinct ids, drawn without replacement with probability ∝ weight (ranked order)."""
    # Efraimidis–Spirakis keys: u ** (1 / w), largest first.
    keyed = sorted(((rng.random() ** (1.0 / w), sid) for sid, w in items), reverse=True)
    return [sid for _k, sid in keyed[:k]]


def small(seed: int = 0, *, pupils: int = 60, schools: int = 2) -> Problem:
    """A few dozen pupils for fast tests (same generator, one feeder junior school)."""
    return district(seed, primaries=max(1, schools - 1), juniors=1, pupils_per_school=pupils)
