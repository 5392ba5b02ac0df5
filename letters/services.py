"""Letters to families (告家长书): the bureau writes to its district (every school, chosen schools,
grades), a coordinator to its own school's families (grades, classes).

`letter_write` only saves the letter, queued, in the author's scope (`visible_to_*`); the worker's
periodic job `letters_send_due` resolves the audience at that moment (`selectors.letter_audience`)
and hands it to `messaging.services.send_to_audience`: one message per guardian — in-site at once,
the outside channels queued — written by the database in a few statements (a 50,000-family letter
holds SQLite's one writer for a moment). One worker takes a letter (queued → sending); a message is
unique per letter × guardian, so a send that stopped (worker killed) resumes after
`KEHOU_LETTER_RESUME_SECONDS` without writing anyone twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
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
from messaging.models import Message
from messaging.services import batch_create, send_to_audience

log = logging.getLogger(__name__)


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
    be chosen); else the bureau's to its district (schools may be chosen). A class or school that is
    not the author's → 404 `not_found` (with the field); nobody in the audience → 409
    `no_recipients`; nothing is saved on any refusal."""
    errors: dict[str, list[Any]] = {}
    unknown: dict[str, list[Any]] = {}
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
            unknown["classes"] = [_("Choose classes of your own school.")]
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
            unknown["schools"] = [_("Choose schools of your own district.")]
        if class_ids:
            errors["classes"] = [_("Classes are chosen by the school itself.")]
    if errors:
        raise DomainError("validation_error", fields=errors)
    if unknown:  # an id naming no class or school the author may write to: as everywhere, 404
        raise DomainError("not_found", fields=unknown)
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


def _take(letter_id: int, now) -> Letter | None:
    """Queued → sending (or a send that stopped long ago: resumed), for one worker only."""
    stale = now - timedelta(seconds=settings.KEHOU_LETTER_RESUME_SECONDS)
    with transaction.atomic():
        taken = (
            Letter.objects.filter(pk=letter_id)
            .filter(Q(status=Letter.Status.QUEUED) | Q(status=Letter.Status.SENDING, sending_since__lt=stale))
            .update(status=Letter.Status.SENDING, sending_since=now)
        )
        if not taken:
            return None
        letter = Letter.objects.get(pk=letter_id)
        if letter.batch_id is None:
            letter.batch = batch_create(kind="letter", title=letter.title)
            letter.save(update_fields=["batch"])
    return letter


def letter_send(*, letter_id: int) -> int:
    """Fan one queued letter out to its audience as it is now (the database writes the messages);
    returns the messages written. Taken by one worker only; resumable without writing anyone twice."""
    started = time.monotonic()
    letter = _take(letter_id, timezone.now())
    if letter is None:  # sent already, or another worker is sending it
        return 0
    try:
        written = send_to_audience(
            selectors.letter_audience(letter),
            batch=letter.batch,
            kind="letter",
            title=letter.title,
            body=letter.body,
            link=reverse("messaging:inbox"),
        )
    except IntegrityError:  # another worker resumed the same letter meanwhile: it writes them
        return 0
    with transaction.atomic():
        total = Message.objects.filter(batch_id=letter.batch_id).count()
        Letter.objects.filter(pk=letter.pk, status=Letter.Status.SENDING).update(
            status=Letter.Status.SENT, recipients=total, sent_at=timezone.now()
        )
        audit("letters.letter.sent", by=None, row=letter, school_id=letter.school_id, request=None, recipients=total)
    log.info("letter %s: %d messages written in %.1f s", letter.pk, written, time.monotonic() - started)
    return written


def letters_send_due() -> int:
    """The worker's periodic job: send queued letters (and resume stopped ones), oldest first."""
    stale = timezone.now() - timedelta(seconds=settings.KEHOU_LETTER_RESUME_SECONDS)
    due = Letter.objects.filter(
        Q(status=Letter.Status.QUEUED) | Q(status=Letter.Status.SENDING, sending_since__lt=stale)
    ).order_by("created_at", "id")
    return sum(letter_send(letter_id=pk) for pk in due.values_list("pk", flat=True)[: settings.KEHOU_LETTERS_PER_RUN])
