"""Benchmark: import a read file of 1,000,000 reads through `batch.reads_import` (validated and stored).

    .venv/bin/python bench/import_reads.py [--engine sqlite|postgresql|both] [--meters N] [--months M]

Each engine runs in subprocesses of its own: SQLite at var/bench/cistern-bench-reads.sqlite3, PostgreSQL in
the database `cistern_bench_reads` on 127.0.0.1:5432 (user postgres), which this script drops and creates
(no other database is touched). The district comes from `seed_district` (meters and installations, no
reads); the file holds M monthly reads of N meters in service (default 100,000 x 10), written month by month
as a route file is, so each meter's reads are spread over the whole file. Each household uses about its own
amount every month (within -20%/+25%); 1% of reads are zero and 1% are a leak at four times usual, which
the review queue gets as exceptions, with the first reads of meters whose history is too short to judge. The import runs in a fresh process,
so its peak RSS is the import's own. Prints reads/s and PASS/MISS against 50,000 reads/s; never fails on
time. See bench/README.md.
"""

import argparse
import csv
import os
import platform
import random
import resource
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from common import engines_to_run, recreate_pg_database  # noqa: E402 (bench/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "bench"
SQLITE_PATH = VAR_DIR / "cistern-bench-reads.sqlite3"
CSV_PATH = VAR_DIR / "bench-reads.csv"
PG_DATABASE = "cistern_bench_reads"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
TARGET = 50_000  # reads per second
USER = "bench_reads"


def parent(args) -> int:
    engines = engines_to_run(args.engine)
    print(
        f"Read import benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}"
    )
    status = 0
    for engine in engines:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cistern.settings",
            "CISTERN_VAR_DIR": str(VAR_DIR),
            "CISTERN_DEBUG": "0",
            "DATABASE_URL": f"sqlite:///{SQLITE_PATH}" if engine == "sqlite" else PG_URL,
        }
        print(f"\n=== {engine}: {args.meters:,} meters x {args.months} months ===", flush=True)
        for step in ("prepare", "measure"):
            command = [
                sys.executable, str(Path(__file__).resolve()), "--child", step, "--engine", engine,
                "--meters", str(args.meters), "--months", str(args.months), "--seed", str(args.seed),
            ]  # fmt: skip
            result = subprocess.run(command, env=env, cwd=ROOT, check=False)
            status = status or result.returncode
            if result.returncode:
                break
    return status


def fresh_database(engine: str) -> None:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return
    recreate_pg_database(PG_DATABASE)


def _setup_django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    assert not settings.DEBUG, "CISTERN_DEBUG=0 expected: DEBUG keeps every query in memory"


def _months_back(today: date, count: int) -> list[date]:
    """The 5th of each of the `count` months before this one, oldest first."""
    days = []
    year, month = today.year, today.month
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        days.append(date(year, month, 5))
    return days[::-1]


def prepare(args) -> int:
    fresh_database(args.engine)
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from cistern.core import roles
    from cistern.customers.models import AccountStatus
    from cistern.demo.loader import seed_district
    from cistern.metering.models import MeterInstallation

    call_command("migrate", verbosity=0, interactive=False)
    print(
        f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}"
    )
    started = time.monotonic()
    accounts = int(args.meters * 1.6)  # some premises are vacant, some meters went in lately
    seed_district(accounts=accounts, seed=args.seed, history_months=0)
    days = _months_back(timezone.localdate(), args.months)
    # Meters read every month of the file: installed before its first day at a premise with an account in
    # service since before then, as on a real route.
    installations = list(
        MeterInstallation.objects.filter(
            removed_on__isnull=True, installed_on__lt=days[0],
            service_point__premise__accounts__status=AccountStatus.ACTIVE,
            service_point__premise__accounts__start_date__lt=days[0],
        )
        .order_by("id")
        .values_list("meter__serial", "initial_value", "meter__dials")[: args.meters]
    )  # fmt: skip
    print(
        f"seeded {accounts:,} accounts, {len(installations):,} meters in service in {time.monotonic() - started:.0f} s"
    )
    if len(installations) < args.meters:
        print(f"warning: only {len(installations):,} meters (asked for {args.meters:,})")
    user, _ = get_user_model().objects.get_or_create(username=USER, defaults={"first_name": "Bench"})
    user.groups.set([Group.objects.get(name=roles.CSS_II)])

    rng = random.Random(args.seed)
    values = {serial: initial for serial, initial, _ in installations}
    capacity = {serial: Decimal(10) ** dials for serial, _, dials in installations}
    typical = {serial: rng.randint(5, 20) for serial, _, _ in installations}  # each household its own
    started = time.monotonic()
    with CSV_PATH.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["meter_serial", "read_date", "value", "source", "reader_code", "note"])
        for day in days:  # month by month, as a route file comes in
            for serial, _, _ in installations:
                roll = rng.random()
                # A few empty houses and leaks (exceptions for the review queue); the rest near their usual.
                base = typical[serial]
                used = 0 if roll < 0.01 else base * 4 if roll < 0.02 else round(base * rng.uniform(0.8, 1.25))
                values[serial] = (values[serial] + used) % capacity[serial]
                writer.writerow([serial, day.isoformat(), values[serial], "handheld", "R07", ""])
    size = CSV_PATH.stat().st_size
    rows = len(days) * len(installations)
    print(f"wrote {rows:,} reads ({size / 1e6:.0f} MB) in {time.monotonic() - started:.0f} s", flush=True)
    return 0


def measure(args) -> int:
    _setup_django()
    from django.contrib.auth import get_user_model

    from cistern.metering.batch import reads_import

    user = get_user_model().objects.get(username=USER)
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with CSV_PATH.open("rb") as content:
        result = reads_import(actor=user, file_name=CSV_PATH.name, content=content)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rate = result.rows / seconds
    print(
        f"imported {result.rows:,} reads in {seconds:.1f} s: {result.accepted:,} accepted, "
        f"{result.exceptions:,} exceptions, {result.skipped:,} skipped"
    )
    print(f"{rate:,.0f} reads/s (target {TARGET:,}) {'PASS' if rate >= TARGET else 'MISS'}")
    print(f"peak RSS {peak_kb / 1024:.0f} MB (before the import {before_kb / 1024:.0f} MB)", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--meters", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--child", choices=["prepare", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "prepare":
        return prepare(args)
    if args.child == "measure":
        return measure(args)
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
