"""Reads of the supervision app, each starting from a `visible_to_*` scope (404 outside it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet

from accounts.access import Actor
from core.ids import get_or_404, id_or_404
from courses.models import District
from supervision.models import (
    Campaign,
    CampaignRound,
    CampaignVisit,
    CheckList,
    Inspection,
    Inspector,
    Institution,
    Notice,
    Plan,
    PlanAssignment,
)

PAGE_SIZE = 50
FILTERS = ("kind", "status", "township", "grid", "grade", "legal_form")


def bureau_district(actor: Actor) -> District:
    """The bureau's district (the first, if it ever holds several)."""
    district = District.objects.visible_to_bureau(actor).order_by("pk").first()
    if district is None:
        from django.http import Http404

        raise Http404
    return district


@dataclass
class RegisterPage:
    rows: list[Institution]
    total: int
    page: int
    pages: int
    filters: dict[str, str]


def register_search(qs: QuerySet, params: Any, *, page: Any = 1, page_size: int = PAGE_SIZE) -> RegisterPage:
    """Search (name or credit code) and filters over a scoped queryset, one page of rows."""
    filters: dict[str, str] = {}
    q = " ".join(str(params.get("q") or "").split())[:50]
    if q:
        filters["q"] = q
        # Case only matters for Latin letters: without them a plain LIKE spares UPPER() on every row.
        name = Q(name__icontains=q) if any(ch.isascii() and ch.isalpha() for ch in q) else Q(name__contains=q)
        qs = qs.filter(name | Q(credit_code__startswith=q.upper()))
    for name in FILTERS:
        value = str(params.get(name) or "").strip()[:50]
        if value:
            filters[name] = value
            qs = qs.filter(**{name: value})
    try:
        number = max(1, min(int(page or 1), 100000))
    except (TypeError, ValueError):
        number = 1
    paginator = Paginator(
        qs.order_by("name", "id").only(
            "id", "name", "credit_code", "kind", "status", "township", "grid", "grade", "legal_form", "prepaid"
        ),
        page_size,
    )
    current = paginator.get_page(number)
    return RegisterPage(list(current.object_list), paginator.count, current.number, paginator.num_pages, filters)


def townships(district: District, limit: int = 200) -> list[str]:
    """The district's townships, by a skip scan of the (district, township, grid) index: one short
    query per township instead of a DISTINCT over every row (100,000 in the benchmark)."""
    found: list[str] = []
    rows = Institution.objects.filter(district=district).order_by("township").values_list("township", flat=True)
    while len(found) < limit:
        following = (rows.filter(township__gt=found[-1]) if found else rows).first()
        if following is None:
            return found
        found.append(following)
    return found


def institution_for_bureau(actor: Actor, institution_id: Any) -> Institution:
    return get_or_404(
        Institution.objects.visible_to_bureau(actor).select_related("provider", "district"),
        pk=id_or_404(institution_id),
    )


def institutions_for_account(actor: Actor) -> list[Institution]:
    return list(Institution.objects.visible_to_institution(actor))


def institution_for_account(actor: Actor) -> Institution:
    institution = Institution.objects.visible_to_institution(actor).first()
    if institution is None:
        from django.http import Http404

        raise Http404
    return institution


def inspector_for(actor: Actor) -> Inspector:
    return get_or_404(Inspector.objects.visible_to_inspector(actor).select_related("district"), active=True)


def inspector_tasks(inspector: Inspector) -> list[Inspection]:
    """Inspections of drawn targets the inspector is assigned to (open first)."""
    ids = PlanAssignment.objects.filter(inspector=inspector).values("target_id")
    return list(
        Inspection.objects.filter(target_id__in=ids)
        .select_related("target__institution", "target__plan")
        .order_by("-status", "target__plan_id", "target__rank")
    )


def task_for_inspector(inspector: Inspector, inspection_id: Any) -> Inspection:
    ids = PlanAssignment.objects.filter(inspector=inspector).values("target_id")
    return get_or_404(
        Inspection.objects.filter(target_id__in=ids).select_related("target__institution", "target__plan"),
        pk=id_or_404(inspection_id),
    )


def plans_for_bureau(actor: Actor) -> QuerySet:
    return Plan.objects.filter(district__in=District.objects.visible_to_bureau(actor))


def plan_for_bureau(actor: Actor, plan_id: Any) -> Plan:
    return get_or_404(plans_for_bureau(actor), pk=id_or_404(plan_id))


def checklists() -> list[CheckList]:
    return list(CheckList.objects.prefetch_related("items"))


def notices_for_bureau(actor: Actor) -> QuerySet:
    return Notice.objects.filter(district__in=District.objects.visible_to_bureau(actor)).select_related("institution")


def notice_for_bureau(actor: Actor, notice_id: Any) -> Notice:
    return get_or_404(notices_for_bureau(actor), pk=id_or_404(notice_id))


def notices_for_institution(actor: Actor) -> QuerySet:
    return Notice.objects.filter(institution__in=Institution.objects.visible_to_institution(actor))


def notice_for_institution(actor: Actor, notice_id: Any) -> Notice:
    return get_or_404(notices_for_institution(actor).select_related("institution"), pk=id_or_404(notice_id))


def notices_for_inspector(inspector: Inspector) -> QuerySet:
    """Open notices of the inspector's district: any inspector may make a verification visit."""
    return Notice.objects.filter(district_id=inspector.district_id).select_related("institution")


def notice_for_inspector(inspector: Inspector, notice_id: Any) -> Notice:
    return get_or_404(notices_for_inspector(inspector), pk=id_or_404(notice_id))


def grade_counts(district: District) -> dict[str, Any]:
    """Institutions by grade, and by township × grade (the bureau's overview)."""
    rows = (
        Institution.objects.filter(district=district)
        .exclude(status=Institution.Status.CLOSED)
        .values("township", "grid", "grade")
        .annotate(n=Count("id"))
        .order_by("township", "grid")
    )
    by_grade = {"green": 0, "yellow": 0, "red": 0}
    by_township: dict[str, dict[str, int]] = {}
    for row in rows:
        by_grade[row["grade"]] = by_grade.get(row["grade"], 0) + row["n"]
        cell = by_township.setdefault(
            f"{row['township']} · {row['grid'] or '—'}", {"green": 0, "yellow": 0, "red": 0, "total": 0}
        )
        cell[row["grade"]] += row["n"]
        cell["total"] += row["n"]
    for cell in by_township.values():  # bar segments in percent (SVG attributes: the CSP allows no inline style)
        total = cell["total"] or 1
        red, yellow = 100 * cell["red"] / total, 100 * cell["yellow"] / total
        cell["bar"] = {
            "red": red,
            "yellow": yellow,
            "yellow_x": red,
            "green_x": red + yellow,
            "green": 100 - red - yellow,
        }
    return {"by_grade": by_grade, "by_township": by_township, "total": sum(by_grade.values())}


def campaigns_for_bureau(actor: Actor) -> QuerySet:
    return Campaign.objects.filter(district__in=District.objects.visible_to_bureau(actor))


def campaign_for_bureau(actor: Actor, campaign_id: Any) -> Campaign:
    return get_or_404(campaigns_for_bureau(actor), pk=id_or_404(campaign_id))


@dataclass
class CampaignTotals:
    rounds: int = 0
    groups: int = 0
    visits: int = 0
    person_visits: int = 0
    institutions: int = 0


def campaign_totals(campaigns: QuerySet) -> dict[int, CampaignTotals]:
    """The report's figures, counted from the records, per campaign id (two queries for any number of
    campaigns). A person-visit is one group member on one visit: the visit × member join counts them."""
    ids = campaigns.values("pk")
    totals: dict[int, CampaignTotals] = {pk: CampaignTotals() for pk in campaigns.values_list("pk", flat=True)}
    for row in (
        CampaignRound.objects.filter(campaign_id__in=ids)
        .values("campaign_id")
        .annotate(rounds=Count("id", distinct=True), groups=Count("groups", distinct=True))
        .order_by()
    ):
        totals[row["campaign_id"]].rounds = row["rounds"]
        totals[row["campaign_id"]].groups = row["groups"]
    for row in (
        CampaignVisit.objects.filter(group__round__campaign_id__in=ids)
        .values("group__round__campaign_id")
        .annotate(
            visits=Count("id", distinct=True),
            person_visits=Count("group__members"),
            institutions=Count("institution_id", distinct=True),
        )
        .order_by()
    ):
        cell = totals[row["group__round__campaign_id"]]
        cell.visits, cell.person_visits, cell.institutions = row["visits"], row["person_visits"], row["institutions"]
    return totals
