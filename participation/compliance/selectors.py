"""Reads for 5+2 compliance: the publish check, a school's page, the bureau's district table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from accounts.access import Actor
from courses.models import School
from courses.selectors import term_current
from participation.compliance.facts import facts_for
from participation.compliance.rules import RULES, Facts, Finding, evaluate
from participation.fees.rules import policy_for
from scheduling.models import Timetable
from scheduling.publish_checks import PublishWarning


def publish_check(timetable: Timetable) -> list[PublishWarning]:
    """Registered with `scheduling.publish_checks.PUBLISH_CHECKS`: the 5+2 rules this draft misses."""
    facts = facts_for([timetable])[timetable.pk]
    return [PublishWarning(f.rule_id, f.sentence, f.details) for f in evaluate(facts)]


@dataclass
class SchoolCompliance:
    school: School
    timetable: Timetable | None
    facts: Facts | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.timetable is not None

    @property
    def missed(self) -> set[str]:
        return {f.rule_id for f in self.findings}

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Every rule with its sentence, whether it is met (None: nothing published) and the specifics."""
        facts = self.facts or Facts()
        found = {f.rule_id: f.details for f in self.findings}
        return [
            {
                "id": r.id,
                "sentence": r.sentence(facts),
                "met": None if self.timetable is None else r.id not in found,
                "details": found.get(r.id, []),
            }
            for r in RULES
        ]

    @property
    def flagged(self) -> bool:
        return self.timetable is None or bool(self.findings)


def _published(schools: list[School]) -> dict[int, Timetable]:
    """Each school's published timetable of its current term."""
    terms = {s.pk: term_current(school=s) for s in schools}
    rows = (
        Timetable.objects.published()
        .filter(school__in=schools, term_id__in=[t.pk for t in terms.values() if t is not None])
        .select_related("school", "term")
    )
    return {t.school_id: t for t in rows if terms.get(t.school_id) and terms[t.school_id].pk == t.term_id}


def compliance_for_schools(schools: list[School]) -> list[SchoolCompliance]:
    published = _published(schools)
    facts = facts_for(published.values())
    out = []
    for school in schools:
        timetable = published.get(school.pk)
        f = facts.get(timetable.pk) if timetable else None
        out.append(SchoolCompliance(school, timetable, f, evaluate(f) if f else []))
    return out


def compliance_for_school(*, school: School) -> dict[str, Any]:
    """The coordinator's page: the published timetable's findings, and the latest draft's if newer."""
    [mine] = compliance_for_schools([school])
    term = term_current(school=school)
    draft = (
        Timetable.objects.filter(school=school, term=term, status=Timetable.Status.DRAFT).order_by("-version").first()
        if term
        else None
    )
    return {
        "current": mine,
        "draft": draft,
        "draft_findings": evaluate(facts_for([draft])[draft.pk]) if draft else [],
        "policy": policy_for(school.district_id),
    }


def compliance_table_for_bureau(*, actor: Actor) -> dict[str, Any]:
    """Every school with pupils in the bureau's district: which 5+2 rule it misses (aggregates, no names)."""
    schools = list(
        School.objects.visible_to_bureau(actor)
        .annotate(pupils=Count("students"))
        .filter(pupils__gt=0)
        .select_related("district")
        .order_by("code")
    )
    rows = compliance_for_schools(schools)
    district_id = schools[0].district_id if schools else None
    facts = Facts(off_work=policy_for(district_id).off_work_time) if district_id else Facts()
    return {
        "rows": rows,
        "rules": [(r.id, r.sentence(facts)) for r in RULES],
        "flagged": [r for r in rows if r.flagged],
        "off_work": facts.off_work,
    }
