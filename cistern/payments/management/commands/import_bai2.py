from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cistern.payments.lockbox_services import bai2_import
from cistern.payments.services import PaymentError


class Command(BaseCommand):
    help = (
        "Reconcile the bank's BAI2 file: its lockbox deposits (type 115) for each as-of date against the lockbox "
        "items posted for that deposit date. The difference goes on the reconciliation report. A malformed "
        "file is refused and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="Username the import is recorded under (audit).")
        parser.add_argument(
            "--account", default=None,
            help="The district's account at the bank (03 record); default: settings.CISTERN_LOCKBOX_BANK_ACCOUNT, "
            "or every account the file reports.",
        )  # fmt: skip

    def handle(self, *args, file: Path, user: str, account: str | None, **options):
        try:
            actor = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user {user!r} (or the account is inactive).") from None
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        try:
            made = bai2_import(actor=actor, file_name=file.name, content=file.read_bytes(), account=account)
        except PermissionDenied as exc:
            raise CommandError(str(exc) or f"{user} may not import BAI2 files.") from None
        except PaymentError as exc:
            raise CommandError(str(exc)) from None
        for r in made:
            state = "balances" if r.difference == 0 else f"difference ${r.difference:,.2f}"
            self.stdout.write(
                self.style.SUCCESS(
                    f"{r.as_of:%m/%d/%Y}: bank lockbox deposits ${r.bank_lockbox_total:,.2f}, posted lockbox items "
                    f"${r.posted_lockbox_total:,.2f}: {state}."
                )
            )
