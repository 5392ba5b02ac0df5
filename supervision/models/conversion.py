"""转登: the one-stop window (一站式窗口) that converts for-profit subject-type institutions.

One `ConversionCase` per for-profit subject-type institution. Its *target* (to non-profit, to
non-subject-type, deregistration) decides its steps and the case file's materials; both are data
here, in `PATHS` and `MATERIALS` — the one place the rule lives (services, pages, the API and the
tests read it). A case is *at* the last step it reached; it leaves a step for the next one only when
the materials of that next step are all received. Who holds the case now is the department that
works towards the next step (`DESK`). The district's deadline is a row (`ConversionSetting`), edited
by the bureau. In-person visits (跑一次) are rows, so "at most one" is counted, never typed in.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from supervision.models.register import Department, Institution


class Target(models.TextChoices):
    NON_PROFIT = "non_profit", _("to non-profit")
    NON_SUBJECT = "non_subject", _("to non-subject-type")
    DEREGISTER = "deregister", _("deregistration")


class Step(models.TextChoices):
    INTAKE = "intake", _("intake")
    MATERIALS = "materials", _("materials complete")
    LICENCE_REISSUED = "licence_reissued", _("school licence reissued")
    LICENCE_CANCELLED = "licence_cancelled", _("school licence cancelled")
    CIVIL_REGISTERED = "civil_registered", _("civil-affairs registration")
    BUSINESS_CANCELLED = "business_cancelled", _("business licence cancelled")
    BUSINESS_CHANGED = "business_changed", _("business licence changed")
    DONE = "done", _("done")


#: The steps of each target, in order (deregistration has no civil-affairs registration; a change to
#: non-subject-type keeps the company, so its business licence is changed, not cancelled).
PATHS: dict[str, tuple[str, ...]] = {
    Target.NON_PROFIT: (
        Step.INTAKE,
        Step.MATERIALS,
        Step.LICENCE_REISSUED,
        Step.CIVIL_REGISTERED,
        Step.BUSINESS_CANCELLED,
        Step.DONE,
    ),
    Target.NON_SUBJECT: (Step.INTAKE, Step.MATERIALS, Step.LICENCE_CANCELLED, Step.BUSINESS_CHANGED, Step.DONE),
    Target.DEREGISTER: (Step.INTAKE, Step.MATERIALS, Step.LICENCE_CANCELLED, Step.BUSINESS_CANCELLED, Step.DONE),
}

#: The department whose desk at the window does the work that reaches a step.
DESK: dict[str, str] = {
    Step.MATERIALS: Department.EDUCATION,
    Step.LICENCE_REISSUED: Department.EDUCATION,
    Step.LICENCE_CANCELLED: Department.EDUCATION,
    Step.CIVIL_REGISTERED: Department.CIVIL,
    Step.BUSINESS_CANCELLED: Department.MARKET,
    Step.BUSINESS_CHANGED: Department.MARKET,
    Step.DONE: Department.EDUCATION,
}


@dataclass(frozen=True)
class Material:
    """One document of the case file: handed in by the institution or issued by a department."""

    code: str
    label: str
    step: str  # the step that cannot be reached before this document is received


_L = {  # labels, one per code (translatable; the catalogue holds the Chinese)
    "application": _("application for conversion"),
    "resolution": _("resolution of the founders (board)"),
    "audit": _("financial clearing audit report"),
    "learners_plan": _("plan for the learners and their prepaid fees"),
    "licence_original": _("original school licence (both copies)"),
    "business_copy": _("business licence (copy)"),
    "charter": _("non-profit articles of association"),
    "offer_description": _("description of the non-subject-type training offered"),
    "refund_proof": _("proof that prepaid fees were refunded"),
    "new_licence": _("new school licence (non-profit)"),
    "licence_cancellation": _("decision cancelling the school licence"),
    "civil_certificate": _("registration certificate of a private non-enterprise unit"),
    "tax_clearance": _("tax clearance certificate"),
    "business_cancellation": _("notice of cancellation of the business licence"),
    "business_change": _("notice of change of the business licence (scope)"),
}


def _m(code: str, step: str) -> Material:
    return Material(code, _L[code], step)


_AT_WINDOW = ("application", "resolution", "audit", "learners_plan", "licence_original", "business_copy")

#: The case file of each target. The window takes everything the institution hands in at once
#: (最多跑一次); later documents are the departments' own decisions, received into the file.
MATERIALS: dict[str, tuple[Material, ...]] = {
    Target.NON_PROFIT: (
        *(_m(c, Step.MATERIALS) for c in _AT_WINDOW),
        _m("charter", Step.MATERIALS),
        _m("new_licence", Step.LICENCE_REISSUED),
        _m("civil_certificate", Step.CIVIL_REGISTERED),
        _m("tax_clearance", Step.BUSINESS_CANCELLED),
        _m("business_cancellation", Step.BUSINESS_CANCELLED),
    ),
    Target.NON_SUBJECT: (
        *(_m(c, Step.MATERIALS) for c in _AT_WINDOW),
        _m("offer_description", Step.MATERIALS),
        _m("licence_cancellation", Step.LICENCE_CANCELLED),
        _m("business_change", Step.BUSINESS_CHANGED),
    ),
    Target.DEREGISTER: (
        *(_m(c, Step.MATERIALS) for c in _AT_WINDOW),
        _m("refund_proof", Step.MATERIALS),
        _m("licence_cancellation", Step.LICENCE_CANCELLED),
        _m("tax_clearance", Step.BUSINESS_CANCELLED),
        _m("business_cancellation", Step.BUSINESS_CANCELLED),
    ),
}

#: What the register says once a case is done (fields of `Institution`), per target.
REGISTER_AT_DONE: dict[str, dict[str, str]] = {
    Target.NON_PROFIT: {"legal_form": Institution.LegalForm.NON_PROFIT},
    Target.NON_SUBJECT: {"kind": Institution.Kind.NON_SUBJECT},
    Target.DEREGISTER: {"status": Institution.Status.CLOSED},
}


def path_of(target: str) -> tuple[str, ...]:
    return PATHS[target]


def next_step(target: str, step: str) -> str | None:
    """The step after `step` on the target's path (None at done)."""
    path = PATHS[target]
    at = path.index(step)
    return path[at + 1] if at + 1 < len(path) else None


def materials_of(target: str, step: str | None = None) -> tuple[Material, ...]:
    return tuple(m for m in MATERIALS[target] if step is None or m.step == step)


def material_label(code: str) -> str:
    return str(_L.get(code, code))


def holder_of(target: str, step: str) -> str:
    """The department holding the case at `step` ('' once done)."""
    following = next_step(target, step)
    return DESK[following] if following else ""


def eligible(institution: Institution) -> bool:
    """A case is opened for a for-profit subject-type institution that is not closed."""
    return (
        institution.kind == Institution.Kind.SUBJECT
        and institution.legal_form == Institution.LegalForm.FOR_PROFIT
        and institution.status != Institution.Status.CLOSED
    )


ELIGIBLE = models.Q(kind=Institution.Kind.SUBJECT, legal_form=Institution.LegalForm.FOR_PROFIT) & ~models.Q(
    status=Institution.Status.CLOSED
)


class ConversionSetting(models.Model):
    """The district's 转登 campaign: its name and the deadline every case must meet."""

    district = models.OneToOneField("courses.District", on_delete=models.CASCADE, related_name="conversion_setting")
    title = models.CharField(_("name of the campaign"), max_length=100, blank=True)
    deadline = models.DateField(_("conversion deadline"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("conversion deadline")
        verbose_name_plural = _("conversion deadlines")

    def __str__(self) -> str:
        return f"{self.district_id}: {self.deadline}"


class ConversionCase(models.Model):
    district = models.ForeignKey("courses.District", on_delete=models.PROTECT, related_name="conversion_cases")
    institution = models.OneToOneField(Institution, on_delete=models.PROTECT, related_name="conversion_case")
    target = models.CharField(_("direction of conversion"), max_length=20, choices=Target.choices)
    step = models.CharField(_("step"), max_length=20, choices=Step.choices, default=Step.INTAKE)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    step_at = models.DateTimeField(_("step reached"), default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    extended_to = models.DateField(_("extended to"), null=True, blank=True)
    extension_reason = models.CharField(_("reason for the extension"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("conversion case")
        verbose_name_plural = _("conversion cases")
        ordering = ["district", "opened_at", "id"]
        indexes = [models.Index(fields=["district", "step", "target"], name="conversion_step_target")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(step=Step.DONE, done_at__isnull=False) | (~models.Q(step=Step.DONE)),
                name="conversion_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} → {self.target} @ {self.step}"

    @property
    def is_done(self) -> bool:
        return self.step == Step.DONE

    def deadline_for(self, district_deadline):
        """The case's deadline: its extension if granted, else the district's (None: no deadline)."""
        return self.extended_to or district_deadline

    def is_overdue(self, today, district_deadline) -> bool:
        """Not done and its deadline has passed (no deadline set: never overdue)."""
        deadline = self.deadline_for(district_deadline)
        return not self.is_done and deadline is not None and today > deadline

    @property
    def steps(self) -> tuple[str, ...]:
        return PATHS[self.target]

    @property
    def next_step(self) -> str | None:
        return next_step(self.target, self.step)

    @property
    def holder(self) -> str:
        return holder_of(self.target, self.step)

    def get_holder_display(self) -> str:
        return str(dict(Department.choices).get(self.holder, "—"))


class ConversionMaterial(models.Model):
    """A document of the case file received at the window: which, by whom, when."""

    case = models.ForeignKey(ConversionCase, on_delete=models.CASCADE, related_name="materials")
    code = models.CharField(_("material"), max_length=30)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("conversion material")
        verbose_name_plural = _("conversion materials")
        ordering = ["case", "received_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="conversion_material_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.code}"

    @property
    def label(self) -> str:
        return material_label(self.code)


class ConversionVisit(models.Model):
    """One in-person visit of the institution to the window (最多跑一次 counts these)."""

    case = models.ForeignKey(ConversionCase, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("date"))
    purpose = models.CharField(_("purpose"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("visit to the window")
        verbose_name_plural = _("visits to the window")
        ordering = ["case", "visited_on", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.visited_on}"


class ConversionEvent(models.Model):
    """The case's history: opened, target changed, material received, visit, step reached."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("case opened")
        TARGET = "target", _("target changed")
        MATERIAL = "material", _("material received")
        VISIT = "visit", _("visit recorded")
        EXTENDED = "extended", _("deadline extended")
        STEP = "step", _("step reached")

    case = models.ForeignKey(ConversionCase, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("conversion event")
        verbose_name_plural = _("conversion events")
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d}"


__all__ = [
    "ConversionCase",
    "ConversionEvent",
    "ConversionMaterial",
    "ConversionSetting",
    "ConversionVisit",
]
