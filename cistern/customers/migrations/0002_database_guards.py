from django.db import migrations


def install(apps, schema_editor):
    from cistern.core.db_guards import install_append_only
    from cistern.customers.search_index import install_search_index

    install_append_only(schema_editor.connection, "customers")
    install_search_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
