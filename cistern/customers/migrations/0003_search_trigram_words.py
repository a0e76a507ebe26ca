"""Search finds close matches of a misspelled word: pg_trgm (TrigramExtension) and the words of the index with
their GIN trigram index on PostgreSQL, an FTS5 word index and its vocabulary on SQLite (search_index)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


def install(apps, schema_editor):
    from cistern.customers.search_index import install_search_index

    install_search_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_database_guards")]
    operations = [TrigramExtension(), migrations.RunPython(install, migrations.RunPython.noop)]
