"""The database index behind the global search box, one per database engine.

PostgreSQL: pg_trgm GIN on account.search_text, so LIKE '%fragment%' uses the index.
SQLite: an FTS5 trigram table over the same column, kept current by triggers. Idempotent, and run again
after every migrate because SQLite drops triggers when a migration rebuilds the account table.

A trigram index can only look up patterns of at least three characters. SQLite's FTS5 does not refuse a
shorter one: it answers wrongly, and Debian 12's SQLite 3.40.1 segfaults (taking the server with it) on
`LIKE '%x%' AND LIKE '%pratt%'`, a short pattern before a long one. So only words of INDEXED_MIN_LENGTH
characters or more are ever sent to the index (`split_for_index`); shorter words filter the rows it finds.
"""

INDEXED_MIN_LENGTH = 3


def split_for_index(words: list[str]) -> tuple[list[str], list[str]]:
    """(words the trigram index may look up, words too short for it), each in the order typed."""
    indexed = [w for w in words if len(w) >= INDEXED_MIN_LENGTH]
    short = [w for w in words if len(w) < INDEXED_MIN_LENGTH]
    return indexed, short


SQLITE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS customers_account_fts USING fts5("
    "search_text, content='customers_account', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS customers_account_fts_ai AFTER INSERT ON customers_account BEGIN "
    "INSERT INTO customers_account_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS customers_account_fts_ad AFTER DELETE ON customers_account BEGIN "
    "INSERT INTO customers_account_fts(customers_account_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS customers_account_fts_au AFTER UPDATE OF search_text ON customers_account "
    "BEGIN INSERT INTO customers_account_fts(customers_account_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO customers_account_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS account_search_trgm ON customers_account USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS premise_street_trgm ON customers_premise USING gin (UPPER(street) gin_trgm_ops)",
]


def install_search_index(connection) -> None:
    if "customers_account" not in connection.introspection.table_names():
        return
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def after_migrate(sender, app_config=None, using="default", **kwargs):
    from django.db import connections

    if app_config is not None and app_config.label == "customers":
        install_search_index(connections[using])
