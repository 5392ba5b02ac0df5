"""Reads about the messages families receive: the tag of a pupil's messages, a family's message log
(every channel's status), and THE audience of a letter (who is a guardian of whom: only this app knows)."""

from __future__ import annotations

from typing import Any

from accounts.access import Actor
from enrollment.models import Guardian, Student
from messaging import selectors as messaging_selectors
from messaging.models import Message


def about_student(student_id: int) -> str:
    """The tag a message about one pupil carries (`enrollment.notify` writes it, the child's page reads it)."""
    return f"student:{student_id}"


def family_message_log(*, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    """The per-family log: every message the system sent to a guardian of the acting parent's family,
    newest first, with its status on each channel."""
    families = Student.objects.visible_to_parent(actor).values("family_id")
    rows = list(
        Message.objects.filter(recipient__guardian__family_id__in=families)
        .select_related("recipient__guardian")
        .order_by("-created_at", "-id")[:limit]
    )
    statuses = messaging_selectors.deliveries_of(rows)
    return [{"message": m, "to": m.recipient.guardian, "channels": statuses.get(m.pk, {})} for m in rows]


def letter_audience(
    *,
    district_id: int,
    school_id: int | None = None,
    school_ids: list[int] | None = None,
    grades: list[int] | None = None,
    class_ids: list[int] | None = None,
) -> Any:
    """THE audience of a letter, read when it is sent: the users who are guardians of a pupil on roll
    in the district (one school for a school's letter), of the chosen schools, grades and classes
    (none chosen: all). One entry per guardian however many children they have (a values_list)."""
    pupils = Student.objects.filter(on_roll=True, school__district_id=district_id)
    if school_id is not None:
        pupils = pupils.filter(school_id=school_id)
    if school_ids:
        pupils = pupils.filter(school_id__in=school_ids)
    if grades:
        pupils = pupils.filter(grade__in=grades)
    if class_ids:
        pupils = pupils.filter(school_class_id__in=class_ids)
    return (
        Guardian.objects.filter(family_id__in=pupils.values("family_id"))
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )
