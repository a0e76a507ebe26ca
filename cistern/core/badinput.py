"""Requests no page should have to read: answered 400 before any view runs.

- A body larger than the upload limit (settings.CISTERN_UPLOAD_MAX_BYTES, plus room for the form around the
  file) is refused before it is read. Django streams a file upload to disk whatever its size, and the CSRF
  check reads the form before the view could look (seen: a read file far past any district's size held a
  request for minutes).
- A NUL character in the address, a query string or a form value (PostgreSQL refuses it in text, so it
  answered 500 on the page that used it).

The API's answers keep its shape: `{"detail": ..., "field": ...}`.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

FORM_ROOM = 1024 * 1024  # the rest of a multipart form around the file


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

    @staticmethod
    def _refuse(request, api: bool, field: str, detail: str):
        if api:
            return JsonResponse({"detail": detail, "field": field}, status=400)
        return render(request, "400.html", {"problem": detail}, status=400)
