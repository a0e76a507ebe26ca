"""The database index behind the global search box, one per database engine.

PostgreSQL: pg_trgm GIN on account.search_text, so LIKE '%fragment%' uses the index.
SQLite: an FTS5 trigram table over the same column, kept current by triggers. Idempotent, and run again
after every migrate because SQLite drops triggers when a migration rebuilds the account table.

A trigram index can only look up patterns of at least three characters. SQLite's FTS5 does not refuse a
shorter one: it answers wrongly, and Debian 12's SQLite 3.40.1 segfaults (taking the server with it) on
`LIKE '%x%' AND LIKE '%pratt%'`, a short pattern before a long one. So only words of INDEXED_MIN_LENGTH
characters or more are ever sent to the index (`split_for_index`); shorter words filter the rows it finds.

The words of the index (for close matches of a misspelled word, `selectors.close_words`): on PostgreSQL the
table customers_searchword (every word of three letters or more any account's search text has held, kept by
triggers, with a pg_trgm GIN index so `word % 'jonson'` finds "johnson"); on SQLite the vocabulary of an FTS5
word index (unicode61) over the same column, read through an fts5vocab table. On PostgreSQL a word whose accounts are
gone stays: it only leads to a search that finds nothing more.
"""

INDEXED_MIN_LENGTH = 3


def split_for_index(words: list[str]) -> tuple[list[str], list[str]]:
    """(words the trigram index may look up, words too short for it), each in the order typed."""
    indexed = [w for w in words if len(w) >= INDEXED_MIN_LENGTH]
    short = [w for w in words if len(w) < INDEXED_MIN_LENGTH]
    return indexed, short


def split_groups_for_index(
    groups: list[tuple[str, ...]],
) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """Groups of alternative words (`search_text.query_groups`): those whose every alternative the trigram index
    may look up, and the others (any alternative too short), each in the order typed."""
    indexed = [g for g in groups if all(len(w) >= INDEXED_MIN_LENGTH for w in g)]
    short = [g for g in groups if any(len(w) < INDEXED_MIN_LENGTH for w in g)]
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
    # The words of the index: an FTS5 word index over the same column, and its vocabulary.
    "CREATE VIRTUAL TABLE IF NOT EXISTS customers_account_words USING fts5("
    "search_text, content='customers_account', content_rowid='id', tokenize='unicode61', detail='none')",
    "CREATE TRIGGER IF NOT EXISTS customers_account_words_ai AFTER INSERT ON customers_account BEGIN "
    "INSERT INTO customers_account_words(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS customers_account_words_ad AFTER DELETE ON customers_account BEGIN "
    "INSERT INTO customers_account_words(customers_account_words, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER IF NOT EXISTS customers_account_words_au AFTER UPDATE OF search_text ON customers_account "
    "BEGIN INSERT INTO customers_account_words(customers_account_words, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO customers_account_words(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE VIRTUAL TABLE IF NOT EXISTS customers_account_vocab USING fts5vocab(customers_account_words, 'row')",
]
SQLITE_FILL_WORDS = "INSERT INTO customers_account_words(customers_account_words) VALUES ('rebuild')"

# Every word of three letters or more in an account's (folded, lower-case) search text.
_PG_WORDS_OF = "SELECT DISTINCT w FROM {rows}, regexp_split_to_table({rows}.search_text, '[^a-z]+') AS w WHERE length(w) >= 3"

# An account's search text as its words (the same split as the words of the index above); the word index is on
# this expression, so a query names it exactly as here.
PG_WORDS_OF_TEXT = "regexp_split_to_array(search_text, '[^a-z]+')"

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS account_search_trgm ON customers_account USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS premise_street_trgm ON customers_premise USING gin (UPPER(street) gin_trgm_ops)",
    # The whole words of each account's text, for close words (selectors._holds_a_word): a posting list per
    # word, where the trigram index intersects the lists of every trigram of every word.
    f"CREATE INDEX IF NOT EXISTS account_search_words ON customers_account USING gin ({PG_WORDS_OF_TEXT})",
    "CREATE TABLE IF NOT EXISTS customers_searchword (word text PRIMARY KEY)",
    "CREATE INDEX IF NOT EXISTS searchword_trgm ON customers_searchword USING gin (word gin_trgm_ops)",
    # Inserted accounts (a COPY of 20,000 included): their words in one statement.
    "CREATE OR REPLACE FUNCTION customers_searchword_inserted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"INSERT INTO customers_searchword (word) {_PG_WORDS_OF.format(rows='new_rows')} ON CONFLICT DO NOTHING; "
    "RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER customers_searchword_ai AFTER INSERT ON customers_account "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION customers_searchword_inserted()",
    # An account whose search text changed (a new name, a corrected address).
    "CREATE OR REPLACE FUNCTION customers_searchword_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO customers_searchword (word) SELECT DISTINCT w FROM regexp_split_to_table(NEW.search_text, "
    "'[^a-z]+') AS w WHERE length(w) >= 3 ON CONFLICT DO NOTHING; RETURN NULL; END $$",
    "CREATE OR REPLACE TRIGGER customers_searchword_au AFTER UPDATE OF search_text ON customers_account "
    "FOR EACH ROW WHEN (OLD.search_text IS DISTINCT FROM NEW.search_text) "
    "EXECUTE FUNCTION customers_searchword_changed()",
]
PG_FILL_WORDS = f"INSERT INTO customers_searchword (word) {_PG_WORDS_OF.format(rows='customers_account')} ON CONFLICT DO NOTHING"


def install_search_index(connection) -> None:
    tables = connection.introspection.table_names()
    if "customers_account" not in tables:
        return
    statements = {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(connection.vendor, [])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'customers_account_words'")
            new_words = cursor.fetchone() is None
        else:
            new_words = "customers_searchword" not in tables
        for statement in statements:
            cursor.execute(statement)
        if new_words:  # the words of the accounts already there
            fill = {"sqlite": SQLITE_FILL_WORDS, "postgresql": PG_FILL_WORDS}.get(connection.vendor)
            if fill:
                cursor.execute(fill)


def after_migrate(sender, app_config=None, using="default", **kwargs):
    from django.db import connections

    if app_config is not None and app_config.label == "customers":
        install_search_index(connections[using])
