"""An inspection on a phone: record each check item, photos, sign off; corrections after sign-off.

Before sign-off an inspector may record an item again (the row is replaced, audited). Signing off
needs every item of the plan's lists and locks the inspection; a later change is a correction: a
new row with a reason that supersedes the old one (both kept, audited).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.audit import audit_record
from core.errors import DomainError
from core.validation import clean_text
from partners.services import photo_type
from supervision.models import CheckItem, Inspection, InspectionPhoto, Inspector, ItemResult, PlanAssignment
from supervision.services.plans import plan_items
from supervision.services.risk import grade_refresh

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTOS_PER_INSPECTION = 30


def _assigned(inspection: Inspection, inspector: Inspector) -> None:
    if not PlanAssignment.objects.filter(target_id=inspection.target_id, inspector=inspector).exists():
        raise DomainError("not_found")


def _item(inspection: Inspection, item_id: Any) -> CheckItem:
    for item in plan_items(inspection.target.plan):
        if str(item.pk) == str(item_id):
            return item
    raise DomainError("not_found")


def current_results(inspection: Inspection) -> dict[int, ItemResult]:
    return {r.item_id: r for r in inspection.results.filter(current=True)}


def _clean(result: str, note: str) -> tuple[str, str]:
    if result not in ItemResult.Result.values:
        raise DomainError("validation_error", fields={"result": [_("Choose one of the listed values.")]})
    note = (note or "").strip()[:2000]
    if result == ItemResult.Result.PROBLEM and not note:
        raise DomainError("validation_error", fields={"note": [_("Describe the problem found.")]})
    return result, note


@transaction.atomic
def result_record(
    *,
    inspection: Inspection,
    inspector: Inspector,
    item_id: Any,
    result: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> ItemResult:
    inspection = Inspection.objects.select_for_update().select_related("target__plan").get(pk=inspection.pk)
    _assigned(inspection, inspector)
    if inspection.status != Inspection.Status.OPEN:
        raise DomainError("inspection_locked")
    item = _item(inspection, item_id)
    result, note = _clean(result, note)
    row = inspection.results.filter(item=item, current=True).first()
    if row is None:
        row = ItemResult.objects.create(
            inspection=inspection, item=item, result=result, note=note, recorded_by=inspector
        )
    else:
        row.result, row.note, row.recorded_by, row.recorded_at = result, note, inspector, timezone.now()
        row.save()
    audit_record(
        action="supervision.result.added",
        actor=inspector.user,
        obj=inspection,
        request=request,
        data={"item": item.code, "result": result},
    )
    return row


@transaction.atomic
def photo_add(
    *,
    inspection: Inspection,
    inspector: Inspector,
    upload: Any,
    item_id: Any = None,
    request: HttpRequest | None = None,
) -> InspectionPhoto:
    """A JPEG, PNG or WebP of at most 5 MB (type read from the bytes, not the name)."""
    _assigned(inspection, inspector)
    if inspection.status != Inspection.Status.OPEN:
        raise DomainError("inspection_locked")
    if upload is None:
        raise DomainError("validation_error", fields={"photo": [_("Choose a photo.")]})
    if getattr(upload, "size", 0) > PHOTO_MAX_BYTES:
        raise DomainError("validation_error", fields={"photo": [_("A photo may be at most 5 MB.")]})
    content_type = photo_type(upload.read(16))
    upload.seek(0)
    if content_type is None:
        raise DomainError("validation_error", fields={"photo": [_("Only JPEG, PNG or WebP photos.")]})
    if inspection.photos.count() >= PHOTOS_PER_INSPECTION:
        raise DomainError("validation_error", fields={"photo": [_("Too many photos for one inspection.")]})
    item = _item(inspection, item_id) if item_id else None
    photo = InspectionPhoto(
        inspection=inspection,
        item=item,
        content_type=content_type,
        size=getattr(upload, "size", 0) or 0,
        uploaded_by=inspector,
    )
    photo.file.save("photo", upload, save=False)
    try:
        photo.save()
        audit_record(
            action="supervision.photo.added",
            actor=inspector.user,
            obj=inspection,
            request=request,
            data={"photo": photo.pk},
        )
    except Exception:
        photo.file.storage.delete(photo.file.name)
        raise
    return photo


@transaction.atomic
def inspection_sign_off(
    *, inspection: Inspection, inspector: Inspector, summary: str = "", request: HttpRequest | None = None
) -> Inspection:
    inspection = (
        Inspection.objects.select_for_update()
        .select_related("target__plan", "target__institution")
        .get(pk=inspection.pk)
    )
    _assigned(inspection, inspector)
    if inspection.status != Inspection.Status.OPEN:
        raise DomainError("inspection_locked")
    recorded = set(current_results(inspection))
    missing = [i for i in plan_items(inspection.target.plan) if i.pk not in recorded]
    if missing:
        raise DomainError("inspection_incomplete", detail="、".join(i.text for i in missing[:5]))
    inspection.status = Inspection.Status.SUBMITTED
    inspection.submitted_at = timezone.now()
    inspection.submitted_by = inspector
    inspection.summary = clean_text(summary, max_length=1000)
    inspection.save()
    audit_record(action="supervision.inspection.signed", actor=inspector.user, obj=inspection, request=request)
    grade_refresh(inspection.target.institution)
    return inspection


@transaction.atomic
def result_correct(
    *,
    inspection: Inspection,
    inspector: Inspector,
    item_id: Any,
    result: str,
    note: str,
    reason: str,
    request: HttpRequest | None = None,
) -> ItemResult:
    """After sign-off: a new row supersedes the current one; the reason is required."""
    inspection = (
        Inspection.objects.select_for_update()
        .select_related("target__plan", "target__institution")
        .get(pk=inspection.pk)
    )
    _assigned(inspection, inspector)
    if inspection.status != Inspection.Status.SUBMITTED:
        raise DomainError("inspection_not_signed")
    item = _item(inspection, item_id)
    result, note = _clean(result, note)
    reason = clean_text(reason, max_length=200)
    if not reason:
        raise DomainError("validation_error", fields={"reason": [_("Say why the result is corrected.")]})
    old = inspection.results.select_for_update().filter(item=item, current=True).first()
    if old is not None:
        ItemResult.objects.filter(pk=old.pk).update(current=False)
        old.current = False
    new = ItemResult.objects.create(
        inspection=inspection,
        item=item,
        result=result,
        note=note,
        recorded_by=inspector,
        correction_reason=reason,
        supersedes=old,
    )
    audit_record(
        action="supervision.result.corrected",
        actor=inspector.user,
        obj=inspection,
        request=request,
        data={"item": item.code, "result": result, "reason": reason, "replaces": old.pk if old else None},
    )
    grade_refresh(inspection.target.institution)
    return new
