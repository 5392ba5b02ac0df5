"""Planning the offer: homework help, 培优补差, clubs and partner courses per school, the pupils'
ranked choices, sections sized by demand, and a teacher for every section."""

from __future__ import annotations

import math
from decimal import Decimal

from demo.data import CLUBS, GRADE_CN, INSTITUTION_COURSE, POPULAR, VOCATIONAL_COURSES
from demo.planner.base import PlannerBase
from demo.planner.records import CoursePlan, SchoolPlan, SectionPlan


class OfferSteps(PlannerBase):
    """Courses, preferences, sections and teacher assignment (after the people steps)."""

    def _courses(self) -> None:
        """Homework help per grade, 培优补差 per subject and grade, 15–30 clubs, partner courses at hosts."""
        rng, plan = self.rng, self.plan
        plan.partner_courses = [("vocational", row) for row in VOCATIONAL_COURSES] + [
            ("institution", INSTITUTION_COURSE)
        ]
        catalogue = list(range(len(CLUBS)))
        rng.shuffle(catalogue)
        cursor = 0
        for si, s in enumerate(plan.schools):
            if not s.has_pupils:
                continue
            grades = list(s.grades)
            for g in grades:
                size = max(plan.classes[c].size for c in s.classes if plan.classes[c].grade == g)
                self._add_course(
                    CoursePlan(
                        school=si,
                        kind="homework",
                        title=f"{GRADE_CN[g - 1]}年级作业辅导",
                        grades=[g],
                        seats=size,
                        meetings=5,
                        features=[],
                        fee=Decimal("0"),
                        subject="",
                        description="在本班教室完成当天作业，老师答疑、辅导。",
                    )
                )
            for g in grades:
                for subject in ("数学", "语文", "英语"):
                    if subject == "英语" and g < 3:
                        continue
                    weight = (
                        (1.5 if subject in ("数学", "英语") else 1.2) if g >= 7 else (1.2 if subject == "数学" else 1.0)
                    )
                    self._add_course(
                        CoursePlan(
                            school=si,
                            kind="tutoring",
                            title=f"{GRADE_CN[g - 1]}年级{subject}培优补差",
                            grades=[g],
                            seats=rng.choice((20, 24, 25, 30)),
                            meetings=2 if rng.random() < 0.25 else 1,
                            features=[],
                            fee=Decimal("0"),
                            subject=subject,
                            weight=weight,
                            description=f"{subject}学习困难学生补差、学有余力学生拓展，分层辅导。",
                        )
                    )
            # Clubs: popular ones often, then a walk through the shuffled catalogue (so the district
            # covers it), then popularity-weighted picks. A club needing a special room reserves it.
            n_clubs = min(30, max(15, round(s.n_pupils / 45) + rng.randint(-3, 3)))
            chosen: set[int] = set()
            for k, club in enumerate(CLUBS):
                if club[5] >= POPULAR and (si == 0 or rng.random() < 0.75):
                    self._club(si, k, chosen)
            walk = 0
            while len(chosen) < n_clubs * 0.6 and walk < len(catalogue):
                self._club(si, catalogue[cursor % len(catalogue)], chosen)
                cursor += 1
                walk += 1
            candidates = [k for k in range(len(CLUBS)) if k not in chosen]
            while len(chosen) < n_clubs and candidates:
                k = rng.choices(candidates, weights=[CLUBS[c][5] for c in candidates])[0]
                candidates.remove(k)
                self._club(si, k, chosen)
            # Partner courses at the host schools.
            for pi, (provider, row) in enumerate(plan.partner_courses):
                hosts = plan.hosts if provider == "vocational" else [plan.institution_host]
                if si not in hosts:
                    continue
                title, _en, _kind, pgrades, group, feats, fee, _materials, description = row
                course = CoursePlan(
                    school=si,
                    kind="partner",
                    title=title,
                    grades=[g for g in pgrades if g in s.grades],
                    seats=group,
                    meetings=1,
                    features=list(feats),
                    fee=Decimal(fee),
                    subject="",
                    weight=4.5,
                    limited=True,
                    partner=pi,
                    description=description,
                )
                if feats and not self._take_room(s, course):
                    raise RuntimeError(f"host school {s.name} has no room for {title}")
                self._add_course(course)

    def _club(self, si: int, k: int, chosen: set[int]) -> None:
        """Offer club `k` at school `si` if its grades and a free special room allow it."""
        rng, school = self.rng, self.plan.schools[si]
        title, subject, feats, lo, hi, weight = CLUBS[k]
        grades = [g for g in school.grades if lo <= g <= hi]
        if k in chosen or not grades:
            return
        seats_max = min([r.capacity for r in school.rooms if set(feats) <= set(r.features)] + [40])
        seats = min(seats_max, rng.choice((20, 24, 25, 30, 30, 35, 40)))
        meetings = 2 if rng.random() < 0.3 else 1
        fee = Decimal("0") if rng.random() < 0.55 else Decimal(rng.choice(("3.00", "3.20", "3.50")))
        span = GRADE_CN[grades[0] - 1] + (f"至{GRADE_CN[grades[-1] - 1]}" if len(grades) > 1 else "")
        course = CoursePlan(
            school=si,
            kind="club",
            title=title,
            grades=grades,
            seats=seats,
            meetings=meetings,
            features=list(feats),
            fee=fee,
            subject=subject,
            weight=weight,
            limited=weight >= POPULAR,
            description=f"面向{span}年级学生的{title}社团，每周{meetings}次。",
        )
        if feats and not self._take_room(school, course):
            return
        chosen.add(k)
        self._add_course(course)

    def _add_course(self, course: CoursePlan) -> None:
        self.plan.schools[course.school].courses.append(len(self.plan.courses))
        self.plan.courses.append(course)

    def _preferences(self) -> None:
        """~70 % of pupils rank 3 distinct club/tutoring/partner courses of their grade, popular ones far more often."""
        rng, plan = self.rng, self.plan
        options: dict[tuple[int, int], tuple[list[int], list[float]]] = {}
        for si, s in enumerate(plan.schools):
            for g in s.grades:
                ks = [k for k in s.courses if plan.courses[k].kind != "homework" and g in plan.courses[k].grades]
                options[si, g] = (ks, [plan.courses[k].weight for k in ks])
        for fam in plan.families:
            for p in fam.children:
                pupil = plan.pupils[p]
                pupil.homework = rng.random() < 0.9
                submits = fam.submits if fam.submits is not None else rng.random() < 0.7
                if not submits:
                    continue
                ks, ws = options[pupil.school, pupil.grade]
                # Weighted sampling without replacement (Efraimidis–Spirakis keys).
                keyed = sorted(((rng.random() ** (1.0 / w), k) for k, w in zip(ks, ws, strict=True)), reverse=True)
                pupil.prefs = [(k, -1) for _key, k in keyed[:3]]

    def _sections(self) -> None:
        """Sections sized by demand: popular courses get few (2–3× oversubscribed), others about enough."""
        rng, plan = self.rng, self.plan
        first: dict[int, int] = {}
        later: dict[int, int] = {}
        for pupil in plan.pupils:
            for rank, (k, _s) in enumerate(pupil.prefs):
                (first if rank == 0 else later)[k] = (first if rank == 0 else later).get(k, 0) + 1
        for k, course in enumerate(plan.courses):
            school = plan.schools[course.school]
            if course.kind == "homework":
                for ci in school.classes:
                    c = plan.classes[ci]
                    if c.grade == course.grades[0]:
                        course.sections.append(
                            SectionPlan(code=f"{c.number}班", capacity=c.size, teacher=c.head, klass=ci)
                        )
                continue
            d1, d2 = first.get(k, 0), later.get(k, 0)
            if course.kind == "partner":
                wanted = 1
            elif course.limited:
                ratio = rng.uniform(2.2, 2.8)
                wanted = max(1, round(d1 / (ratio * course.seats)))
                if wanted == 1 and d1 < 2 * course.seats:  # too few first choices: a smaller group instead
                    course.seats = max(20, min(course.seats, round(d1 / ratio)))
            else:
                wanted = max(1, math.ceil((0.9 * d1 + 0.2 * d2) / course.seats))
            for i in range(wanted):  # the first special room was reserved when the course was offered
                if i > 0 and course.features and not self._take_room(school, course):
                    break
                course.sections.append(SectionPlan(code=f"{i + 1}组", capacity=course.seats))
        for pupil in plan.pupils:
            pupil.prefs = [(k, rng.randrange(len(plan.courses[k].sections))) for k, _s in pupil.prefs]

    @staticmethod
    def _take_room(school: SchoolPlan, course: CoursePlan) -> bool:
        """Reserve weekly room time for one section; False when no room with the features is left."""
        need = set(course.features)
        rooms = [
            r
            for r in school.rooms
            if need <= set(r.features) and r.budget >= course.meetings and r.capacity >= course.seats
        ]
        if not rooms:
            return False
        room = max(rooms, key=lambda r: r.budget)
        room.budget -= course.meetings
        return True

    def _assign_teachers(self) -> None:
        """A teacher whose subject fits and who has weekly periods left; the demo teacher is filled first."""
        plan = self.plan
        jx = plan.schools[0]
        non_heads = [t for t in jx.teachers if t not in {plan.classes[c].head for c in jx.classes}]
        demo = non_heads[0]
        plan.demo_teacher = demo
        dt_ = plan.teachers[demo]
        dt_.subjects, dt_.max_periods, dt_.unavailable = ["数学", "信息技术"], 8, [0]
        voc = [i for i, t in enumerate(plan.teachers) if t.provider == "vocational"]
        inst = next(i for i, t in enumerate(plan.teachers) if t.provider == "institution")
        plan.partner_teacher = voc[0]
        for course in plan.courses:
            for section in course.sections:
                if course.kind == "homework":
                    t = plan.teachers[section.teacher]
                elif course.kind == "partner":
                    provider = plan.partner_courses[course.partner][0]
                    section.teacher = voc[min(course.partner, 3)] if provider == "vocational" else inst
                    t = plan.teachers[section.teacher]
                else:
                    section.teacher = self._pick(plan.schools[course.school].teachers, course, demo)
                    t = plan.teachers[section.teacher]
                t.load += course.meetings
                t.sections += 1
                if course.kind != "homework":
                    t.club_load += course.meetings
                if t.load > t.max_periods:
                    plan.overloaded += 1
                    t.max_periods = min(40, t.load)

    def _pick(self, pool: list[int], course: CoursePlan, demo: int) -> int:
        teachers = self.plan.teachers
        # 5+2 in practice: homework help in session 1, everything else in session 2, so a teacher
        # takes on no more club meetings than the session-2 slots they are available in.
        free = [
            t
            for t in pool
            if teachers[t].max_periods - teachers[t].load >= course.meetings
            and teachers[t].session2_free >= course.meetings
        ]
        fits = [t for t in free if course.subject in teachers[t].subjects]
        if demo in fits and (course.kind == "club" or teachers[demo].sections < 2):
            return demo
        if fits:
            return self.rng.choices(fits, weights=[teachers[t].max_periods - teachers[t].load for t in fits])[0]
        spare = free
        if spare:  # nobody of that subject is free: a colleague with time takes it on as a second subject
            t = max(spare, key=lambda t: (teachers[t].max_periods - teachers[t].load, -t))
            teachers[t].subjects.append(course.subject)
            return t
        return max(pool, key=lambda t: (teachers[t].session2_free, -teachers[t].load, -t))

    def _demo_accounts(self) -> None:
        plan = self.plan
        plan.teachers[plan.demo_teacher].username = "teacher"
        plan.teachers[plan.partner_teacher].username = "partner"
