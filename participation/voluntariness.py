"""Voluntariness (自愿参加) flags on the bureau's page: schools whose numbers suggest pupils are not free to say no.

Two signs, per school of the district (aggregates only, no names):

* `near_universal` — participation at or above `NEAR_UNIVERSAL` % of the pupils on roll with no
  family ever leaving a course or declining a school's proposal this term (real choice shows
  some movement);
* `complaints` — complaints of forced participation, counted by the apps that record complaints:
  each registers `(school_ids) -> {school id: count}` with `COMPLAINT_COUNTS` (the supervision app
  does, in its `ready()`), so this app never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from accounts.access import Actor
from core.extensions import ExtensionPoint
from courses.models import School
from enrollment.models import Enrollment, RosterProposal, Student
from participation.stats import SMALL_CELL

NEAR_UNIVERSAL = 98.0

COMPLAINT_COUNTS: ExtensionPoint[Callable[[list[int]], dict[int, int]]] = ExtensionPoint(
    "participation.forced_participation_complaints",
    "Per-school counts of complaints that participation was forced (from the app that records complaints).",
)


@dataclass
class SchoolFlags:
    school_id: int
    school: str
    on_roll: int
    taking_part: int
    left: int  # seats given up by families, and school proposals declined
    complaints: int

    @property
    def rate(self) -> float | None:
        return round(100 * self.taking_part / self.on_roll, 1) if self.on_roll else None

    @property
    def near_universal(self) -> bool:
        return self.on_roll >= SMALL_CELL and (self.rate or 0) >= NEAR_UNIVERSAL and self.left == 0

    @property
    def flagged(self) -> bool:
        return self.near_universal or self.complaints > 0


def complaint_counts(school_ids: list[int]) -> dict[int, int]:
    """Summed over every registered source."""
    out: dict[int, int] = {}
    for source in COMPLAINT_COUNTS:
        for school_id, count in source(school_ids).items():
            out[school_id] = out.get(school_id, 0) + int(count)
    return out


def voluntariness_for_bureau(*, actor: Actor) -> dict[str, Any]:
    """Every school of the district with its participation, families' exits and complaints; flags first."""
    schools = School.objects.visible_to_bureau(actor)
    seated = Enrollment.objects.filter(student=OuterRef("pk"), status=Enrollment.Status.ENROLLED)
    rows = (
        Student.objects.filter(school__in=schools, on_roll=True)
        .annotate(part=Exists(seated))
        .values("school_id", "school__name")
        .annotate(on_roll=Count("id"), taking_part=Count("id", filter=Q(part=True)))
        .order_by("school__name")
    )
    left = dict(
        Enrollment.objects.filter(section__course__school__in=schools, end_reason=Enrollment.EndReason.FAMILY)
        .values("section__course__school_id")
        .annotate(n=Count("id"))
        .values_list("section__course__school_id", "n")
    )
    for school_id, n in (
        RosterProposal.objects.filter(section__course__school__in=schools, status=RosterProposal.Status.DECLINED)
        .values("section__course__school_id")
        .annotate(n=Count("id"))
        .values_list("section__course__school_id", "n")
    ):
        left[school_id] = left.get(school_id, 0) + n
    rows = list(rows)
    complaints = complaint_counts([r["school_id"] for r in rows])
    out = [
        SchoolFlags(
            r["school_id"],
            r["school__name"],
            r["on_roll"],
            r["taking_part"],
            left.get(r["school_id"], 0),
            complaints.get(r["school_id"], 0),
        )
        for r in rows
    ]
    out.sort(key=lambda f: (not f.flagged, f.school))
    return {"schools": out, "flagged": [f for f in out if f.flagged], "threshold": NEAR_UNIVERSAL}
