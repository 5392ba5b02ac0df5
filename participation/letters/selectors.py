"""Reads of letters: the ones an author may see (the bureau's district, a coordinator's school) with
their counts per channel (queued, sent, delivered, read, failed)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from accounts.access import Actor
from core.ids import get_or_404, id_or_404
from courses.models import District, School
from messaging import selectors as messaging_selectors
from participation.letters.models import Letter


def letters_visible(*, actor: Actor) -> Any:
    """The bureau's district(s)' letters (its own and its schools'), a coordinator's own school's."""
    return Letter.objects.filter(
        Q(district__in=District.objects.visible_to_bureau(actor))
        | Q(school__in=School.objects.visible_to_coordinator(actor))
    )


def letter_list(*, actor: Actor, school: School | None = None, limit: int = 50) -> list[Letter]:
    """Letters with their counts (`counts`: one row per channel), newest first."""
    rows = letters_visible(actor=actor).select_related("school", "created_by")
    if school is not None:
        rows = rows.filter(school=school)
    letters = list(rows.order_by("-created_at", "-id")[:limit])
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
