"""整改通知书: issue from an inspection's problems, the institution's response, verification (on site
or 回头看, possibly unannounced), referral to 综合行政执法. Every step re-grades the institution.

Numbers run per district and year (整改〔2026〕001号), taken under a lock on the district row so two
notices never share one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import DomainError
from core.validation import FieldErrors, clean_text
from courses.models import District
from supervision.models import Inspection, Inspector, Institution, ItemResult, Notice, NoticeItem, Verification
from supervision.services.risk import grade_refresh

OPEN = (Notice.Status.ISSUED, Notice.Status.RESPONDED)


def _lock(notice: Notice) -> Notice:
    notice = Notice.objects.select_for_update().select_related("institution").get(pk=notice.pk)
    if notice.status not in OPEN:
        raise DomainError("notice_closed")
    return notice


@transaction.atomic
def notice_issue(
    *,
    institution: Institution,
    deadline: dt.date,
    inspection: Inspection | None = None,
    extra: list[str] = (),
    by: Any = None,
    request: HttpRequest | None = None,
    today: dt.date | None = None,
) -> Notice:
    """Items: the inspection's current 问题 results plus any further lines; a deadline from today on."""
    today = today or timezone.localdate()
    errors = FieldErrors()
    if not isinstance(deadline, dt.date) or deadline < today:
        errors.add("deadline", _("The deadline must be today or later."))
    items: list[tuple[Any, str]] = []
    if inspection is not None:
        if inspection.target.institution_id != institution.pk:
            raise DomainError("not_found")
        for r in inspection.results.filter(current=True, result=ItemResult.Result.PROBLEM).select_related("item"):
            items.append((r.item, f"{r.item.text}：{r.note}"[:300]))
    items += [(None, clean_text(line, max_length=300)) for line in extra if clean_text(line, max_length=300)]
    if not items:
        errors.add("extra", _("A notice needs at least one item: a problem found or a line below."))
    errors.raise_if_any()
    District.objects.select_for_update().filter(pk=institution.district_id).first()
    year = today.year
    last = Notice.objects.filter(district_id=institution.district_id, year=year).aggregate(n=Max("number"))["n"]
    notice = Notice.objects.create(
        district_id=institution.district_id,
        institution=institution,
        inspection=inspection,
        year=year,
        number=(last or 0) + 1,
        deadline=deadline,
        issued_by=by if getattr(by, "pk", None) else None,
    )
    NoticeItem.objects.bulk_create(NoticeItem(notice=notice, item=item, text=text) for item, text in items)
    audit_record(
        action="supervision.notice.issued",
        actor=by,
        obj=notice,
        request=request,
        data={"institution": institution.pk, "deadline": deadline.isoformat(), "items": len(items)},
    )
    grade_refresh(institution, today=today)
    return notice


@transaction.atomic
def notice_respond(*, notice: Notice, response: str, by: Any = None, request: HttpRequest | None = None) -> Notice:
    notice = _lock(notice)
    text = (response or "").strip()[:4000]
    if not text:
        raise DomainError("validation_error", fields={"response": [_("Say what was put right.")]})
    notice.response = text
    notice.responded_at = timezone.now()
    notice.status = Notice.Status.RESPONDED
    notice.save()
    audit_record(action="supervision.notice.responded", actor=by, obj=notice, request=request)
    grade_refresh(notice.institution)
    return notice


@transaction.atomic
def notice_verify(
    *,
    notice: Notice,
    inspector: Inspector,
    kind: str,
    passed: bool,
    note: str = "",
    at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Verification:
    """A visit: passed closes the notice; not passed sends it back to the institution (still open)."""
    notice = _lock(notice)
    if inspector.district_id != notice.district_id:
        raise DomainError("not_found")
    if kind not in Verification.Kind.values:
        raise DomainError("validation_error", fields={"kind": [_("Choose one of the listed values.")]})
    visit = Verification.objects.create(
        notice=notice,
        inspector=inspector,
        kind=kind,
        at=at or timezone.now(),
        passed=bool(passed),
        note=(note or "").strip()[:2000],
    )
    if passed:
        notice.status = Notice.Status.CLOSED
        notice.closed_at = timezone.now()
    else:
        notice.status = Notice.Status.ISSUED
    notice.save()
    audit_record(
        action="supervision.notice.verified",
        actor=inspector.user,
        obj=notice,
        request=request,
        data={"passed": bool(passed), "kind": kind, "surprise": visit.surprise},
    )
    grade_refresh(notice.institution)
    return visit


@transaction.atomic
def notice_refer(*, notice: Notice, note: str, by: Any = None, request: HttpRequest | None = None) -> Notice:
    """Escalate: the case file goes to 综合行政执法 (the export is the notice's file)."""
    notice = _lock(notice)
    note = (note or "").strip()[:4000]
    if not note:
        raise DomainError("validation_error", fields={"note": [_("Say why the case is referred.")]})
    notice.status = Notice.Status.REFERRED
    notice.referred_at = timezone.now()
    notice.referral_note = note
    notice.save()
    audit_record(action="supervision.notice.referred", actor=by, obj=notice, request=request)
    grade_refresh(notice.institution)
    return notice
