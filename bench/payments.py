"""Benchmark: posting a payment through the views (issue 11: p95 <= 50 ms on PostgreSQL with 1,000,000
accounts; >= 300 payments/s sustained with 4 concurrent posters).

    .venv/bin/python bench/payments.py [--engine postgresql|sqlite] [--accounts N] [--payments P] [--reuse]

Where: on PostgreSQL, the 1,000,000-account database of bench/run.py (`cistern_bench`) when it exists with
every migration applied (its schema is never changed here; the payments posted stay in it) and no --accounts
is given; otherwise a database of this script's own, seeded with `seed_district --accounts N --history-months 0`
(default 50,000): PostgreSQL `cistern_bench_payments` or var/bench/cistern-bench-payments.sqlite3, dropped and
made again unless `--reuse` finds it already holding N accounts. The output says which database was measured.

Measured in-process with Django's test Client (no network): `POST /api/v1/payments` (an Integration token, a
new Idempotency-Key each time) and, when the counter page exists, `POST /payments/counter/` (a cashier with an
open drawer, cash); each to a random account. One poster: p50/p95/max per request. Four poster processes,
each its own connection (and for the counter its own cashier and drawer): payments/s from the first start to
the last finish. Prints PASS/MISS against the targets; it never fails on time (exit status 1 only on errors).
"""

import argparse
import multiprocessing
import os
import platform
import random
import secrets
import sqlite3
import statistics
import subprocess
import sys
import time
from math import ceil
from pathlib import Path

from common import PG_DSN, pg_url, postgres_reachable, recreate_pg_database  # noqa: E402 (bench/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "bench"
SQLITE_PATH = VAR_DIR / "cistern-bench-payments.sqlite3"
OWN_PG = "cistern_bench_payments"
MILLION_PG = "cistern_bench"  # bench/run.py's 1,000,000-account database
P95_TARGET_MS = 50.0
RATE_TARGET = 300.0
POSTERS = 4
DEFAULT_ACCOUNTS = 50_000


# --- parent: pick the database, run the child with it -------------------------------------------------


def _pg_accounts(database: str) -> int | None:
    import psycopg

    try:
        with psycopg.connect(f"{PG_DSN} dbname={database}", connect_timeout=3) as db:
            return db.execute("SELECT count(*) FROM customers_account").fetchone()[0]
    except psycopg.Error:
        return None


def _sqlite_accounts() -> int | None:
    if not SQLITE_PATH.exists():
        return None
    try:
        with sqlite3.connect(SQLITE_PATH) as db:
            return db.execute("SELECT count(*) FROM customers_account").fetchone()[0]
    except sqlite3.Error:
        return None


def _unapplied_migrations(url: str) -> int:
    """How many migrations the database lacks (asked in a process of its own: Django is set up once)."""
    code = (
        "import django; django.setup(); from django.db import connection; "
        "from django.db.migrations.executor import MigrationExecutor; "
        "e = MigrationExecutor(connection); print(len(e.migration_plan(e.loader.graph.leaf_nodes())))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cistern.settings",
        "DATABASE_URL": url,
        "CISTERN_DEBUG": "0",
    }
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    return int(result.stdout.strip()) if result.returncode == 0 else -1


def parent(args) -> int:
    engine = args.engine
    if engine == "postgresql" and not postgres_reachable():
        print("PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres): measuring on SQLite instead.")
        engine = "sqlite"
    print(
        f"Payments benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}"
    )
    accounts = args.accounts or DEFAULT_ACCOUNTS
    seed = True
    if engine == "postgresql":
        # The figure is at a million accounts: bench/run.py's database when it is there (make bench
        # makes it first), unless --accounts asks for a district of this script's own.
        million = None if args.accounts else _pg_accounts(MILLION_PG)
        if million:
            missing = _unapplied_migrations(pg_url(MILLION_PG))
            if missing == 0:
                url, accounts, seed = pg_url(MILLION_PG), million, False
                where = f"bench/run.py's database {MILLION_PG} ({million:,} accounts), as it is"
            else:
                print(
                    f"{MILLION_PG} lacks {missing} migration(s) (its schema is left alone): using this script's own."
                )
        elif not args.accounts:
            print(
                f"{MILLION_PG} (bench/run.py --engine postgresql) does not exist: using this script's own district."
            )
        if seed:
            url = pg_url(OWN_PG)
            if args.reuse and _pg_accounts(OWN_PG) == accounts and _unapplied_migrations(url) == 0:
                seed = False
            where = f"PostgreSQL {OWN_PG}, {accounts:,} accounts ({'reused' if not seed else 'seeded now'})"
    else:
        url = f"sqlite:///{SQLITE_PATH}"
        seed = not (args.reuse and _sqlite_accounts() == accounts)
        where = f"SQLite {SQLITE_PATH.relative_to(ROOT)}, {accounts:,} accounts ({'seeded now' if seed else 'reused'})"
    if seed:
        if engine == "postgresql":
            recreate_pg_database(OWN_PG)
        else:
            VAR_DIR.mkdir(parents=True, exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    print(f"\n=== {engine}: {where} ===", flush=True)
    if accounts < 1_000_000 and engine == "postgresql":
        print(
            f"(The target is stated for 1,000,000 accounts: bench/run.py --engine postgresql makes {MILLION_PG}, "
            "which this script then measures on.)"
        )
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "cistern.settings", "CISTERN_VAR_DIR": str(VAR_DIR),
        "CISTERN_DEBUG": "0", "DATABASE_URL": url,
    }  # fmt: skip
    command = [
        sys.executable, str(Path(__file__).resolve()), "--child", "--accounts", str(accounts),
        "--payments", str(args.payments), "--seed", str(args.seed),
    ]  # fmt: skip
    if seed:
        command.append("--seed-now")
    return subprocess.run(command, env=env, cwd=ROOT, check=False).returncode


# --- child: the posters --------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, ceil(share * len(ordered)) - 1)]


class Poster:
    """Posts one payment per call to a random account through one view; counts what was refused."""

    def __init__(self, path: str, client, account_ids: tuple[int, int], rng: random.Random, numbers):
        self.path, self.client, self.bounds, self.rng, self.numbers = path, client, account_ids, rng, numbers
        self.counter_url = _counter_url()
        self.refused: list[str] = []

    def account(self) -> str:
        while True:
            number = self.numbers(self.rng.randint(*self.bounds))
            if number:
                return number

    def post(self) -> float:
        number = self.account()
        cents = self.rng.randint(100, 30_000)
        started = time.perf_counter()
        if self.path == "api":
            response = self.client.post(
                "/api/v1/payments",
                {"account": number, "amount": f"{cents / 100:.2f}", "method": "online", "reference": secrets.token_hex(6)},
                content_type="application/json", headers={"Idempotency-Key": secrets.token_urlsafe(18)},
            )  # fmt: skip
            ok = response.status_code == 201
        else:
            response = self.client.post(
                self.counter_url, {"account": number, "amount": f"{cents / 100:.2f}", "tender": "cash"}
            )
            ok = response.status_code == 302 and "posted=" in response.get("Location", "")
        elapsed = (time.perf_counter() - started) * 1000
        if not ok and len(self.refused) < 5:
            self.refused.append(f"{response.status_code} {response.content[:200]!r}")
        return elapsed


def _clients(path: str, poster_index: int):
    """A test Client for the path: a bearer token of an Integration user, or a cashier with an open drawer."""
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from cistern.api.models import ApiToken
    from cistern.core import roles
    from cistern.payments import services

    User = get_user_model()
    if path == "api":
        user, _ = User.objects.get_or_create(username="bench_processor", defaults={"first_name": "Processor"})
        user.groups.set([Group.objects.get(name=roles.INTEGRATION)])
        key = secrets.token_urlsafe(32)  # as create_api_token makes one
        ApiToken.objects.create(
            user=user, name=f"bench {poster_index}", key_hash=ApiToken.hash_key(key), prefix=key[:8]
        )
        return Client(headers={"Authorization": f"Bearer {key}"})
    user, created = User.objects.get_or_create(
        username=f"bench_cashier{poster_index}", defaults={"first_name": "Cashier"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.set([Group.objects.get(name=roles.CASHIER)])
    user = User.objects.get(pk=user.pk)  # no stale permission cache
    if services.open_session_of(user) is None:
        services.drawer_open(actor=user, drawer_name=f"Bench {poster_index}", opening_float=Decimal("150.00"))
    client = Client()
    client.force_login(user)
    return client


def _numbers(bounds: tuple[int, int], seed: int, sample: int = 20_000):
    """account id -> number, for a random sample of the district's accounts read in one query before the
    clock starts (reading each number as it is posted would count the harness's own query in the figures)."""
    from cistern.core.bulk import among
    from cistern.customers.models import Account

    rng = random.Random(seed)
    ids = sorted({rng.randint(*bounds) for _ in range(sample)})
    known = dict(among(Account.objects.all(), "id", ids).values_list("pk", "number"))

    def number(pk: int) -> str | None:
        return known.get(pk)

    return number


def _concurrent(path: str, index: int, count: int, bounds, seed: int, start, out) -> None:
    from django.db import connections

    try:
        poster = Poster(
            path, _clients(path, index), bounds, random.Random(seed * 100 + index), _numbers(bounds, seed)
        )
        poster.post()  # warm: the connection, the user's permissions
        start.wait()
        began = time.perf_counter()
        times = [poster.post() for _ in range(count)]
        out.put((index, began, time.perf_counter(), times, poster.refused, None))
    except Exception as exc:  # reported by the parent
        out.put((index, 0.0, 0.0, [], [], repr(exc)))
    finally:
        connections.close_all()


def _counter_url() -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("payments:counter")
    except NoReverseMatch:
        return None


def child(args) -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.db.models import Max, Min

    from cistern.customers.models import Account

    assert not settings.DEBUG, "CISTERN_DEBUG=0 expected: DEBUG keeps every query in memory"
    if args.seed_now:
        call_command("migrate", verbosity=0, interactive=False)
        started = time.monotonic()
        call_command("seed_district", accounts=args.accounts, seed=args.seed, history_months=0, verbosity=0)
        print(f"seed_district --accounts {args.accounts:,}: {time.monotonic() - started:.1f} s")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting('server_version')")
            print(f"PostgreSQL {cursor.fetchone()[0]}")
        else:
            cursor.execute("SELECT sqlite_version()")
            print(f"SQLite {cursor.fetchone()[0]}")
    if connection.vendor == "postgresql":
        # A running district's server has its tables in memory; a database just seeded, or left idle on a
        # machine that reclaims idle page cache, is read from disk. Read it into the OS cache once, first.
        from django.db import DatabaseError, transaction

        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
                cursor.execute(
                    "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"
                )
                blocks = cursor.fetchone()[0] or 0
            print(
                f"Read {blocks * 8 / 1024:,.0f} MB of tables and indexes into the OS cache first (pg_prewarm)."
            )
        except DatabaseError as exc:
            print(f"pg_prewarm is not available ({str(exc).strip()[:80]}): measured with the cache as it is.")
    bounds = tuple(Account.objects.aggregate(lo=Min("pk"), hi=Max("pk")).values())
    print(f"{Account.objects.count():,} accounts")
    paths = ["api"] + (["counter"] if _counter_url() else [])
    if len(paths) == 1:
        print("The counter page (payments:counter) does not exist yet: the API alone is measured.")

    single, rates, problems = [], [], []
    for path in paths:
        poster = Poster(
            path, _clients(path, 0), bounds, random.Random(args.seed), _numbers(bounds, args.seed)
        )
        for _ in range(max(10, args.payments // 10)):  # warm-up
            poster.post()
        times = [poster.post() for _ in range(args.payments)]
        single.append((path, times))
        problems += [f"{path}: {r}" for r in poster.refused]

        connections.close_all()  # each forked poster opens its own connection
        context = multiprocessing.get_context("fork")
        start, out = context.Barrier(POSTERS), context.Queue()
        each = args.payments * 2  # per poster: long enough (about 10 s) that a sustained rate is measured
        workers = [
            context.Process(target=_concurrent, args=(path, i + 1, each, bounds, args.seed, start, out))
            for i in range(POSTERS)
        ]
        for w in workers:
            w.start()
        results = [out.get(timeout=3600) for _ in workers]
        for w in workers:
            w.join()
        errors = [error for *_, error in results if error]
        if errors:
            print(f"{path}: a poster failed: {errors[0]}")
            return 1
        for *_, refused, _ in results:
            problems += [f"{path} (concurrent): {r}" for r in refused]
        span = max(r[2] for r in results) - min(r[1] for r in results)
        total = sum(len(r[3]) for r in results)
        rates.append((path, total, span, [t for r in results for t in r[3]]))

    print(f"\nPosting a payment, {args.payments} timed requests per path after a warm-up")
    header = f"{'what':<26}{'path':<9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'target':>10}  verdict"
    print(header)
    print("-" * len(header))
    for path, times in single:
        p95 = percentile(times, 0.95)
        verdict = "PASS" if p95 <= P95_TARGET_MS else "MISS"
        print(
            f"{'one poster':<26}{path:<9}{statistics.median(times):>9.1f}{p95:>9.1f}{max(times):>9.1f}"
            f"{'p95≤' + format(P95_TARGET_MS, '.0f'):>10}  {verdict}"
        )
    for path, total, span, times in rates:
        rate = total / span
        verdict = "PASS" if rate >= RATE_TARGET else "MISS"
        print(
            f"{f'{POSTERS} posters, {total} payments':<26}{path:<9}{statistics.median(times):>9.1f}"
            f"{percentile(times, 0.95):>9.1f}{max(times):>9.1f}{'≥' + format(RATE_TARGET, '.0f') + '/s':>10}  "
            f"{verdict} {rate:,.0f} payments/s ({span:.1f} s)"
        )
    print("(one poster: p95 per request; concurrent: payments/s from the first start to the last finish)")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Load average at the end: {load} on {os.cpu_count()} CPUs (others' work on the machine slows every row)."
    )
    if problems:
        print("Refused requests (the figures above include them):")
        for problem in problems[:10]:
            print(f"  {problem}")
        return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--accounts", type=int, help=f"accounts of this script's own district (default {DEFAULT_ACCOUNTS:,})"
    )
    parser.add_argument(
        "--payments", type=int, default=400, help="timed payments per path with one poster (400)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help=f"use {MILLION_PG} if it exists, or keep this script's own database",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed-now", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    return child(args) if args.child else parent(args)


if __name__ == "__main__":
    sys.exit(main())
