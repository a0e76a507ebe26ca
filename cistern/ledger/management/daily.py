"""What the ledger's daily jobs share as commands: `--on` (default today), `--user` (who posts, for the
audit), and `--daily` to queue the job's task, which then requeues itself each morning."""

from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cistern.core import clock
from cistern.ledger.services import LedgerError


class DailyJobCommand(BaseCommand):
    task = None  # the job's daily task (ledger/tasks.py)
    what = ""  # "late-fee assessment", for the queued message

    def run(self, *, actor, on: date) -> str:
        """Do the day's job and say what was done."""
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--on", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--user", required=True, help="Username the entries are posted under (audit).")
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
            result = self.task.enqueue(actor.pk, on.isoformat())
            self.stdout.write(f"Daily {self.what} queued from {on:%m/%d/%Y} (task {result.id}).")
            return
        try:
            self.stdout.write(self.run(actor=actor, on=on))
        except (LedgerError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
