from django.core.management.base import CommandError

from cistern.ledger.management.daily import DailyJobCommand
from cistern.payments.autopay import autopay_schedule, autopay_schedule_daily
from cistern.payments.services import PaymentError


class Command(DailyJobCommand):
    help = (
        "The autopay daily job for --on (default today): enrolments whose prenote was not returned become "
        "active on their live date; each posted bill of an active enrolment gets its debit for the due date (or "
        "the next banking day); a debit not yet sent for a cancelled bill is cancelled. Safe to run again: "
        "nothing is scheduled twice. --daily queues the task that runs each morning."
    )
    task = autopay_schedule_daily
    what = "autopay scheduling"

    def run(self, *, actor, on):
        try:
            return str(autopay_schedule(actor=actor, on=on))
        except PaymentError as exc:
            raise CommandError(str(exc)) from None
