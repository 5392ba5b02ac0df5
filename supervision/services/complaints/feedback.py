"""Weekend subject training fed back to the named pupils' own schools (only the school's own pupils,
only to that school; the bureau keeps counts, never names)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Role, RoleGrant
from core.audit import audit_record
from messaging.services import Outgoing, send, site_language
from pupils.models import Student
from supervision.models import Complaint, ComplaintPupil, ComplaintSchoolFeedback
from supervision.services.complaints.common import A, event


def _match(pupil: ComplaintPupil, district_id: int) -> Student | None:
    on_roll = Student.objects.filter(on_roll=True, school__district_id=district_id).select_related(
        "school", "school_class"
    )
    if pupil.student_no:
        return on_roll.filter(student_no=pupil.student_no).first()
    if pupil.name and pupil.school_id:
        return on_roll.filter(name=pupil.name, school_id=pupil.school_id).order_by("pk").first()
    return None


@transaction.atomic
def schools_tell(*, complaint: Complaint, by: Any = None, request: HttpRequest | None = None) -> int:
    """Tell each named pupil's school coordinators about that school's own pupils, once per school.

    A pupil is told to their school only when found on its roll (by 学籍号, or by name within the
    named school): a name the complainant put with the wrong school reaches nobody. Returns the
    number of schools told. The bureau's records keep counts and schools, never the names."""
    now = timezone.now()
    by_school: dict[int, list[Student]] = defaultdict(list)
    pupils = list(complaint.pupils.filter(notified_at__isnull=True))
    for pupil in pupils:
        student = _match(pupil, complaint.district_id)
        if student is None:
            continue
        pupil.student = student
        pupil.notified_at = now
        pupil.save(update_fields=["student", "notified_at"])
        by_school[student.school_id].append(student)
    told = []
    for school_id, students in sorted(by_school.items()):
        if ComplaintSchoolFeedback.objects.filter(complaint=complaint, school_id=school_id).exists():
            continue
        recipients = list(
            RoleGrant.objects.filter(role=Role.COORDINATOR, school_id=school_id)
            .values_list("user_id", flat=True)
            .distinct()
        )
        school = students[0].school
        with site_language():
            title = gettext("Weekend subject training: pupils of %(school)s named in a complaint") % {
                "school": school.name
            }
            names = "、".join(f"{s.name}（{s.school_class}）" for s in students)
            body = gettext(
                "A complaint (%(label)s) was found substantiated: the pupils below were taught school subjects "
                "at weekends or in holidays by %(subject)s. Please talk with their families about the Double "
                "Reduction rules. These names are sent to your school only; the bureau keeps none of them.\n"
                "Pupils: %(names)s"
            ) % {"label": complaint.label, "subject": complaint.subject_label, "names": names}
        send(
            Outgoing(
                recipient_id=user_id,
                kind="complaint_pupils",
                title=title,
                body=body,
                about=f"complaint:{complaint.pk}",
            )
            for user_id in recipients
        )
        ComplaintSchoolFeedback.objects.create(
            complaint=complaint, school_id=school_id, pupils=len(students), recipients=len(recipients), sent_at=now
        )
        told.append((school.name, len(students)))
    if told:
        event(complaint, A.SCHOOLS, by, note="；".join(f"{name}（{n}）" for name, n in told))
        audit_record(
            action="supervision.complaint_feedback.sent",
            actor=by,
            obj=complaint,
            request=request,
            data={"schools": sorted(by_school), "pupils": sum(n for _name, n in told)},
        )
    return len(told)
