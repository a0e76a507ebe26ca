from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cistern.payments.autopay import autopay_export
from cistern.payments.services import PaymentError


class Command(BaseCommand):
    help = (
        "Write the autopay NACHA file (PPD debits) settling on --settle-on (a banking day): every scheduled "
        "debit and prenote due on or before it and not yet sent. The file is created owner-only (0600); its "
        "debits are posted as autopay payments dated the settlement day. A second file the same day takes the "
        "next file id modifier (A, B, ...). Nothing is written when anything fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--settle-on", required=True, help="YYYY-MM-DD: the settlement day, a banking day."
        )
        parser.add_argument("--out", required=True, type=Path, help="The file to write (must not exist).")
        parser.add_argument("--user", required=True, help="Username the file is written under (audit).")

    def handle(self, *args, settle_on: str, out: Path, user: str, **options):
        try:
            day = date.fromisoformat(settle_on)
        except ValueError:
            raise CommandError(f"--settle-on {settle_on!r} is not a date (YYYY-MM-DD).") from None
        try:
            actor = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user {user!r} (or the account is inactive).") from None
        try:
            result = autopay_export(actor=actor, settle_on=day, out=out)
        except (PaymentError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(str(result)))
