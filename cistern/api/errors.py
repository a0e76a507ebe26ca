"""Bad values through the API answer 400 with `{"detail": "...", "field": "..."}`, never 422 or 500.

Seen: django-ninja answered a wrong type with 422 and a list of pydantic errors; `"days": true` was taken as 1;
`"units": "1e309"`, a 50-digit id and `"on": "0001-01-01"` reached the database or date arithmetic and answered
500. Here: one error shape for every refusal (`field` names the input: `units`, `run_id`, `reads[3].value`,
`limit`, or `body` for a body that is not JSON), strict input types (`true` is not a number, a number is not a
string), dates and ids within what the database and the calendar hold, and no NUL characters (PostgreSQL
refuses them in text).
"""

import json
import logging
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Path, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AfterValidator, BeforeValidator, Field, StrictInt, model_validator

from cistern.core import badinput

logger = logging.getLogger("cistern.api")

# The dates and ids the pages accept (core.badinput), so the API and the pages refuse the same values.
FIRST_DAY, LAST_DAY, MAX_ID = badinput.FIRST_DAY, badinput.LAST_DAY, badinput.MAX_ID
UNITS_LIMIT = Decimal(10) ** 10  # NUMERIC(12, 2)
TEXT_LIMIT = 2000


class Error(Schema):
    """A refusal: what is wrong, and which input (`body` for the request as a whole)."""

    detail: str
    field: str | None = None


class In(Schema):
    """An input object: a JSON object and nothing else (ninja's Schema would read a number or a string as an
    object with every field missing)."""

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, values):
        inner = getattr(values, "_obj", values)  # ninja wraps what it is given in a DjangoGetter first
        if not isinstance(inner, dict):
            raise ValueError("must be a JSON object")
        return values


class BadValue(Exception):
    """One input's value is wrong; answered 400 with its field."""

    def __init__(self, field: str | None, detail: str):
        self.field, self.detail = field, detail
        super().__init__(detail)


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("must not contain a NUL character")
    return text


def _iso_date(value):
    """Only "YYYY-MM-DD" text (pydantic would also take a number as seconds since 1970, and a datetime)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


def _in_range(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"must be between {FIRST_DAY:%m/%d/%Y} and {LAST_DAY:%m/%d/%Y}")
    return day


def _period_days(days: int) -> int:
    if not 1 <= days <= 400:
        raise ValueError("a period is 1 to 400 days")
    return days


def _read_value(value):
    """A register value as a string (please), or a finite JSON number; never true/false, an object or a list."""
    if value is None or isinstance(value, int | str) and not isinstance(value, bool):
        if isinstance(value, str):
            _no_nul(value)
            if len(value) > 40:
                raise ValueError("is longer than 40 characters")
        return value
    if isinstance(value, float) and value == value and abs(value) != float("inf"):
        return value
    raise ValueError('must be a number written as a string, e.g. "12345.60"')


Text = Annotated[str, Field(max_length=TEXT_LIMIT), AfterValidator(_no_nul)]
Day = Annotated[date, BeforeValidator(_iso_date), AfterValidator(_in_range)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
ReadValue = Annotated[str | int | float | None, BeforeValidator(_read_value)]
Days = Annotated[StrictInt, AfterValidator(_period_days)]


def units_value(text: str, field: str = "units") -> Decimal:
    """A quantity given as a string: a plain decimal, 0 or more, at most 2 places, below 10^10; -0 is 0."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise BadValue(field, f"{field}: {text[:40]!r} is not a number") from None
    if not value.is_finite() or value < 0 or value.as_tuple().exponent < -2 or value >= UNITS_LIMIT:
        raise BadValue(field, f"{field}: 0 or more, at most 2 decimal places, below 10,000,000,000")
    return abs(value) if value == 0 else value  # -0 is 0


def amount_text(value: Decimal) -> str:
    """Money as the API sends it: a string, and never "-0.00"."""
    return str(abs(value) if value == 0 else value)


# --- the exception handlers -------------------------------------------------------------------------------

_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field(loc) -> str:
    """ "reads[3].value" for ("body", "payload", "reads", 3, "value"); "body" for the body as a whole."""
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
        if not parts:
            return "body" if source == "body" else source
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "body"


def _message(error: dict) -> str:
    message = str(error.get("msg", "is not valid"))
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    return message


def _json_object(request) -> bool:
    try:
        return isinstance(json.loads(request.body), dict)
    except ValueError:
        return False


def install(api) -> None:
    """Answer every refusal of `api` in one shape."""

    def respond(request, status, field, detail):
        return api.create_response(request, {"detail": detail, "field": field}, status=status)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc):
        errors = [e for e in exc.errors if isinstance(e, dict)]
        if not errors:
            return respond(request, 400, "body", "The request is not valid.")
        first = errors[0]
        if tuple(first.get("loc", ()))[:1] == ("body",) and not _json_object(request):
            return respond(request, 400, "body", "body: must be a JSON object")
        field = _field(first.get("loc", ()))
        message = "is required" if first.get("type") == "missing" else _message(first)
        detail = f"{field}: {message}"
        if len(errors) > 1:
            detail += f" (and {len(errors) - 1} more)"
        return respond(request, 400, field, detail)

    @api.exception_handler(BadValue)
    def bad_value(request, exc):
        return respond(request, 400, exc.field, exc.detail)

    @api.exception_handler(DjangoValidationError)
    def django_validation_error(request, exc):
        if hasattr(exc, "error_dict"):
            field, messages = next(iter(exc.message_dict.items()))
            return respond(request, 400, field, f"{field}: {' '.join(messages)}")
        return respond(request, 400, None, " ".join(exc.messages))

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        field = "body" if exc.status_code == 400 else None
        return respond(request, exc.status_code, field, str(exc))

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):  # a body over DATA_UPLOAD_MAX_MEMORY_SIZE, among others
        return respond(request, 400, "body", str(exc) or "The request is not valid.")

    @api.exception_handler(BadRequest)
    def bad_request(request, exc):
        return respond(request, 400, None, str(exc) or "The request is not valid.")

    @api.exception_handler(OverflowError)
    def overflow(request, exc):  # a value the calendar or the database cannot hold, missed by a schema
        logger.warning("API value out of range: %s %s: %s", request.method, request.path, exc)
        return respond(request, 400, None, "A value is out of range.")
