"""The writer's shared state: the plan, the rows written so far (by plan index), the demo's actors,
and the chunked bulk insert the bulk steps use."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils import timezone

from accounts.models import User
from courses.models import District, School, SchoolClass, Slot, Teacher, Term
from demo.planner.records import DemoPlan
from enrollment.models import EnrollmentWindow
from partners.models import PartnerCourse, Provider

CHUNK = 5000  # objects built and inserted at a time: bounds memory for the district
BATCH = 1000  # rows per INSERT (the backend lowers it to its parameter limit)


class WriterBase:
    """What every step reads and fills in: rows by plan index, so later steps can link to them."""

    def __init__(self, plan: DemoPlan, say: Callable[[str], None]) -> None:
        self.plan = plan
        self.say = say
        self.password = make_password(settings.KEHOU_DEMO_PASSWORD)  # hashed once, shared by every user
        self.district: District | None = None
        self.schools: list[School] = []
        self.staff: dict[str, User] = {}  # the demo's staff logins by username
        self.providers: dict[str, Provider] = {}  # "vocational" | "institution"
        self.partner_courses: list[PartnerCourse] = []
        self.terms: dict[int, Term] = {}
        self.slots: dict[int, list[Slot]] = {}  # per school, index = weekday * 2 + session - 1
        self.teacher_users: list[int] = []  # user id per plan teacher
        self.teachers: list[Teacher | None] = []
        self.classes: list[SchoolClass] = []
        self.section_ids: dict[int, list[int]] = {}
        self.student_ids: list[int] = []
        self.windows: dict[int, EnrollmentWindow] = {}
        self._users: dict[int, User] = {}

    @property
    def with_pupils(self) -> list[int]:
        """Plan indexes of the schools with pupils (all but the vocational school)."""
        return [si for si, s in enumerate(self.plan.schools) if s.has_pupils]

    def coordinator(self, si: int) -> User | None:
        """Who sets a school up: its demo coordinator if it has one, else nobody (a system action)."""
        code = self.plan.schools[si].code
        return {"101": self.staff.get("coordinator"), "102": self.staff.get("coordinator2")}.get(code)

    def teacher_user(self, ti: int) -> User:
        """A plan teacher's login (the partner teachers act in the partner-course services)."""
        if ti not in self._users:
            self._users[ti] = User.objects.get(pk=self.teacher_users[ti])
        return self._users[ti]


def valid_until(fixed: dt.date) -> dt.date:
    """The demo's fixed qualification expiry while it lies ahead, else a year from today.

    The qualification service refuses an expiry in the past; this keeps the demo (and the tests that
    seed it) working after the fixed date, while any two runs before it write the same rows."""
    today = timezone.localdate()
    return fixed if fixed >= today else fixed.replace(year=today.year + 1)


def bulk(model: type[models.Model], objs: Iterable[models.Model], *, want_ids: bool = True) -> Any:
    """bulk_create in chunks (so the district never holds all objects at once); ids in order, or a count."""
    ids: list[int] = []
    count = 0
    for chunk in _chunks(objs, CHUNK):
        model.objects.bulk_create(chunk, batch_size=BATCH)
        count += len(chunk)
        if want_ids:
            ids.extend(o.pk for o in chunk)
    return ids if want_ids else count


def _chunks(items: Iterable[Any], n: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
