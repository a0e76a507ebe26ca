"""Scratch databases for tests that run `manage.py` in subprocesses, on the engine of the test run: a new,
uniquely named PostgreSQL database (created and dropped here) when DATABASE_URL names PostgreSQL, else a
SQLite file in a temporary folder."""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]


def on_postgresql() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@dataclass
class Scratch:
    url: str
    var_dir: Path
    name: str
    log: list[str] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("CISTERN_TASKS", "PYTEST_CURRENT_TEST")}
        env.update(DATABASE_URL=self.url, CISTERN_VAR_DIR=str(self.var_dir), **extra)
        return env

    def command(self, *args: str) -> list[str]:
        return [sys.executable, str(ROOT / "manage.py"), *args]

    def manage(self, *args: str, check: bool = True, **extra_env: str) -> subprocess.CompletedProcess:
        """Run `manage.py args` against this database; a failure (when `check`) shows its output."""
        done = subprocess.run(
            self.command(*args),
            cwd=ROOT,
            env=self.env(**extra_env),
            capture_output=True,
            text=True,
            timeout=1800,
        )
        self.log.append(f"$ manage.py {' '.join(args)} -> {done.returncode}")
        if check and done.returncode != 0:
            raise AssertionError(
                f"manage.py {' '.join(args)} exited {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done

    def shell(self, script: str, **extra_env: str) -> str:
        return self.manage("shell", "--no-imports", "-c", script, **extra_env).stdout

    def shell_json(self, script: str, **extra_env: str):
        """What `script` prints as `RESULT <json>` (other lines, such as log lines, are passed over)."""
        out = self.shell(script, **extra_env)
        lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
        assert lines, f"no RESULT line in:\n{out[-3000:]}"
        return json.loads(lines[-1].removeprefix("RESULT "))

    def query(self, sql: str) -> list[tuple]:
        """Rows of `sql` read over a direct connection (no Django process to start)."""
        if self.url.startswith("sqlite:"):
            from django.db.backends.sqlite3.base import Database as sqlite

            path = self.url.removeprefix("sqlite:///")
            if not Path(path).exists():
                return []
            db = sqlite.connect(f"file:{path}?mode=ro", uri=True)
            try:
                return db.execute(sql).fetchall()
            finally:
                db.close()
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://", 1)) as db:
            return db.execute(sql).fetchall()

    def tables(self) -> set[str]:
        if self.url.startswith("sqlite:"):
            return {name for (name,) in self.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {name for (name,) in self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}

    def row_counts(self) -> dict[str, int]:
        """Rows in every table of the project's models (and Django's) that the database holds."""
        from django.apps import apps

        present = self.tables()
        names = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True)} & present)
        if not names:
            return {}
        sql = " UNION ALL ".join(f"SELECT '{name}', COUNT(*) FROM \"{name}\"" for name in names)
        return dict(self.query(sql))


def _pg_admin_url() -> str:
    """The test run's server, its maintenance database."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def _pg_execute(sql: str) -> None:
    import psycopg

    admin = _pg_admin_url().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql)


@contextmanager
def scratch_database(var_dir: Path, *, migrate: bool = True) -> Iterator[Scratch]:
    """An empty database of the run's engine (migrated when `migrate`), removed afterwards. `var_dir` is the
    CISTERN_VAR_DIR its commands share (secret and field keys, mail)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    name = f"cistern_scratch_{uuid.uuid4().hex[:12]}"
    if on_postgresql():
        _pg_execute(f'CREATE DATABASE "{name}"')
        scratch = Scratch(_with_database(os.environ["DATABASE_URL"], name), var_dir, name)
    else:
        scratch = Scratch(f"sqlite:///{var_dir / (name + '.sqlite3')}", var_dir, name)
    try:
        if migrate:
            scratch.manage("migrate", "--no-input", "-v", "0")
        yield scratch
    finally:
        if on_postgresql():
            _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
