"""Hostile query strings, path values and form values on every page of the permission matrix: 400 (or the page
with its form's errors, a redirect, a 404), never 500.

Problems seen: a date of 0001-01-01 on the bill estimator and a board date far in the past (the day before it
does not exist) answered 500; a non-numeric id in a query string answered 500 (it is 400); a 50-digit id in a
path overflowed the database's integer (500)."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from cistern.fieldwork.forms import ProgramForm
from cistern.rates.forms import EstimateForm

from .test_permissions import PAGES, POSTS, world  # noqa: F401  (world: the matrix's fixture)

pytestmark = pytest.mark.django_db

FIFTY_DIGITS = "9" * 50
HOSTILE = [
    "1e309", FIFTY_DIGITS, "0001-01-01", "9999-12-31", "-1", "-0", "abc", "true", "NaN", "Infinity", "2026-02-30",
    "", "'; DROP TABLE x; --", "x" * 3000, "1.5", "½", "0",
]  # fmt: skip
POST_HOSTILE = ["1e309", FIFTY_DIGITS, "0001-01-01", "9999-12-31", "-1", "-0", "abc", "NaN", "", "x" * 3000]

# What each page reads from its query string (besides what its matrix URL already carries).
QUERY_KEYS = {
    "home": [],
    "search": ["q", "offset"],
    "district_settings": ["year"],
    "customers:start": ["customer", "premise"],
    "customers:premise_lookup": ["premise_q", "q", "field"],
    "fieldwork:order_list": ["status", "type"],
    "fieldwork:order_new": ["account"],
    "fieldwork:board": ["date"],
    "fieldwork:tech_today": ["date", "order"],
    "fieldwork:programs": list(ProgramForm.base_fields),
    "ledger:gl_summary": ["on", "format"],
    "home_queues": ["seen"],
    "frontdesk:call_list": ["date"],
    "frontdesk:call_match": ["caller_phone"],
    "frontdesk:case_list": ["status", "mine"],
    "frontdesk:case_new": ["call", "account"],
    "frontdesk:visitor_log": ["date"],
    "frontdesk:radio": ["date"],
    "schedule:month": ["year", "month", "kind"],
    "schedule:agenda": ["days", "kind"],
    "schedule:week": ["week"],
    "schedule:event_new": ["day"],
    "metering:exceptions": ["route", "page"],
    "rates:estimate": list(EstimateForm.base_fields),
}

# Each report reads its form's fields, the page and the format (cistern/reports/registry.py).
from cistern.reports import registry as _reports  # noqa: E402

for _report in _reports.all_reports():
    QUERY_KEYS[f"reports:{_report.key}"] = [
        *(_report.form.base_fields if _report.form else []),
        "page",
        "format",
    ]


@pytest.fixture
def root(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("probe_root", password=None))
    client.raise_request_exception = False
    return client


def _with(url: str, key: str, value: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query[key] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def _failure(response, what: str) -> str | None:
    if response.status_code >= 500:
        exc = getattr(response, "exc_info", None)
        return f"{what}: {response.status_code} {exc[1]!r:.200}" if exc else f"{what}: {response.status_code}"
    return None


def test_hostile_query_strings_never_answer_500(root, world):  # noqa: F811
    failures = []
    for name, (_, module) in PAGES.items():
        url = module.url(name, world)
        keys = set(QUERY_KEYS.get(name, [])) | {k for k, _ in parse_qsl(urlsplit(url).query)}
        for key in sorted(keys):
            for value in HOSTILE:
                response = root.get(_with(url, key, value))
                failures.append(_failure(response, f"GET {name} {key}={value[:20]!r}"))
    bad = [f for f in failures if f]
    assert not bad, "\n".join(bad)


def test_hostile_path_values_never_answer_500(root, world):  # noqa: F811
    """A 50-digit id (the database's integer overflows) and impossible dates in a path: 404 or 400."""
    failures = []
    for name, (_, module) in PAGES.items():
        url = module.url(name, world)
        path = urlsplit(url).path
        for value in (FIFTY_DIGITS, "0001-01-01", "99999-01-01", "-1"):
            for hostile in {
                re.sub(r"/\d+/", f"/{value}/", path, count=1),
                re.sub(r"/[\d-]{8,}/", f"/{value}/", path),
            }:
                if hostile != path:
                    failures.append(_failure(root.get(hostile), f"GET {name} {hostile[:60]}"))
    for name, (_, data, module) in POSTS.items():
        path = module.url(name, world)
        hostile = re.sub(r"/\d+/", f"/{FIFTY_DIGITS}/", path, count=1)
        if hostile != path:
            failures.append(_failure(root.post(hostile, data), f"POST {name} {hostile[:60]}"))
    bad = [f for f in failures if f]
    assert not bad, "\n".join(bad)


def test_hostile_form_values_never_answer_500(root, world):  # noqa: F811
    failures = []
    for name, (_, data, module) in POSTS.items():
        url = module.url(name, world)
        for key in data:
            for value in POST_HOSTILE:
                sent = {k: (v.read() if hasattr(v, "read") else v) for k, v in data.items()}
                if hasattr(data[key], "read"):
                    continue  # the read file: tests/metering/test_upload_caps.py
                sent[key] = value
                files = {k: _upload(v) for k, v in data.items() if hasattr(v, "read")}
                response = root.post(url, {**sent, **files})
                failures.append(_failure(response, f"POST {name} {key}={value[:20]!r}"))
    bad = [f for f in failures if f]
    assert not bad, "\n".join(bad)


def _upload(source):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(source.name, source.read(), source.content_type)


@pytest.mark.parametrize(
    "url",
    [
        "/field/board/?date=0001-01-01",  # a board date far in the past: the day before does not exist
        "/field/board/?date=9999-12-31",
        "/field/today/?date=0001-01-01",
        "/field/today/?order=abc",  # a non-numeric id in a query string
        "/field/today/?order=" + FIFTY_DIGITS,
        "/rates/estimate/?meter_size=3%2F4&rate_class=residential&units=12&days=30&on=0001-01-01",
        "/rates/estimate/?meter_size=3%2F4&rate_class=residential&units=1e309&days=30&on=2026-11-01",
        "/ledger/gl/?on=0001-01-01",
    ],
)
def test_values_that_do_not_fit_answer_400(root, world, url):  # noqa: F811
    """Dates far outside the calendar and ids that are not numbers answer 400 naming the value."""
    response = root.get(url)
    assert response.status_code == 400, (url, response.status_code)


_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
_NAME = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)
_ACTION = re.compile(r"\baction=\"([^\"]*)\"", re.I)


def test_hostile_values_in_every_form_on_every_page_never_answer_500(root, world):  # noqa: F811
    """Every POST form the pages show (start service, new order, a bill run, district settings, adjustments...),
    each of its fields in turn given a hostile value."""
    failures, seen = [], set()
    for name, (_, module) in PAGES.items():
        url = module.url(name, world)
        page = root.get(url)
        if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
            continue
        for attributes, body in _FORM.findall(page.content.decode()):
            if 'method="post"' not in attributes.lower():
                continue
            action = (_ACTION.search(attributes) or [None, url])[1] or url
            if "logout" in action or "/login/" in action:
                continue
            fields = sorted(set(_NAME.findall(body)) - {"csrfmiddlewaretoken"})
            if (action, tuple(fields)) in seen:
                continue
            seen.add((action, tuple(fields)))
            for field in fields:
                for value in ("1e309", FIFTY_DIGITS, "0001-01-01", "-0", "abc", "x" * 3000):
                    response = root.post(action.replace("&amp;", "&"), {field: value})
                    failures.append(_failure(response, f"POST {action} {field}={value[:20]!r} (from {name})"))
    bad = [f for f in failures if f]
    assert not bad, "\n".join(bad)
