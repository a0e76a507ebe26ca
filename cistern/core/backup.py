"""Backing up the district's database to one file and restoring it into an empty database.

PostgreSQL: `pg_dump --format=custom` and `pg_restore --no-owner`, the password handed over in PGPASSWORD
(never on a command line, where `ps` shows it). SQLite: SQLite's online backup API, through the same sqlite
module Django's backend uses (the settings swap in pysqlite3), so a backup taken while the counter works is
consistent. A restore goes only into an empty database: it never overwrites a district's books.
"""

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.utils import timezone

logger = logging.getLogger("cistern.backup")

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"

# Tables `manage.py migrate` itself fills (Django's bookkeeping and the reference rows of the district's data
# migrations: roles, holidays, letter templates, the chart of accounts...). Rows there do not make a database
# "in use"; rows in any other table of ours do.
MIGRATION_FILLED = frozenset({
    "django_migrations", "django_content_type", "auth_permission", "auth_group", "auth_group_permissions",
    "assistance_leakreliefterms", "billing_highusagerule", "core_authoritylimit", "core_districtsettings",
    "core_holiday", "correspondence_lettertemplate", "correspondence_templateversion", "fieldwork_serviceordertype",
    "frontdesk_casecategory", "frontdesk_routingtarget", "frontdesk_slarule", "ledger_adjustmentreason",
    "ledger_glaccount", "rates_feecap", "schedule_checkliststep",
})  # fmt: skip

# What the summary counts: (label, app label, model name).
KEY_TABLES = [
    ("accounts", "customers", "Account"),
    ("bills", "billing", "Bill"),
    ("journal entries", "ledger", "JournalEntry"),
]


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    size: int
    counts: dict[str, int]

    def lines(self, verb: str) -> list[str]:
        figures = ", ".join(f"{n:,} {label}" for label, n in self.counts.items())
        return [f"{verb} {self.path} ({_size(self.size)})", figures]


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return ""  # unreachable


def _connection(using: str):
    return connections[using]


def engine(using: str = DEFAULT_DB_ALIAS) -> str:
    """'postgresql' or 'sqlite' for the configured database; anything else is not supported."""
    vendor = _connection(using).vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups cover PostgreSQL and SQLite; this database is {vendor}.")
    return vendor


def file_engine(path: Path) -> str | None:
    """Which engine wrote the backup file at `path` ('postgresql', 'sqlite'), or None when neither did."""
    with open(path, "rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    return None


def key_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    return {
        label: apps.get_model(app, model).objects.using(using).count() for label, app, model in KEY_TABLES
    }


def _journal(line: str) -> None:
    """One line in var/backup.log (and the log), for whoever asks later when the last backup ran."""
    logger.info(line)
    var_dir = Path(settings.VAR_DIR)
    var_dir.mkdir(parents=True, exist_ok=True)
    with open(var_dir / "backup.log", "a", encoding="utf-8") as f:
        f.write(f"{timezone.now().isoformat(timespec='seconds')} {line}\n")


def _pg_env_args(using: str) -> tuple[dict, list[str]]:
    """The environment (password in PGPASSWORD) and connection arguments for pg_dump/pg_restore."""
    db = _connection(using).settings_dict
    env = {**os.environ}
    env.pop("PGPASSWORD", None)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    args += ["--dbname", str(db["NAME"])]
    return env, args


def _run(command: list[str], env: dict) -> None:
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(
            f"{tool} is not installed (the PostgreSQL client tools, the server's major version)."
        )
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{tool} failed (exit {done.returncode}): {done.stderr.strip()[:2000]}")


# --- backup -----------------------------------------------------------------------------------------------


def backup(out: Path, *, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> Outcome:
    """Write the configured database to `out` (refused when `out` exists, unless `force`). The file appears
    only when complete: it is written beside `out` under another name, then renamed."""
    out = Path(out).resolve()
    if out.is_dir():
        raise BackupError(f"{out} is a folder; name the backup file.")
    if out.exists() and not force:
        raise BackupError(f"{out} already exists; name another file or pass --force to overwrite it.")
    if not out.parent.is_dir():
        raise BackupError(f"No folder {out.parent}; create it first.")
    vendor = engine(using)
    partial = out.with_name(f".{out.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        if vendor == "postgresql":
            env, args = _pg_env_args(using)
            _run(["pg_dump", "--format=custom", "--file", str(partial), *args], env)
        else:
            _sqlite_copy(source=_connection(using).settings_dict["NAME"], target=partial, using=using)
        partial.chmod(0o600)  # the district's customers: names, addresses, bank details
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    outcome = Outcome(out, out.stat().st_size, key_counts(using))
    _journal(f"backup {vendor} -> {out} {outcome.size} bytes " + _counts_text(outcome.counts))
    return outcome


def _counts_text(counts: dict[str, int]) -> str:
    return " ".join(f"{label.replace(' ', '_')}={n}" for label, n in counts.items())


def _sqlite_module(using: str):
    """The sqlite module Django's backend was built on (pysqlite3 when the settings chose it)."""
    from django.db.backends.sqlite3.base import Database

    return Database


def _sqlite_copy(*, source, target, using: str) -> None:
    sqlite = _sqlite_module(using)
    src = sqlite.connect(str(source))
    try:
        dst = sqlite.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


# --- restore ----------------------------------------------------------------------------------------------


def in_use(using: str = DEFAULT_DB_ALIAS) -> tuple[list[str], dict[str, int]]:
    """What makes the configured database not empty: (tables that are none of ours, {our table: rows} for the
    tables holding rows beyond what `migrate` writes). Both empty: no tables, or migrated and empty."""
    connection = _connection(using)
    with connection.cursor() as cursor:
        present = set(connection.introspection.table_names(cursor))
    ours = set(connection.introspection.django_table_names(include_views=False)) | {"django_migrations"}
    prefixes = tuple(f"{config.label}_" for config in apps.get_app_configs()) + ("django_", "sqlite_")
    foreign = sorted(t for t in present if t not in ours and not t.startswith(prefixes))
    rows = {}
    with connection.cursor() as cursor:
        for table in sorted((present & ours) - MIGRATION_FILLED):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            n = cursor.fetchone()[0]
            if n:
                rows[table] = n
    return foreign, rows


def restore(path: Path, *, using: str = DEFAULT_DB_ALIAS) -> Outcome:
    """Load the backup at `path` into the configured database, which must be empty (no tables, or migrated
    and empty); anything else is refused with the database left as it was."""
    path = Path(path).resolve()
    if not path.is_file():
        raise BackupError(f"No backup file {path}.")
    vendor = engine(using)
    written_by = file_engine(path)
    if written_by is None:
        raise BackupError(f"{path} is neither a PostgreSQL (pg_dump custom) nor a SQLite backup.")
    if written_by != vendor:
        raise BackupError(
            f"{path} is a {_name(written_by)} backup and this database is {_name(vendor)}: restore it into a "
            f"{_name(written_by)} database (DATABASE_URL), or move the data across another way."
        )
    _refuse_unless_empty(using)
    connection = _connection(using)
    if vendor == "postgresql":
        env, args = _pg_env_args(using)
        _run(["pg_restore", "--list", str(path)], env)  # a readable archive before anything is dropped
        connection.close()
        _run(
            ["pg_restore", "--no-owner", "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
             *args, str(path)],
            env,
        )  # fmt: skip
    else:
        _check_sqlite_backup(path, using)
        target = Path(connection.settings_dict["NAME"])
        target.parent.mkdir(parents=True, exist_ok=True)
        connection.close()
        _sqlite_copy(source=path, target=target, using=using)
    connection.close()
    outcome = Outcome(path, path.stat().st_size, key_counts(using))
    _journal(f"restore {vendor} <- {path} " + _counts_text(outcome.counts))
    return outcome


def _name(vendor: str) -> str:
    return {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[vendor]


def _refuse_unless_empty(using: str) -> None:
    db = _connection(using).settings_dict["NAME"]
    try:
        _connection(using).ensure_connection()
    except OperationalError as exc:
        hint = f" Create it first (createdb {db})." if engine(using) == "postgresql" else ""
        raise BackupError(f"Cannot open the database {db}: {str(exc).strip()}.{hint}") from None
    foreign, rows = in_use(using)
    if foreign:
        raise BackupError(
            f"The database {db} is not empty: it holds tables that are not Cistern's ({', '.join(foreign[:10])}"
            f"{', ...' if len(foreign) > 10 else ''}). Restore into a new, empty database."
        )
    if rows:
        shown = ", ".join(f"{table} ({n:,} rows)" for table, n in list(rows.items())[:10])
        raise BackupError(
            f"The database {db} is in use: {shown}{', ...' if len(rows) > 10 else ''}. A restore goes only "
            "into an empty database (no tables, or migrated and empty); nothing was changed."
        )


def _check_sqlite_backup(path: Path, using: str) -> None:
    """Refuse a SQLite file that is damaged or is not a Cistern database before the target is touched."""
    sqlite = _sqlite_module(using)
    db = sqlite.connect(f"file:{path}?mode=ro", uri=True)
    try:
        (status,) = db.execute("PRAGMA quick_check").fetchone()
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite.DatabaseError as exc:
        raise BackupError(f"{path} cannot be read as a SQLite database: {exc}") from None
    finally:
        db.close()
    if status != "ok":
        raise BackupError(f"{path} is damaged (SQLite's check says: {status}).")
    if "django_migrations" not in tables:
        raise BackupError(f"{path} is a SQLite file but not a Cistern database (no django_migrations table).")
