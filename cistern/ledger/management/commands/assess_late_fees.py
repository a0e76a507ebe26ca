from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cistern.core import clock
from cistern.ledger.services import LedgerError, assess_late_fees


class Command(BaseCommand):
    help = (
        "Charge the fee catalog's late penalty on every bill still open past its grace period on --on "
        "(default today), once per bill. Safe to run again: nothing is charged twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--on", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--user", required=True, help="Username the penalties are posted under (audit).")
        parser.add_argument(
            "--daily",
            action="store_true",
            help="Queue the daily task instead (database task backend: it runs each morning at 06:00 under a "
            "`manage.py db_worker`, assessing that day).",
        )

    def handle(self, *args, **options):
        try:
            on = date.fromisoformat(options["on"]) if options["on"] else clock.today()
        except ValueError:
            raise CommandError(f"--on {options['on']!r} is not a date (YYYY-MM-DD).") from None
        try:
            actor = get_user_model().objects.get(username=options["user"], is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(
                f"There is no user {options['user']!r} (or the account is inactive)."
            ) from None
        if options["daily"]:
            from cistern.ledger.tasks import assess_late_fees_daily

            result = assess_late_fees_daily.enqueue(actor.pk, on.isoformat())
            self.stdout.write(f"Daily late-fee assessment queued from {on:%m/%d/%Y} (task {result.id}).")
            return
        try:
            entries = assess_late_fees(actor=actor, on=on)
        except (LedgerError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        total = sum((line.amount for e in entries for line in e.lines.all() if line.account_id), 0)
        self.stdout.write(f"{len(entries)} late penalties on {on:%m/%d/%Y}, ${total:,.2f} in all.")
