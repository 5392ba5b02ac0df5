"""Domain errors with stable codes; pages and the API map them to translated messages.

Services raise `DomainError("section_full")`; `config.api` turns it into
`{"code": "section_full", "message": ..., "message_zh": ..., "message_en": ...}` with the
HTTP status below, and views show the same message. Codes never change once published.
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
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
}


class DomainError(Exception):
    """A refusal the user should understand; `code` is stable, `detail` adds specifics."""

    def __init__(self, code: str, detail: str | None = None, *, fields: dict[str, Any] | None = None):
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
        base = ERRORS[self.code][1]
        if language:
            with translation.override(language):
                text = str(base)
        else:
            text = str(base)
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
