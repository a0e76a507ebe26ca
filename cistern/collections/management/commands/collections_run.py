from django.core.management.base import CommandError

from cistern.collections.services import CollectionsError, collections_run
from cistern.collections.tasks import collections_run_daily
from cistern.core import clock
from cistern.ledger.management.daily import DailyJobCommand


class Command(DailyJobCommand):
    help = (
        "Run the day's collection steps for --on (default today): the late-fee assessment, past-due reminders, "
        "shutoff notices (with occupant copies), door-hangers and the proposed lock-off list, each checked "
        "against the shutoff policy. Safe to run again: nothing is sent twice. --dry-run counts and keeps "
        "nothing. --daily queues the task that runs each morning at 06:00."
    )
    task = collections_run_daily
    what = "collection run"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what the run would do; keep nothing."
        )

    def handle(self, *args, **options):
        self._dry_run = options["dry_run"]
        return super().handle(*args, **options)

    def run(self, *, actor, on):
        try:
            with clock.on(on):
                return collections_run(actor=actor, on=on, dry_run=self._dry_run).line()
        except CollectionsError as exc:
            raise CommandError(str(exc)) from None
