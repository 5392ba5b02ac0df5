"""Planning the people and places: schools and their layout, classes, rooms, teachers, pupils and
their families (with siblings across a primary and its nearby junior school)."""

from __future__ import annotations

from demo.data import (
    DEMO_DISTRICT_NAME,
    DEMO_PARENT2_PHONE,
    DEMO_PARENT_PHONE,
    FIRST_SCHOOL,
    JUNIOR_NAMES,
    NINE_YEAR_NAMES,
    PRIMARY_NAMES,
    ROADS,
    SECOND_SUBJECT,
    SUBJECT_WEIGHTS,
    SUBJECTS,
    VOCATIONAL_SCHOOL,
    home_room_name,
)
from demo.planner.base import PlannerBase
from demo.planner.records import (
    ClassPlan,
    FamilyPlan,
    GuardianPlan,
    PupilPlan,
    RoomPlan,
    SchoolPlan,
    TeacherPlan,
    distance,
)
from enrollment.models import PriorityGroup


class PeopleSteps(PlannerBase):
    """Schools, classes, rooms, teachers, pupils and families (in this order: each uses the last)."""

    def _schools(self) -> None:
        rng, plan = self.rng, self.plan
        if self.size == "district":
            specs = (
                [(n, f"1{i + 1:02d}", "primary") for i, n in enumerate(PRIMARY_NAMES)]
                + [(n, f"2{i + 1:02d}", "junior") for i, n in enumerate(JUNIOR_NAMES)]
                + [(n, f"3{i + 1:02d}", "nine_year") for i, n in enumerate(NINE_YEAR_NAMES)]
            )
        else:
            specs = [
                (PRIMARY_NAMES[0], "101", "primary"),
                (PRIMARY_NAMES[1], "102", "primary"),
                (JUNIOR_NAMES[0], "201", "junior"),
            ]
        specs.append((VOCATIONAL_SCHOOL, "401", "vocational"))
        roads = list(ROADS)
        for name, code, kind in specs:
            x, y = rng.uniform(0, 24), rng.uniform(0, 16)
            address = f"{DEMO_DISTRICT_NAME}{rng.choice(roads)}{rng.randrange(1, 400)}号"
            plan.schools.append(SchoolPlan(name=name, code=code, kind=kind, address=address, x=x, y=y))
        by_name = {s.name: s for s in plan.schools}
        if "锦溪中学" in by_name:  # the junior school next door to 锦溪小学
            jx, neighbour = by_name[FIRST_SCHOOL], by_name["锦溪中学"]
            neighbour.x, neighbour.y = jx.x + 1.1, jx.y + 0.7
        plan.vocational = len(plan.schools) - 1
        juniors = [i for i, s in enumerate(plan.schools) if s.kind == "junior"]
        for s in plan.schools:
            if s.kind == "primary":
                s.feeder = min(
                    juniors, key=lambda j, s=s: (s.x - plan.schools[j].x) ** 2 + (s.y - plan.schools[j].y) ** 2
                )
        primaries = [i for i, s in enumerate(plan.schools) if s.kind == "primary"]
        first = primaries[0]
        others = sorted(primaries[1:], key=lambda i: distance(plan.schools[first], plan.schools[i]))
        plan.hosts = [first, *others[:2]]
        plan.institution_host = primaries[1]

    def _classes(self) -> None:
        """Classes per grade so the district has ~30,000 primary and ~14,000 junior pupils."""
        rng, plan = self.rng, self.plan
        counts: dict[tuple[int, int], int] = {}
        if self.size == "small":
            for si, s in enumerate(plan.schools):
                for g in s.grades:
                    counts[si, g] = 1
        else:
            for si, s in enumerate(plan.schools):
                if s.kind == "primary":
                    base = 4 if si == 0 else rng.choice((2, 3, 3, 4, 4, 4, 5, 5, 6))
                    for g in s.grades:
                        counts[si, g] = base if si == 0 else max(1, base + rng.choice((-1, 0, 0, 0, 1)))
                elif s.kind == "junior":
                    base = rng.randint(7, 12)
                    for g in s.grades:
                        counts[si, g] = max(4, base + rng.choice((-1, 0, 0, 1)))
                elif s.kind == "nine_year":
                    for g in s.grades:
                        counts[si, g] = 2 if g <= 6 else 3
            nine = sum(c for (si, g), c in counts.items() if plan.schools[si].kind == "nine_year" and g <= 6)
            nine_j = sum(c for (si, g), c in counts.items() if plan.schools[si].kind == "nine_year" and g > 6)
            self._rebalance(counts, "primary", round(30000 / 45) - nine, keep={0})
            self._rebalance(counts, "junior", round(14000 / 45) - nine_j, keep=set())
        for (si, g), n in sorted(counts.items()):
            for number in range(1, n + 1):
                plan.schools[si].classes.append(len(plan.classes))
                plan.classes.append(ClassPlan(school=si, grade=g, number=number, size=rng.randint(40, 50)))
        for s in plan.schools:
            s.n_pupils = sum(plan.classes[c].size for c in s.classes)

    def _rebalance(self, counts: dict[tuple[int, int], int], kind: str, target: int, keep: set[int]) -> None:
        keys = [k for k in sorted(counts) if self.plan.schools[k[0]].kind == kind and k[0] not in keep]
        total = sum(counts[k] for k in counts if self.plan.schools[k[0]].kind == kind)
        while total != target:
            key = self.rng.choice(keys)
            if total < target:
                counts[key] += 1
                total += 1
            elif counts[key] > 2:
                counts[key] -= 1
                total -= 1

    def _rooms(self) -> None:
        rng, plan = self.rng, self.plan
        for si, s in enumerate(plan.schools):
            if not s.has_pupils:
                s.rooms.append(RoomPlan("中式面点实训室", 30, ["kitchen", "water"]))
                s.rooms.append(RoomPlan("烹饪实训室", 30, ["kitchen", "water"]))
                continue
            for ci in s.classes:
                c = plan.classes[ci]
                s.rooms.append(RoomPlan(home_room_name(c.grade, c.number), 50, [], budget=0))
            n = s.n_pupils
            extra = 1 + n // 900
            labs = ("物理实验室", "化学实验室", "生物实验室") if s.kind == "junior" else ("科学实验室",)
            for i in range(1 + n // 700):
                s.rooms.append(
                    RoomPlan(
                        _numbered(labs[i % len(labs)], i // len(labs), 1 + n // 700 > len(labs)), 48, ["lab", "water"]
                    )
                )
            for base, cap, feats, count in (
                ("计算机教室", 50, ["computer"], extra),
                ("音乐教室", 50, ["music"], extra),
                ("美术教室", 45, ["art", "water"], extra),
            ):
                for i in range(count):
                    s.rooms.append(RoomPlan(_numbered(base, i, count > 1), cap, feats))
            first = si == 0
            if n >= 500 or first:
                s.rooms.append(RoomPlan("舞蹈房", 40, ["music"]))
            if rng.random() < 0.5:
                s.rooms.append(RoomPlan("书法教室", 45, ["art", "water"]))
            if n >= 600 or first or rng.random() < 0.5:
                s.rooms.append(RoomPlan("体育馆", 120, ["gym"]))
            if rng.random() < 0.5:
                s.rooms.append(RoomPlan("乒乓球室", 40, ["gym"]))
            s.rooms.append(RoomPlan("操场", 300, ["field"]))
            if n >= 900:
                s.rooms.append(RoomPlan("篮球场", 60, ["field"]))
            if si in plan.hosts or rng.random() < 0.3:
                s.rooms.append(RoomPlan("劳技教室", 30, ["kitchen", "water"]))
            if rng.random() < 0.4:
                s.rooms.append(RoomPlan("创客空间", 40, ["lab", "computer"]))
            s.rooms.append(RoomPlan("图书馆", 60, [], budget=0))

    def _teachers(self) -> None:
        """About one after-school teacher per 20 pupils; head teachers are mostly 语文/数学 teachers."""
        rng, plan = self.rng, self.plan
        for si, s in enumerate(plan.schools):
            if not s.has_pupils:
                continue
            n_teachers = max(round(s.n_pupils / 20), 2 * len(s.classes) + 4)
            weights = SUBJECT_WEIGHTS["junior" if s.kind == "junior" else "primary"]
            start = len(plan.teachers)
            for k in range(n_teachers):
                sex = "F" if rng.random() < (0.72 if s.kind != "junior" else 0.6) else "M"
                main = rng.choices(SUBJECTS, weights=weights)[0]
                subjects = [main]
                if rng.random() < 0.3:
                    subjects.append(rng.choice(SECOND_SUBJECT[main]))
                staff_no = f"{k + 1:03d}"
                phone = self.phone()
                s.teachers.append(len(plan.teachers))
                plan.teachers.append(
                    TeacherPlan(
                        school=si,
                        provider=None,
                        name=self.adult_name(sex),
                        staff_no=staff_no,
                        phone=phone,
                        subjects=subjects,
                        max_periods=rng.randint(4, 8),
                        unavailable=[],
                        username=f"t{s.code}{staff_no}",
                    )
                )
            # Head teachers: 语文/数学 (and 英语 in junior schools) first, then anyone.
            lead = {"语文", "数学"} | ({"英语"} if s.kind == "junior" else set())
            pool = list(range(start, len(plan.teachers)))
            rng.shuffle(pool)
            pool.sort(key=lambda t: plan.teachers[t].subjects[0] not in lead)
            for ci, ti in zip(s.classes, pool, strict=False):
                plan.classes[ci].head = ti
                t = plan.teachers[ti]
                t.max_periods = rng.randint(6, 8)  # 5 homework meetings + room for a club
                t.unavailable = sorted(rng.sample([wd * 2 + 1 for wd in range(5)], rng.choice((0, 0, 1, 1, 2))))
            heads = {plan.classes[ci].head for ci in s.classes}
            for ti in range(start, len(plan.teachers)):
                if ti not in heads:
                    plan.teachers[ti].unavailable = sorted(
                        rng.sample(range(10), rng.choices((0, 1, 2, 3), (30, 35, 25, 10))[0])
                    )
        # The vocational school's teachers and the outside institution's teacher.
        voc = plan.schools[plan.vocational]
        for k, (subjects, sex) in enumerate(
            (
                (["中式面点"], "M"),
                (["烹饪", "果蔬雕刻"], "M"),
                (["插花艺术"], "F"),
                (["机电技术", "创新设计"], "M"),
                (["旅游服务"], "F"),
            )
        ):
            staff_no = f"{k + 1:03d}"
            plan.teachers.append(
                TeacherPlan(
                    school=None,
                    provider="vocational",
                    name=self.adult_name(sex),
                    staff_no=staff_no,
                    phone=self.phone(),
                    subjects=subjects,
                    max_periods=8,
                    unavailable=[],
                    username=f"t{voc.code}{staff_no}",
                )
            )
        plan.teachers.append(
            TeacherPlan(
                school=None,
                provider="institution",
                name=self.adult_name("F"),
                staff_no="001",
                phone=self.phone(),
                subjects=["科学", "机器人"],
                max_periods=6,
                unavailable=[],
                username="txc001",
            )
        )

    def _pupils_and_families(self) -> None:
        """Pupils class by class, then households: ~15 % have two children, some across primary and junior."""
        rng, plan = self.rng, self.plan
        for ci, c in enumerate(plan.classes):
            for _ in range(c.size):
                c.pupils.append(len(plan.pupils))
                plan.pupils.append(
                    PupilPlan(school=c.school, klass=ci, grade=c.grade, sex="M" if rng.random() < 0.51 else "F")
                )
        pools: dict[int, list[int]] = {}
        for si, s in enumerate(plan.schools):
            pool = [p for ci in s.classes for p in plan.classes[ci].pupils]
            rng.shuffle(pool)
            pools[si] = pool
        used: set[int] = set()
        pairs: list[tuple[int, int]] = []
        # Across a primary school and its nearby junior school (≈ 3 % of the primary's pupils).
        for si, s in enumerate(plan.schools):
            if s.kind != "primary" or s.feeder is None:
                continue
            junior_pool = [p for p in pools[s.feeder] if p not in used]
            m = max(1, round(s.n_pupils * 0.03))
            for a, b in zip([p for p in pools[si] if p not in used][:m], junior_pool[:m], strict=False):
                pairs.append((a, b))
                used.update((a, b))
        cross_first = next(i for i, (a, _b) in enumerate(pairs) if plan.pupils[a].school == 0)
        # Within a school: siblings in different grades (a few twins).
        for si in range(len(plan.schools)):
            rest = [p for p in pools[si] if p not in used]
            take = rest[: int(len(rest) * 0.23) // 2 * 2]
            take.sort(key=lambda p: plan.pupils[p].grade)
            half = len(take) // 2
            for a, b in zip(take[:half], take[half:], strict=True):
                pairs.append((a, b))
                used.update((a, b))
        singles = [p for p in range(len(plan.pupils)) if p not in used]
        households: list[list[int]] = [[a, b] for a, b in pairs] + [[p] for p in singles]
        order = list(range(len(households)))
        rng.shuffle(order)
        # The demo families go first so their ids are small and stable.
        single_first = len(pairs) + next(i for i, p in enumerate(singles) if plan.pupils[p].school == 0)
        order.remove(cross_first)
        order.remove(single_first)
        order = [cross_first, single_first, *order]
        for hi in order:
            self._family(households[hi])
        plan.parent_family, plan.parent2_family = 0, 1
        plan.families[0].submits = True
        plan.families[1].submits = True
        plan.families[0].guardians[0].phone = DEMO_PARENT_PHONE
        plan.families[0].guardians[0].username = "parent"
        plan.families[1].guardians[0].phone = DEMO_PARENT2_PHONE
        plan.families[1].guardians[0].username = "parent2"

    def _family(self, children: list[int]) -> None:
        rng, plan = self.rng, self.plan
        fi = len(plan.families)
        fam = FamilyPlan(children=children)
        surname = self.surname()
        left_behind = rng.random() < 0.05
        groups: list[str] = []
        if left_behind:
            groups.append(PriorityGroup.LEFT_BEHIND.value)
        else:
            if rng.random() < 0.126:
                groups.append(PriorityGroup.MIGRANT.value)
            if rng.random() < 0.42:
                groups.append(PriorityGroup.DUAL_EARNER.value)
        if rng.random() < 0.04:
            groups.append(PriorityGroup.LOW_INCOME.value)
        migrant = PriorityGroup.MIGRANT.value in groups
        names: set[str] = set()
        for p in children:
            pupil = plan.pupils[p]
            pupil.family = fi
            name = surname + self.child_given(pupil.sex)
            while name in names:
                name = surname + self.child_given(pupil.sex)
            names.add(name)
            pupil.name = name
            pupil.student_no = self.student_no(pupil.grade, pupil.sex, migrant)
            pupil.groups = [*groups, PriorityGroup.DISABLED.value] if rng.random() < 0.01 else list(groups)
        if left_behind:
            relations = [("祖父", "M", surname), ("祖母", "F", None)] if rng.random() < 0.6 else [("外婆", "F", None)]
        else:
            first_is_mother = rng.random() < 0.6
            father, mother = ("父亲", "M", surname), ("母亲", "F", None)
            relations = [mother, father] if first_is_mother else [father, mother]
            if rng.random() < 0.4:
                relations = relations[:1]
        for relation, sex, sn in relations:
            phone = self.phone()
            fam.guardians.append(
                GuardianPlan(name=self.adult_name(sex, sn), phone=phone, relation=relation, username=f"p{phone}")
            )
        plan.families.append(fam)


def _numbered(base: str, i: int, many: bool) -> str:
    return f"{base}{i + 1}" if many else base
