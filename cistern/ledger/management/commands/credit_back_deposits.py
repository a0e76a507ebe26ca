from cistern.ledger.management.daily import DailyJobCommand
from cistern.ledger.services import deposits_credit_back
from cistern.ledger.tasks import credit_back_deposits_daily


class Command(DailyJobCommand):
    help = (
        "Credit each deposit held back to its account once the account meets the district's good-payment rule "
        "on --on (default today): in service the set number of months, few enough late payments, no lock-off. "
        "Safe to run again: a deposit is credited once. --daily queues the task that runs each morning."
    )
    task = credit_back_deposits_daily
    what = "deposit credit-back"

    def run(self, *, actor, on):
        done = deposits_credit_back(actor=actor, on=on)
        total = sum((line.amount for e in done.credited for line in e.lines.all() if line.amount > 0), 0)
        return (
            f"{done.looked_at} accounts holding a deposit looked at on {on:%m/%d/%Y}: {len(done.credited)} "
            f"credited (${total:,.2f}), {done.not_yet_due} not yet due ({done.too_new} in service too short a "
            f"time, {done.too_many_late} with too many late payments, {done.locked_off} locked off)."
        )
