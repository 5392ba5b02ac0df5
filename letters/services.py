"""Letters to families (告家长书): the bureau writes to its district (every school, chosen schools,
grades), a coordinator to its own school's families (grades, classes).

`letter_write` only saves the letter, queued, in the author's scope (`visible_to_*`); the worker's
periodic job `letters_send_due` resolves the audience at that moment (`selectors.letter_audience`)
and hands one message per guardian to `messaging` — in-site at once, the outside channels queued —
under a lock on the letter, so a letter is fanned out exactly once even with two workers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import Actor
from core.audit import audit_record
from core.errors import DomainError
from courses.models import District, School, SchoolClass
from letters import selectors
from letters.models import Letter
from messaging.services import Outgoing, batch_create, send


def audit(
    action: str, *, by: Any, row: Letter, school_id: int | None, request: HttpRequest | None, **data: Any
) -> None:
    audit_record(action=action, actor=by, obj=row, school_id=school_id, request=request, data=data)


GRADES = range(1, 10)


def _ids(values: Iterable[Any] | None, field: str, errors: dict[str, list[Any]]) -> list[int]:
    """Whole numbers from a form or JSON list; anything else is a field error (collected, not raised)."""
    found = []
    for value in values or []:
        try:
            found.append(int(str(value).strip()))
        except (TypeError, ValueError):
            errors[field] = [_("Not a valid choice.")]
    return sorted(set(found))


def letter_write(
    *,
    actor: Actor,
    by: Any,
    title: str,
    body: str,
    school: School | None = None,
    school_ids: Iterable[Any] | None = None,
    grades: Iterable[Any] | None = None,
    class_ids: Iterable[Any] | None = None,
    request: HttpRequest | None = None,
) -> Letter:
    """Save a letter for sending. `school` given: a coordinator's letter to its school (classes may
    be chosen); else the bureau's to its district (schools may be chosen). Nobody in the audience
    → 409 `no_recipients`; nothing is saved on any refusal."""
    errors: dict[str, list[Any]] = {}
    title = " ".join(str(title or "").split())
    body = str(body or "").strip()
    if not title:
        errors["title"] = [_("This field is required.")]
    elif len(title) > 100:
        errors["title"] = [_("At most 100 characters.")]
    if not body:
        errors["body"] = [_("This field is required.")]
    elif len(body) > 2000:
        errors["body"] = [_("At most 2000 characters.")]
    grade_list = _ids(grades, "grades", errors)
    if any(g not in GRADES for g in grade_list) and "grades" not in errors:
        errors["grades"] = [_("Grades are 1 to 9.")]
    chosen_schools: list[School] = []
    chosen_classes: list[SchoolClass] = []
    if school is not None:
        if not School.objects.visible_to_coordinator(actor).filter(pk=school.pk).exists():
            raise DomainError("not_found")
        district_id = school.district_id
        wanted = _ids(class_ids, "classes", errors)
        chosen_classes = list(SchoolClass.objects.filter(school=school, pk__in=wanted))
        if len(chosen_classes) != len(wanted):
            errors["classes"] = [_("Choose classes of your own school.")]
        if school_ids:
            errors["schools"] = [_("A school writes to its own families only.")]
    else:
        district = District.objects.visible_to_bureau(actor).order_by("pk").first()
        if district is None:
            raise DomainError("forbidden")
        district_id = district.pk
        wanted = _ids(school_ids, "schools", errors)
        chosen_schools = list(School.objects.visible_to_bureau(actor).filter(district=district, pk__in=wanted))
        if len(chosen_schools) != len(wanted):
            errors["schools"] = [_("Choose schools of your own district.")]
        if class_ids:
            errors["classes"] = [_("Classes are chosen by the school itself.")]
    if errors:
        raise DomainError("validation_error", fields=errors)
    with transaction.atomic():
        letter = Letter.objects.create(
            district_id=district_id,
            school=school,
            grades=grade_list,
            title=title,
            body=body,
            created_by=by if getattr(by, "pk", None) else None,
        )
        letter.schools.set(chosen_schools)
        letter.classes.set(chosen_classes)
        if not selectors.letter_audience(letter).exists():
            raise DomainError("no_recipients")
        audit(
            "letters.letter.created",
            by=by,
            row=letter,
            school_id=school.pk if school else None,
            request=request,
            schools=[s.pk for s in chosen_schools],
            grades=grade_list,
            classes=[c.pk for c in chosen_classes],
        )
    return letter


def letter_send(*, letter_id: int) -> int:
    """Fan one queued letter out to its audience as it is now (once: under the letter's lock)."""
    with transaction.atomic():
        rows = Letter.objects.filter(pk=letter_id, status=Letter.Status.QUEUED)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        letter = rows.first()
        if letter is None:  # sent already, or another worker is sending it
            return 0
        users = list(selectors.letter_audience(letter))
        batch = batch_create(kind="letter", title=letter.title)
        link = reverse("messaging:inbox")
        count = send(
            (Outgoing(recipient_id=u, kind="letter", title=letter.title, body=letter.body, link=link) for u in users),
            batch=batch,
        )
        Letter.objects.filter(pk=letter.pk).update(
            status=Letter.Status.SENT, batch=batch, recipients=count, sent_at=timezone.now()
        )
        audit("letters.letter.sent", by=None, row=letter, school_id=letter.school_id, request=None, recipients=count)
    return count


def letters_send_due() -> int:
    """The worker's periodic job: send every queued letter (oldest first); returns messages written."""
    total = 0
    for letter_id in (
        Letter.objects.filter(status=Letter.Status.QUEUED)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[: settings.KEHOU_LETTERS_PER_RUN]
    ):
        total += letter_send(letter_id=letter_id)
    return total
