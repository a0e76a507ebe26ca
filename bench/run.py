"""Benchmarks: seed a district, then time global search and the account page in-process.

    .venv/bin/python bench/run.py [--engine sqlite|postgresql|both] [--accounts N] [--queries Q] [--reuse]

Each engine runs in a subprocess of its own (its own DATABASE_URL): SQLite in var/bench/, PostgreSQL in
the database `cistern_bench` on 127.0.0.1:5432 (user postgres), which this script drops and creates.
Prints figures and PASS/MISS against the targets; it never fails on time (exit status 1 only on errors).
See bench/README.md.
"""

import argparse
import json
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

from common import PG_DSN, postgres_reachable, recreate_pg_database  # noqa: E402 (bench/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "bench"
SQLITE_PATH = VAR_DIR / "cistern-bench.sqlite3"
PG_DATABASE = "cistern_bench"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DATABASE}"
DEFAULT_ACCOUNTS = {"sqlite": 100_000, "postgresql": 1_000_000}

SEARCH_TARGET_MS = 25.0  # p95 through the API at 1,000,000 accounts on PostgreSQL (issue 10)
PAGE_TARGET_MS = 100.0
SEED_TARGET_S = {"sqlite": 300.0, "postgresql": 600.0}  # 100,000 in a few minutes; 1,000,000 in 10
KINDS = ["name", "address", "phone", "number", "misspelled"]
BENCH_USER = "bench_css1"


# --- parent: one subprocess per engine --------------------------------------------------------------


def parent(args) -> int:
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    if "postgresql" in engines and not postgres_reachable():
        if args.engine == "both":
            print("PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres): SQLite only.")
            engines.remove("postgresql")
        else:
            print("PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres).")
            return 1
    print(
        f"Cistern benchmarks: Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}"
    )
    status = 0
    for engine in engines:
        accounts = args.accounts or DEFAULT_ACCOUNTS[engine]
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cistern.settings",
            "CISTERN_VAR_DIR": str(VAR_DIR),
            "CISTERN_DEBUG": "0",
            "DATABASE_URL": f"sqlite:///{SQLITE_PATH}" if engine == "sqlite" else PG_URL,
        }
        command = [
            sys.executable, str(Path(__file__).resolve()), "--child", engine, "--accounts", str(accounts),
            "--queries", str(args.queries), "--seed", str(args.seed),
        ]  # fmt: skip
        if args.reuse:
            command.append("--reuse")
        print(f"\n=== {engine}: {accounts:,} accounts ===", flush=True)
        result = subprocess.run(command, env=env, cwd=ROOT, check=False)
        status = status or result.returncode
    return status


# --- child: prepare the database ---------------------------------------------------------------------


def _count_sqlite() -> int | None:
    if not SQLITE_PATH.exists():
        return None
    try:
        with sqlite3.connect(SQLITE_PATH) as db:
            return db.execute("SELECT count(*) FROM customers_account").fetchone()[0]
    except sqlite3.Error:
        return None


def _count_postgres() -> int | None:
    import psycopg

    try:
        with psycopg.connect(f"{PG_DSN} dbname={PG_DATABASE}", connect_timeout=3) as db:
            return db.execute("SELECT count(*) FROM customers_account").fetchone()[0]
    except psycopg.Error:
        return None


def fresh_database(engine: str) -> None:
    if engine == "sqlite":
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return
    recreate_pg_database(PG_DATABASE)


# --- child: measure --------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, ceil(share * len(ordered)) - 1)]


def misspell(rng: random.Random, word: str) -> str:
    """One typing error inside a word (never its first letter): two letters swapped, one dropped, one
    doubled, or a vowel for another."""
    i = rng.randint(1, len(word) - 2)
    kind = rng.randrange(4)
    if kind == 0 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    vowels = [j for j in range(1, len(word)) if word[j] in "aeiou"]
    if vowels:
        j = rng.choice(vowels)
        return word[:j] + rng.choice([v for v in "aeiou" if v != word[j]]) + word[j + 1 :]
    return word[:i] + word[i + 1 :]


def pick_terms(rng: random.Random, count: int) -> dict[str, list[tuple[str, str]]]:
    """(query, account number it came from) per kind, drawn from random accounts of the seeded district."""
    from django.db.models import Max, Min

    from cistern.customers.models import Account
    from cistern.customers.usps_suffixes import C1

    forms_of = {standard: [primary, *forms] for primary, forms, standard in C1}

    bounds = Account.objects.aggregate(lo=Min("pk"), hi=Max("pk"))
    terms: dict[str, list[tuple[str, str]]] = {kind: [] for kind in KINDS}
    while min(len(v) for v in terms.values()) < count:
        pk = rng.randint(bounds["lo"], bounds["hi"])
        account = Account.objects.select_related("customer", "premise").filter(pk=pk).first()
        if account is None:
            continue
        customer, premise = account.customer, account.premise
        words = [w for w in customer.name.replace("&", " ").split() if len(w) >= 3 and not w.endswith(".")]
        if words and len(terms["name"]) < count:
            if len(words) >= 2 and rng.random() < 0.4:  # "maria lop": first name and a surname prefix
                query = f"{words[0]} {words[-1][: rng.randint(3, len(words[-1]))]}"
            else:  # a surname (or business word) prefix of 4 letters or more
                word = words[-1] if rng.random() < 0.7 else rng.choice(words)
                query = word[: rng.randint(min(4, len(word)), len(word))]
            terms["name"].append((query, account.number))
        house, _, street = premise.street.partition(" ")
        street_words = [w for w in street.split() if len(w) >= 4]
        if street_words and len(terms["address"]) < count:
            word = rng.choice(street_words)
            *name_words, suffix = street.split()
            draw = rng.random()
            if draw < 0.3 and name_words and suffix.upper() in forms_of:  # "61750 Chollita Road", "… rd."
                form = rng.choice([*forms_of[suffix.upper()], suffix.upper() + "."])
                query = (
                    f"{house} {' '.join(name_words)} {form.title() if rng.random() < 0.5 else form.lower()}"
                )
            elif draw < 0.65:  # "61750 chol"
                query = f"{house} {word[: rng.randint(4, len(word))]}"
            else:  # "sunburst"
                query = word[: rng.randint(4, len(word))]
            terms["address"].append((query, account.number))
        surname = words[-1].lower() if words else ""
        if len(surname) >= 5 and surname.isalpha() and len(terms["misspelled"]) < count:
            wrong = misspell(rng, surname)
            if wrong != surname:  # "maria gonzales", "jonson"
                query = f"{words[0]} {wrong}" if len(words) >= 2 and rng.random() < 0.5 else wrong
                terms["misspelled"].append((query, account.number))
        if customer.phone and len(terms["phone"]) < count:
            digits = "".join(ch for ch in customer.phone if ch.isdigit())
            style = rng.randrange(3)
            query = customer.phone if style == 0 else digits if style == 1 else f"{digits[3:6]}-{digits[6:]}"
            terms["phone"].append((query, account.number))
        if len(terms["number"]) < count:
            number = account.number
            terms["number"].append((number if rng.random() < 0.7 else f"{number[:4]}-{number[4:]}", number))
    return terms


def measure(fetch, terms) -> tuple[list[float], int]:
    times, found = [], 0
    for query, number in terms:
        started = time.perf_counter()
        ok, body = fetch(query)
        times.append((time.perf_counter() - started) * 1000)
        if not ok:
            raise RuntimeError(f"request for {query!r} failed")
        found += number in body
    return times, found


def child(args) -> int:
    engine, accounts = args.child, args.accounts
    count = _count_sqlite() if engine == "sqlite" else _count_postgres()
    reuse = args.reuse and count == accounts
    if args.reuse and not reuse:
        print(
            f"--reuse: the database has {count if count is not None else 'no'} accounts, not {accounts:,}: re-seeding."
        )
    if not reuse:
        fresh_database(engine)

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from cistern.api.models import ApiToken
    from cistern.core import roles
    from cistern.customers.models import Account

    assert not settings.DEBUG, "CISTERN_DEBUG=0 expected: DEBUG keeps every query in memory"
    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT current_setting('server_version')")
            print(f"PostgreSQL {cursor.fetchone()[0]}")
        else:
            cursor.execute("SELECT sqlite_version()")
            print(f"SQLite {cursor.fetchone()[0]}")

    seed_seconds = None
    if reuse:
        print(f"Reusing the seeded database ({accounts:,} accounts).")
    else:
        started = time.monotonic()
        call_command(
            "seed_district",
            accounts=accounts,
            seed=args.seed,
            history_months=args.history_months,
            verbosity=1,
        )
        seed_seconds = time.monotonic() - started
    assert Account.objects.count() == accounts

    User = get_user_model()
    user, created = User.objects.get_or_create(username=BENCH_USER, defaults={"first_name": "Bench"})
    if created:
        user.set_unusable_password()
        user.save()
    user.groups.set([Group.objects.get(name=roles.CSS_I)])
    ApiToken.objects.filter(user=user).delete()
    key = secrets.token_urlsafe(32)  # as create_api_token makes one
    ApiToken.objects.create(user=user, name="benchmark", key_hash=ApiToken.hash_key(key), prefix=key[:8])

    client = Client()
    client.force_login(user)
    api = Client(headers={"Authorization": f"Bearer {key}"})

    def view(query):
        response = client.get("/search/", {"q": query}, headers={"HX-Request": "true"})
        return response.status_code == 200, response.content.decode()

    def api_search(query):
        response = api.get("/api/v1/accounts", {"q": query})
        return response.status_code == 200, " ".join(a["number"] for a in json.loads(response.content))

    def page(number):
        response = client.get(f"/accounts/{number}/")
        return response.status_code == 200, response.content.decode()

    rng = random.Random(args.seed)
    warmup = max(10, args.queries // 10)
    terms = pick_terms(rng, args.queries + warmup)
    rows = []
    for kind in KINDS:
        for path, fetch in (("view", view), ("api", api_search)):
            measure(fetch, terms[kind][:warmup])
            times, found = measure(fetch, terms[kind][warmup:])
            rows.append((f"search {kind}", path, times, found, SEARCH_TARGET_MS))
    numbers = [(number, number) for _, number in terms["number"]]
    measure(page, numbers[:warmup])
    times, found = measure(page, numbers[warmup:])
    rows.append(("account page", "view", times, found, PAGE_TARGET_MS))

    print(f"\n{engine}, {accounts:,} accounts, {args.queries} queries per row after {warmup} warm-up")
    if seed_seconds is not None:
        target = SEED_TARGET_S[engine]
        verdict = "PASS" if seed_seconds <= target else "MISS"
        print(f"seed_district: {seed_seconds:.1f} s (target {target:.0f} s at the default size) {verdict}")
    header = f"{'what':<16}{'path':<6}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'target':>9}  {'':<5} found"
    print(header)
    print("-" * len(header))
    for what, path, times, found, target in rows:
        p95 = percentile(times, 0.95)
        verdict = "PASS" if p95 <= target else "MISS"
        print(
            f"{what:<16}{path:<6}{statistics.median(times):>9.1f}{p95:>9.1f}{max(times):>9.1f}"
            f"{'≤' + format(target, '.0f'):>9}  {verdict:<5} {found}/{len(times)}"
        )
    print("(target: p95; found: queries whose source account was among the results shown)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--accounts", type=int, help="default: 100,000 on SQLite, 1,000,000 on PostgreSQL")
    parser.add_argument("--queries", type=int, default=200, help="timed queries per kind and path (200)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--history-months", type=int, default=0, help="months of reads to seed (0: accounts and meters only)"
    )
    parser.add_argument("--reuse", action="store_true", help="keep a database that has N accounts already")
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    return child(args) if args.child else parent(args)


if __name__ == "__main__":
    sys.exit(main())
