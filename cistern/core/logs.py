"""The district's logs: one JSON line per event on stdout (journald, or whatever collects a container's output).

Every line has `ts` (ISO 8601, UTC), `level`, `event` and `user` (the signed-in user's name, or null), then the
event's own fields. Events are written with `log_event("billrun.posted", run=12, bills=5400)`; other records
(Django's, a library's warnings) come out as `event: "log"` with their logger and message.

Nothing sensitive goes in: no query strings, no passwords, no bank account numbers, no request bodies.

This module reads no Django setting at load: gunicorn's configuration (deploy/gunicorn.conf.py) formats its own
lines with JsonFormatter before Django is set up.
"""

import json
import logging
import time
from contextvars import ContextVar
from datetime import UTC, datetime

from django.utils.functional import empty

logger = logging.getLogger("cistern.events")

# The request being answered in this thread, so an event logged inside a view names its user.
_request: ContextVar = ContextVar("cistern_log_request", default=None)
_UNSET = object()
_STANDARD = ("ts", "level", "event", "user")


def _username(user) -> str | None:
    if user is None:
        return None
    if isinstance(user, str):
        return user
    return user.get_username() if getattr(user, "is_authenticated", False) else None


def _request_username(request) -> str | None:
    """The request's user, if something already loaded it: the log never costs a session or user query."""
    if request is None:
        return None
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)  # a SimpleLazyObject is read only once something evaluated it
    return None if wrapped is empty else _username(wrapped)


def log_event(event: str, *, user=_UNSET, level: int = logging.INFO, **fields) -> None:
    """Log one event with its fields. `user`: a user, a user name or None; left out, the request's user."""
    if not logger.isEnabledFor(level):
        return
    name = _request_username(_request.get()) if user is _UNSET else _username(user)
    logger.log(level, event, extra={"cistern_event": event, "cistern_user": name, "cistern_fields": fields})


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
        }
        event = getattr(record, "cistern_event", None)
        if event is not None:
            line["event"] = event
            line["user"] = record.cistern_user
            for key, value in record.cistern_fields.items():
                line[key if key not in _STANDARD else f"{key}_"] = value
        else:
            line["event"] = "log"
            line["user"] = _request_username(_request.get())
            line["logger"] = record.name
            line["message"] = record.getMessage()
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class RequestLogMiddleware:
    """A `request` event per request answered: method, path (never its query string), status, ms, user.
    First in settings.MIDDLEWARE, so the time is the whole of Django's and every answer is counted."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        status = response.status_code
        log_event(
            "request",
            user=_request_username(request),
            level=logging.ERROR if status >= 500 else logging.INFO,
            method=request.method,
            path=request.path,
            status=status,
            ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return response


def _task_fields(task_result) -> dict:
    return {"task": task_result.task.module_path, "id": str(task_result.id)}


def _task_started(sender, task_result, **kwargs):
    log_event("task.started", **_task_fields(task_result))


def _task_finished(sender, task_result, **kwargs):
    fields = _task_fields(task_result)
    fields["outcome"] = str(task_result.status).lower()  # successful, failed
    if task_result.started_at and task_result.finished_at:
        fields["ms"] = round((task_result.finished_at - task_result.started_at).total_seconds() * 1000, 1)
    if task_result.errors:
        fields["error"] = task_result.errors[-1].exception_class_path  # the class only: no message, no values
    failed = fields["outcome"] == "failed"
    log_event("task.finished", level=logging.ERROR if failed else logging.INFO, **fields)


def connect_task_events() -> None:
    """`task.started` and `task.finished` for every task, whichever backend runs it (core's AppConfig.ready)."""
    from django_tasks.signals import task_finished, task_started

    task_started.connect(_task_started, dispatch_uid="cistern_log_task_started")
    task_finished.connect(_task_finished, dispatch_uid="cistern_log_task_finished")
