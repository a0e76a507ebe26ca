"""What every benchmark script shares: the PostgreSQL it may use, and a fresh database of its own there."""

PG_DSN = "host=127.0.0.1 port=5432 user=postgres"


def pg_url(database: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{database}"


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_DSN} dbname=postgres", connect_timeout=3):
            return True
    except Exception:
        return False


def recreate_pg_database(database: str) -> None:
    """Drop and create the benchmark's own database (never any other)."""
    import psycopg

    with psycopg.connect(f"{PG_DSN} dbname=postgres", autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {database}")


def engines_to_run(choice: str) -> list[str]:
    """`--engine sqlite|postgresql|both` as a list; PostgreSQL left out (and said so) when nothing answers."""
    engines = ["sqlite", "postgresql"] if choice == "both" else [choice]
    if "postgresql" in engines and not postgres_reachable():
        print("PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres): skipped.")
        engines.remove("postgresql")
    return engines
