"""Benchmark: calculate, approve and post a bill cycle of about 100,000 accounts through the billing services.

    .venv/bin/python bench/bill_run.py [--engine sqlite|postgresql|both] [--accounts N]

Each engine runs in a subprocess of its own: SQLite at var/bench/cistern-bench-bills.sqlite3, PostgreSQL in the
database `cistern_bench_bills` on 127.0.0.1:5432 (user postgres), which this script drops and creates. The
district comes from `seed_district --history-months 0` (meters, no reads); every meter in service at a premise
with an active account gets its last read converted from the prior system and, 30 days later, this period's
read (5-20 units, 1% zero), and all
routes form one cycle. Timed: the trial (calculate), and the posting (bills, meter spans, lines and journal
entries written, batch by batch). On PostgreSQL the same rows are then written by a raw COPY into bare copies
of the tables (their indexes, no foreign keys or triggers) and the ratio printed. Targets: posting >= 5,000
bills/s on PostgreSQL, >= 2,000 on SQLite, within 3x of the raw COPY. Prints PASS/MISS; never fails on time.
"""

import argparse
import io
import os
import platform
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from common import engines_to_run, pg_url, recreate_pg_database  # noqa: E402 (bench/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "bench"
SQLITE_PATH = VAR_DIR / "cistern-bench-bills.sqlite3"
PG_DATABASE = "cistern_bench_bills"
TARGET = {"postgresql": 5_000, "sqlite": 2_000}
COPY_RATIO = 3.0
TABLES = [
    "billing_bill",
    "billing_billmeter",
    "billing_billline",
    "ledger_journalentry",
    "ledger_journalline",
]


def parent(args) -> int:
    engines = engines_to_run(args.engine)
    print(
        f"Bill run benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}"
    )
    status = 0
    for engine in engines:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        if engine == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        else:
            recreate_pg_database(PG_DATABASE)
        env = {
            **os.environ, "DJANGO_SETTINGS_MODULE": "cistern.settings", "CISTERN_VAR_DIR": str(VAR_DIR),
            "CISTERN_DEBUG": "0",
            "DATABASE_URL": f"sqlite:///{SQLITE_PATH}" if engine == "sqlite" else pg_url(PG_DATABASE),
        }  # fmt: skip
        print(f"\n=== {engine}: {args.accounts:,} accounts ===", flush=True)
        command = [sys.executable, str(Path(__file__).resolve()), "--child", "--engine", engine,
                   "--accounts", str(args.accounts)]  # fmt: skip
        status = status or subprocess.run(command, env=env, cwd=ROOT, check=False).returncode
    return status


def child(args) -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from cistern.billing import services
    from cistern.billing.models import Bill, BillCycle, CycleRoute
    from cistern.core import roles
    from cistern.customers.models import Account, AccountStatus
    from cistern.demo.loader import seed_district
    from cistern.ledger.verify import breaches
    from cistern.metering.models import MeterInstallation, Read, Route

    call_command("migrate", verbosity=0, interactive=False)
    started = time.monotonic()
    seed_district(accounts=args.accounts, seed=1, history_months=0)
    users = {}
    for name, role in (("bench_biller", roles.BILLING_ADMIN), ("bench_lead", roles.CSS_II)):
        user, _ = get_user_model().objects.get_or_create(username=name)
        user.groups.set([Group.objects.get(name=role)])
        users[name] = get_user_model().objects.get(pk=user.pk)
    cycle = BillCycle.objects.create(code="BENCH", name="All routes", read_day=25, bill_day=28)
    CycleRoute.objects.update(cycle=cycle)  # the demo's cycle per route, made one cycle of every route
    assert CycleRoute.objects.count() == Route.objects.count()
    period_end = timezone.localdate() - timedelta(days=5)
    account_at = dict(
        Account.objects.filter(status=AccountStatus.ACTIVE, start_date__lt=period_end - timedelta(days=30))
        .values_list("premise_id", "id")
    )  # fmt: skip
    rng = random.Random(1)
    reads = []
    for inst in MeterInstallation.objects.filter(removed_on__isnull=True, installed_on__lt=period_end).values(
        "id", "meter_id", "initial_value", "service_point__premise_id"
    ):
        account = account_at.get(inst["service_point__premise_id"])
        if account is None:
            continue
        used = 0 if rng.random() < 0.01 else rng.randint(5, 20)
        reads.append(  # the last read converted from the prior system, a month before
            Read(
                meter_id=inst["meter_id"], installation_id=inst["id"], account_id=account,
                read_on=period_end - timedelta(days=30), value=inst["initial_value"], source="handheld",
                kind="initial", status="accepted",
            )
        )  # fmt: skip
        reads.append(
            Read(
                meter_id=inst["meter_id"], installation_id=inst["id"], account_id=account, read_on=period_end,
                value=inst["initial_value"] + used, source="handheld", status="accepted", consumption=used,
            )
        )  # fmt: skip
    Read.objects.bulk_create(reads, batch_size=5000)
    print(
        f"seeded {args.accounts:,} accounts and {len(reads):,} reads in {time.monotonic() - started:.0f} s",
        flush=True,
    )

    run = services.bill_run_create(actor=users["bench_biller"], cycle=cycle, period_end=period_end)
    started = time.perf_counter()
    services.bill_run_calculate(actor=users["bench_biller"], run=run)
    calculated = time.perf_counter() - started
    items = run.items.count()
    print(
        f"calculated {items:,} accounts in {calculated:.1f} s: {items / calculated:,.0f} accounts/s",
        flush=True,
    )
    services.bill_run_approve(actor=users["bench_lead"], run=run)
    started = time.perf_counter()
    run = services.bill_run_post(actor=users["bench_biller"], run=run)
    posted = time.perf_counter() - started
    bills = Bill.objects.filter(run=run).count()
    rate = bills / posted
    target = TARGET[connection.vendor]
    counts = {table: _count(connection, table) for table in TABLES}
    print(f"posted {bills:,} bills in {posted:.1f} s ({', '.join(f'{t} {n:,}' for t, n in counts.items())})")
    print(
        f"posting: {rate:,.0f} bills/s (target {target:,}) {'PASS' if rate >= target else 'MISS'}", flush=True
    )
    problems = breaches()
    print(f"verify_ledger: {'the books balance' if not problems else problems[:3]}")
    if connection.vendor == "postgresql":
        copy = _raw_copy(connection)
        ratio = posted / copy
        print(
            f"raw COPY of the same rows: {copy:.1f} s; posting takes {ratio:.1f}x (goal <= {COPY_RATIO:.0f}x) "
            f"{'PASS' if ratio <= COPY_RATIO else 'MISS'}",
            flush=True,
        )
    return 0


def _count(connection, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")
        return cursor.fetchone()[0]


def _raw_copy(connection) -> float:
    """COPY the posted rows out to memory, then time COPYing them into bare tables with the same indexes."""
    data = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            buffer = io.BytesIO()
            with cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for chunk in copy:
                    buffer.write(chunk)
            data[table] = buffer.getvalue()
            cursor.execute(f"CREATE TABLE raw_{table} (LIKE {table} INCLUDING DEFAULTS INCLUDING INDEXES)")
    connection.commit() if not connection.get_autocommit() else None
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        for table in TABLES:
            with cursor.copy(f"COPY raw_{table} FROM STDIN") as copy:
                copy.write(data[table])
        cursor.execute("COMMIT")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    # 125,000 accounts seed about 101,000 active ones with a meter: a cycle of 100,000 accounts to bill.
    parser.add_argument("--accounts", type=int, default=125_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    return child(args) if args.child else parent(args)


if __name__ == "__main__":
    sys.exit(main())
