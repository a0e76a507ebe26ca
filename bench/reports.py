"""Benchmark: every report of the reports page, the audit trail for a month, and (bench/home.py) the home queues and
the dashboard, on a district of 100,000 accounts with a year of history.

    .venv/bin/python bench/reports.py [--accounts N] [--reuse] [--only KEY] [--explain] [--verify]

The database is PostgreSQL `cistern_bench_reports` on 127.0.0.1:5432 (user postgres), which this script drops and
creates (no other database is touched); with --reuse it is kept when it already holds N accounts and their history.
It is built in a subprocess of its own (`CISTERN_DEBUG=0`): migrate, `seed_district --history-months 0` (accounts,
meters and installations, the converted books), then a year of history written in bulk by bench/reports_history.py
(reads, bills, payments, drawers, deposits, late fees, notices, adjustments, service orders, write-offs, audit rows;
see that module). Printed: how long each step took and the rows per table. `--verify` runs the ledger's checks
(`manage.py verify_ledger`) on the result.

Then, in a fresh subprocess, for each report in `cistern.reports.registry.all_reports()` (or the one `--only` names):
its selector with the report's example parameters (`report.example_params(today)`, `report.run(params)`, every row
read), then the same run rendered to CSV, XLSX and PDF (`renderers.render`); and the audit trail report over the
last whole month. Each timing is printed with its rows, the slowest SQL statement and PASS/MISS against 5 s (never a
failure); a statement over 60 s is cancelled (`statement_timeout`) and printed as such. `--explain` prints
EXPLAIN (ANALYZE, BUFFERS) of each report's slowest statement when the report misses. Last, bench/home.py (the home
page's queues and /reports/dashboard/) runs against the same database when it is there.
"""

import argparse
import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from common import pg_url, postgres_reachable, recreate_pg_database

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "bench"
PG_DATABASE = "cistern_bench_reports"
TARGET = 5.0  # seconds, each report's run and each rendering
STATEMENT_TIMEOUT_S = 60
FORMATS = ("csv", "xlsx", "pdf")


def parent(args) -> int:
    if not postgres_reachable():
        print("PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres): nothing measured.")
        return 0
    print(
        f"Reports benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cistern.settings",
        "CISTERN_VAR_DIR": str(VAR_DIR),
        "CISTERN_DEBUG": "0",
        "DATABASE_URL": pg_url(PG_DATABASE),
    }
    me = [sys.executable, str(Path(__file__).resolve())]
    common = ["--accounts", str(args.accounts), "--seed", str(args.seed)]
    if not (args.reuse and _built(args.accounts)):
        if args.reuse:
            print(f"{PG_DATABASE} does not hold {args.accounts:,} accounts with their history: building it.")
        result = subprocess.run([*me, "--child", "build", *common], env=env, cwd=ROOT, check=False)
        if result.returncode:
            return result.returncode
    else:
        print(f"Reusing {PG_DATABASE} ({args.accounts:,} accounts and a year of history).")
    if args.verify:
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "manage.py", "verify_ledger"], env=env, cwd=ROOT, check=False
        )
        print(f"verify_ledger: exit {result.returncode} in {time.monotonic() - started:.0f} s", flush=True)
    if args.build_only:
        return 0
    extra = (["--only", args.only] if args.only else []) + (["--explain"] if args.explain else [])
    status = subprocess.run(
        [*me, "--child", "measure", *common, *extra], env=env, cwd=ROOT, check=False
    ).returncode
    home = ROOT / "bench" / "home.py"
    if home.exists() and not args.only:
        print("\n=== bench/home.py: the home page's queues and the dashboard ===", flush=True)
        found = subprocess.run(
            [sys.executable, str(home), "--database-url", pg_url(PG_DATABASE)], env=env, cwd=ROOT, check=False
        )
        status = status or found.returncode
    return status


def _built(accounts: int) -> bool:
    """The benchmark's database holds `accounts` accounts and a year of bills (a finished build)."""
    import psycopg
    from common import PG_DSN

    try:
        with psycopg.connect(f"{PG_DSN} dbname={PG_DATABASE}", connect_timeout=3) as db:
            marker = db.execute("SELECT to_regclass('bench_reports_built')").fetchone()[0]
            if marker is None:
                return False
            row = db.execute("SELECT accounts FROM bench_reports_built").fetchone()
            return row is not None and row[0] == accounts
    except psycopg.OperationalError:
        return False


def _setup_django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    assert not settings.DEBUG, "CISTERN_DEBUG=0 expected: DEBUG keeps every query in memory"


def build(args) -> int:
    """Drop and create the database, migrate, seed the district and write its year of history."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    recreate_pg_database(PG_DATABASE)
    _setup_django()
    from django.core.management import call_command
    from django.db import connection
    from reports_history import write_history

    from cistern.demo.loader import seed_district

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrated in {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    seeded = seed_district(accounts=args.accounts, seed=args.seed, history_months=0)
    print(
        f"seeded {args.accounts:,} accounts ({', '.join(f'{k} {v:,}' for k, v in sorted(seeded.by_status.items()))})"
        f" in {time.monotonic() - started:.0f} s",
        flush=True,
    )
    started = time.monotonic()
    print("writing a year of history:", flush=True)
    # The database checks nothing while the year is written (foreign keys, the ledger's balance trigger): at 2,000
    # accounts the same rows were written with every check on; verify_ledger checks the books afterwards.
    counts = write_history(
        months=12, seed=args.seed, progress=lambda text: print(text, flush=True), checked=False
    )
    print(f"history written in {time.monotonic() - started:.0f} s", flush=True)
    started = time.monotonic()
    connection.close()
    import psycopg
    from common import PG_DSN

    with psycopg.connect(f"{PG_DSN} dbname={PG_DATABASE}", autocommit=True) as db:
        db.execute("VACUUM (ANALYZE)")
        db.execute("CREATE TABLE bench_reports_built (accounts integer, built_at timestamptz DEFAULT now())")
        db.execute("INSERT INTO bench_reports_built (accounts) VALUES (%s)", [args.accounts])
        size = db.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
        tables = db.execute(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE n_live_tup > 0 ORDER BY n_live_tup DESC"
        ).fetchall()
    print(f"vacuumed and analysed in {time.monotonic() - started:.0f} s; database {size}")
    print(f"built in {time.monotonic() - began:.0f} s (history rows written: {sum(counts.values()):,})")
    print("rows per table:")
    for name, rows in tables:
        print(f"  {name:<40} {rows:>12,}")
    return 0


class Statements:
    """Every SQL statement a step runs, with its time (an execute wrapper): the count and the slowest."""

    def __init__(self):
        self.calls: list[tuple[float, str, object]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.calls.append((time.perf_counter() - started, sql, params))

    def slowest(self):
        return max(self.calls, key=lambda c: c[0], default=None)


def _timed(step):
    """(seconds, value, error, statements) of `step()`."""
    from django.db import connection, transaction

    statements = Statements()
    started = time.perf_counter()
    value = error = None
    try:
        with connection.execute_wrapper(statements), transaction.atomic():
            value = step()
    except Exception as exc:  # noqa: BLE001 (a report that fails is printed and the next one measured)
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
    return time.perf_counter() - started, value, error, statements


def _explain(sql: str, params) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT_S * 5}s'")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT_S}s'")
    return plan


def _line(label: str, seconds: float, rows, error, statements, size: int | None = None) -> str:
    verdict = "PASS" if error is None and seconds <= TARGET else "MISS"
    what = f"ERROR {error}" if error else f"{rows:>9,} rows" if isinstance(rows, int) else f"{'':>14}"
    size_text = f" {size / 1024:>8,.0f} KB" if size is not None else ""
    slowest = statements.slowest()
    slow = f"  slowest SQL {slowest[0]:.2f} s of {len(statements.calls)}" if slowest else ""
    return f"  {label:<6} {seconds:>8.2f} s  {verdict}  {what}{size_text}{slow}"


def measure(args) -> int:
    _setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.db.models import Max

    from cistern.core import clock
    from cistern.customers.models import Account
    from cistern.payments.models import Payment
    from cistern.reports import registry, renderers

    pending = MigrationExecutor(connection).migration_plan(
        MigrationExecutor(connection).loader.graph.leaf_nodes()
    )
    if pending:
        print(
            f"applying {len(pending)} pending migrations: {', '.join(f'{m.app_label}.{m.name}' for m, _ in pending)}"
        )
        call_command("migrate", verbosity=0, interactive=False)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET statement_timeout = '{STATEMENT_TIMEOUT_S}s'")
    # "Today" is the history's last office day (the newest counter payment's), so that a day's report (daily cash)
    # has the day's work in it: the history ends the day before the build, which may be a weekend.
    last_office_day = Payment.objects.filter(channel="counter").aggregate(day=Max("received_on"))["day"]
    today = min(last_office_day or clock.today(), clock.today())
    stack = contextlib.ExitStack()
    stack.enter_context(clock.on(today))
    print(
        f"\n{connection.vendor}, {Account.objects.count():,} accounts; today {today:%a %m/%d/%Y}; "
        f"target <= {TARGET:.0f} s for each run and rendering (PASS/MISS, never a failure)"
    )
    reports = registry.all_reports()
    if args.only:
        reports = [r for r in reports if r.key == args.only]
        if not reports:
            print(f"No report {args.only!r}: {', '.join(r.key for r in registry.all_reports())}")
            return 1
    if not reports:
        print("No report is registered yet (cistern/reports).")
    misses, slow = [], []
    month_end = today.replace(day=1) - timedelta(days=1)
    month = (month_end.replace(day=1), month_end)
    runs = [(report, report.example_params(today), "") for report in reports]
    audit = [r for r in reports if "audit" in r.key]  # with --only, when it names the audit trail
    for report in audit[:1]:
        params = {**report.example_params(today), "date_from": month[0], "date_to": month[1]}
        runs.append((report, params, f" (the month {month[0]:%m/%d/%Y}-{month[1]:%m/%d/%Y})"))
    for report, params, note in runs:
        shown = {
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in params.items() if v not in ("", None)
        }
        print(f"\n{report.key}: {report.title}{note}  {json.dumps(shown, default=str)[:150]}", flush=True)

        def run(report=report, params=params):
            result = report.run(params)
            return len(list(result.rows))

        seconds, rows, error, statements = _timed(run)
        print(_line("run", seconds, rows, error, statements), flush=True)
        worst = [(seconds, "run", statements)]
        if error is None:
            for fmt in FORMATS:

                def rendered(report=report, params=params, fmt=fmt):
                    return renderers.render(fmt, report, report.run(params), params)

                seconds, data, error_fmt, statements = _timed(rendered)
                if error_fmt and "TooManyRows" in error_fmt:
                    print(f"  {fmt:<6} refused: {error_fmt}", flush=True)
                    continue
                print(
                    _line(fmt, seconds, rows, error_fmt, statements, len(data) if data else None), flush=True
                )
                worst.append((seconds, fmt, statements))
        for seconds, step, _ in worst:
            if seconds > TARGET:
                misses.append(f"{report.key}{note} {step} {seconds:.1f} s")
        seconds, step, statements = max(worst, key=lambda w: w[0])
        slowest = statements.slowest()
        if slowest and slowest[0] > 1.0:
            slow.append((report.key, slowest))
            print(f"  slowest statement ({slowest[0]:.2f} s): {' '.join(slowest[1].split())[:300]}")
            if args.explain and seconds > TARGET:
                try:
                    for text in _explain(slowest[1], slowest[2])[:40]:
                        print(f"    {text}")
                except Exception as exc:  # noqa: BLE001
                    print(f"    (EXPLAIN failed: {exc})")
    print(f"\n{len(misses)} timings over {TARGET:.0f} s" + (": " + "; ".join(misses) if misses else ""))
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
    stack.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database when it holds N accounts and history"
    )
    parser.add_argument("--only", help="measure only the report with this key")
    parser.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE a missing report's slowest statement"
    )
    parser.add_argument("--verify", action="store_true", help="run manage.py verify_ledger on the database")
    parser.add_argument(
        "--build-only", action="store_true", help="build (or reuse) the database, measure nothing"
    )
    parser.add_argument("--child", choices=["build", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "build":
        return build(args)
    if args.child == "measure":
        return measure(args)
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
