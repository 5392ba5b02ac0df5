"""Complaints (投诉举报) followed to closure, and the feedback of weekend subject training to schools.

A complaint comes by the hotline (a call recorded by hotline staff), from a parent in the site, or
from the public without a login (who follows it with a check code). Its workflow, its time limits
in working days of the term calendar and its replies live in `supervision.services.complaints`.

Privacy: the complainant's contact (`contact_name`, `contact_phone`) is shown only to the
complaint's handler; no list, statistic, export or event carries it. Pupils named in a complaint
(`ComplaintPupil`) go only to their own school's coordinators, never into the bureau's numbers.

Scopes start from the districts' `visible_to_*` QuerySets (courses.models).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.models.register import Institution
from supervision.models.work import Notice

if TYPE_CHECKING:
    from accounts.access import Actor


class ComplaintQuerySet(models.QuerySet):
    def visible_to_bureau(self, actor: Actor) -> ComplaintQuerySet:
        """Every complaint of the bureau's district(s); nothing for anyone else."""
        from courses.models import District

        return self.filter(district__in=District.objects.visible_to_bureau(actor))

    def visible_to_hotline(self, actor: Actor) -> ComplaintQuerySet:
        """Every complaint of the district(s) the hotline staff member works for."""
        from courses.models import District

        return self.filter(district__in=District.objects.visible_to_hotline(actor))

    def visible_to_complainant(self, actor: Actor) -> ComplaintQuerySet:
        """A parent's own complaints (filed in the site under their login)."""
        return self.filter(complainant_id=actor.user_id)


class Complaint(models.Model):
    class Channel(models.TextChoices):
        HOTLINE = "hotline", _("hotline call")
        SITE = "site", _("parent, in the site")
        PUBLIC = "public", _("public, without login")

    class Category(models.TextChoices):
        WEEKEND_SUBJECT = "weekend_subject", _("subject training at weekends or in holidays")
        UNLICENSED = "unlicensed", _("training without a licence")
        PREPAID = "prepaid", _("prepaid fees")
        PRICING = "pricing", _("pricing")
        ADVERTISING = "advertising", _("advertising")
        SAFETY = "safety", _("safety")
        FORCED = "forced_participation", _("after-school service made compulsory")
        OTHER = "other", _("other")

    class SubjectKind(models.TextChoices):
        INSTITUTION = "institution", _("a registered training institution")
        SCHOOL = "school", _("a school")
        UNREGISTERED = "unregistered", _("an unregistered operator")

    class Status(models.TextChoices):
        RECEIVED = "received", _("newly received")
        ASSIGNED = "assigned", _("assigned")
        VERIFYING = "verifying", _("being verified")
        SUBSTANTIATED = "substantiated", _("substantiated")
        UNSUBSTANTIATED = "unsubstantiated", _("not substantiated")
        RECTIFYING = "rectifying", _("being rectified")
        FOLLOWED_UP = "followed_up", _("followed up")
        CLOSED = "closed", _("handled and closed")
        REFERRED = "referred", _("referred")

    class Outcome(models.TextChoices):
        SUBSTANTIATED = "substantiated", _("substantiated")
        UNSUBSTANTIATED = "unsubstantiated", _("not substantiated")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("satisfied")
        BASICALLY = "basically", _("basically satisfied")
        DISSATISFIED = "dissatisfied", _("dissatisfied")
        UNREACHABLE = "unreachable", _("could not be reached")

    district = models.ForeignKey("courses.District", on_delete=models.PROTECT, related_name="complaints")
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    category = models.CharField(_("category"), max_length=30, choices=Category.choices)
    subject_kind = models.CharField(_("about"), max_length=20, choices=SubjectKind.choices)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    school = models.ForeignKey(
        "courses.School", on_delete=models.PROTECT, null=True, blank=True, related_name="complaints"
    )
    operator_name = models.CharField(_("operator's name"), max_length=100, blank=True)
    operator_address = models.CharField(_("operator's address"), max_length=200, blank=True)
    description = models.TextField(_("what happened"), max_length=4000)
    # private: the handler only (never in a list, a statistic, an export or an event)
    contact_name = models.CharField(_("complainant's name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("complainant's phone"), max_length=20, blank=True)
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="complaints_filed"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="complaints_handled"
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    received_on = models.DateField(_("received on"))
    due = models.DateField(_("due"), null=True, blank=True)
    finding = models.TextField(_("finding"), blank=True)
    rectification = models.TextField(_("what must be put right"), blank=True)
    rectify_by = models.DateField(_("rectify by"), null=True, blank=True)
    notice = models.ForeignKey(Notice, on_delete=models.SET_NULL, null=True, blank=True, related_name="complaints")
    follow_up = models.TextField(_("follow-up"), blank=True)
    referral_note = models.TextField(_("referral note"), blank=True)
    reply = models.TextField(_("reply to the complainant"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=20, choices=Satisfaction.choices, blank=True)
    callback_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaint")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["district", "year", "number"], name="complaint_number_unique"),
            models.CheckConstraint(
                name="complaint_subject_given",
                condition=Q(subject_kind="institution", institution__isnull=False)
                | Q(subject_kind="school", school__isnull=False)
                | Q(subject_kind="unregistered", institution__isnull=True, school__isnull=True),
            ),
        ]
        indexes = [
            models.Index(fields=["district", "status", "due"], name="complaint_status_due"),
            models.Index(fields=["district", "-received_at"], name="complaint_received"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The complaint's number as the reader's language writes it (投诉〔2026〕001号 in Chinese)."""
        from django.utils.translation import gettext

        return gettext("Complaint %(year)s-%(number)s") % {"year": self.year, "number": f"{self.number:03d}"}

    @property
    def subject_label(self) -> str:
        if self.subject_kind == self.SubjectKind.INSTITUTION and self.institution_id:
            return self.institution.name
        if self.subject_kind == self.SubjectKind.SCHOOL and self.school_id:
            return self.school.name
        return self.operator_name

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.REFERRED)

    def is_overdue(self, today=None) -> bool:
        """Past the current stage's time limit (counted in working days when the stage began)."""
        today = today or timezone.localdate()
        return self.is_open and self.due is not None and self.due < today


class ComplaintPupil(models.Model):
    """A pupil named in a complaint (by name and school, or by 学籍号); matched to the roll when the
    complaint is substantiated, then told to that pupil's school only."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="pupils")
    name = models.CharField(_("pupil's name"), max_length=50, blank=True)
    school = models.ForeignKey("courses.School", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    student_no = models.CharField(_("student number (学籍号)"), max_length=30, blank=True)
    student = models.ForeignKey("pupils.Student", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pupil named in a complaint")
        verbose_name_plural = _("pupil named in a complaint")
        ordering = ["complaint", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.name or self.student_no}"


class ComplaintSchoolFeedback(models.Model):
    """One school told about its own pupils named in a substantiated weekend-training complaint."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="school_feedback")
    school = models.ForeignKey("courses.School", on_delete=models.CASCADE, related_name="+")
    pupils = models.PositiveSmallIntegerField(default=0)
    recipients = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("feedback to a school")
        verbose_name_plural = _("feedback to a school")
        constraints = [models.UniqueConstraint(fields=["complaint", "school"], name="complaint_feedback_once")]

    def __str__(self) -> str:
        return f"{self.complaint_id} → {self.school_id}"


class ComplaintEvent(models.Model):
    """The complaint's history: who did what, when (never the complainant's contact)."""

    class Action(models.TextChoices):
        RECEIVED = "received", _("complaint received")
        ASSIGNED = "assigned", _("assigned")
        VERIFYING = "verifying", _("verification started")
        FOUND = "found", _("finding recorded")
        RECTIFYING = "rectifying", _("rectification ordered")
        NOTICE = "notice", _("rectification notice issued")
        FOLLOWED_UP = "followed_up", _("follow-up recorded")
        REPLIED = "replied", _("reply given to the complainant")
        CALLBACK = "callback", _("satisfaction call-back")
        CLOSED = "closed", _("complaint closed")
        REFERRED = "referred", _("referred")
        SCHOOLS = "schools", _("schools told about their pupils")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    status_from = models.CharField(max_length=20, blank=True)
    status_to = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint event")
        ordering = ["complaint", "at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action} {self.at:%Y-%m-%d %H:%M}"

    @property
    def status_to_label(self) -> str:
        return str(Complaint.Status(self.status_to).label) if self.status_to in Complaint.Status.values else ""


class PublicAttempt(models.Model):
    """A public submission or a failed look-up by check code, per address: what the throttle counts
    (kept in the database so every web process sees the same count, as for failed logins)."""

    class Kind(models.TextChoices):
        SUBMIT = "submit", _("complaint submitted")
        FOLLOW_FAILED = "follow_failed", _("wrong check code")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["kind", "ip", "at"], name="publicattempt_window")]

    def __str__(self) -> str:
        return f"{self.kind} {self.ip} {self.at:%Y-%m-%d %H:%M}"


__all__ = [
    "Complaint",
    "ComplaintEvent",
    "ComplaintPupil",
    "ComplaintSchoolFeedback",
    "PublicAttempt",
]
