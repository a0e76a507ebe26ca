"""The letters and e-mails the product ships with (English and Spanish), and template versions append-only in
the database (a change is a new version; the letters sent keep pointing at the wording they were sent with)."""

from django.db import migrations

from cistern.core.db_guards import append_only_statements


def seed(apps, schema_editor):
    from cistern.correspondence import seed as shipped

    shipped.install(apps.get_model("correspondence", "LetterTemplate"), apps.get_model("correspondence", "TemplateVersion"))


def guards(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for statement in append_only_statements(connection.vendor, "correspondence_templateversion"):
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("correspondence", "0001_initial")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(guards, migrations.RunPython.noop),
    ]
