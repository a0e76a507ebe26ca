from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cistern.core import backup


class Command(BaseCommand):
    help = (
        "Restore a backup (from manage.py backup) into the configured database, which must be empty: no tables, "
        "or migrated and holding no data. On PostgreSQL the database must exist (createdb). Anything else is "
        "refused and left unchanged."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, metavar="FILE", help="The backup file.")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")

    def handle(self, *, file, database, **options):
        try:
            outcome = backup.restore(file, using=database)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        for line in outcome.lines("Restored from"):
            self.stdout.write(line)
        self.stdout.write(
            "Next: manage.py migrate (for a backup from an older release), manage.py verify_ledger."
        )
