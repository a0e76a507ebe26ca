"""The log: one JSON line per event on stdout, `ts` (ISO, UTC), `level`, `event`, `user`, then the event's fields.
Requests, tasks, read imports; never a query string, a password or a token. Read here from the handler
settings.LOGGING puts on the root logger."""

import io
import json
import logging
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django_tasks import task

from cistern.api import services as api_services
from cistern.core import roles
from cistern.core.logs import JsonFormatter, log_event
from cistern.metering.batch import reads_import
from tests.metering import test_import

pytestmark = pytest.mark.django_db

clerk, installer, meter_at = test_import.clerk, test_import.installer, test_import.meter_at  # the fixtures


@task()
def meter_count(route: str) -> int:
    return len(route)


@task()
def broken(account_number: str) -> None:
    raise ValueError(f"account {account_number} is secret")


@pytest.fixture
def lines():
    """The JSON lines written from here on, parsed; the raw text as lines.text."""
    (handler,) = [h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)

    class Lines(list):
        @property
        def text(self):
            return buffer.getvalue()

    def read(event=None):
        found = Lines(json.loads(line) for line in buffer.getvalue().splitlines())
        return Lines(line for line in found if event is None or line["event"] == event)

    yield read
    handler.setStream(previous)


def test_an_event_is_one_json_line_with_the_standard_keys_first(lines):
    log_event("reads.imported", user=None, import_id=7, rows=10, total=Decimal("1.50"), on=date(2026, 12, 1))
    (line,) = lines()
    assert list(line)[:4] == ["ts", "level", "event", "user"]
    assert line["ts"].endswith("Z")
    assert datetime.fromisoformat(line["ts"]).tzinfo == UTC
    assert {k: v for k, v in line.items() if k != "ts"} == {
        "level": "info", "event": "reads.imported", "user": None,
        "import_id": 7, "rows": 10, "total": "1.50", "on": "2026-12-01",
    }  # fmt: skip
    assert lines().text.count("\n") == 1


def test_the_user_is_the_user_name(lines, make_user):
    log_event("payments.batch_posted", user=make_user(roles.CASHIER, username="avery"), payments=3)
    assert lines()[0]["user"] == "avery"


def test_a_request_line_has_no_query_string(client, lines):
    response = client.get("/login/?next=/accounts/&q=Maria+Lopez")
    assert response.status_code == 200
    (line,) = lines("request")
    assert line["method"] == "GET" and line["path"] == "/login/" and line["status"] == 200
    assert line["user"] is None
    assert isinstance(line["ms"], float) and line["ms"] >= 0
    assert "Maria" not in lines().text and "next=" not in lines().text


def test_a_request_line_names_the_signed_in_user(client, lines, make_user):
    client.force_login(make_user(roles.CSS_I, username="casey"))
    client.get("/")
    (line,) = lines("request")
    assert (line["path"], line["status"], line["user"]) == ("/", 200, "casey")


def test_an_api_request_names_the_token_user_and_not_the_token(client, lines, make_user):
    machine = make_user(roles.INTEGRATION, username="headend")
    _, key = api_services.token_create(actor=None, user=machine, name="AMI", reason="test")
    response = client.get("/api/v1/accounts?q=Lopez", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    (line,) = lines("request")
    assert (line["path"], line["status"], line["user"]) == ("/api/v1/accounts", 200, "headend")
    assert key not in lines().text


def test_a_failed_sign_in_logs_no_password(client, lines):
    client.post("/login/", {"username": "casey", "password": "hunter2-not-mine"})
    assert "hunter2" not in lines().text
    assert lines("request")[0]["path"] == "/login/"


def test_a_task_logs_its_start_and_finish(lines):
    result = meter_count.enqueue("R07")
    started, finished = lines("task.started"), lines("task.finished")
    assert [(line["task"], line["id"]) for line in started] == [
        ("tests.deploy.test_logs.meter_count", result.id)
    ]
    (line,) = finished
    assert (line["task"], line["id"], line["outcome"], line["level"]) == (
        "tests.deploy.test_logs.meter_count", result.id, "successful", "info",
    )  # fmt: skip
    assert line["ms"] >= 0


def test_a_failed_task_is_an_error_naming_the_exception_class(lines):
    broken.enqueue("1002003")
    (line,) = lines("task.finished")
    assert (line["outcome"], line["level"], line["error"]) == ("failed", "error", "builtins.ValueError")
    assert "1002003" not in json.dumps(line)
    # django_tasks' own line keeps the traceback for whoever mends the task: one JSON line all the same.
    (traceback,) = lines("log")
    assert traceback["logger"] == "django_tasks" and "ValueError" in traceback["exception"]


def test_django_and_library_records_are_lines_too(lines):
    try:
        raise RuntimeError("the mail server went away")
    except RuntimeError:
        logging.getLogger("django.request").exception("Internal Server Error: %s", "/billing/runs/")
    (line,) = lines("log")
    assert line["level"] == "error" and line["logger"] == "django.request"
    assert line["message"] == "Internal Server Error: /billing/runs/"
    assert "RuntimeError: the mail server went away" in line["exception"]
    assert lines().text.count("\n") == 1  # the traceback inside the line, not after it


def test_a_read_import_is_one_line_with_its_counts(clerk, meter_at, lines):
    meter = meter_at()
    content = f"{test_import.HEADER}{meter.serial},2026-02-02,12,handheld,,\n{meter.serial},2026-03-02,20,handheld,,\n"
    result = reads_import(actor=clerk, file_name="route7.csv", content=content.encode())
    (line,) = lines("reads.imported")
    assert line["user"] == "import_clerk"
    assert (line["import_id"], line["rows"], line["accepted"] + line["exceptions"]) == (
        result.read_import.pk, 2, 2,
    )  # fmt: skip


def test_the_daily_collection_run_is_one_line_with_its_counts(lines, make_user):
    from cistern.collections.tasks import collections_run_daily
    from cistern.demo.rates import load_rates

    load_rates()  # the fee catalog, with its late penalty
    billing = make_user(roles.BILLING_ADMIN, username="riley")
    collections_run_daily.enqueue(billing.pk, "2026-11-30")
    (line,) = lines("collections.ran")
    assert line["on"] == "2026-11-30"
    assert not any(line["counts"].values())  # a district with no past-due account: nothing done
    assert lines("task.finished")[0]["outcome"] == "successful"
