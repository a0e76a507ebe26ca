from django.db import migrations


def guards(apps, schema_editor):
    """PostgreSQL: the journal's balance check once per statement instead of once per line (core.db_guards)."""
    from cistern.core.db_guards import install_append_only

    install_append_only(schema_editor.connection, "ledger")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0010_late_fee_reversal_pick")]
    operations = [migrations.RunPython(guards, migrations.RunPython.noop)]
