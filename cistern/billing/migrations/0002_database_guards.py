from django.db import migrations


def install(apps, schema_editor):
    from cistern.core.db_guards import install_append_only

    install_append_only(schema_editor.connection, "billing")


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
