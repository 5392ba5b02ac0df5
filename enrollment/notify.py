"""Notices to one family: ONE function per kind of notice, each writing the in-site notice today.

These are the seams where the notice channels (in-site always; SMS / 企业微信 when configured) plug
in: every message a family receives from the system goes through `deliver`, called by one function
per kind below (and `participation.fees.notify.statement_issued`). The text is written in the
site's language (Chinese first) when the notice is made, so that any channel can send it as is.
Called inside the writer's transaction: a notice exists exactly when the change it reports does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from enrollment.models import Dismissal, Enrollment, FamilyNotice, RosterProposal, Student


@dataclass(frozen=True)
class Message:
    """One message for one family about one child (kind: a stable name a channel can route on)."""

    family_id: int
    student_id: int | None
    kind: str
    title: str
    body: str
    link: str = ""


def deliver(messages: Iterable[Message]) -> int:
    """Write the messages as in-site notices (the channel seam: SMS / 企业微信 plug in here)."""
    rows = [
        FamilyNotice(
            family_id=m.family_id,
            student_id=m.student_id,
            kind=m.kind,
            title=m.title[:120],
            body=m.body[:2000],
            link=m.link[:200],
        )
        for m in messages
    ]
    FamilyNotice.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _site_language():
    return translation.override(settings.LANGUAGE_CODE)


def roster_proposal_made(proposal: RosterProposal) -> None:
    """The school proposes a seat: the family is asked to accept or decline (it holds no seat yet)."""
    student = proposal.student
    with _site_language():
        title = gettext("The school proposes “%(course)s” for %(child)s") % {
            "course": proposal.section.course.title,
            "child": student.name,
        }
        body = gettext(
            "Reason: %(reason)s. Taking part is voluntary: accept or decline on your child's page. "
            "No seat is taken until you accept."
        ) % {"reason": proposal.reason}
    deliver(
        [
            Message(
                student.family_id,
                student.pk,
                "roster_proposal",
                title,
                body,
                reverse("enrollment:child_detail", args=[student.pk]),
            )
        ]
    )


def waitlist_offers_made(rows: Iterable[Enrollment]) -> None:
    """A seat is offered from the waitlist: the family must accept it before it expires."""
    rows = list(rows)
    if not rows:
        return
    pupils = {
        s.pk: s for s in Student.objects.filter(pk__in=[r.student_id for r in rows]).only("pk", "name", "family_id")
    }
    titles = dict(Enrollment.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "section__course__title"))
    messages = []
    with _site_language():
        for row in rows:
            pupil = pupils[row.student_id]
            messages.append(
                Message(
                    pupil.family_id,
                    pupil.pk,
                    "waitlist_offer",
                    gettext("A seat in “%(course)s” is offered to %(child)s")
                    % {"course": titles.get(row.pk, ""), "child": pupil.name},
                    gettext("Accept it on your child's page before %(until)s, or it passes to the next family.")
                    % {"until": _local(row.offer_expires_at)},
                    reverse("enrollment:child_detail", args=[pupil.pk]),
                )
            )
    deliver(messages)


def dismissal_changed(*, student: Student, day: dt.date, choice: str) -> None:
    """A day's dismissal was changed: every guardian of the family sees it (a second pair of eyes)."""
    with _site_language():
        title = gettext("%(child)s goes home %(when)s on %(date)s") % {
            "child": student.name,
            "when": str(Dismissal(choice).label),
            "date": f"{day:%m-%d}",
        }
    deliver(
        [
            Message(
                student.family_id,
                student.pk,
                "dismissal_change",
                title,
                "",
                reverse("enrollment:child_detail", args=[student.pk]),
            )
        ]
    )


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%m-%d %H:%M") if moment else ""
