"""`manage.py backup` and `manage.py restore` on the engine of the test run, against scratch databases: a demo
district backed up, restored into an empty database with every table's rows and the ledger intact, and the
refusals that keep a district's books from being overwritten."""

import pytest

from .scratch import on_postgresql, scratch_database

ENGINE = "PostgreSQL" if on_postgresql() else "SQLite"
OTHER_ENGINE_HEADER = b"SQLite format 3\x00" if on_postgresql() else b"PGDMP\x01\x0e\x00"


SEED = ("seed_district", "--accounts", "30", "--seed", "3", "--history-months", "4")


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    """A migrated scratch database holding a small demo district, its backup file, and a backup of the same
    database taken when it was only migrated (restored, it makes a migrated empty database without running
    every migration again)."""
    var_dir = tmp_path_factory.mktemp("backup")
    with scratch_database(var_dir) as source:
        migrated = var_dir / "migrated.backup"
        source.manage("backup", "--out", str(migrated))
        source.manage(*SEED)
        out = var_dir / "district.backup"
        done = source.manage("backup", "--out", str(out))
        source.migrated = migrated
        yield source, out, done.stdout


def test_backup_names_the_file_its_size_and_counts(district):
    source, out, stdout = district
    assert out.stat().st_size > 0
    assert f"Backed up to {out} (" in stdout
    counts = source.row_counts()
    assert counts["customers_account"] == 30
    assert "30 accounts, " in stdout
    assert f"{counts['billing_bill']:,} bills" in stdout
    assert f"{counts['ledger_journalentry']:,} journal entries" in stdout
    assert (
        f"backup {'postgresql' if on_postgresql() else 'sqlite'} -> {out}"
        in (source.var_dir / "backup.log").read_text()
    )


def test_restore_into_a_migrated_empty_database_gives_the_same_rows_and_ledger(district):
    source, out, _ = district
    with scratch_database(source.var_dir, migrate=False) as target:
        assert target.tables() == set()
        target.manage("restore", str(source.migrated))  # into a database without tables
        migrated = target.row_counts()
        assert migrated["auth_permission"] > 0 and migrated["ledger_glaccount"] > 0
        assert (
            migrated["customers_account"] == migrated["billing_bill"] == migrated["ledger_journalentry"] == 0
        )

        done = target.manage("restore", str(out))  # into a migrated, empty one
        assert f"Restored from {out}" in done.stdout
        expected = source.row_counts()
        assert expected["customers_account"] == 30
        assert expected["ledger_journalline"] > 0
        assert target.row_counts() == expected
        ledger = target.manage("verify_ledger", check=False)
        assert ledger.returncode == 0, ledger.stderr
        assert "The ledger balances" in ledger.stdout


def test_restore_into_a_database_in_use_is_refused_and_changes_nothing(district):
    source, out, _ = district
    before = source.row_counts()
    done = source.manage("restore", str(out), check=False)
    assert done.returncode != 0
    assert "is in use: " in done.stderr
    assert "billing_bill (" in done.stderr
    assert "nothing was changed" in done.stderr
    assert source.row_counts() == before


def test_backup_refuses_an_existing_file_unless_forced(district, tmp_path):
    source, _, _ = district
    existing = tmp_path / "yesterday.backup"
    existing.write_bytes(b"yesterday's backup")
    done = source.manage("backup", "--out", str(existing), check=False)
    assert done.returncode != 0
    assert f"{existing} already exists; name another file or pass --force to overwrite it." in done.stderr
    assert existing.read_bytes() == b"yesterday's backup"
    source.manage("backup", "--out", str(existing), "--force")
    assert existing.read_bytes()[:5] != b"yeste"


def test_restore_refuses_a_backup_of_the_other_engine(district, tmp_path):
    source, _, _ = district
    foreign = tmp_path / "other.backup"
    foreign.write_bytes(OTHER_ENGINE_HEADER + b"\x00" * 100)
    with scratch_database(source.var_dir, migrate=False) as target:
        done = target.manage("restore", str(foreign), check=False)
        assert done.returncode != 0
        other = "SQLite" if on_postgresql() else "PostgreSQL"
        assert f"is a {other} backup and this database is {ENGINE}" in done.stderr
        assert target.row_counts() == {}


def test_restore_refuses_a_file_that_is_no_backup(district, tmp_path):
    source, _, _ = district
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    done = source.manage("restore", str(junk), check=False)
    assert done.returncode != 0
    assert "is neither a PostgreSQL (pg_dump custom) nor a SQLite backup" in done.stderr
