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


# --- API input types (issue 15): every integer bounded to its column, every text bounded and clean ---

#: JSON-schema pattern (ECMA and Python alike) that refuses NUL, which PostgreSQL cannot store.
NO_NUL = r"^[^\x00]*$"
INT32_MAX = 2**31 - 1
SMALLINT_MAX = 2**15 - 1


def _no_surrogates(value: str) -> str:
    """A lone surrogate ("\\ud800" in JSON) cannot be encoded as UTF-8: refuse it at the door."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("lone surrogates are not allowed") from None
    return value


#: The same, and at least one character that is neither whitespace nor a control character.
NOT_BLANK = r"^[^\x00]*[^\s\x00-\x1f][^\x00]*$"


def Text(max_length: int, *, min_length: int = 0, required: bool = False, description: str | None = None) -> Any:
    """An API text field: at most `max_length` characters (the column's), no NUL, no lone surrogate;
    `required`: not blank either (what the services refuse as empty after stripping)."""
    from typing import Annotated

    from pydantic import AfterValidator, Field

    return Annotated[
        str,
        Field(
            min_length=max(min_length, 1 if required else 0),
            max_length=max_length,
            pattern=NOT_BLANK if required else NO_NUL,
            description=description,
        ),
        AfterValidator(_no_surrogates),
    ]


def Int(ge: int, le: int, *, description: str | None = None) -> Any:
    """An API integer bounded to what its column (or the domain) holds."""
    from typing import Annotated

    from pydantic import Field

    return Annotated[int, Field(ge=ge, le=le, description=description)]


def _id_type() -> Any:
    from core.ids import MAX_ID

    return Int(1, MAX_ID, description="a database id")


#: A database id in a path, a query or a body: 1 … 2**63 − 1 (a bigint).
Id = _id_type()


def _money_value(value: Any) -> Any:
    import re

    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError('yuan, like 3.5 or "3.50"')
    if isinstance(value, str) and not re.fullmatch(r"\d{1,9}(\.\d{1,2})?", value):  # the bound: Field(le=…)
        raise ValueError('yuan, like 3.5 or "3.50"')
    return value


def _money_round(value: Any) -> Any:
    from decimal import ROUND_HALF_UP, Decimal

    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


#: Yuan as a string: up to 3 digits, up to 2 decimals (how the API writes decimals back).
MONEY_PATTERN = r"^\d{1,3}(\.\d{1,2})?$"


def Money(digits: int = 3, *, form: bool = False) -> Any:  # a type
    """Yuan in an API body (what a `DecimalField(max_digits=digits + 2, decimal_places=2)` holds): a
    JSON number from 0 to 999.99 by default (rounded to the fen) or a string like "3.50"; `digits`
    widens it (a term's total). Caps set by policy (the district's fee cap) are the service's,
    answered 409 with a code. `form`: a form field, where every value is text — the string only
    (a number's long spelling such as "3.14159" is not yuan)."""
    from decimal import Decimal
    from typing import Annotated

    from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema

    top = Decimal(10**digits) - Decimal("0.01")
    text = {"type": "string", "pattern": rf"^\d{{1,{digits}}}(\.\d{{1,2}})?$", "maxLength": digits + 3}
    schema = {
        "anyOf": [{"type": "number", "minimum": 0, "maximum": float(top)}, text],
        "description": 'yuan: a number (rounded to the fen) or a string like "3.50"',
    }
    if form:
        schema = {**text, "description": 'yuan, written like "80" or "80.50"'}
    return Annotated[
        Decimal,
        BeforeValidator(_money_value),
        Field(ge=0, le=top, allow_inf_nan=False),
        AfterValidator(_money_round),
        WithJsonSchema(schema),
    ]


def _iso_day(value: Any) -> Any:
    import re

    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date like 2026-09-01")
    if isinstance(value, bool | int | float):  # pydantic would read a number as a Unix time
        raise ValueError("a date like 2026-09-01")
    return value


def _day_type() -> Any:
    import datetime as dt
    from typing import Annotated

    from pydantic import BeforeValidator

    return Annotated[dt.date, BeforeValidator(_iso_day)]


#: A calendar day in a query or a body: exactly YYYY-MM-DD (what `format: date` promises).
Day = _day_type()


def _bool_type() -> Any:
    from typing import Annotated

    from pydantic import Field, StrictBool

    return Annotated[StrictBool, Field(description="true or false (not 0, 1 or a string)")]


#: A boolean in a JSON body: `true` or `false` only, what `type: boolean` promises (pydantic would
#: otherwise read 0, 1, "yes" … as booleans). Query parameters stay plain `bool` ("true" in a URL).
Bool = _bool_type()
