"""Benchmark: the home page's work queues and the dashboard, at 100,000 accounts with a year of history.

    .venv/bin/python bench/home.py [--database-url URL] [--queries N]

Times, in-process with Django's test Client, GET / (the home page with its queues) as a CSS II and as a
Supervisor, the queue list's refresh (GET /home/queues/) and GET /reports/dashboard/ (as a Supervisor). Prints
p50/p95/max and PASS/MISS against 200 ms (p95); never fails on time. The dashboard's twelve-month series are
cached for the day (cistern/reports/dashboard.py): its first request (cold) is timed on its own, the rows after
it are warm.

The database is bench/reports.py's (default postgres://postgres@127.0.0.1:5432/cistern_bench_reports: 100,000
accounts and a year of history). This script does not build it: when it is missing it says so and exits 0. It
applies pending migrations (none, usually) and adds its two users (bench_home_css2, bench_home_supervisor).
"today" is the day of the newest payment in the history (so today's payments are the history's last day's).
See bench/README.md.
"""

import os
import sys

# Python puts this file's folder first on sys.path, and bench/collections.py is named as the standard library's
# module: take the folder off before anything imports `collections` (this script needs nothing from bench/).
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cistern_bench_reports"
TARGET_MS = 200.0


def database_exists(url: str) -> bool:
    """The PostgreSQL database of `url` exists and holds accounts (bench/reports.py built it)."""
    import psycopg

    parts = urlparse(url)
    dsn = (
        f"host={parts.hostname or '127.0.0.1'} port={parts.port or 5432} user={parts.username or 'postgres'}"
    )
    name = parts.path.lstrip("/")
    try:
        with psycopg.connect(f"{dsn} dbname=postgres", connect_timeout=3) as db:
            if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return False
        with psycopg.connect(f"{dsn} dbname={name}", connect_timeout=3) as db:
            found = db.execute("SELECT to_regclass('customers_account') IS NOT NULL").fetchone()[0]
            return bool(found) and db.execute("SELECT EXISTS (SELECT 1 FROM customers_account)").fetchone()[0]
    except psycopg.OperationalError:
        return False


def timed(client, path: str, queries: int) -> list[float]:
    times = []
    for _ in range(queries):
        t0 = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code in (200, 204), (path, response.status_code)
    return times


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, int(round(0.95 * len(times))) - 1)]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--queries", type=int, default=50, help="timed requests per row (50)")
    args = parser.parse_args()
    if not database_exists(args.database_url):
        print(
            f"The benchmark database {args.database_url} is missing (or empty): build it with bench/reports.py."
        )
        return 0

    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cistern.settings")
    os.environ.setdefault("CISTERN_DEBUG", "0")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cistern.core import clock, roles
    from cistern.core.assignments import team_members
    from cistern.customers.models import Account
    from cistern.payments.models import Payment

    assert not settings.DEBUG, "CISTERN_DEBUG=0 expected"
    call_command("migrate", verbosity=0, interactive=False)
    accounts = Account.objects.count()
    today = Payment.objects.aggregate(d=Max("received_on"))["d"] or clock.today()
    User = get_user_model()
    clients = {}
    for username, role in [("bench_home_css2", roles.CSS_II), ("bench_home_supervisor", roles.SUPERVISOR)]:
        user, _ = User.objects.get_or_create(username=username, defaults={"first_name": "Bench"})
        user.groups.set([Group.objects.get(name=role)])
        client = Client()
        client.force_login(user)
        clients[role] = client

    rows = []
    with clock.on(today):
        timed(clients[roles.SUPERVISOR], "/", 2)  # the process's first requests (imports, templates): not the figure
        t0 = time.perf_counter()
        assert clients[roles.SUPERVISOR].get("/reports/dashboard/").status_code == 200
        cold = (time.perf_counter() - t0) * 1000
        for label, role, path in [
            ("home, CSS II", roles.CSS_II, "/"),
            ("home, Supervisor", roles.SUPERVISOR, "/"),
            ("queues refresh, CSS II", roles.CSS_II, "/home/queues/"),
            ("dashboard (warm)", roles.SUPERVISOR, "/reports/dashboard/"),
        ]:
            client = clients[role]
            timed(client, path, max(3, args.queries // 10))  # warm-up
            times = timed(client, path, args.queries)
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            rows.append((label, times, len(queries)))
        t0 = time.perf_counter()
        assert clients[roles.SUPERVISOR].get("/team/").status_code == 200
        team_ms = (time.perf_counter() - t0) * 1000
        members = team_members().count()

    print(
        f"\n{connection.vendor}: {accounts:,} accounts, today {today:%m/%d/%Y}; {args.queries} timed requests per row"
    )
    print(
        f"dashboard, first request of the day (cold: the twelve-month series computed and cached): {cold:,.0f} ms"
    )
    print(f"team page (Supervisor; {members} members' queues and owned work; no target): {team_ms:,.0f} ms")
    header = f"{'what':<24}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'target':>9}  {'':<5} queries"
    print(header)
    print("-" * len(header))
    for label, times, queries in rows:
        verdict = "PASS" if p95(times) <= TARGET_MS else "MISS"
        print(
            f"{label:<24}{statistics.median(times):>9.1f}{p95(times):>9.1f}{max(times):>9.1f}"
            f"{'≤' + format(TARGET_MS, '.0f'):>9}  {verdict:<5} {queries}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
