"""The set-up steps, written through the services coordinators, partners and the bureau use.

Terms, holidays and swapped days, the 5+2 grid, rooms, teachers (and their unavailable slots),
courses and sections go through `courses.services`; the partner courses are posted, submitted and
approved, then requested by the host schools and accepted by the partner teacher
(`partners.services`); the providers' qualification and the travel-time matrix are the bureau's
services, the enrollment windows and notices the coordinators' (`enrollment.services`). So the
demo's set-up obeys the same rules as a real school's and leaves the same audit trail: the
coordinators of 锦溪小学 and 城南小学 are the actors at their schools, the system (no actor) at
the others, the bureau for qualifications and travel times.

No service creates a district, a school, a provider or a partner teacher (the admin does): those
rows are created directly here.
"""

from __future__ import annotations

import datetime as dt

from accounts.models import Role, RoleGrant, User
from allocation.engine.lottery import commitment
from courses import services as setup
from courses.models import CalendarException, District, School, Section, Teacher
from demo.data import (
    DEMO_DISTRICT_CODE,
    DEMO_DISTRICT_NAME,
    DEMO_TERM_NAME,
    HOLIDAYS,
    JUNIOR_GRID,
    NOTICES,
    PRIMARY_GRID,
    PROVIDERS,
    STAFF,
    SWAPPED_WORKDAYS,
    TERM_END,
    TERM_START,
    WINDOW_CLOSES,
    WINDOW_OPENS,
    demo_lottery_seed,
)
from demo.planner.records import travel_minutes
from demo.writer.base import WriterBase, valid_until
from enrollment import services as school_services
from enrollment.models import EnrollmentWindow
from partners import services as partner_services
from partners.models import Provider


class SetupSteps(WriterBase):
    """District and schools, partner courses, calendar, rooms, teachers, courses, windows, travel."""

    def _places(self) -> str:
        """The district, its schools, the staff logins and the providers (qualified by the bureau)."""
        plan = self.plan
        self.district = District.objects.create(name=DEMO_DISTRICT_NAME, code=DEMO_DISTRICT_CODE)
        self.schools = School.objects.bulk_create(
            School(district=self.district, name=s.name, code=s.code, kind=s.kind, address=s.address)
            for s in plan.schools
        )
        users = User.objects.bulk_create(
            User(username=u, password=self.password, display_name=name, is_staff=admin, is_superuser=admin)
            for u, name, admin in STAFF
        )
        self.staff = {u.username: u for u in users}
        RoleGrant.objects.bulk_create(
            [
                RoleGrant(user=self.staff["coordinator"], role=Role.COORDINATOR, school=self.schools[0]),
                RoleGrant(user=self.staff["coordinator2"], role=Role.COORDINATOR, school=self.schools[1]),
                RoleGrant(user=self.staff["bureau"], role=Role.BUREAU, district=self.district),
            ]
        )
        for key, name, kind, expires in PROVIDERS:
            provider = Provider.objects.create(
                district=self.district,
                name=name,
                kind=kind,
                school=self.schools[plan.vocational] if kind == Provider.Kind.VOCATIONAL else None,
            )
            self.providers[key] = partner_services.provider_qualification_set(
                provider=provider,
                status=Provider.Review.APPROVED,
                expires=valid_until(expires),
                by=self.staff["bureau"],
            )
        return f"{len(self.schools)} 所学校，{len(self.providers)} 家合作机构（资质已审核）"

    def _partner_courses(self) -> str:
        """Each partner course posted and submitted by the teacher who will teach it, approved by the bureau."""
        plan = self.plan
        authors: dict[int, int] = {}
        for course in plan.courses:
            if course.partner is not None and course.sections:
                authors.setdefault(course.partner, course.sections[0].teacher)
        for pi, (key, row) in enumerate(plan.partner_courses):
            title, title_en, kind, grades, group, feats, fee, materials, description = row
            ti = authors.get(pi, next(i for i, t in enumerate(plan.teachers) if t.provider == key))
            author = self.teacher_user(ti)
            course = partner_services.partner_course_create(
                provider=self.providers[key],
                by=author,
                title=title,
                title_en=title_en,
                description=description,
                kind=kind,
                grades=grades,
                group_size=group,
                meetings_per_week=1,
                materials=materials,
                room_features=feats,
                fee_per_class_hour=fee,
            )
            partner_services.partner_course_submit(course=course, by=author)
            self.partner_courses.append(partner_services.partner_course_approve(course=course, by=self.staff["bureau"]))
        return f"{len(self.partner_courses)} 门合作课程（提交并审核通过）"

    def _calendar(self) -> str:
        """A term per school, its holidays and swapped working day, and the 5+2 grid."""
        plan = self.plan
        exceptions = slots = 0
        for si in self.with_pupils:
            school, by = self.schools[si], self.coordinator(si)
            term = setup.term_create(school=school, name=DEMO_TERM_NAME, start=TERM_START, end=TERM_END, by=by)
            self.terms[si] = term
            for day, note in HOLIDAYS:
                setup.calendar_exception_add(term=term, date=day, kind=CalendarException.Kind.HOLIDAY, note=note, by=by)
            for day, weekday, note in SWAPPED_WORKDAYS:
                setup.calendar_exception_add(
                    term=term,
                    date=day,
                    kind=CalendarException.Kind.WORKDAY,
                    follows_weekday=weekday,
                    note=note,
                    by=by,
                )
            exceptions += len(HOLIDAYS) + len(SWAPPED_WORKDAYS)
            week, friday = JUNIOR_GRID if plan.schools[si].kind == "junior" else PRIMARY_GRID
            grid = setup.slot_grid_apply_template(
                school=school, sessions=_times(week), friday_sessions=_times(friday), by=by
            )
            self.slots[si] = sorted(grid, key=lambda s: (s.weekday, s.session))
            slots += len(grid)
        return f"{len(self.terms)} 个学期，{exceptions} 个校历例外，{slots} 个时段"

    def _rooms(self) -> str:
        n = 0
        for si, s in enumerate(self.plan.schools):
            by = self.coordinator(si)
            for r in s.rooms:
                setup.room_create(school=self.schools[si], name=r.name, capacity=r.capacity, features=r.features, by=by)
                n += 1
        return f"{n} 间"

    def _teachers(self) -> str:
        """The schools' own teachers, their logins linked, and the slots they are not available in."""
        plan = self.plan
        blocked = 0
        own: list[Teacher] = []
        for ti, t in enumerate(plan.teachers):
            if t.school is None:
                continue  # partner teachers were written with the accounts
            by = self.coordinator(t.school)
            teacher = setup.teacher_create(
                school=self.schools[t.school],
                name=t.name,
                staff_no=t.staff_no,
                phone=t.phone,
                subjects=t.subjects,
                max_periods_week=t.max_periods,
                by=by,
            )
            self.teachers[ti] = teacher
            own.append(teacher)
            for k in t.unavailable:
                setup.teacher_availability_toggle(teacher=teacher, slot=self.slots[t.school][k], by=by)
                blocked += 1
            teacher.user_id = self.teacher_users[ti]  # no service links a login to a teacher (the admin does)
        Teacher.objects.bulk_update(own, ["user"], batch_size=1000)
        return f"{len(own)} 名本校教师，{blocked} 个不可用时段"

    def _courses(self) -> str:
        """Own courses and sections through the set-up services; partner courses through host requests."""
        plan = self.plan
        n_sections = 0
        for k, c in enumerate(plan.courses):
            school, term, by = self.schools[c.school], self.terms[c.school], self.coordinator(c.school)
            if c.partner is not None:
                asked = partner_services.host_request_create(
                    school=school,
                    term=term,
                    partner_course=self.partner_courses[c.partner],
                    by=by,
                    sections=len(c.sections),
                )
                ti = c.sections[0].teacher
                accepted = partner_services.host_request_accept(
                    host_request=asked, by=self.teacher_user(ti), teacher=self.teachers[ti]
                )
                assert accepted.course is not None
                ids = list(
                    Section.objects.filter(course=accepted.course, term=term)
                    .order_by("pk")
                    .values_list("pk", flat=True)
                )
            else:
                course = setup.course_create(
                    school=school,
                    kind=c.kind,
                    title=c.title,
                    grades=c.grades,
                    seats_per_section=c.seats,
                    meetings_per_week=c.meetings,
                    room_features=c.features,
                    fee_per_class_hour=c.fee,
                    description=c.description,
                    by=by,
                )
                ids = [
                    setup.section_create(
                        course=course,
                        term=term,
                        code=s.code,
                        capacity=s.capacity,
                        teacher=self.teachers[s.teacher] if s.teacher >= 0 else None,
                        school_class=self.classes[s.klass] if s.klass is not None else None,
                        by=by,
                    ).pk
                    for s in c.sections
                ]
            self.section_ids[k] = ids
            n_sections += len(ids)
        clubs = len({c.title for c in plan.courses if c.kind == "club"})
        return f"{len(plan.courses)} 门课程（社团 {clubs} 种），{n_sections} 个教学班"

    def _windows_and_notices(self) -> str:
        """A closed preference window per school (its lottery seed committed) and the notices of term."""
        plan = self.plan
        notices = 0
        for si in self.with_pupils:
            school, by = self.schools[si], self.coordinator(si)
            self.windows[si] = school_services.window_save(
                school=school,
                by=by,
                data={
                    "term": self.terms[si],
                    "mode": EnrollmentWindow.Mode.PREFERENCE,
                    "opens_at": WINDOW_OPENS,
                    "closes_at": WINDOW_CLOSES,
                    "max_choices": 3,
                    "lottery_seed_hash": commitment(demo_lottery_seed(school.code, plan.seed)),
                },
            )
            for grade, title, body in NOTICES if by is not None else NOTICES[:1]:
                if grade is None or grade in plan.schools[si].grades:
                    school_services.notice_publish(school=school, by=by, title=title, body=body, grade=grade)
                    notices += 1
        return f"{len(self.windows)} 个志愿窗口（已关闭，抽签种子已承诺），{notices} 条通知"

    def _travel(self) -> str:
        """The minutes between every two schools, both ways, as the bureau enters them."""
        plan, bureau = self.plan, self.staff["bureau"]
        pairs = 0
        for a, sa in enumerate(plan.schools):
            for b in range(a + 1, len(plan.schools)):
                partner_services.travel_time_set(
                    a=self.schools[a], b=self.schools[b], minutes=travel_minutes(sa, plan.schools[b]), by=bureau
                )
                pairs += 1
        return f"{2 * pairs} 条"


def _times(sessions: tuple[tuple[tuple[int, int], tuple[int, int]], ...]) -> list[tuple[dt.time, dt.time]]:
    return [(dt.time(*start), dt.time(*end)) for start, end in sessions]
