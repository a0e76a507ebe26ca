from cistern.ledger.management.daily import DailyJobCommand
from cistern.ledger.services import assess_late_fees
from cistern.ledger.tasks import assess_late_fees_daily


class Command(DailyJobCommand):
    help = (
        "Charge the fee catalog's late penalty on every bill still open past its grace period on --on "
        "(default today), once per bill. Safe to run again: nothing is charged twice. --daily queues the task "
        "that runs each morning at 06:00."
    )
    task = assess_late_fees_daily
    what = "late-fee assessment"

    def run(self, *, actor, on):
        entries = assess_late_fees(actor=actor, on=on)
        total = sum((line.amount for e in entries for line in e.lines.all() if line.account_id), 0)
        return f"{len(entries)} late penalties on {on:%m/%d/%Y}, ${total:,.2f} in all."
