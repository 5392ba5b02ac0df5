"""The bulk steps: logins, classes, families and pupils, ranked choices, homework-help seats.

These rows are inserted with `bulk_create`, not through services, for two reasons:

* No service writes them. Logins and role grants are made in the admin; classes only by the pupil
  roster import, which reads an Excel upload, knows one guardian per pupil and gives guardians no
  password (they sign in later) — the demo's families have two guardians and the published demo
  password. So users (≈63,700: 2,219 teachers, 61,437 guardians, staff), role grants, classes
  (978), families (38,448), guardians and pupils (44,177) are written directly.
* Per-row services would take minutes. The choices (92,055 rows of 30,685 pupils) have
  `enrollment.services.preferences_replace` and the homework-help seats (39,701) have `roster_add`
  (the school places a pupil by hand). Measured on the seeded district, SQLite, this 2-core
  machine (`bench/demo_services.py --pupils 500`, bench/results/demo_services.md):
  preferences_replace 6.0 ms a pupil and roster_add 10.0 ms a seat (student lock, eligibility and
  clash checks, the seat count, an audit row each) — 3.0 + 6.6 minutes for the district, against
  10–22 s for the bulk inserts below. The rows are the ones those services would write (a
  seat's source is `school`; three distinct choices of the pupil's own school and grade in a
  window that has closed), and tests/demo holds them to those rules.
"""

from __future__ import annotations

import datetime as dt

from django.db.models.functions import Mod

from accounts.models import Role, RoleGrant, User
from courses.models import Room, SchoolClass, Teacher
from demo.data import HOMEWORK_SEATS_AT, WINDOW_OPENS, home_room_name
from demo.writer.base import WriterBase, bulk
from enrollment.models import Enrollment, Family, Guardian, Preference, Student


class BulkSteps(WriterBase):
    """Teacher logins (and the partner teachers), classes, families and pupils, choices and seats."""

    def _accounts(self) -> str:
        """A login per teacher with its role; the partner teachers, who belong to their provider."""
        plan = self.plan
        self.teacher_users = bulk(
            User,
            (
                User(username=t.username, password=self.password, phone=t.phone, display_name=t.name)
                for t in plan.teachers
            ),
        )
        bulk(
            RoleGrant,
            (
                RoleGrant(user_id=uid, role=Role.PARTNER_TEACHER, provider=self.providers[t.provider])
                if t.provider
                else RoleGrant(user_id=uid, role=Role.TEACHER, school=self.schools[t.school])
                for t, uid in zip(plan.teachers, self.teacher_users, strict=True)
            ),
            want_ids=False,
        )
        self.teachers = [None] * len(plan.teachers)
        partners = [(ti, t) for ti, t in enumerate(plan.teachers) if t.provider]
        rows = Teacher.objects.bulk_create(
            Teacher(
                user_id=self.teacher_users[ti],
                provider=self.providers[t.provider],
                name=t.name,
                staff_no=t.staff_no,
                phone=t.phone,
                subjects=t.subjects,
                max_periods_week=t.max_periods,
            )
            for ti, t in partners
            if t.provider
        )
        for (ti, _t), row in zip(partners, rows, strict=True):
            self.teachers[ti] = row
        return f"{len(self.teacher_users) + len(self.staff)} 个账号，{len(rows)} 名合作机构教师"

    def _classes(self) -> str:
        """Classes with their head teacher and home room (the 教室 room named after the class)."""
        teachers = self.teachers
        rooms = {
            (r.school_id, r.name): r.pk
            for r in Room.objects.filter(school__in=self.schools).only("pk", "school_id", "name")
        }
        self.classes = SchoolClass.objects.bulk_create(
            (
                SchoolClass(
                    school=self.schools[c.school],
                    grade=c.grade,
                    number=c.number,
                    head_teacher=teachers[c.head] if c.head >= 0 else None,
                    home_room_id=rooms.get((self.schools[c.school].pk, home_room_name(c.grade, c.number))),
                )
                for c in self.plan.classes
            ),
            batch_size=1000,
        )
        return f"{len(self.classes)} 个班"

    def _families(self) -> str:
        plan = self.plan
        family_ids = bulk(
            Family, (Family(label="、".join(plan.pupils[p].name for p in f.children) + "家") for f in plan.families)
        )
        guardians = [(fi, g) for fi, f in enumerate(plan.families) for g in f.guardians]
        user_ids = bulk(
            User,
            (
                User(username=g.username, password=self.password, phone=g.phone, display_name=g.name)
                for _fi, g in guardians
            ),
        )
        bulk(
            Guardian,
            (
                Guardian(user_id=uid, family_id=family_ids[fi], name=g.name, phone=g.phone, relation=g.relation)
                for (fi, g), uid in zip(guardians, user_ids, strict=True)
            ),
            want_ids=False,
        )
        bulk(RoleGrant, (RoleGrant(user_id=uid, role=Role.PARENT) for uid in user_ids), want_ids=False)
        order = [p for f in plan.families for p in f.children]
        school_ids = [s.pk for s in self.schools]
        class_ids = [c.pk for c in self.classes]
        ids = bulk(
            Student,
            (
                Student(
                    school_id=school_ids[pupil.school],
                    school_class_id=class_ids[pupil.klass],
                    family_id=family_ids[pupil.family],
                    student_no=pupil.student_no,
                    name=pupil.name,
                    sex=pupil.sex,
                    grade=pupil.grade,
                    priority_groups=pupil.groups,
                )
                for pupil in (plan.pupils[p] for p in order)
            ),
        )
        self.student_ids = [0] * len(plan.pupils)
        for p, sid in zip(order, ids, strict=True):
            self.student_ids[p] = sid
        siblings = sum(1 for f in plan.families if len(f.children) > 1)
        return f"{len(family_ids)} 户（{siblings} 户有两个孩子），{len(user_ids)} 位家长，{len(ids)} 名学生"

    def _choices(self) -> str:
        """The ranked choices made while the window was open, and the homework-help seats the schools gave."""
        plan = self.plan
        window_ids = {si: w.pk for si, w in self.windows.items()}
        n_prefs = bulk(
            Preference,
            (
                Preference(
                    window_id=window_ids[pupil.school],
                    student_id=self.student_ids[p],
                    section_id=self.section_ids[k][s],
                    rank=rank,
                )
                for p, pupil in enumerate(plan.pupils)
                for rank, (k, s) in enumerate(pupil.prefs, start=1)
            ),
            want_ids=False,
        )
        # `submitted_at` is auto_now, so spread it over the (closed) window afterwards: 24 buckets.
        for bucket in range(24):
            at = WINDOW_OPENS + dt.timedelta(hours=bucket * 7, minutes=(bucket * 37) % 60)
            Preference.objects.filter(window_id__in=list(window_ids.values())).annotate(b=Mod("student_id", 24)).filter(
                b=bucket
            ).update(submitted_at=at)
        homework: dict[int, int] = {}
        for k, c in enumerate(plan.courses):
            if c.kind == "homework":
                for s, sid in zip(c.sections, self.section_ids[k], strict=True):
                    homework[s.klass] = sid
        n_enr = bulk(
            Enrollment,
            (
                Enrollment(
                    student_id=self.student_ids[p],
                    section_id=homework[pupil.klass],
                    status=Enrollment.Status.ENROLLED,
                    source=Enrollment.Source.SCHOOL,  # the school places pupils in their class's homework help
                    created_at=HOMEWORK_SEATS_AT,
                )
                for p, pupil in enumerate(plan.pupils)
                if pupil.homework
            ),
            want_ids=False,
        )
        return f"{n_prefs} 条志愿，{n_enr} 个作业辅导名额"
