"""Benchmark: a go-live conversion. The demo district exported as its previous system would export it, converted
into a fresh SQLite database and billed in parallel; and a 100,000-account folder converted on PostgreSQL.

    .venv/bin/python bench/conversion.py [--accounts 5400] [--large 100000] [--reuse] [--skip-large] [--skip-demo]

1. The demo (SQLite): a district of --accounts accounts with 13 months of history, seeded once into
   var/bench/conversion-demo.sqlite3 (about 20 minutes at 5,400 accounts; --reuse keeps it and its export) and
   exported with `seed_district --legacy-export` into var/bench/conversion-demo-export/. Then a fresh database
   (migrated and `seed_district --config-only` once, copied for each run): timed `convert DIR --as-of <cutover>`
   (target <= 60 s), `import_reads` of the reads since the cutover, and `parallel_bills DIR --period-end P
   --cycle C` (target <= 30 s). Its last line is printed.
2. The large district (PostgreSQL `cistern_bench_conversion`, dropped and created; skipped when PostgreSQL does
   not answer at 127.0.0.1:5432): bench/legacy_folder.py writes --large accounts with 13 months of reads and bills
   into var/bench/legacy-<N>/ (kept with --reuse), then `convert` runs as a subprocess of a small waiting process
   that reads its peak RSS from getrusage(RUSAGE_CHILDREN). Targets: <= 10 minutes, peak memory < 500 MB.

Each step runs `manage.py` in a subprocess with CISTERN_DEBUG=0 and CISTERN_VAR_DIR=var/bench (the field key
the demo's autopay numbers are encrypted with lives there). Prints PASS/MISS; never fails on time.
"""

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import pg_url, postgres_reachable, recreate_pg_database  # noqa: E402 (bench/ is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "bench"
DEMO_DB = VAR_DIR / "conversion-demo.sqlite3"
DEMO_MARK = VAR_DIR / "conversion-demo.accounts"  # how many accounts the kept demo database holds
EXPORT_DIR = VAR_DIR / "conversion-demo-export"
CONFIG_DB = VAR_DIR / "conversion-config.sqlite3"  # migrated, the configuration loaded: copied for each run
TARGET_DB = VAR_DIR / "conversion-target.sqlite3"
PG_DATABASE = "cistern_bench_conversion"
ADMIN = "bench-conversion"
TARGETS = {"convert_demo": 60.0, "parallel_bills": 30.0, "convert_large": 600.0}
MEMORY_TARGET_MB = 500
MAKE_ADMIN = (
    "from django.contrib.auth import get_user_model; from django.contrib.auth.models import Group; "
    f"u, _ = get_user_model().objects.get_or_create(username='{ADMIN}'); u.set_password('bench-Not-a-login-1'); "
    "u.save(); u.groups.add(Group.objects.get(name='Billing Admin'))"
)


def _env(database_url: str) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "cistern.settings", "CISTERN_VAR_DIR": str(VAR_DIR),
            "CISTERN_DEBUG": "0", "DATABASE_URL": database_url}  # fmt: skip


def _sqlite(path: Path) -> str:
    return f"sqlite:///{path}"


def manage(env: dict, *args: str, quiet: bool = True) -> tuple[float, str]:
    """Run manage.py; (seconds, its standard output). Log lines (JSON on stderr) are dropped."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=False)  # fmt: skip
    seconds = time.monotonic() - started
    if done.returncode:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        raise SystemExit(f"manage.py {' '.join(args)} failed (exit {done.returncode}).")
    if not quiet:
        print(done.stdout.rstrip())
    return seconds, done.stdout


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _verdict(seconds: float, target: float) -> str:
    return f"{seconds:7.1f} s  target <= {target:.0f} s  {'PASS' if seconds <= target else 'MISS'}"


def demo(args) -> None:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    seeded = DEMO_MARK.exists() and DEMO_MARK.read_text().strip() == str(args.accounts) and DEMO_DB.exists()
    env = _env(_sqlite(DEMO_DB))
    if not (args.reuse and seeded):
        _remove_sqlite(DEMO_DB)
        DEMO_MARK.unlink(missing_ok=True)
        shutil.rmtree(EXPORT_DIR, ignore_errors=True)
        manage(env, "migrate", "--no-input")
        seconds, _ = manage(env, "seed_district", "--accounts", str(args.accounts), "--seed", str(args.seed))
        DEMO_MARK.write_text(str(args.accounts))
        print(f"Seeded the demo district ({args.accounts:,} accounts, 13 months) in {seconds:.0f} s")
    else:
        print(f"Reusing {DEMO_DB.name} ({args.accounts:,} accounts)")
    if not (args.reuse and (EXPORT_DIR / "README.txt").exists()):
        shutil.rmtree(EXPORT_DIR, ignore_errors=True)
        seconds, _ = manage(env, "seed_district", "--skip-checks", "--legacy-export", str(EXPORT_DIR))
        print(
            f"legacy export                 {_verdict(seconds, 60)}  (process time, the export itself less)"
        )
    readme = dict(re.findall(r"^(\w+): (\S+)$", (EXPORT_DIR / "README.txt").read_text(), re.MULTILINE))
    rows = (EXPORT_DIR / "reads.csv").read_bytes().count(b"\n") - 1
    bills = (EXPORT_DIR / "bills.csv").read_bytes().count(b"\n") - 1
    print(f"Export: cutover {readme['cutover']}, parallel {readme['parallel_cycle']} ending "
          f"{readme['parallel_period_end']}; {rows:,} reads to the cutover, {bills:,} bills")  # fmt: skip

    if not CONFIG_DB.exists():
        config_env = _env(_sqlite(CONFIG_DB))
        manage(config_env, "migrate", "--no-input")
        manage(config_env, "seed_district", "--skip-checks", "--config-only")
        manage(config_env, "shell", "-c", MAKE_ADMIN)
    _remove_sqlite(TARGET_DB)
    shutil.copy(CONFIG_DB, TARGET_DB)
    target = _env(_sqlite(TARGET_DB))
    seconds, out = manage(target, "convert", "--skip-checks", str(EXPORT_DIR), "--as-of", readme["cutover"],
                          "--user", ADMIN)  # fmt: skip
    print(
        f"convert (SQLite)              {_verdict(seconds, TARGETS['convert_demo'])}  {out.splitlines()[-1]}"
    )
    seconds, out = manage(target, "import_reads", "--skip-checks", str(EXPORT_DIR / "reads_after_cutover.csv"),
                          "--user", ADMIN)  # fmt: skip
    print(f"import_reads since cutover    {seconds:7.1f} s  {out.splitlines()[-1] if out else ''}")
    seconds, out = manage(target, "parallel_bills", "--skip-checks", str(EXPORT_DIR), "--period-end",
                          readme["parallel_period_end"], "--cycle", readme["parallel_cycle"], "--user", ADMIN)  # fmt: skip
    print(
        f"parallel_bills                {_verdict(seconds, TARGETS['parallel_bills'])}  {out.splitlines()[-1]}"
    )


def large(args) -> None:
    if not postgres_reachable():
        print(
            "PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres): the large conversion is skipped."
        )
        return
    folder = VAR_DIR / f"legacy-{args.large}"
    if not (args.reuse and (folder / "trial_balance.csv").exists()):
        shutil.rmtree(folder, ignore_errors=True)
        started = time.monotonic()
        subprocess.run([sys.executable, str(ROOT / "bench" / "legacy_folder.py"), str(folder), "--accounts",
                        str(args.large)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        print(f"Wrote the {args.large:,}-account folder in {time.monotonic() - started:.0f} s")
    recreate_pg_database(PG_DATABASE)
    env = _env(pg_url(PG_DATABASE))
    manage(env, "migrate", "--no-input")
    manage(env, "seed_district", "--skip-checks", "--config-only")
    manage(env, "shell", "-c", MAKE_ADMIN)
    as_of = "2026-11-30"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child-convert", str(folder), as_of], env=env, cwd=ROOT,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.monotonic() - started
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        raise SystemExit("convert of the large folder failed.")
    peak_mb = float(lines[-1])
    print(f"convert {args.large:,} (PostgreSQL) {_verdict(seconds, TARGETS['convert_large'])}  {lines[-2]}")
    verdict = "PASS" if peak_mb < MEMORY_TARGET_MB else "MISS"
    print(f"convert peak memory           {peak_mb:7.0f} MB target < {MEMORY_TARGET_MB} MB  {verdict}")


def child_convert(folder: str, as_of: str) -> int:
    """Run convert as this process's only child; print its last line, then its peak RSS in MB."""
    import resource

    done = subprocess.run([sys.executable, "manage.py", "convert", "--skip-checks", folder, "--as-of", as_of,
                           "--user", ADMIN], cwd=ROOT, capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode:
        print(done.stdout[-3000:], done.stderr[-3000:], sep="\n")
        return done.returncode
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kilobytes on Linux
    print(done.stdout.strip().splitlines()[-1])
    print(f"{peak_kb / 1024:.1f}")
    return 0


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child-convert":
        return child_convert(sys.argv[2], sys.argv[3])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--accounts", type=int, default=5400, help="The demo district's accounts (default 5400)."
    )
    parser.add_argument(
        "--large", type=int, default=100_000, help="The large folder's accounts (default 100,000)."
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--reuse", action="store_true", help="Keep the seeded demo, its export and the folder."
    )
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-large", action="store_true")
    args = parser.parse_args()
    print(
        f"Conversion benchmark: Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}"
    )
    if not args.skip_demo:
        demo(args)
    if not args.skip_large:
        large(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
