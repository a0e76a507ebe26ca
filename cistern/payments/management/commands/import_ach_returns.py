from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cistern.payments.autopay import ReturnFileRefused, ach_returns_import
from cistern.payments.services import PaymentError

MAX_BYTES = 20 * 1024 * 1024  # a day's return file is a few kilobytes; anything this big is not one


class Command(BaseCommand):
    help = (
        "Record the returns of a NACHA return file (entries with addenda 99: the return code and the original "
        "trace number): each payment is reversed; an end code ends the enrolment, R01/R09 present the debit "
        "again. A file with any return that matches no debit sent is refused whole; the same file twice "
        "records nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="Username the returns are recorded under (audit).")
        parser.add_argument("--on", help="YYYY-MM-DD: the day the returns came back (default today).")

    def handle(self, *args, file: Path, user: str, on: str | None, **options):
        try:
            returned_on = date.fromisoformat(on) if on else None
        except ValueError:
            raise CommandError(f"--on {on!r} is not a date (YYYY-MM-DD).") from None
        try:
            actor = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"There is no user {user!r} (or the account is inactive).") from None
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        if file.stat().st_size > MAX_BYTES:
            raise CommandError(f"{file.name} is over {MAX_BYTES // (1024 * 1024)} MB: not a return file.")
        try:
            text = file.read_text(encoding="ascii")
        except UnicodeDecodeError:
            raise CommandError(f"{file.name}: a NACHA file is plain ASCII text.") from None
        try:
            results = ach_returns_import(actor=actor, text=text, file_name=file.name, returned_on=returned_on)
        except ReturnFileRefused as exc:
            raise CommandError("\n".join([*exc.errors, str(exc)])) from None
        except (PaymentError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        for result in results:
            self.stdout.write(str(result))
        new = sum(1 for r in results if not r.already)
        self.stdout.write(self.style.SUCCESS(f"{file.name}: {len(results)} returns, {new} recorded now."))
