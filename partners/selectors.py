"""Reads for providers, partner courses, host requests and travel times, scoped by the acting user.

Scopes (the QuerySets `Provider.objects.visible_to_partner/visible_to_bureau`,
`School.objects.visible_to_coordinator`): a partner teacher sees their provider(s), the bureau its
district(s), a coordinator their school. Anything
out of scope is a 404, never a 403, so ids do not reveal what exists.

What a host school is offered: courses with an approved version (see `PartnerCourse.offered`),
of a provider whose qualification is approved and not expired, for at least one of the school's
grades, of a provider that reaches the school. A provider reaches the schools its teachers list
(`ReachableSchool`) and the schools it already serves; a provider that has listed none yet is
taken to reach its whole district.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.http import Http404

from accounts.access import Actor
from core.ids import id_or_404
from courses.models import WEEKDAY_CHOICES, Course, School, Section, Teacher, Term, section_order_key
from partners.models import (
    SESSION_CHOICES,
    HostRequest,
    OfferedVersion,
    PartnerAvailability,
    PartnerCourse,
    PartnerCoursePhoto,
    Provider,
    ReachableSchool,
    TravelTime,
)

# --- partner teacher ----------------------------------------------------------------------------------


def provider_list_for_partner(*, actor: Actor) -> list[Provider]:
    providers = list(Provider.objects.visible_to_partner(actor).order_by("name"))
    if not providers:
        raise Http404
    return providers


def partner_teacher_get(*, actor: Actor) -> Teacher:
    """The acting partner teacher's own Teacher row (of one of their providers), or 404."""
    if actor.teacher_id is None:
        raise Http404
    teacher = (
        Teacher.objects.select_related("provider", "provider__district")
        .filter(pk=actor.teacher_id, provider__in=Provider.objects.visible_to_partner(actor))
        .first()
    )
    if teacher is None:
        raise Http404
    return teacher


def partner_course_list_for_partner(*, actor: Actor) -> list[PartnerCourse]:
    """The provider's courses with the host schools that run them."""
    return list(
        PartnerCourse.objects.filter(provider__in=Provider.objects.visible_to_partner(actor))
        .annotate(host_count=Count("host_courses__school", distinct=True))
        .prefetch_related("host_courses__school")
        .order_by("title")
    )


def partner_course_get_for_partner(*, actor: Actor, course_id: Any) -> PartnerCourse:
    """One of the provider's courses; another provider's course is a 404."""
    course = (
        PartnerCourse.objects.select_related("provider")
        .filter(pk=id_or_404(course_id), provider__in=Provider.objects.visible_to_partner(actor))
        .first()
    )
    if course is None:
        raise Http404
    return course


def review_history(*, course: PartnerCourse) -> list:
    return list(course.reviews.select_related("by").order_by("-at", "-id"))


def photos_for(*, course: PartnerCourse) -> list[PartnerCoursePhoto]:
    return list(course.photos.order_by("uploaded_at", "id"))


def host_request_list_for_partner(*, actor: Actor, status: str | None = None) -> list[HostRequest]:
    qs = HostRequest.objects.filter(
        partner_course__provider__in=Provider.objects.visible_to_partner(actor)
    ).select_related("partner_course", "school", "term", "teacher", "requested_by")
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("status", "-requested_at", "-id"))


def host_request_get_for_partner(*, actor: Actor, request_id: Any) -> HostRequest:
    row = (
        HostRequest.objects.select_related("partner_course__provider", "school", "term")
        .filter(pk=id_or_404(request_id), partner_course__provider__in=Provider.objects.visible_to_partner(actor))
        .first()
    )
    if row is None:
        raise Http404
    return row


def provider_teachers(*, actor: Actor) -> list[Teacher]:
    return list(Teacher.objects.filter(provider__in=Provider.objects.visible_to_partner(actor)).order_by("name"))


def provider_teacher_get(*, actor: Actor, teacher_id: Any) -> Teacher:
    teacher = Teacher.objects.filter(
        pk=id_or_404(teacher_id), provider__in=Provider.objects.visible_to_partner(actor)
    ).first()
    if teacher is None:
        raise Http404
    return teacher


@dataclass
class Availability:
    teacher: Teacher
    cells: set[tuple[int, int]]
    reachable: set[int]
    schools: list[School]
    weekdays: list[tuple[int, Any]]
    sessions: list[tuple[int, Any]]

    @property
    def grid(self) -> list[dict[str, Any]]:
        """Rows of sessions, each with a cell per weekday (value `weekday-session`, checked or not)."""
        return [
            {
                "label": slabel,
                "cells": [
                    {"value": f"{wd}-{session}", "label": f"{wlabel} {slabel}", "checked": (wd, session) in self.cells}
                    for wd, wlabel in self.weekdays
                ],
            }
            for session, slabel in self.sessions
        ]


def availability_for(*, teacher: Teacher) -> Availability:
    schools = list(
        School.objects.filter(district_id=teacher.provider.district_id)
        .exclude(kind=School.Kind.VOCATIONAL)
        .order_by("code")
    )
    return Availability(
        teacher=teacher,
        cells=set(PartnerAvailability.objects.filter(teacher=teacher).values_list("weekday", "session")),
        reachable=set(ReachableSchool.objects.filter(teacher=teacher).values_list("school_id", flat=True)),
        schools=schools,
        weekdays=list(WEEKDAY_CHOICES),
        sessions=SESSION_CHOICES[:2],
    )


def section_list_for_partner(*, actor: Actor) -> list[Section]:
    """The partner teacher's own sections at host schools."""
    if actor.teacher_id is None:
        return []
    return sorted(
        Section.objects.filter(
            teacher_id=actor.teacher_id, course__partner_course__provider__in=Provider.objects.visible_to_partner(actor)
        )
        .select_related("course", "course__school", "term")
        .order_by("course__school__code", "course__title", "code"),
        key=lambda s: (s.course.school.code, *section_order_key(s)),
    )


# --- host schools -----------------------------------------------------------------------------------------


def _reach(provider_ids: set[int]) -> dict[int, set[int] | None]:
    """provider -> school ids it reaches (None: it has listed none, so the whole district)."""
    listed: dict[int, set[int]] = defaultdict(set)
    for provider_id, school_id in ReachableSchool.objects.filter(teacher__provider_id__in=provider_ids).values_list(
        "teacher__provider_id", "school_id"
    ):
        listed[provider_id].add(school_id)
    served: dict[int, set[int]] = defaultdict(set)
    for provider_id, school_id in Course.objects.filter(partner_course__provider_id__in=provider_ids).values_list(
        "partner_course__provider_id", "school_id"
    ):
        served[provider_id].add(school_id)
    return {pid: (listed[pid] | served[pid]) if pid in listed else None for pid in provider_ids}


def _offered_to(version: OfferedVersion, school: School, reach: dict[int, set[int] | None]) -> bool:
    if version.provider.district_id != school.district_id:
        return False
    if not set(version.grades) & set(school.grades):
        return False
    reached = reach.get(version.provider.pk)
    return reached is None or school.pk in reached


def offered_courses_for_school(*, school: School, kind: str = "") -> list[OfferedVersion]:
    """Approved partner courses a coordinator may request (see the module docstring)."""
    qs = (
        PartnerCourse.objects.offered()
        .filter(provider__district_id=school.district_id)
        .select_related("provider")
        .prefetch_related(Prefetch("photos", queryset=PartnerCoursePhoto.objects.order_by("uploaded_at", "id")))
        .order_by("provider__name", "title")
    )
    courses = list(qs)
    reach = _reach({c.provider_id for c in courses})
    out = []
    for c in courses:
        version = c.offered_version()
        if version is None or not _offered_to(version, school, reach):
            continue
        if kind and version.kind != kind:
            continue
        out.append(version)
    return out


def partner_course_offered_to(*, course: PartnerCourse, school: School) -> bool:
    if not PartnerCourse.objects.offered().filter(pk=course.pk).exists():
        return False
    version = course.offered_version()
    return version is not None and _offered_to(version, school, _reach({course.provider_id}))


def offered_course_get_for_school(*, school: School, course_id: Any) -> OfferedVersion:
    course = PartnerCourse.objects.select_related("provider").filter(pk=id_or_404(course_id)).first()
    if course is None or not partner_course_offered_to(course=course, school=school):
        raise Http404
    version = course.offered_version()
    assert version is not None
    return version


def host_request_list_for_school(*, school: School) -> list[HostRequest]:
    return list(
        HostRequest.objects.filter(school=school)
        .select_related("partner_course__provider", "term", "teacher", "course")
        .order_by("-requested_at", "-id")
    )


def host_request_get_for_school(*, school: School, request_id: Any) -> HostRequest:
    row = HostRequest.objects.filter(pk=id_or_404(request_id), school=school).first()
    if row is None:
        raise Http404
    return row


def school_terms(*, school: School) -> list[Term]:
    return list(school.terms.order_by("-start"))


def term_get_for_school(*, school: School, term_id: Any) -> Term:
    term = Term.objects.filter(pk=id_or_404(term_id), school=school).first()
    if term is None:
        raise Http404
    return term


# --- bureau -----------------------------------------------------------------------------------------------


def partner_course_list_for_bureau(*, actor: Actor, status: str = "") -> list[PartnerCourse]:
    qs = PartnerCourse.objects.filter(provider__in=Provider.objects.visible_to_bureau(actor)).select_related("provider")
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("status", "-updated_at", "title"))


def partner_course_get_for_bureau(*, actor: Actor, course_id: Any) -> PartnerCourse:
    course = (
        PartnerCourse.objects.select_related("provider")
        .filter(pk=id_or_404(course_id), provider__in=Provider.objects.visible_to_bureau(actor))
        .first()
    )
    if course is None:
        raise Http404
    return course


def provider_get_for_bureau(*, actor: Actor, provider_id: Any) -> Provider:
    provider = Provider.objects.visible_to_bureau(actor).filter(pk=id_or_404(provider_id)).first()
    if provider is None:
        raise Http404
    return provider


@dataclass
class ProviderReach:
    provider: Provider
    courses: int
    offered: int
    served: list[School]
    reachable: list[School] | None
    teachers: int


def provider_list_for_bureau(*, actor: Actor) -> list[ProviderReach]:
    """Each provider of the district with the schools it serves (host courses) and reaches."""
    providers = list(
        Provider.objects.visible_to_bureau(actor)
        .annotate(
            n_courses=Count("courses", distinct=True),
            n_offered=Count(
                "courses", filter=Q(courses__status="approved") | Q(courses__offered__isnull=False), distinct=True
            ),
            n_teachers=Count("teachers", distinct=True),
        )
        .order_by("name")
    )
    ids = {p.pk for p in providers}
    served: dict[int, set[int]] = defaultdict(set)
    for pid, sid in Course.objects.filter(partner_course__provider_id__in=ids).values_list(
        "partner_course__provider_id", "school_id"
    ):
        served[pid].add(sid)
    reach = _reach(ids)
    wanted = set().union(*served.values(), *(r for r in reach.values() if r)) if ids else set()
    schools = {s.pk: s for s in School.objects.filter(pk__in=wanted)}

    def named(pks: set[int]) -> list[School]:
        return sorted((schools[pk] for pk in pks if pk in schools), key=lambda s: s.code)

    return [
        ProviderReach(
            provider=p,
            courses=p.n_courses,
            offered=p.n_offered,
            served=named(served[p.pk]),
            reachable=None if reach[p.pk] is None else named(reach[p.pk] or set()),
            teachers=p.n_teachers,
        )
        for p in providers
    ]


@dataclass
class TravelMatrix:
    schools: list[School]
    rows: list[tuple[School, list[int | None]]]
    missing: int


def travel_matrix_for_bureau(*, actor: Actor) -> TravelMatrix:
    """Minutes between every pair of the district's schools (None where not recorded)."""
    schools = list(School.objects.visible_to_bureau(actor).order_by("code"))
    ids = [s.pk for s in schools]
    minutes = {
        (a, b): m
        for a, b, m in TravelTime.objects.filter(from_school_id__in=ids, to_school_id__in=ids).values_list(
            "from_school_id", "to_school_id", "minutes"
        )
    }
    rows = []
    missing = 0
    for a in schools:
        cells: list[int | None] = []
        for b in schools:
            value = 0 if a.pk == b.pk else minutes.get((a.pk, b.pk))
            if value is None:
                missing += 1
            cells.append(value)
        rows.append((a, cells))
    return TravelMatrix(schools=schools, rows=rows, missing=missing)


def school_get_for_bureau(*, actor: Actor, school_id: Any) -> School:
    school = School.objects.visible_to_bureau(actor).filter(pk=id_or_404(school_id)).first()
    if school is None:
        raise Http404
    return school


# --- photos -----------------------------------------------------------------------------------------------


def photo_get_for_actor(*, actor: Actor, photo_id: Any) -> PartnerCoursePhoto:
    """A photo the actor may see: the provider's own teachers, the bureau of its district, and the
    coordinators of schools the course is offered to; otherwise 404."""
    photo = PartnerCoursePhoto.objects.select_related("course__provider").filter(pk=id_or_404(photo_id)).first()
    if photo is None:
        raise Http404
    course = photo.course
    providers = Provider.objects.visible_to_partner(actor) | Provider.objects.visible_to_bureau(actor)
    if providers.filter(pk=course.provider_id).exists():
        return photo
    for school in School.objects.visible_to_coordinator(actor):
        if partner_course_offered_to(course=course, school=school):
            return photo
    raise Http404
