from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cistern.payments.lockbox_services import ImportRefused, lockbox_import


class Command(BaseCommand):
    help = (
        "Import the bank's lockbox remittance detail (CSV: scanline,amount,check_number,deposit_date). Items "
        "whose scanline names an account are posted; the others go to the suspense queue with the reason. A "
        "malformed file is refused whole, with every error as file:line:field; an item posted before is never "
        "posted again."
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
                result = lockbox_import(actor=actor, file_name=file.name, content=content)
        except PermissionDenied as exc:
            raise CommandError(str(exc) or f"{user} may not import lockbox files.") from None
        except ImportRefused as exc:
            listed = "\n".join(exc.errors)
            more = f"\n… and {exc.total - len(exc.errors):,} more" if exc.total > len(exc.errors) else ""
            raise CommandError(f"{listed}{more}\n{exc}") from None
        self.stdout.write(self.style.SUCCESS(f"{result.summary} Lockbox file {result.file.pk}."))
