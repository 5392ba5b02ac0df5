"""Reads for complaints, each starting from a `visible_to_*` scope (404 outside it), the district's
working-day calendar, the bureau's statistics (no contact, no pupil) and the voluntariness counts."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.access import Actor
from accounts.models import Role, User
from core.ids import get_or_404, id_or_404
from courses.models import District, School, Term
from participation.selectors import school_days
from supervision.models import Complaint, Institution

PAGE_SIZE = 50
OPEN_STATUSES = [s for s in Complaint.Status.values if s not in ("closed", "referred")]
#: Columns a list row needs: never the contact (the list query cannot leak what it does not load).
LIST_FIELDS = (
    "id",
    "district_id",
    "year",
    "number",
    "channel",
    "category",
    "subject_kind",
    "institution__name",
    "school__name",
    "operator_name",
    "status",
    "outcome",
    "handler_id",
    "handler__display_name",
    "handler__username",
    "received_at",
    "received_on",
    "due",
    "satisfaction",
    "replied_at",
    "closed_at",
)


# --- scope ------------------------------------------------------------------------------------------


def complaints_for_hotline(actor: Actor) -> QuerySet:
    return Complaint.objects.visible_to_hotline(actor)


def complaints_for_bureau(actor: Actor) -> QuerySet:
    return Complaint.objects.visible_to_bureau(actor)


def complaints_for_staff(actor: Actor) -> QuerySet:
    """Hotline staff and the bureau: the complaints of their district(s)."""
    if actor.has(Role.HOTLINE) and actor.has(Role.BUREAU):
        return Complaint.objects.filter(
            Q(pk__in=complaints_for_hotline(actor).values("pk")) | Q(pk__in=complaints_for_bureau(actor).values("pk"))
        )
    if actor.has(Role.HOTLINE):
        return complaints_for_hotline(actor)
    return complaints_for_bureau(actor)


def complaint_for_staff(actor: Actor, complaint_id: Any) -> Complaint:
    return get_or_404(
        complaints_for_staff(actor).select_related("institution", "school", "handler", "notice", "district"),
        pk=id_or_404(complaint_id),
    )


def my_complaints(actor: Actor) -> QuerySet:
    return Complaint.objects.visible_to_complainant(actor).select_related("institution", "school")


def my_complaint(actor: Actor, complaint_id: Any) -> Complaint:
    return get_or_404(my_complaints(actor), pk=id_or_404(complaint_id))


def staff_district(actor: Actor) -> District:
    """The district a hotline staff member (or the bureau) records complaints for (the first)."""
    from django.http import Http404

    district = (
        District.objects.filter(
            Q(pk__in=District.objects.visible_to_hotline(actor)) | Q(pk__in=District.objects.visible_to_bureau(actor))
        )
        .order_by("pk")
        .first()
    )
    if district is None:
        raise Http404
    return district


def contact_visible(complaint: Complaint, actor: Actor | None) -> bool:
    """The complainant's contact is for the handler's eyes only."""
    return actor is not None and complaint.handler_id is not None and complaint.handler_id == actor.user_id


_NUMBER = re.compile(r"\d[\d\s-]{5,}\d")


def redacted(text: str) -> str:
    """Free text as others than the handler read it: runs of seven or more digits (a phone number a
    complainant typed into the description) are masked."""
    return _NUMBER.sub(lambda m: m.group(0)[:3] + "****", text or "")


def handlers(district: District) -> QuerySet:
    """The hotline staff of a district (whom the bureau can assign a complaint to)."""
    return User.objects.filter(role_grants__role=Role.HOTLINE, role_grants__district=district, is_active=True).order_by(
        "display_name", "username"
    )


def institutions_for_form(district: District) -> list[tuple[int, str]]:
    return list(
        Institution.objects.filter(district=district)
        .exclude(status=Institution.Status.CLOSED)
        .order_by("name")
        .values_list("pk", "name")
    )


def schools_for_form(district: District) -> list[tuple[int, str]]:
    return list(School.objects.filter(district=district).order_by("name").values_list("pk", "name"))


# --- the working-day calendar -------------------------------------------------------------------------


def district_calendar(district_id: int, start: dt.date, end: dt.date) -> tuple[set[dt.date], set[dt.date]]:
    """(school days, dates inside a term) of the district between start and end, from its schools'
    term calendars. Schools of one district share the holidays and swapped days in practice; where
    they differ, a date counts as a working day when at least half of the terms covering it do."""
    covering: dict[dt.date, int] = {}
    teaching: dict[dt.date, int] = {}
    terms = Term.objects.filter(school__district_id=district_id, start__lte=end, end__gte=start)
    for term in terms:
        days = school_days(term)
        day = max(term.start, start)
        while day <= min(term.end, end):
            covering[day] = covering.get(day, 0) + 1
            if day in days:
                teaching[day] = teaching.get(day, 0) + 1
            day += dt.timedelta(days=1)
    term_dates = set(covering)
    working = {d for d, n in covering.items() if 2 * teaching.get(d, 0) >= n}
    return working, term_dates


# --- lists and statistics ----------------------------------------------------------------------------


@dataclass
class ComplaintPage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    filters: dict[str, str]


def _row(c: dict[str, Any], today: dt.date) -> dict[str, Any]:
    subject = c["institution__name"] or c["school__name"] or c["operator_name"]
    overdue = c["status"] in OPEN_STATUSES and c["due"] is not None and c["due"] < today
    complaint = Complaint(year=c["year"], number=c["number"])
    return {
        "id": c["id"],
        "number": complaint.label,
        "channel": c["channel"],
        "channel_label": str(Complaint.Channel(c["channel"]).label),
        "category": c["category"],
        "category_label": str(Complaint.Category(c["category"]).label),
        "subject_kind": c["subject_kind"],
        "subject": subject,
        "status": c["status"],
        "status_label": str(Complaint.Status(c["status"]).label),
        "outcome": c["outcome"],
        "handler": c["handler__display_name"] or c["handler__username"] or "",
        "handler_id": c["handler_id"],
        "received_at": c["received_at"],
        "due": c["due"],
        "overdue": overdue,
        "satisfaction": c["satisfaction"],
        "satisfaction_label": str(Complaint.Satisfaction(c["satisfaction"]).label) if c["satisfaction"] else "",
        "replied": c["replied_at"] is not None,
        "closed_at": c["closed_at"],
    }


def complaint_search(
    qs: QuerySet, params: Any, *, actor: Actor | None = None, page: Any = 1, today: dt.date | None = None
) -> ComplaintPage:
    """Filters (status, category, channel, overdue, mine) over a scoped queryset, one page of rows
    as dicts of the list columns (the contact is never loaded)."""
    today = today or timezone.localdate()
    filters: dict[str, str] = {}
    for name, choices in (
        ("status", Complaint.Status.values),
        ("category", Complaint.Category.values),
        ("channel", Complaint.Channel.values),
    ):
        value = str(params.get(name) or "").strip()[:30]
        if value in choices:
            filters[name] = value
            qs = qs.filter(**{name: value})
    if str(params.get("open") or "") == "1":
        filters["open"] = "1"
        qs = qs.filter(status__in=OPEN_STATUSES)
    if str(params.get("overdue") or "") == "1":
        filters["overdue"] = "1"
        qs = qs.filter(status__in=OPEN_STATUSES, due__lt=today)
    if str(params.get("mine") or "") == "1" and actor is not None:
        filters["mine"] = "1"
        qs = qs.filter(handler_id=actor.user_id)
    if str(params.get("unassigned") or "") == "1":
        filters["unassigned"] = "1"
        qs = qs.filter(handler__isnull=True, status__in=OPEN_STATUSES)
    try:
        number = max(1, min(int(page or 1), 100000))
    except (TypeError, ValueError):
        number = 1
    paginator = Paginator(qs.order_by("-received_at", "-id").values(*LIST_FIELDS), PAGE_SIZE)
    current = paginator.get_page(number)
    return ComplaintPage(
        [_row(c, today) for c in current.object_list], paginator.count, current.number, paginator.num_pages, filters
    )


def complaint_rows(qs: QuerySet, *, today: dt.date | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    today = today or timezone.localdate()
    values = qs.order_by("due", "-received_at", "-id").values(*LIST_FIELDS)
    if limit:
        values = values[:limit]
    return [_row(c, today) for c in values]


def complaint_stats(qs: QuerySet, *, today: dt.date | None = None) -> dict[str, Any]:
    """Counts by category, status, channel and satisfaction, open and overdue: aggregates only (no
    contact, no pupil, no description)."""
    today = today or timezone.localdate()

    def by(field: str, choices: Any) -> list[tuple[str, str, int]]:
        counts = dict(qs.values_list(field).annotate(n=Count("id")).order_by())
        return [(value, str(label), counts.get(value, 0)) for value, label in choices]

    totals = qs.aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=Q(status__in=OPEN_STATUSES, due__lt=today)),
        substantiated=Count("id", filter=Q(outcome=Complaint.Outcome.SUBSTANTIATED)),
        unsubstantiated=Count("id", filter=Q(outcome=Complaint.Outcome.UNSUBSTANTIATED)),
        replied=Count("id", filter=Q(replied_at__isnull=False)),
        called_back=Count("id", filter=~Q(satisfaction="")),
        satisfied=Count("id", filter=Q(satisfaction__in=["satisfied", "basically"])),
    )
    reached = totals["called_back"] - qs.filter(satisfaction=Complaint.Satisfaction.UNREACHABLE).count()
    totals["satisfaction_rate"] = round(100 * totals["satisfied"] / reached, 1) if reached else None
    overdue_by_category = dict(
        qs.filter(status__in=OPEN_STATUSES, due__lt=today).values_list("category").annotate(n=Count("id")).order_by()
    )
    return {
        "totals": totals,
        "by_category": [
            (v, label, n, overdue_by_category.get(v, 0)) for v, label, n in by("category", Complaint.Category.choices)
        ],
        "by_status": by("status", Complaint.Status.choices),
        "by_channel": by("channel", Complaint.Channel.choices),
        "by_satisfaction": by("satisfaction", Complaint.Satisfaction.choices),
    }


def events_for(complaint: Complaint) -> list[Any]:
    return list(complaint.events.select_related("by").order_by("at", "id"))


def forced_participation_counts(school_ids: list[int]) -> dict[int, int]:
    """For participation.voluntariness.COMPLAINT_COUNTS: complaints that a school made after-school
    service compulsory, per school. Counted from receipt (a school's page should show a complaint
    while it is being checked), except those found not substantiated."""
    rows = (
        Complaint.objects.filter(
            category=Complaint.Category.FORCED, subject_kind=Complaint.SubjectKind.SCHOOL, school_id__in=school_ids
        )
        .exclude(outcome=Complaint.Outcome.UNSUBSTANTIATED)
        .values("school_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["school_id"]: r["n"] for r in rows}
