"""Inspection photos: type read from the bytes, size-limited, only on an assigned open inspection;
the notice's case file for a referral."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.errors import DomainError
from supervision.draw import commitment_of
from supervision.models import CheckList, Inspection
from supervision.services import inspections, notices, plans

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def task(sup, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = plans.plan_create(
        district=sup.district,
        by=sup.bureau,
        data={
            "title": "照片",
            "kinds": ["subject"],
            "statuses": ["operating"],
            "n_targets": 20,
            "per_target": 2,
            "departments": ["education", "market", "civil", "fire"],
            "checklists": list(CheckList.objects.filter(version=1, department="fire")),
        },
    )
    plans.plan_commit(plan=plan, commitment=commitment_of("p"), by=sup.bureau)
    plans.plan_draw(plan=plan, seed="p", by=sup.bureau)
    return Inspection.objects.filter(target__plan=plan, target__assignments__inspector=sup.inspectors[0]).first()


def test_a_png_is_kept_and_a_disguised_file_or_a_large_one_refused(sup, task):
    me = sup.inspectors[0]
    photo = inspections.photo_add(inspection=task, inspector=me, upload=SimpleUploadedFile("a.jpg", PNG))
    assert photo.content_type == "image/png" and photo.file.name.endswith(".png")
    with pytest.raises(DomainError) as disguised:
        inspections.photo_add(inspection=task, inspector=me, upload=SimpleUploadedFile("a.jpg", b"<html>hi</html>"))
    assert "photo" in disguised.value.fields
    big = SimpleUploadedFile("b.png", PNG + b"\x00" * (5 * 1024 * 1024))
    with pytest.raises(DomainError) as large:
        inspections.photo_add(inspection=task, inspector=me, upload=big)
    assert "photo" in large.value.fields
    assert task.photos.count() == 1


def test_photo_pages_are_scoped(client, sup, task):
    me = sup.inspectors[0]
    photo = inspections.photo_add(inspection=task, inspector=me, upload=SimpleUploadedFile("a.png", PNG))
    client.force_login(sup.inspector_user)
    response = client.post(
        reverse("supervision:photo_add", args=[task.pk]),
        {"photo": SimpleUploadedFile("c.png", PNG, content_type="image/png")},
    )
    assert response.status_code == 302 and task.photos.count() == 2
    assert client.get(reverse("supervision:photo", args=[photo.pk])).status_code == 200
    client.force_login(sup.other_bureau)
    assert client.get(reverse("supervision:photo", args=[photo.pk])).status_code == 404
    client.force_login(sup.inst_user)
    assert client.get(reverse("supervision:photo", args=[photo.pk])).status_code == 403


def test_the_case_file_of_a_referred_notice(client, sup, task):
    from openpyxl import load_workbook

    notice = notices.notice_issue(
        institution=task.target.institution,
        deadline=timezone.localdate() + dt.timedelta(days=1),
        extra=["消防通道堵塞"],
        by=sup.bureau,
    )
    notices.notice_refer(notice=notice, note="逾期拒不整改", by=sup.bureau)
    client.force_login(sup.bureau)
    response = client.get(reverse("supervision:notice_file", args=[notice.pk]))
    assert response.status_code == 200
    sheets = load_workbook(io.BytesIO(response.content)).sheetnames
    assert sheets == ["整改通知书", "整改事项", "检查记录", "核查记录"]
    client.force_login(sup.other_bureau)
    assert client.get(reverse("supervision:notice_file", args=[notice.pk])).status_code == 404
