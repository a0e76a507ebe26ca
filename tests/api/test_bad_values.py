"""A corpus of bad values through every /api/v1 endpoint that takes a body or query parameters: each answers 400
with `{"detail": ..., "field": ...}` naming the input, never 422 or 500.

Problems seen: django-ninja's 422 with a list of pydantic errors; `"days": true` taken as 1 ("true is not a
number"); units `1e309`, a 50-digit id and the date `0001-01-01` answering 500 (an overflow in date arithmetic
or in the database's integer); a NUL character in text refused by PostgreSQL with a 500; `-0` units shown as
"-0" (it is 0 and shown as 0)."""

import json
import secrets
from datetime import date

import pytest

from cistern.api.models import ApiToken
from cistern.billing.models import BillCycle, BillRun
from cistern.demo.rates import load_rates

pytestmark = pytest.mark.django_db

FIFTY_DIGITS = "9" * 50
QUOTE = {"meter_size": "3/4", "units": "12", "days": 30, "on": "2026-11-01", "rate_class": "residential"}
READ = {"meter_serial": "AMI-1", "read_on": "2026-02-02", "value": "10.50", "source": "ami"}
RUN = {"cycle": "C01", "period_end": "2026-07-25"}
BAD_IDS = ["abc", "1e309", FIFTY_DIGITS, "-1", "0", "-0", "1.5", "true", "%00"]


@pytest.fixture
def token(django_user_model):
    user = django_user_model.objects.create_superuser("api_root", password=None)  # no hashing: a fast test
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name="test", key_hash=ApiToken.hash_key(key), prefix=key[:8])
    return key


@pytest.fixture
def world(django_user_model):
    load_rates()
    cycle = BillCycle.objects.create(code="C01", name="Cycle 1", read_day=25, bill_day=28)
    user = django_user_model.objects.create_user("maker", password=None)
    run = BillRun.objects.create(
        cycle=cycle, period_end=date(2026, 7, 25), bill_date=date(2026, 7, 28), due_date=date(2026, 8, 17),
        created_by=user,
    )  # fmt: skip
    return {"run": run}


def _body(change: dict, base: dict) -> str:
    body = dict(base)
    for key, value in change.items():
        if value is _DROP:
            body.pop(key)
        else:
            body[key] = value
    return json.dumps(body)


_DROP = object()

# (method, path, body as JSON text or None, the field the answer must name)
CORPUS = []


def _case(method, path, body, field, label):
    CORPUS.append(pytest.param(method, path, body, field, id=label))


# The quote: money and units are strings; numbers, booleans, overflow, dates out of the calendar.
for label, change, field in [
    ("units 1e309", {"units": "1e309"}, "units"),
    ("units 50 digits", {"units": FIFTY_DIGITS}, "units"),
    ("units true", {"units": True}, "units"),
    ("units a number", {"units": 12}, "units"),
    ("units NaN", {"units": "NaN"}, "units"),
    ("units Infinity", {"units": "-Infinity"}, "units"),
    ("units negative", {"units": "-1"}, "units"),
    ("units 3 places", {"units": "1.005"}, "units"),
    ("units words", {"units": "twelve"}, "units"),
    ("units NUL", {"units": "1\u0000"}, "units"),
    ("units missing", {"units": _DROP}, "units"),
    ("days true", {"days": True}, "days"),
    ("days 1e309", {"days": 1e309}, "days"),
    ("days 50 digits", {"days": int(FIFTY_DIGITS)}, "days"),
    ("days text", {"days": "30"}, "days"),
    ("days zero", {"days": 0}, "days"),
    ("days 2.5", {"days": 2.5}, "days"),
    ("on 0001-01-01", {"on": "0001-01-01"}, "on"),
    ("on 9999-12-31", {"on": "9999-12-31"}, "on"),
    ("on Feb 30", {"on": "2026-02-30"}, "on"),
    ("on a number", {"on": 1_700_000_000}, "on"),
    ("on true", {"on": True}, "on"),
    ("on no rates", {"on": "1950-01-01"}, "on"),
    ("meter_size true", {"meter_size": True}, "meter_size"),
    ("meter_size unknown", {"meter_size": "7/8"}, "meter_size"),
    ("meter_size long", {"meter_size": "3" * 5000}, "meter_size"),
    ("rate_class NUL", {"rate_class": "\u0000"}, "rate_class"),
    ("rate_class list", {"rate_class": ["residential"]}, "rate_class"),
]:
    _case("post", "/api/v1/rates/quote", _body(change, QUOTE), field, f"quote {label}")
_case("post", "/api/v1/rates/quote", "{not json", "body", "quote not JSON")
_case("post", "/api/v1/rates/quote", "[]", "body", "quote a list")
_case("post", "/api/v1/rates/quote", "", "body", "quote empty")
for body in ("5", '"x"', "null", "true", "[{}]"):
    _case("post", "/api/v1/rates/quote", body, "body", f"quote body {body}")
    _case("post", "/api/v1/reads", body, "body", f"reads body {body}")
    _case("post", "/api/v1/bill-runs", body, "body", f"bill-runs body {body}")

# Reads: a value of the wrong type refuses the batch, naming the read; the batch's own shape.
for label, change, field in [
    ("value true", {"value": True}, "reads[0].value"),
    ("value object", {"value": {"x": 1}}, "reads[0].value"),
    ("value 1e309", {"value": 1e309}, "reads[0].value"),
    ("value NaN", {"value": float("nan")}, "reads[0].value"),
    ("serial a number", {"meter_serial": 5}, "reads[0].meter_serial"),
    ("serial NUL", {"meter_serial": "AMI\u00001"}, "reads[0].meter_serial"),
    ("note long", {"note": "x" * 5000}, "reads[0].note"),
    ("read_on true", {"read_on": True}, "reads[0].read_on"),
]:
    _case("post", "/api/v1/reads", json.dumps({"reads": [_body(change, READ) and json.loads(_body(change, READ))]}), field, f"reads {label}")  # fmt: skip
_case("post", "/api/v1/reads", json.dumps({"reads": "AMI-1"}), "reads", "reads not a list")
_case("post", "/api/v1/reads", json.dumps({"reads": [5]}), "reads[0]", "reads an item not an object")
_case("post", "/api/v1/reads", json.dumps({}), "reads", "reads missing")
_case("post", "/api/v1/reads", json.dumps({"reads": [READ] * 10_001}), "reads", "reads too many")
_case("post", "/api/v1/reads", "reads=1", "body", "reads not JSON")

# Bill runs: the cycle, the period, the note; ids in the path.
for label, change, field in [
    ("cycle true", {"cycle": True}, "cycle"),
    ("cycle unknown", {"cycle": "C99"}, "cycle"),
    ("cycle NUL", {"cycle": "C\u000001"}, "cycle"),
    ("cycle missing", {"cycle": _DROP}, "cycle"),
    ("period_end 0001-01-01", {"period_end": "0001-01-01"}, "period_end"),
    ("period_end 9999-12-31", {"period_end": "9999-12-31"}, "period_end"),
    ("period_end US", {"period_end": "07/25/2026"}, "period_end"),
    ("period_end a number", {"period_end": 20260725}, "period_end"),
    ("period_end taken", {}, "period_end"),  # the world's run has this period already
]:
    _case("post", "/api/v1/bill-runs", _body(change, RUN), field, f"bill-runs {label}")
_case("post", "/api/v1/bill-runs/{run}/approve", json.dumps({"note": True}), "note", "approve note true")
_case("post", "/api/v1/bill-runs/{run}/approve", json.dumps({"note": "\u0000"}), "note", "approve note NUL")
_case(
    "post", "/api/v1/bill-runs/{run}/approve", json.dumps({"note": "ok"}), "run_id", "approve not calculated"
)
for bad in BAD_IDS:
    _case("get", f"/api/v1/bill-runs/{bad}", None, "run_id", f"run {bad}")
    _case("post", f"/api/v1/bill-runs/{bad}/calculate", None, "run_id", f"calculate {bad}")
    _case("post", f"/api/v1/bill-runs/{bad}/post", None, "run_id", f"post {bad}")
    _case("post", f"/api/v1/bill-runs/{bad}/approve", "{}", "run_id", f"approve {bad}")
    _case("get", f"/api/v1/bills/{bad}", None, "bill_id", f"bill {bad}")

# Accounts: the number in the path, the search's limit (its query is another part of the issue).
for bad in ["abc", FIFTY_DIGITS, "1234567", "%00", "-0", "1e309"]:
    for tail in ("", "/bills", "/ledger"):
        _case("get", f"/api/v1/accounts/{bad}{tail}", None, "number", f"account {bad}{tail}")
for bad in ["abc", "1e309", "true", "1.5", FIFTY_DIGITS + "x"]:
    _case("get", f"/api/v1/accounts?q=sun&limit={bad}", None, "limit", f"search limit {bad}")
_case("get", "/api/v1/accounts", None, "q", "search q missing")


@pytest.mark.parametrize("method,path,body,field", CORPUS)
def test_a_bad_value_answers_400_naming_its_field(client, token, world, method, path, body, field):
    path = path.format(run=world["run"].pk)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "get":
        response = client.get(path, **auth)
    else:
        response = client.post(path, body or "", content_type="application/json", **auth)
    assert response.status_code == 400, (response.status_code, response.content[:500])
    answer = response.json()
    assert set(answer) == {"detail", "field"} and answer["field"] == field, answer
    assert isinstance(answer["detail"], str) and answer["detail"]


def test_minus_zero_units_are_zero_and_shown_as_zero(client, token, world):
    """`-0` is 0: the quote answers 200 and nowhere says "-0"."""
    body = json.dumps({**QUOTE, "units": "-0"})
    response = client.post("/api/v1/rates/quote", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")  # fmt: skip
    assert response.status_code == 200
    assert "-0" not in response.content.decode()
    assert response.json()["total"] == "45.55"  # the basic fee alone
