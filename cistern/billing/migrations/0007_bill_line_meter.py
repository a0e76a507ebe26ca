import django.db.models.deletion
from django.db import migrations, models


def install(apps, schema_editor):
    # The table keeps its append-only guards across the new column (idempotent on both engines).
    from cistern.core.db_guards import install_append_only

    install_append_only(schema_editor.connection, "billing")


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0006_ebill_outcomes"),
        ("metering", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="billline",
            name="installation",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="The meter this line bills; the bill page and PDF group lines by meter.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="metering.meterinstallation",
            ),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
