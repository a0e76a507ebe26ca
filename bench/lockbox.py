"""Benchmark: import a lockbox remittance file of N items through `lockbox_services.lockbox_import`.

    .venv/bin/python bench/lockbox.py [--engine postgresql|sqlite|both] [--items N] [--seed S]

Each engine runs in subprocesses of its own: PostgreSQL in the database `cistern_bench_lockbox` on
127.0.0.1:5432 (user postgres), which this script drops and creates (no other database is touched); SQLite at
var/bench/cistern-bench-lockbox.sqlite3. The district comes from `seed_district --history-months 0` with about
N accounts (each converted with its deposit and set-up fee and their payment); every active account then gets
a water bill charge due a week ago (journal_post_batch), so each payment is applied to open charges as at the
counter. The file holds N items (default 50,000) deposited today: 97% carry the scanline printed for an
active account (some accounts pay twice), 1% no scanline, 1% a misread digit, 1% an account the district does
not have (those go to suspense). Timed in a fresh process: the import (read, judged, accounts locked, posted,
items written), then the same file again (everything "already posted"). Prints payments/s against the issue's
5,000/s on PostgreSQL (PASS/MISS); never fails on time.
"""

import argparse
import os
import platform
import random
import resource
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from common import engines_to_run, pg_url, recreate_pg_database  # noqa: E402 (bench/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "bench"
SQLITE_PATH = VAR_DIR / "cistern-bench-lockbox.sqlite3"
CSV_PATH = VAR_DIR / "bench-lockbox.csv"
PG_DATABASE = "cistern_bench_lockbox"
TARGET = 5_000  # payments per second, PostgreSQL (issue 11)
USER = "bench_lockbox"


def parent(args) -> int:
    engines = engines_to_run(args.engine)
    print(
        f"Lockbox import benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}"
    )
    status = 0
    for engine in engines:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cistern.settings",
            "CISTERN_VAR_DIR": str(VAR_DIR),
            "CISTERN_DEBUG": "0",
            "DATABASE_URL": f"sqlite:///{SQLITE_PATH}" if engine == "sqlite" else pg_url(PG_DATABASE),
        }
        print(f"\n=== {engine}: {args.items:,} items ===", flush=True)
        for step in ("prepare", "measure"):
            command = [
                sys.executable, str(Path(__file__).resolve()), "--child", step, "--engine", engine,
                "--items", str(args.items), "--seed", str(args.seed),
            ]  # fmt: skip
            result = subprocess.run(command, env=env, cwd=ROOT, check=False)
            status = status or result.returncode
            if result.returncode:
                break
    return status


def _setup_django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    assert not settings.DEBUG, "CISTERN_DEBUG=0 expected: DEBUG keeps every query in memory"


def prepare(args) -> int:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if args.engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    else:
        recreate_pg_database(PG_DATABASE)
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from cistern.billing.scanline import scanline
    from cistern.core import clock, roles
    from cistern.customers.models import Account, AccountStatus
    from cistern.demo.loader import seed_district
    from cistern.ledger import selectors as ledger_selectors
    from cistern.ledger.models import GLAccount, GLKind, GLRole
    from cistern.ledger.services import EntryDraft, Posting, journal_post_batch

    call_command("migrate", verbosity=0, interactive=False)
    started = time.monotonic()
    seed_district(accounts=args.items, seed=args.seed, history_months=0)
    user, _ = get_user_model().objects.get_or_create(username=USER, defaults={"first_name": "Bench"})
    user.groups.set([Group.objects.get(name=roles.BILLING_ADMIN)])
    active = list(
        Account.objects.filter(status=AccountStatus.ACTIVE).order_by("pk").values_list("pk", "number")
    )
    print(f"seeded {args.items:,} accounts ({len(active):,} active) in {time.monotonic() - started:.0f} s")

    rng = random.Random(args.seed)
    today = clock.today()
    due = today - timedelta(days=7)
    receivable = ledger_selectors.gl_code(GLRole.RECEIVABLE)
    revenue = GLAccount.objects.filter(kind=GLKind.REVENUE).order_by("code").values_list("code", flat=True)[0]
    started = time.monotonic()
    owed = {}
    for start in range(0, len(active), 20_000):
        drafts = []
        for pk, _ in active[start : start + 20_000]:
            amount = Decimal(rng.randint(2_000, 15_000)).scaleb(-2)
            owed[pk] = amount
            drafts.append(
                EntryDraft(
                    entry_date=due - timedelta(days=21),
                    memo="Water bill (bench)",
                    source_kind="bill",
                    source_id=None,
                    postings=(Posting(receivable, amount, pk, "Water bill", due), Posting(revenue, -amount)),
                )  # fmt: skip
            )
        journal_post_batch(actor=user, drafts=drafts)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"charged {len(active):,} accounts a water bill in {time.monotonic() - started:.0f} s")

    numbers = [number for _, number in active]
    by_number = {number: pk for pk, number in active}
    with CSV_PATH.open("w") as out:
        out.write("scanline,amount,check_number,deposit_date\n")
        for n in range(args.items):
            roll = rng.random()
            number = numbers[n % len(numbers)] if n < len(numbers) else rng.choice(numbers)
            due_amount = owed[by_number[number]]
            line = scanline(number, due_amount)
            if roll < 0.01:
                line = ""
            elif roll < 0.02:  # one digit misread by the bank's OCR
                position = rng.randrange(0, 8)
                line = line[:position] + str((int(line[position]) + 1) % 10) + line[position + 1 :]
            elif roll < 0.03:
                line = scanline("9999999" + "2", due_amount)  # a valid number the district never issued
            paid = due_amount if rng.random() < 0.8 else Decimal(rng.randint(500, 20_000)).scaleb(-2)
            out.write(f"{line},{paid},{100_000 + n},{today.isoformat()}\n")
    print(f"wrote {args.items:,} items ({CSV_PATH.stat().st_size / 1e6:.1f} MB)", flush=True)
    return 0


def measure(args) -> int:
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from cistern.payments.lockbox_services import lockbox_import

    print(f"{connection.vendor}")
    user = get_user_model().objects.get(username=USER)
    raw = CSV_PATH.read_bytes()
    started = time.perf_counter()
    result = lockbox_import(actor=user, file_name=CSV_PATH.name, content=raw)
    seconds = time.perf_counter() - started
    f = result.file
    rate = f.posted / seconds
    print(
        f"imported {f.items:,} items in {seconds:.2f} s: {f.posted:,} posted, {f.suspense:,} in suspense, "
        f"{f.already:,} already posted"
    )
    if connection.vendor == "postgresql":
        verdict = "PASS" if rate >= TARGET else "MISS"
        print(f"{rate:,.0f} payments/s (target {TARGET:,} on PostgreSQL) {verdict}")
    else:
        print(f"{rate:,.0f} payments/s (the target is PostgreSQL's: {TARGET:,})")
    started = time.perf_counter()
    again = lockbox_import(actor=user, file_name=CSV_PATH.name, content=raw).file
    seconds = time.perf_counter() - started
    print(
        f"the same file again: {again.posted:,} posted, {again.already:,} already posted, in {seconds:.2f} s"
    )
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="postgresql")
    parser.add_argument("--items", type=int, default=50_000)
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
