"""The planner's shared state: the size, the one random stream, the plan being filled, and the
generators of names, phone numbers and 学籍号 that every step draws from (so that one seed gives
the same district every time, the draws must happen in the same order: see `Planner.build`)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Iterator

from demo.data import (
    ADULT_FIRST,
    ADULT_SECOND,
    ADULT_SINGLE,
    CHILD_FIRST,
    CHILD_SECOND,
    CHILD_SINGLE,
    DEMO_PARENT2_PHONE,
    DEMO_PARENT_PHONE,
    ID_WEIGHTS,
    LOCAL_REGIONS,
    MIGRANT_REGIONS,
    PHONE_PREFIXES,
    SURNAMES,
    Size,
)
from demo.planner.records import DemoPlan


class PlannerBase:
    """State and name generators shared by the people and offer steps; no database access."""

    def __init__(self, size: Size, seed: int) -> None:
        self.size = size
        self.rng = random.Random(seed)
        self.plan = DemoPlan(size=size, seed=seed)
        self.phones: set[str] = {DEMO_PARENT_PHONE, DEMO_PARENT2_PHONE}
        self.student_nos: set[str] = set()
        names, weights = zip(*SURNAMES, strict=True)
        self._surnames: tuple[str, ...] = names
        self._surname_cum = list(_cumulative(weights))

    # names, phones, numbers
    def surname(self) -> str:
        return self.rng.choices(self._surnames, cum_weights=self._surname_cum)[0]

    def child_given(self, sex: str) -> str:
        rng = self.rng
        if rng.random() < 0.22:
            return rng.choice(CHILD_SINGLE[sex])
        first = rng.choice(CHILD_FIRST[sex])
        second = rng.choice(CHILD_SECOND[sex])
        while second == first:
            second = rng.choice(CHILD_SECOND[sex])
        return first + second

    def adult_name(self, sex: str, surname: str | None = None) -> str:
        rng = self.rng
        given = (
            rng.choice(ADULT_SINGLE[sex])
            if rng.random() < 0.3
            else rng.choice(ADULT_FIRST[sex]) + rng.choice(ADULT_SECOND[sex])
        )
        return (surname or self.surname()) + given

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def student_no(self, grade: int, sex: str, migrant: bool) -> str:
        """The 学籍号: G + an 18-digit ID-card-like number: region, birth date by grade, sequence (odd = boy), check digit."""
        rng = self.rng
        while True:
            region = rng.choice(MIGRANT_REGIONS if migrant and rng.random() < 0.8 else LOCAL_REGIONS)
            born = dt.date(2020 - grade, 9, 1) + dt.timedelta(days=rng.randrange(365))
            seq = rng.randrange(500) * 2 + (1 if sex == "M" else 0)
            body = f"{region}{born:%Y%m%d}{seq:03d}"
            check = "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
            if check == "X":
                continue
            number = f"G{body}{check}"
            if number not in self.student_nos:
                self.student_nos.add(number)
                return number


def _cumulative(weights: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total
