"""Requests no page should have to read: answered 400 before any view runs.

- A body larger than the upload limit (settings.CISTERN_UPLOAD_MAX_BYTES, plus room for the form around the
  file) is refused before it is read. Django streams a file upload to disk whatever its size, and the CSRF
  check reads the form before the view could look (seen: a read file far past any district's size held a
  request for minutes).
- A NUL character in the address, a query string or a form value (PostgreSQL refuses it in text, so it
  answered 500 on the page that used it).

The API's answers keep its shape: `{"detail": ..., "field": ...}`.

Views read dates and ids from query strings and paths with query_date() and query_id(): a value that does not
fit (a board date of 0001-01-01, whose day before does not exist; "abc" or a 50-digit number for an order)
raises BadRequest, which this middleware answers with the 400 page saying what was wrong.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.shortcuts import render

FORM_ROOM = 1024 * 1024  # the rest of a multipart form around the file
# Dates any page of a water district speaks of: the calendar arithmetic around them (the day before, a period's
# start, a due date) stays far from year 1 and year 9999.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2199, 12, 31)
MAX_ID = 2**63 - 1  # a BIGINT primary key


def date_in_range(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def query_date(value, *, name: str, default: date) -> date:
    """A YYYY-MM-DD date from a query string or a path; `default` when it is missing or empty."""
    if value is None or value == "":
        return default
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadRequest(f"{name}: {str(value)[:40]!r} is not a date (YYYY-MM-DD).") from None
    if not date_in_range(day):
        raise BadRequest(
            f"{name}: {day:%Y-%m-%d} is not between {FIRST_DAY:%m/%d/%Y} and {LAST_DAY:%m/%d/%Y}."
        )
    return day


def query_id(value, *, name: str) -> int:
    """A record's number from a query string: digits, 1 or more, within the database's integer."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise BadRequest(f"{name}: {text[:40]!r} is not a number of a record.")
    return int(text)


def body_limit() -> int:
    return settings.CISTERN_UPLOAD_MAX_BYTES + FORM_ROOM


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _has_nul(querydict) -> str | None:
    for key, values in querydict.lists():
        if "\x00" in key or any("\x00" in value for value in values if isinstance(value, str)):
            return key.replace("\x00", "")
    return None


class BadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path_info.startswith("/api/")
        size = _content_length(request)
        if size > body_limit():
            return self._refuse(
                request, api, "body" if api else "file",
                f"The request is {_megabytes(size)}; files up to "
                f"{_megabytes(settings.CISTERN_UPLOAD_MAX_BYTES)} are accepted.",
            )  # fmt: skip
        if "\x00" in request.path_info and not api:  # the API names the path parameter itself
            return self._refuse(request, api, "path", "The address holds a NUL character.")
        field = _has_nul(request.GET)
        if field is None and not api and request.method == "POST":
            field = _has_nul(request.POST)
        if field is not None:
            return self._refuse(request, api, field, f"{field}: holds a NUL character.")
        return self.get_response(request)

    def process_exception(self, request, exception):
        """A view's BadRequest (query_date, query_id): the 400 page saying what was wrong."""
        if isinstance(exception, BadRequest) and not request.path_info.startswith("/api/"):
            return self._refuse(request, False, "", str(exception) or "The request is not valid.")
        return None

    @staticmethod
    def _refuse(request, api: bool, field: str, detail: str):
        if api:
            return JsonResponse({"detail": detail, "field": field}, status=400)
        return render(request, "400.html", {"problem": detail}, status=400)
