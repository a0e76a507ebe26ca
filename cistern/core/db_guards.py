"""Rules the database itself enforces, so a stray UPDATE or DELETE cannot rewrite history.

Installed by migrations and re-checked after every migrate: SQLite drops a table's triggers when a later
migration rebuilds that table, so the guards are put back (CREATE ... IF NOT EXISTS) each time.
"""

# Tables whose rows are never changed or removed once written (app label: tables).
APPEND_ONLY_TABLES = {
    "core": ["core_auditevent"],
    "customers": ["customers_contactentry", "customers_serviceevent", "customers_openingbalance"],
    "metering": ["metering_readimport"],
    "ledger": ["ledger_journalentry", "ledger_journalline"],
    "billing": [
        "billing_bill",
        "billing_billline",
        "billing_billmeter",
        "billing_billcancellation",
        "billing_billrunevent",
        "billing_billemail",
        "billing_billemailoutcome",
    ],
    # A payment's status changes (void, reversal, return); what it was paid with and how it was applied never.
    "payments": ["payments_paymenttender", "payments_paymentpart", "payments_receiptprint"],
}

# PostgreSQL refuses a transaction that leaves a journal entry whose lines do not sum to zero. One check per
# statement, over the rows it inserted (its transition table): an entry balanced by the statement's own lines is
# done with (a bill run's COPY of a hundred thousand entries is one set-based sum). An entry the statement leaves
# unbalanced (its lines written over several statements) is noted in ledger_journalcheck, whose deferred
# constraint trigger sums all of its lines at commit, so lines added later in the same transaction may still
# balance it. An entry that does not balance in the end was unbalanced by at least one statement that wrote its
# lines, so it is always checked. Lines are append-only: nothing else changes a sum. (SQLite has neither
# statement nor deferred triggers: there the ledger's service checks the sum before it writes, and
# verify_ledger finds any entry written around it.)
PG_LEDGER_BALANCES = [
    "CREATE TABLE IF NOT EXISTS ledger_journalcheck (entry_id bigint NOT NULL)",
    """
CREATE OR REPLACE FUNCTION cistern_journal_lines_sum() RETURNS trigger AS $$
BEGIN
    INSERT INTO ledger_journalcheck (entry_id)
        SELECT entry_id FROM cistern_new_lines GROUP BY entry_id HAVING sum(amount) <> 0;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
""",
    """
CREATE OR REPLACE FUNCTION cistern_journal_entry_balances() RETURNS trigger AS $$
DECLARE total numeric;
BEGIN
    SELECT coalesce(sum(amount), 0) INTO total FROM ledger_journalline WHERE entry_id = NEW.entry_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'journal entry % does not balance: its lines sum to %', NEW.entry_id, total
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    DELETE FROM ledger_journalcheck WHERE entry_id = NEW.entry_id;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
""",
    # The trigger this replaces: deferred, for each line, summing the whole entry once per line at commit.
    "DROP TRIGGER IF EXISTS ledger_journalline_balances ON ledger_journalline",
    "DROP TRIGGER IF EXISTS ledger_journalline_sums ON ledger_journalline",
    "CREATE TRIGGER ledger_journalline_sums AFTER INSERT ON ledger_journalline "
    "REFERENCING NEW TABLE AS cistern_new_lines FOR EACH STATEMENT EXECUTE FUNCTION cistern_journal_lines_sum()",
    # Named as the trigger it replaces: SET CONSTRAINTS ledger_journalline_balances IMMEDIATE still checks now.
    "DROP TRIGGER IF EXISTS ledger_journalline_balances ON ledger_journalcheck",
    "CREATE CONSTRAINT TRIGGER ledger_journalline_balances AFTER INSERT ON ledger_journalcheck "
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION cistern_journal_entry_balances()",
]
EXTRA_GUARDS = {("ledger", "postgresql"): PG_LEDGER_BALANCES}

PG_REFUSE_FUNCTION = """
CREATE OR REPLACE FUNCTION cistern_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% on % is refused: its rows are append-only; write a correcting row instead',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;
"""


def append_only_statements(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            PG_REFUSE_FUNCTION,
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION cistern_refuse_change()",
        ]
    if vendor == "sqlite":
        # Tests that need committed data (the browser tests) run a server on a database of their own,
        # because a test runner's flush is a DELETE here (on PostgreSQL a TRUNCATE, which fires no row trigger).
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'UPDATE on {table} is refused: its rows are append-only'); END",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'DELETE on {table} is refused: its rows are append-only'); END",
        ]
    return []


def install_append_only(connection, app_label: str) -> None:
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table in APPEND_ONLY_TABLES.get(app_label, []):
            if table in tables:
                for statement in append_only_statements(connection.vendor, table):
                    cursor.execute(statement)
        if "ledger_journalline" in tables or app_label != "ledger":
            for statement in EXTRA_GUARDS.get((app_label, connection.vendor), []):
                cursor.execute(statement)
