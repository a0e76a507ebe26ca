"""PostgreSQL: a bill's meter spans and lines are checked against their bill once per statement, not once per
row at commit.

Django makes every foreign key a DEFERRABLE INITIALLY DEFERRED constraint: one trigger call per inserted row
and key, each an index probe and a row lock, all fired at commit (a bill run's batch of 5,000 bills fires some
80,000 of them). Three of those keys are replaced by one set-based check per INSERT or COPY statement, over the
rows it inserted (its transition table), which refuses the same rows:

- billing_billmeter.bill_id and billing_billline.bill_id: the bill must exist. Bills are append-only (their
  UPDATE and DELETE are refused by core.db_guards), so a bill that exists when its parts are written stays: the
  key share lock the foreign key took to keep it there has nothing left to guard against.
- billing_billline.installation_id: a line names the meter it bills, which is one of its own bill's meter
  spans. The check is that stronger rule (a billing_billmeter row with the same bill and installation), and
  that span's own foreign key (kept) is what keeps the installation from being deleted; spans are append-only.

So a bill's meters and lines are written after the bill, and a line after its bill's meters (as posting and the
bill actions write them); the check is at the end of the statement rather than at commit. Rows written before
this migration were checked by the constraints it drops. SQLite keeps its foreign keys (its checks are cheap,
and it has no statement triggers); the models are unchanged, so on PostgreSQL Django's state still names these
three constraints: a later migration that alters these fields would find none to drop.
"""

from django.db import migrations

BILL_SPANS = "billing_billmeter"
BILL_LINES = "billing_billline"

# Each new row's parent, probed through its index (the LIMIT keeps it a probe per row, whatever the planner
# thinks of the tables' sizes); the first orphan found is named.
FUNCTIONS = [
    """
CREATE OR REPLACE FUNCTION cistern_bill_spans_have_bills() RETURNS trigger AS $$
DECLARE orphan record;
BEGIN
    SELECT n.id, n.bill_id INTO orphan FROM cistern_new_spans n
        LEFT JOIN LATERAL (SELECT 1 AS found FROM billing_bill b WHERE b.id = n.bill_id LIMIT 1) x ON true
        WHERE x.found IS NULL LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'bill meter % names bill %, which does not exist', orphan.id, orphan.bill_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
""",
    """
CREATE OR REPLACE FUNCTION cistern_bill_lines_have_bills() RETURNS trigger AS $$
DECLARE orphan record;
BEGIN
    SELECT n.id, n.bill_id, n.installation_id INTO orphan FROM cistern_new_lines n
        LEFT JOIN LATERAL (
            SELECT 1 AS found FROM billing_bill b WHERE n.installation_id IS NULL AND b.id = n.bill_id
            UNION ALL
            SELECT 1 FROM billing_billmeter m WHERE m.bill_id = n.bill_id AND m.installation_id = n.installation_id
            LIMIT 1
        ) x ON true
        WHERE x.found IS NULL LIMIT 1;
    IF FOUND AND orphan.installation_id IS NULL THEN
        RAISE EXCEPTION 'bill line % names bill %, which does not exist', orphan.id, orphan.bill_id
            USING ERRCODE = 'foreign_key_violation';
    ELSIF FOUND THEN
        RAISE EXCEPTION 'bill line % names bill % and meter installation %, which is not one of that bill''s meters',
            orphan.id, orphan.bill_id, orphan.installation_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
""",
]
TRIGGERS = [
    f"CREATE TRIGGER billing_billmeter_has_bill AFTER INSERT ON {BILL_SPANS} REFERENCING NEW TABLE AS "
    "cistern_new_spans FOR EACH STATEMENT EXECUTE FUNCTION cistern_bill_spans_have_bills()",
    f"CREATE TRIGGER billing_billline_has_bill AFTER INSERT ON {BILL_LINES} REFERENCING NEW TABLE AS "
    "cistern_new_lines FOR EACH STATEMENT EXECUTE FUNCTION cistern_bill_lines_have_bills()",
]
REPLACED = [(BILL_SPANS, "bill_id", "billing_bill"), (BILL_LINES, "bill_id", "billing_bill"),
            (BILL_LINES, "installation_id", "metering_meterinstallation")]  # fmt: skip


def drop_foreign_key(table: str, column: str) -> str:
    """The statement that drops `table`'s foreign key on `column` (Django names it with a hash)."""
    return f"""
DO $$ DECLARE name text; BEGIN
    SELECT c.conname INTO name FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.conrelid = '{table}'::regclass AND c.contype = 'f' AND a.attname = '{column}'
            AND cardinality(c.conkey) = 1;
    IF name IS NOT NULL THEN
        EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', name);
    END IF;
END $$"""  # noqa: S608 (our own table and column names)


def add_foreign_key(table: str, column: str, to: str) -> str:
    return (
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fk FOREIGN KEY ({column}) REFERENCES {to} (id) "
        "DEFERRABLE INITIALLY DEFERRED"
    )


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in FUNCTIONS + [
            f"DROP TRIGGER IF EXISTS billing_billmeter_has_bill ON {BILL_SPANS}",
            f"DROP TRIGGER IF EXISTS billing_billline_has_bill ON {BILL_LINES}",
            *TRIGGERS,
        ]:
            cursor.execute(statement)
        for table, column, _ in REPLACED:
            cursor.execute(drop_foreign_key(table, column))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER IF EXISTS billing_billmeter_has_bill ON {BILL_SPANS}")
        cursor.execute(f"DROP TRIGGER IF EXISTS billing_billline_has_bill ON {BILL_LINES}")
        for table, column, to in REPLACED:
            cursor.execute(add_foreign_key(table, column, to))


class Migration(migrations.Migration):
    dependencies = [("billing", "0007_bill_line_meter")]
    operations = [migrations.RunPython(forwards, backwards)]
