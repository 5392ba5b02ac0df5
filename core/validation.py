"""The shared validation helpers of the services and the forms in front of them.

Services validate the domain rules themselves (a form is a convenience, not the guard) and report
every problem at once as `DomainError("validation_error", fields={field: [message, ...]})`; forms
show those messages at their fields (`add_domain_error`).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django import forms
from django.db import IntegrityError, transaction
from django.db.models import Model

from core.errors import DomainError

M = TypeVar("M", bound=Model)


class FieldErrors:
    """Collects field errors and raises them together, so a form shows every problem at once."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: Any) -> None:
        self.fields.setdefault(field, []).append(str(message))

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise DomainError("validation_error", fields=self.fields)


def clean_text(value: Any, *, max_length: int) -> str:
    """One line of user text: whitespace runs collapsed, cut to `max_length` ('' for None)."""
    return " ".join(str(value or "").split())[:max_length] if value is not None else ""


def assign(obj: M, fields: dict[str, Any]) -> M:
    """Set validated field values on an existing row (update = the same fields as create)."""
    for name, value in fields.items():
        setattr(obj, name, value)
    return obj


def save_or_conflict(obj: M, *, update_fields: list[str] | None = None) -> M:
    """Save, turning a unique-constraint race into a conflict instead of a server error."""
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as exc:
        raise DomainError("conflict") from exc
    return obj


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a service's refusal on the form: field messages at their field, the rest on top.

    A field named `x` that the form shows as `x_start` (a range) gets its message there.
    """
    if not error.fields:
        form.add_error(None, error.message())
        return
    for name, messages in error.fields.items():
        target = name if name in form.fields else f"{name}_start" if f"{name}_start" in form.fields else None
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            form.add_error(target, str(message))
