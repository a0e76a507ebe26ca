from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cistern.core import clock
from cistern.ledger.services import LedgerError, deposits_credit_back


class Command(BaseCommand):
    help = (
        "Credit each deposit held back to its account once the account meets the district's good-payment rule "
        "on --on (default today): in service the set number of months, few enough late payments, no lock-off. "
        "Safe to run again: a deposit is credited once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--on", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--user", required=True, help="Username the credits are posted under (audit).")
        parser.add_argument(
            "--daily",
            action="store_true",
            help="Queue the daily task instead (database task backend: it runs each morning under a "
            "`manage.py db_worker`, for that day).",
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
            from cistern.ledger.tasks import credit_back_deposits_daily

            result = credit_back_deposits_daily.enqueue(actor.pk, on.isoformat())
            self.stdout.write(f"Daily deposit credit-back queued from {on:%m/%d/%Y} (task {result.id}).")
            return
        try:
            done = deposits_credit_back(actor=actor, on=on)
        except (LedgerError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        total = sum((line.amount for e in done.credited for line in e.lines.all() if line.amount > 0), 0)
        self.stdout.write(
            f"{done.looked_at} accounts holding a deposit looked at on {on:%m/%d/%Y}: {len(done.credited)} "
            f"credited (${total:,.2f}), {done.not_yet_due} not yet due ({done.too_new} in service too short a "
            f"time, {done.too_many_late} with too many late payments, {done.locked_off} locked off)."
        )
