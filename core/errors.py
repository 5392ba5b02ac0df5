"""Domain errors with stable codes; pages and the API map them to translated messages.

Services raise `DomainError("section_full")`; `config.api` turns it into
`{"code": "section_full", "message": ..., "message_zh": ..., "message_en": ...}` with the
HTTP status below, and views show the same message. Codes never change once published.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

# code -> (HTTP status, message). Messages are translatable; the catalogue holds the Chinese.
ERRORS: dict[str, tuple[int, Any]] = {
    "bad_request": (400, _("The request is not valid.")),
    "validation_error": (422, _("Some fields are not valid.")),
    "unauthenticated": (401, _("Please log in first.")),
    "bad_credentials": (401, _("Wrong username, phone number or password.")),
    "throttled": (429, _("Too many failed logins. Please wait a few minutes and try again.")),
    "forbidden": (403, _("You do not have permission to do this.")),
    "not_found": (404, _("Not found, or not yours to see.")),
    "csrf_failed": (403, _("The form has expired or was sent from elsewhere. Reload the page and try again.")),
    "section_full": (409, _("This section is full.")),
    "time_clash": (409, _("This clashes in time with another seat of the child.")),
    "window_closed": (409, _("Enrollment is not open now.")),
    "already_enrolled": (409, _("The child already has a seat or a waitlist place in this section.")),
    "not_eligible": (409, _("The child may not take this course.")),
    "conflict": (409, _("The data changed in the meantime. Reload and try again.")),
    "already_exists": (409, _("That name is already taken; choose another.")),
    "same_school": (409, _("Choose two different schools.")),
    "fee_over_cap": (409, _("The fee is above the district's cap per class hour.")),
    "solve_in_progress": (409, _("A timetable is already being built for this term. Wait for it or cancel it.")),
    "timetable_not_draft": (409, _("Only a draft timetable can be changed or published.")),
    "timetable_has_violations": (409, _("This timetable breaks hard rules; fix them before publishing.")),
    "no_term": (409, _("The school has no term yet.")),
    "partner_course_in_review": (409, _("This partner course is being reviewed; wait for the bureau's decision.")),
    "partner_course_not_submitted": (409, _("Only a course submitted for review can be approved or returned.")),
    "partner_course_not_offered": (409, _("This partner course is not offered to your school.")),
    "host_request_exists": (409, _("Your school already has an open request for this course in this term.")),
    "host_request_not_open": (409, _("This request has already been answered or withdrawn.")),
    "allocation_not_ready": (
        409,
        _("Only a closed preference window with a lottery seed commitment published in advance can be allocated."),
    ),
    "allocation_seed_mismatch": (
        409,
        _("This lottery seed does not match the commitment published before the window opened."),
    ),
    "allocation_in_progress": (409, _("An allocation is already running for this window. Wait for it.")),
    "allocation_published": (409, _("The allocation of this window has already been published.")),
    "allocation_stale": (
        409,
        _("Choices or seats changed after this allocation was computed. Run the allocation again."),
    ),
    "period_not_closed": (
        409,
        _("Statements are made only for a period that has ended: this term or month is not closed yet."),
    ),
    "dismissal_cutoff": (409, _("Changes to today's dismissal are closed.")),
    "proposal_not_pending": (409, _("This proposal has already been answered or withdrawn.")),
    "not_school_day": (409, _("That day is not a school day of the term (a weekend, a holiday or outside the term).")),
    "day_in_future": (409, _("A register is taken on the day of the meeting or later, not in advance.")),
    "no_meeting_that_day": (409, _("This section has no meeting on that day.")),
    "fee_not_confirmed": (
        409,
        _("This course has a fee. Confirm the fee, the number of meetings and the term total before booking."),
    ),
    "dismissal_misses_course": (409, _("With this dismissal time the child would miss a course they hold.")),
    "window_overlaps": (409, _("Another enrollment window of this school and term is open at the same time.")),
    "no_recipients": (
        409,
        _(
            "Nobody would receive this letter: no pupil on roll in the chosen schools, grades or classes has a guardian."
        ),
    ),
    "plan_not_draft": (409, _("This inspection plan is committed or published and can no longer be changed.")),
    "plan_not_committed": (409, _("Commit the plan (publish the seed's hash) before the draw.")),
    "plan_already_drawn": (409, _("This plan has already been drawn and published.")),
    "plan_seed_mismatch": (409, _("This seed does not match the commitment published for the plan.")),
    "credit_code_taken": (409, _("Another institution of the register has this code.")),
    "provider_taken": (409, _("This provider is already linked to another institution.")),
    "checklist_unknown": (409, _("A chosen check-item list does not exist.")),
    "plan_too_many_targets": (409, _("The plan asks for more targets than its population holds, or for none.")),
    "plan_too_few_inspectors": (
        409,
        _("Too few eligible inspectors (at least two, from two departments, without a conflict of interest) for:"),
    ),
    "inspection_locked": (409, _("This inspection has been signed off; record a correction instead.")),
    "inspection_not_signed": (409, _("Only a signed-off inspection is corrected; change the result directly.")),
    "inspection_incomplete": (409, _("Record every check item before signing off. Missing:")),
    "notice_closed": (409, _("This rectification notice is closed or referred.")),
    "invalid_transition": (409, _("This step cannot be taken now: the work moves one step at a time, in its order.")),
    "conversion_materials_missing": (409, _("Materials missing for this step:")),
    "conversion_not_eligible": (
        409,
        _("A conversion case is opened only for a for-profit subject-type institution that is not closed."),
    ),
    "conversion_case_exists": (409, _("This institution already has a conversion case.")),
    "conversion_case_done": (409, _("This conversion case is done and can no longer be changed.")),
    "conversion_material_unknown": (409, _("Not a material of this case's checklist.")),
    "conversion_visit_in_future": (409, _("A visit is recorded on its day or later, not in advance.")),
    "conversion_visit_before_case": (409, _("This date is long before the case was opened.")),
    "conversion_target_locked": (409, _("The target can be changed only while the case is at intake.")),
    # expert course review (课程内容审核)
    "review_seed_mismatch": (409, _("This seed does not match the commitment published for the review.")),
    "review_too_few_experts": (
        409,
        _(
            "Too few eligible experts (active, of the course's subject, without a conflict of interest) for this review."
        ),
    ),
    "review_too_few_opinions": (409, _("A review is decided on the opinions of at least three experts.")),
    "review_opinions_pending": (409, _("Some drawn experts have not given their opinion yet.")),
    "review_expert_conflict": (
        403,
        _("You have declared a conflict of interest with this institution and may not judge its course."),
    ),
    "review_file_refused": (
        400,
        _("A material must be a PDF, PNG or JPEG file within the size limit. Nothing was saved."),
    ),
    "complaint_outcome_missing": (
        409,
        _("Record whether the complaint is substantiated before replying or closing it."),
    ),
    "complaint_reply_missing": (409, _("Reply to the complainant first.")),
    "complaint_not_handler": (403, _("Only the complaint's handler can do this.")),
    "complaint_has_handler": (409, _("This complaint already has a handler.")),
    "complaint_notice_needs_institution": (
        409,
        _("A rectification notice goes to a registered institution; this complaint is about someone else."),
    ),
    "complaint_code_unknown": (404, _("No complaint has this check code. Check the code and try again.")),
    "complaint_throttled": (429, _("Too many attempts from your connection. Please wait a while and try again.")),
}


def later_text(make_text: Callable[[], str]) -> Any:
    """A detail built when shown, so the API's message_zh and message_en each get their language."""
    return lazy(make_text, str)()


def names_list(names: Iterable[Any]) -> str:
    """Names joined as the active language lists them (、 in Chinese, commas in English)."""
    separator = "、" if (translation.get_language() or "").startswith("zh") else ", "
    return separator.join(str(n) for n in names)


class DomainError(Exception):
    """A refusal the user should understand; `code` is stable, `detail` adds specifics."""

    def __init__(self, code: str, detail: Any = None, *, fields: dict[str, Any] | None = None):
        if code not in ERRORS:
            raise ValueError(f"unknown domain error code {code!r}")
        self.code = code
        self.detail = detail
        self.fields = fields or {}
        super().__init__(code)

    @property
    def status(self) -> int:
        return ERRORS[self.code][0]

    def message(self, language: str | None = None) -> str:
        """The message (and a lazily translated detail) in `language`, or the active one."""
        with translation.override(language) if language else contextlib.nullcontext():
            text = str(ERRORS[self.code][1])
            return f"{text} {self.detail}" if self.detail else text

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.code,
            "message": self.message(),
            "message_zh": self.message("zh-hans"),
            "message_en": self.message("en"),
        }
        if self.fields:
            body["fields"] = self.fields
        return body
