from django.db import migrations


def guards(apps, schema_editor):
    from cistern.core.db_guards import install_append_only

    install_append_only(schema_editor.connection, "payments")


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(guards, migrations.RunPython.noop)]
