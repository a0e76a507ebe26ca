"""PostgreSQL: a journal line is checked against its entry once per statement, not once per row at commit.

ledger_journalline.entry_id's foreign key (DEFERRABLE INITIALLY DEFERRED, as Django makes them) fires one
trigger call per line at commit, each an index probe and a key share lock on the entry. It is replaced by one
set-based check per INSERT or COPY statement over the lines it inserted (its transition table), which refuses
the same lines: the entry must exist. Entries are append-only (UPDATE and DELETE refused by core.db_guards), so
an entry that exists when its lines are written stays; the lock had nothing left to guard against. Lines are
written after their entry (journal_insert, the ledger's services); the check is at the end of the statement
rather than at commit. Lines written before this migration were checked by the constraint it drops. SQLite
keeps its foreign key; the model is unchanged, so on PostgreSQL Django's state still names the constraint.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION cistern_journal_lines_have_entries() RETURNS trigger AS $$
DECLARE orphan record;
BEGIN
    SELECT n.id, n.entry_id INTO orphan FROM cistern_new_entry_lines n
        LEFT JOIN LATERAL (SELECT 1 AS found FROM ledger_journalentry e WHERE e.id = n.entry_id LIMIT 1) x ON true
        WHERE x.found IS NULL LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal line % names entry %, which does not exist', orphan.id, orphan.entry_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""
TRIGGER = (
    "CREATE TRIGGER ledger_journalline_has_entry AFTER INSERT ON ledger_journalline REFERENCING NEW TABLE AS "
    "cistern_new_entry_lines FOR EACH STATEMENT EXECUTE FUNCTION cistern_journal_lines_have_entries()"
)
DROP_FOREIGN_KEY = """
DO $$ DECLARE name text; BEGIN
    SELECT c.conname INTO name FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.conrelid = 'ledger_journalline'::regclass AND c.contype = 'f' AND a.attname = 'entry_id'
            AND cardinality(c.conkey) = 1;
    IF name IS NOT NULL THEN
        EXECUTE format('ALTER TABLE ledger_journalline DROP CONSTRAINT %I', name);
    END IF;
END $$"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        cursor.execute("DROP TRIGGER IF EXISTS ledger_journalline_has_entry ON ledger_journalline")
        cursor.execute(TRIGGER)
        cursor.execute(DROP_FOREIGN_KEY)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER IF EXISTS ledger_journalline_has_entry ON ledger_journalline")
        cursor.execute(
            "ALTER TABLE ledger_journalline ADD CONSTRAINT ledger_journalline_entry_id_fk FOREIGN KEY (entry_id) "
            "REFERENCES ledger_journalentry (id) DEFERRABLE INITIALLY DEFERRED"
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0011_journal_balance_per_statement")]
    operations = [migrations.RunPython(forwards, backwards)]
