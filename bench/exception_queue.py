"""Benchmark: the read-exception queue with 10,000 open exceptions.

    .venv/bin/python bench/exception_queue.py [--engine sqlite|postgresql|both] [--queries Q] [--exceptions N]

Each engine runs in a subprocess with its own database: SQLite at var/bench/exception-queue.sqlite3 and the
PostgreSQL database `cistern_bench_queue` on 127.0.0.1:5432 (user postgres), which this script drops and
creates (no other database is touched). It seeds a district with a meter per premise and 3 months of reads,
adds an exception (zero usage) on the latest read date of meters until N (default 10,000) are open, then
times the queue page in-process with Django's test Client signed in as a CSS II. Prints p50/p95/max and
PASS/MISS against 100 ms (p95); never fails on time. See bench/README.md.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import engines_to_run, recreate_pg_database  # noqa: E402 (bench/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "bench"
SQLITE_PATH = VAR_DIR / "exception-queue.sqlite3"
PG_DATABASE = "cistern_bench_queue"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
TARGET_MS = 100.0
USER = "bench_queue_css2"


def parent(args) -> int:
    engines = engines_to_run(args.engine)
    status = 0
    for engine in engines:
        env = dict(os.environ, CISTERN_DEBUG="0", CISTERN_VAR_DIR=str(VAR_DIR))
        if engine == "sqlite":
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
            env["DATABASE_URL"] = f"sqlite:///{SQLITE_PATH}"
        else:
            recreate_pg_database(PG_DATABASE)
            env["DATABASE_URL"] = PG_URL
        command = [sys.executable, __file__, "--child", engine, "--queries", str(args.queries),
                   "--exceptions", str(args.exceptions)]  # fmt: skip
        status |= subprocess.call(command, env=env, cwd=ROOT)
    return status


def child(args) -> int:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cistern.settings")
    import django

    django.setup()
    from datetime import timedelta
    from decimal import Decimal

    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cistern.core import roles
    from cistern.metering.models import Read, ReadStatus

    assert not settings.DEBUG, "CISTERN_DEBUG=0 expected"
    call_command("migrate", verbosity=0, interactive=False)
    wanted = args.exceptions
    accounts = int(wanted * 1.25) + 500  # about 0.85 premises with a meter per account
    started = time.monotonic()
    call_command("seed_district", accounts=accounts, seed=1, history_months=3, verbosity=0)
    seeded = time.monotonic() - started

    open_now = Read.objects.filter(status=ReadStatus.EXCEPTION).count()
    latest = {}
    for read in (
        Read.objects.filter(status=ReadStatus.ACCEPTED)
        .order_by("meter_id", "read_on")
        .only("meter_id", "installation_id", "account_id", "read_on", "value")
    ):
        latest[read.meter_id] = read
    problems = [{"code": "zero_usage", "message": "No usage on an active account."}]
    new = [
        Read(
            meter_id=r.meter_id,
            installation_id=r.installation_id,
            account_id=r.account_id,
            read_on=r.read_on + timedelta(days=31),
            value=r.value,
            source="handheld",
            status="exception",
            consumption=Decimal(0),
            problems=problems,
        )  # fmt: skip
        for r in list(latest.values())[: max(0, wanted - open_now)]
    ]
    Read.objects.bulk_create(new, batch_size=2000)
    total = Read.objects.filter(status=ReadStatus.EXCEPTION).count()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    User = get_user_model()
    user, _ = User.objects.get_or_create(username=USER, defaults={"first_name": "Bench"})
    user.groups.set([Group.objects.get(name=roles.CSS_II)])
    client = Client()
    client.force_login(user)

    rows = []
    for label, path in [
        ("queue, page 1", "/meters/exceptions/"),
        ("queue, page 100", "/meters/exceptions/?page=100"),
        ("queue, one route", "/meters/exceptions/?route=R05"),
    ]:
        for _ in range(max(5, args.queries // 10)):
            assert client.get(path).status_code == 200
        times = []
        for _ in range(args.queries):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        rows.append((label, times, len(queries)))

    print(f"\n{connection.vendor}: {total:,} open exceptions ({accounts:,} accounts seeded in {seeded:.1f} s); "
          f"{args.queries} timed requests per row")  # fmt: skip
    header = f"{'what':<18}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'target':>9}  {'':<5} queries"
    print(header)
    print("-" * len(header))
    for label, times, queries in rows:
        p95 = sorted(times)[max(0, int(round(0.95 * len(times))) - 1)]
        verdict = "PASS" if p95 <= TARGET_MS else "MISS"
        print(
            f"{label:<18}{statistics.median(times):>9.1f}{p95:>9.1f}{max(times):>9.1f}"
            f"{'≤' + format(TARGET_MS, '.0f'):>9}  {verdict:<5} {queries}"
        )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--queries", type=int, default=100, help="timed requests per row (100)")
    parser.add_argument("--exceptions", type=int, default=10_000, help="open exceptions (10,000)")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    return child(args) if args.child else parent(args)


if __name__ == "__main__":
    sys.exit(main())
