from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cistern.metering.batch import AlreadyImported, ImportRefused, reads_import


class Command(BaseCommand):
    help = (
        "Import a read file (CSV or XLSX: meter_serial, read_date, value, source, reader_code, note). A file "
        "with any malformed line is refused whole, with every error as file:line:field; a file already "
        "imported changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="Username the import is recorded under (audit).")

    def handle(self, *args, file: Path, user: str, **options):
        try:
            actor = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user {user!r} (or the account is inactive).") from None
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        try:
            with file.open("rb") as content:
                result = reads_import(actor=actor, file_name=file.name, content=content)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except AlreadyImported as exc:
            self.stdout.write(str(exc))
            return
        except ImportRefused as exc:
            listed = "\n".join(exc.errors)
            more = f"\n… and {exc.total - len(exc.errors):,} more" if exc.total > len(exc.errors) else ""
            raise CommandError(f"{listed}{more}\n{exc}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{file.name}: {result.rows:,} reads: {result.accepted:,} accepted, {result.exceptions:,} "
                f"exceptions, {result.skipped:,} skipped (already stored). Import {result.read_import.pk}."
            )
        )
