"""Letters to families (告家长书) — who receives one, who may see it — and a family's message log."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.access import Actor
from core.ids import get_or_404, id_or_404
from courses.models import District, School
from enrollment.models import Guardian, Student
from letters.models import Letter
from messaging import selectors as messaging_selectors
from messaging.models import Message


def family_message_log(*, actor: Actor, limit: int = 50) -> list[dict[str, Any]]:
    """The per-family log: every message the system sent to a guardian of the acting parent's family,
    newest first, with its status on each channel."""
    families = Student.objects.visible_to_parent(actor).values("family_id")
    rows = list(
        Message.objects.filter(recipient__guardian__family_id__in=families)
        .select_related("recipient__guardian")
        .order_by("-created_at", "-id")[:limit]
    )
    statuses = messaging_selectors.deliveries_of(m.pk for m in rows)
    return [{"message": m, "to": m.recipient.guardian, "channels": statuses.get(m.pk, {})} for m in rows]


# --- letters to families --------------------------------------------------------------------------


def letter_audience(letter: Letter) -> Any:
    """THE audience of a letter, read when it is sent: the users who are guardians of a pupil on roll
    in the letter's district (its school for a school's letter), of the chosen schools, grades and
    classes (none chosen: all). One entry per guardian, however many children they have."""
    pupils = Student.objects.filter(on_roll=True, school__district_id=letter.district_id)
    if letter.school_id is not None:
        pupils = pupils.filter(school_id=letter.school_id)
    school_ids = [s.pk for s in letter.schools.all()]
    if school_ids:
        pupils = pupils.filter(school_id__in=school_ids)
    if letter.grades:
        pupils = pupils.filter(grade__in=letter.grades)
    class_ids = [c.pk for c in letter.classes.all()]
    if class_ids:
        pupils = pupils.filter(school_class_id__in=class_ids)
    return (
        Guardian.objects.filter(family_id__in=pupils.values("family_id"))
        .order_by("user_id")
        .values_list("user_id", flat=True)
        .distinct()
    )


def letters_visible(*, actor: Actor) -> Any:
    """Letters the actor may see: the bureau's district(s)' letters (its own and its schools'), a
    coordinator's own school's letters."""
    return Letter.objects.filter(
        Q(district__in=District.objects.visible_to_bureau(actor))
        | Q(school__in=School.objects.visible_to_coordinator(actor))
    )


def letter_list(*, actor: Actor, school: School | None = None, limit: int = 50) -> list[Letter]:
    """Letters with their counts (`counts`: one row per channel), newest first."""
    rows = letters_visible(actor=actor).select_related("school", "created_by")
    if school is not None:
        rows = rows.filter(school=school)
    letters = list(rows.prefetch_related("schools", "classes").order_by("-created_at", "-id")[:limit])
    counts = messaging_selectors.batch_counts(x.batch_id for x in letters if x.batch_id)
    for letter in letters:
        letter.counts = messaging_selectors.summarise(counts.get(letter.batch_id, {}))
    return letters


def letter_get(*, actor: Actor, letter_id: Any) -> Letter:
    letter = get_or_404(
        letters_visible(actor=actor).select_related("school", "district", "created_by"), pk=id_or_404(letter_id)
    )
    counts = messaging_selectors.batch_counts([letter.batch_id]) if letter.batch_id else {}
    letter.counts = messaging_selectors.summarise(counts.get(letter.batch_id, {}))
    return letter
