from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cistern.core import backup


class Command(BaseCommand):
    help = (
        "Back up the database to one file: pg_dump's custom format on PostgreSQL, SQLite's online backup on "
        "SQLite. Refuses an existing file unless --force. Prints the file, its size and a few counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", required=True, type=Path, metavar="FILE", help="The backup file to write."
        )
        parser.add_argument("--force", action="store_true", help="Overwrite FILE when it exists.")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")

    def handle(self, *, out, force, database, **options):
        try:
            outcome = backup.backup(out, force=force, using=database)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        for line in outcome.lines("Backed up to"):
            self.stdout.write(line)
