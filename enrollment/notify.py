"""Notices to one family: ONE function per kind of notice, each handed to the channel layer.

Every message a family receives from the system goes through `deliver`, called by one function per
kind below (and `allocation.notify`, `participation.fees.notify`): `deliver` turns a family into its
guardians (the users who log in) and passes one message each to `messaging.services.send` — the
in-site inbox always, the SMS gateway / 企业微信 webhook when configured, retried by the worker. The
text is written in the site's language (Chinese first) when the notice is made, so that any channel
can send it as is. Called inside the writer's transaction: a notice exists exactly when the change
it reports does. The per-family log: `selectors.family_message_log`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from enrollment.models import Dismissal, Enrollment, Guardian, RosterProposal, Student
from enrollment.selectors import about_student
from messaging.services import Outgoing, send, site_language


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
    """Send each family's message to every guardian of the family; returns the messages written."""
    messages = list(messages)
    if not messages:
        return 0
    guardians: dict[int, list[int]] = defaultdict(list)
    for user_id, family_id in Guardian.objects.filter(family_id__in={m.family_id for m in messages}).values_list(
        "user_id", "family_id"
    ):
        guardians[family_id].append(user_id)
    return send(
        Outgoing(
            recipient_id=user_id,
            kind=m.kind,
            title=m.title,
            body=m.body,
            link=m.link,
            about=about_student(m.student_id) if m.student_id else f"family:{m.family_id}",
        )
        for m in messages
        for user_id in guardians[m.family_id]
    )


def roster_proposal_made(proposal: RosterProposal) -> None:
    """The school proposes a seat: the family is asked to accept or decline (it holds no seat yet)."""
    student = proposal.student
    with site_language():
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
    with site_language():
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
    with site_language():
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
