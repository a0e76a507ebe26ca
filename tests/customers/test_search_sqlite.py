"""Search never takes the server down, on the SQLite the project runs with (issue 9).

Seen: `GET /api/v1/accounts?q=x+pratt` (or "J Pratt" typed in the search box) killed the server process: Debian
12's SQLite 3.40.1 segfaults on an FTS5 trigram `LIKE '%x%' AND LIKE '%pratt%'`, a pattern shorter than three
characters before a longer one. A segfault would kill pytest too, so each search runs in a child process against
a small database seeded there, and a crash fails the test with the query that caused it.
"""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
ON_SQLITE = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
SHIPS_SQLITE = sys.platform == "linux" and platform.machine() == "x86_64"  # where pysqlite3-binary has wheels
SHIPPED_SQLITE = (3, 51, 1)  # pysqlite3-binary 0.5.4.post2: checked free of the 3.40.1 crash

pytestmark = pytest.mark.skipif(not ON_SQLITE, reason="SQLite only: the suite's SQLite run covers it; see issue 9")

SEED = """
import json
from datetime import date
from io import StringIO

import django

django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from cistern.core import clock, roles
from cistern.customers import services
from cistern.customers.models import Customer, Premise

call_command("migrate", verbosity=0)
clerk = get_user_model().objects.create_user(username="clerk", password="a-long-test-password")
clerk.groups.add(Group.objects.get(name=roles.CSS_I))
clerk = get_user_model().objects.get(pk=clerk.pk)
application = services.Application(
    relationship="owner", occupancy_type="owner", identity_method="credit_check",
    credit_decision="acceptable", deposit_required=False,
)
people = [
    ("Jane Pratt", "61750 Chollita Rd", "Joshua Tree", "(760) 366-1001"),
    ("Bob Pratt", "7300 Sunburst Ave", "Yucca Valley", "(760) 228-1002"),
    ("Xochitl Pratt", "55 Sage Ln", "Yucca Valley", "(760) 228-1003"),
    ("AB CD Holdings LLC", "58000 Twentynine Palms Hwy", "Twentynine Palms", "(760) 367-1004"),
]
for n, (name, street, city, phone) in enumerate(people):
    customer = Customer.objects.create(
        name=name, phone=phone, mailing_street=street, mailing_city=city, mailing_zip="92284"
    )
    premise = Premise.objects.create(
        street=street, city=city, zip_code="92284", parcel_number=f"0601-{n:03d}-01-0000", zone="Zone 1",
        occupancy_type="owner",
    )
    with clock.on(date(2026, 11, 2)):
        services.service_start(
            actor=clerk, customer=customer, premise=premise, start_date=date(2026, 11, 2), application=application
        )
out = StringIO()
call_command("create_api_token", "clerk", "--name", "probe", stdout=out)
print(json.dumps({"token": out.getvalue().strip()}))
"""

PROBE = """
import json
import os
import sys

if os.environ.get("PROBE_SYSTEM_SQLITE"):
    sys.modules["pysqlite3"] = None  # its import fails, so settings leave Python's own sqlite3 in place
import django

django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import setup_test_environment

setup_test_environment()
with connection.cursor() as cursor:
    cursor.execute("SELECT sqlite_version()")
    print(json.dumps({"sqlite": cursor.fetchone()[0], "module": connection.Database.__name__}), flush=True)
clerk = get_user_model().objects.get(username="clerk")
for query in json.loads(os.environ["PROBE_QUERIES"]):
    print(json.dumps({"running": query}), flush=True)  # the last line before a crash names the query
    browser = Client()
    browser.force_login(clerk)
    page = browser.get("/search/", {"q": query}, HTTP_HX_REQUEST="true")
    api = Client().get("/api/v1/accounts", {"q": query}, HTTP_AUTHORIZATION="Bearer " + os.environ["PROBE_TOKEN"])
    print(json.dumps({
        "query": query,
        "view_status": page.status_code,
        "page": page.content.decode(),
        "api_status": api.status_code,
        "api": [a["name"] for a in api.json()] if api.status_code == 200 else api.content.decode(),
    }), flush=True)
"""

NAMES = ["Jane Pratt", "Bob Pratt", "Xochitl Pratt", "AB CD Holdings LLC"]

# query -> (API answer, names in order; names on the search page). The page needs two characters.
EXPECTED = {
    "x pratt": (["Xochitl Pratt"], {"Xochitl Pratt"}),
    "J Pratt": (["Jane Pratt"], {"Jane Pratt"}),
    "a": (["AB CD Holdings LLC", "Bob Pratt"], set()),  # a name's word first, then "Sunburst Ave"
    "ab cd": (["AB CD Holdings LLC"], {"AB CD Holdings LLC"}),
    "x": (["Xochitl Pratt"], set()),
    "pr": (["Bob Pratt", "Jane Pratt", "Xochitl Pratt"], {"Bob Pratt", "Jane Pratt", "Xochitl Pratt"}),
}


def _run(script: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "cistern.settings", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> dict[str, str]:
    """A migrated SQLite file with four accounts and a CSS I clerk's API token, made in a child process."""
    folder = tmp_path_factory.mktemp("search_sqlite")
    env = {"DATABASE_URL": f"sqlite:///{folder / 'cistern.sqlite3'}", "CISTERN_VAR_DIR": str(folder)}
    seed = _run(SEED, env)
    assert seed.returncode == 0, seed.stderr[-3000:]
    return {**env, "PROBE_TOKEN": json.loads(seed.stdout.strip().splitlines()[-1])["token"]}


def _probe(seeded, **env) -> tuple[dict, dict[str, dict]]:
    """Every query of EXPECTED through the search page and the API in one child; (its SQLite, answers)."""
    child = _run(PROBE, {**seeded, "PROBE_QUERIES": json.dumps(list(EXPECTED)), **env})
    lines = [json.loads(line) for line in child.stdout.splitlines() if line.startswith("{")]
    running = [line["running"] for line in lines if "running" in line]
    assert child.returncode == 0, (
        f"search died (exit {child.returncode}) on {running[-1] if running else None!r}: {child.stderr[-2000:]}"
    )
    return lines[0], {line["query"]: line for line in lines if "query" in line}


def _assert_answers(answers: dict[str, dict]) -> None:
    assert set(answers) == set(EXPECTED)
    for query, (api_names, page_names) in EXPECTED.items():
        answer = answers[query]
        assert (answer["view_status"], answer["api_status"]) == (200, 200), query
        assert answer["api"] == api_names, query
        assert {name for name in NAMES if name in answer["page"]} == page_names, query


def test_short_words_never_crash_the_sqlite_the_project_runs_with(seeded, db):
    """Seen: GET /api/v1/accounts?q=x+pratt and "J Pratt" in the search box killed the server process on SQLite.

    On the project's own SQLite, each of "x pratt", "J Pratt", "a", "ab cd", "x", "pr" answers 200 from the
    search page and the API, and finds the accounts meant: "J Pratt" finds Jane Pratt and no other Pratt."""
    engine, answers = _probe(seeded)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()")
        assert engine == {"sqlite": cursor.fetchone()[0], "module": connection.Database.__name__}
    _assert_answers(answers)


def test_short_words_never_crash_the_system_sqlite(seeded):
    """Seen: Debian's SQLite 3.40.1 segfaults on an FTS5 trigram LIKE with a short pattern first.

    The same searches on Python's own sqlite3 (the system's SQLite, 3.40.1 on Debian 12), where no current SQLite
    is shipped: words under three characters never reach the trigram index, so nothing crashes there either."""
    engine, answers = _probe(seeded, PROBE_SYSTEM_SQLITE="1")
    assert engine["module"] == "sqlite3.dbapi2"  # Python's own module, not pysqlite3
    _assert_answers(answers)


@pytest.mark.skipif(not SHIPS_SQLITE, reason="pysqlite3-binary has wheels for Linux x86_64 only; see issue 9")
def test_project_connection_is_the_sqlite_it_ships(db):
    """Seen: the server ran on Debian's SQLite 3.40.1, which segfaults on FTS5 trigram queries.

    The project's connection reports pysqlite3-binary's SQLite (3.51.1 or later), with FTS5 and the JSON
    functions (json_each: metering's batch import) that the project uses."""
    assert connection.Database.__name__ == "pysqlite3.dbapi2"
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT group_concat(value) FROM json_each('[3, 5]')")
        assert cursor.fetchone()[0] == "3,5"
        cursor.execute("SELECT count(*) FROM customers_account_fts")
        assert cursor.fetchone()[0] == 0
    assert tuple(int(part) for part in version.split(".")) >= SHIPPED_SQLITE


CRASHING_STATEMENT = """
import django

django.setup()
from django.db import connection

db = connection.Database.connect(":memory:")
db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, search_text TEXT)")
db.execute("CREATE VIRTUAL TABLE f USING fts5(search_text, content='t', content_rowid='id', tokenize='trigram')")
for row in [(1, "jane pratt | 61750 chollita rd"), (2, "xochitl pratt | 55 sage ln")]:
    db.execute("INSERT INTO t VALUES (?, ?)", row)
    db.execute("INSERT INTO f(rowid, search_text) VALUES (?, ?)", row)
print(db.execute("SELECT rowid FROM f WHERE search_text LIKE '%x%' AND search_text LIKE '%pratt%'").fetchall())
"""


@pytest.mark.skipif(not SHIPS_SQLITE, reason="pysqlite3-binary has wheels for Linux x86_64 only; see issue 9")
def test_shipped_sqlite_answers_the_statement_that_crashed_3_40_1(tmp_path):
    """Seen: SQLite 3.40.1 segfaults on `LIKE '%x%' AND LIKE '%pratt%'` over an FTS5 trigram table.

    The SQLite the project ships answers that exact statement, rightly, should any query ever send one."""
    child = _run(CRASHING_STATEMENT, {"DATABASE_URL": "sqlite:///:memory:", "CISTERN_VAR_DIR": str(tmp_path)})
    assert child.returncode == 0, child.stderr[-2000:]
    assert child.stdout.strip() == "[(2,)]"
