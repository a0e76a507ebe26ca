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
import resource
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from common import PG_DSN, engines_to_run, pg_url, recreate_pg_database  # noqa: E402 (bench/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "bench"
SQLITE_PATH = VAR_DIR / "cistern-bench-bills.sqlite3"
PG_DATABASE = "cistern_bench_bills"
PG_SEEDED = "cistern_bench_bills_seeded"  # the seeded district, kept for --reuse
SEEDED_SQLITE = VAR_DIR / "cistern-bench-bills-seeded.sqlite3"
SEEDED_MARK = VAR_DIR / "bill-run-seeded"  # .sqlite / .postgresql: how many accounts the kept copy has
TARGET = {"postgresql": 5_000, "sqlite": 2_000}
COPY_RATIO = 3.0
RUN_TARGET_S = 30  # trial and posting of the 100,000-account cycle on PostgreSQL
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
        print(f"\n=== {engine}: {args.accounts:,} accounts ===", flush=True)
        seeded = _restore_seeded(engine, args.accounts) if args.reuse else False
        if not seeded:
            _drop(engine)
            status = status or _child(engine, args, "seed")
            _keep_seeded(engine, args.accounts)
        else:
            print("reusing the seeded district kept by an earlier run (--reuse)", flush=True)
        status = status or _child(engine, args, "measure")
    return status


def _env(engine: str) -> dict:
    return {
        **os.environ, "DJANGO_SETTINGS_MODULE": "cistern.settings", "CISTERN_VAR_DIR": str(VAR_DIR),
        "CISTERN_DEBUG": "0",
        "DATABASE_URL": f"sqlite:///{SQLITE_PATH}" if engine == "sqlite" else pg_url(PG_DATABASE),
    }  # fmt: skip


def _child(engine: str, args, step: str) -> int:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", step, "--engine", engine,
               "--accounts", str(args.accounts)]  # fmt: skip
    return subprocess.run(command, env=_env(engine), cwd=ROOT, check=False).returncode


def _drop(engine: str) -> None:
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    else:
        recreate_pg_database(PG_DATABASE)


def _keep_seeded(engine: str, accounts: int) -> None:
    """Keep a copy of the seeded district (before any run), so `--reuse` measures again without seeding."""
    if engine == "sqlite":
        shutil.copyfile(SQLITE_PATH, SEEDED_SQLITE)
    else:
        import psycopg

        with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as db:
            db.execute(f"DROP DATABASE IF EXISTS {PG_SEEDED} WITH (FORCE)")
            db.execute(f"CREATE DATABASE {PG_SEEDED} TEMPLATE {PG_DATABASE}")
    SEEDED_MARK.with_suffix(f".{engine}").write_text(str(accounts))


def _restore_seeded(engine: str, accounts: int) -> bool:
    """The benchmark's database made again from the kept copy; False when there is none for `accounts`."""
    mark = SEEDED_MARK.with_suffix(f".{engine}")
    if not mark.exists() or mark.read_text() != str(accounts):
        return False
    if engine == "sqlite":
        if not SEEDED_SQLITE.exists():
            return False
        _drop(engine)
        shutil.copyfile(SEEDED_SQLITE, SQLITE_PATH)
        return True
    import psycopg

    with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as db:
        if not db.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_SEEDED]).fetchone():
            return False
        db.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {PG_DATABASE} TEMPLATE {PG_SEEDED}")
    return True


def seed(args) -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.utils import timezone

    from cistern.billing.models import BillCycle, CycleRoute
    from cistern.core import roles
    from cistern.customers.models import Account, AccountStatus
    from cistern.demo.loader import seed_district
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
    return 0


def measure(args) -> int:
    """Calculate, approve and post the seeded cycle, timed."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Max

    from cistern.billing import services
    from cistern.billing.models import Bill, BillCycle
    from cistern.ledger.verify import breaches
    from cistern.metering.models import Read

    call_command("migrate", verbosity=0, interactive=False)  # the kept copy may predate a migration
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["bench_biller", "bench_lead"])
    }
    cycle = BillCycle.objects.get(code="BENCH")
    period_end = Read.objects.aggregate(last=Max("read_on"))["last"]

    run = services.bill_run_create(actor=users["bench_biller"], cycle=cycle, period_end=period_end)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    started, cpu = time.perf_counter(), _cpu()
    services.bill_run_calculate(actor=users["bench_biller"], run=run)
    calculated, trial_cpu = time.perf_counter() - started, _cpu() - cpu
    items = run.items.count()
    print(
        f"trial: {items:,} accounts calculated in {calculated:.1f} s ({items / calculated:,.0f} accounts/s; "
        f"{trial_cpu:.1f} CPU s in this process and its workers; load {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    services.bill_run_approve(actor=users["bench_lead"], run=run)
    before = {table: _max_id(connection, table) for table in TABLES}
    started, cpu = time.perf_counter(), _cpu()
    run = services.bill_run_post(actor=users["bench_biller"], run=run)
    posted, post_cpu = time.perf_counter() - started, _cpu() - cpu
    bills = Bill.objects.filter(run=run).count()
    rate = bills / posted
    target = TARGET[connection.vendor]
    counts = {table: _count(connection, table, before[table]) for table in TABLES}
    print(
        f"posting: {bills:,} bills in {posted:.1f} s ({', '.join(f'{t} {n:,}' for t, n in counts.items())})"
    )
    print(
        f"posting: {rate:,.0f} bills/s (target {target:,}) {'PASS' if rate >= target else 'MISS'} "
        f"({post_cpu:.1f} CPU s in this process; load {os.getloadavg()[0]:.1f})"
    )
    total = calculated + posted
    print(
        f"whole run (trial + posting): {total:.1f} s (target <= {RUN_TARGET_S} s) "
        f"{'PASS' if total <= RUN_TARGET_S else 'MISS'}",
        flush=True,
    )
    problems = breaches()
    print(f"verify_ledger: {'the books balance' if not problems else problems[:3]}")
    if connection.vendor == "postgresql":
        copy = _raw_copy(connection, before)
        ratio = posted / copy
        print(
            f"raw COPY of the same rows: {copy:.1f} s; posting takes {ratio:.1f}x (target <= {COPY_RATIO:.0f}x) "
            f"{'PASS' if ratio <= COPY_RATIO else 'MISS'}",
            flush=True,
        )
    return 0


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the trial's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _max_id(connection, table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 (our own table names)
        return cursor.fetchone()[0]


def _count(connection, table: str, after: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table} WHERE id > %s", [after])  # noqa: S608
        return cursor.fetchone()[0]


def _raw_copy(connection, before: dict[str, int]) -> float:
    """COPY the rows posting wrote (ids past `before`) out to memory, then time COPYing them into bare tables
    with the same indexes (no foreign keys, no triggers) in one transaction."""
    data = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            buffer = io.BytesIO()
            query = f"COPY (SELECT * FROM {table} WHERE id > {int(before[table])}) TO STDOUT"  # noqa: S608
            with cursor.copy(query) as copy:
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
    parser.add_argument(
        "--reuse", action="store_true",
        help="measure again on the seeded district an earlier run kept (seeds when there is none)",
    )  # fmt: skip
    parser.add_argument("--child", choices=["seed", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "seed":
        return seed(args)
    if args.child == "measure":
        return measure(args)
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
