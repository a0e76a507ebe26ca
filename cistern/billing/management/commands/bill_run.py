from datetime import date

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cistern.billing import documents, selectors, services
from cistern.billing.models import BillCycle, BillRun, RunStatus


class Command(BaseCommand):
    help = (
        "Calculate a cycle's bills for the period ending --period-end (a trial run, created if need be; "
        "calculating again rewrites only the bills whose reads changed). With --post, post the run once a "
        "lead has approved it; a posting that was interrupted resumes where it stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", required=True, help="Cycle code, e.g. C01.")
        parser.add_argument("--period-end", required=True, help="YYYY-MM-DD: the cycle's read date.")
        parser.add_argument("--post", action="store_true", help="Post the approved run.")
        parser.add_argument(
            "--user", default="demo-billing", help="Username the run is worked under (audit)."
        )
        parser.add_argument(
            "--batch-size", type=int, default=services.POST_BATCH, help="Bills per posting transaction."
        )

    def handle(self, *args, cycle, period_end, post, user, batch_size, **options):
        try:
            end = date.fromisoformat(period_end)
        except ValueError:
            raise CommandError(f"--period-end {period_end!r} is not a date (YYYY-MM-DD).") from None
        found = BillCycle.objects.filter(code=cycle).first()
        if found is None:
            codes = ", ".join(BillCycle.objects.values_list("code", flat=True)) or "none yet"
            raise CommandError(f"There is no bill cycle {cycle!r} (cycles: {codes}).")
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"There is no active user {user!r}.")
        run = BillRun.objects.filter(cycle=found, period_end=end).exclude(status=RunStatus.CANCELLED).first()
        quiet = options["verbosity"] == 0
        try:
            if post:
                if run is None:
                    raise CommandError(
                        f"{found.code} has no run for {end:%m/%d/%Y} to post: calculate it first."
                    )
                with tqdm(desc="Posting", unit=" bills", disable=quiet) as bar:
                    run = services.bill_run_post(
                        actor=actor, run=run, progress=_advance(bar), batch_size=batch_size
                    )
                emailed = documents.send_ebills(run)
                self.stdout.write(
                    f"{run}: {run.get_status_display()}, {run.bills.count():,} bills; {emailed:,} e-bills sent."
                )
                return
            if run is None:
                run = services.bill_run_create(actor=actor, cycle=found, period_end=end)
            with tqdm(desc="Calculating", unit=" accounts", disable=quiet) as bar:
                written = services.bill_run_calculate(actor=actor, run=run, progress=_advance(bar))
        except (services.BillingError, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        summary = selectors.run_summary(run)
        exceptions = ", ".join(f"{name} {n}" for name, n in summary["exceptions"].items()) or "none"
        self.stdout.write(
            f"{run} (run {run.pk}): {summary['billable']:,} bills, ${summary['amount']:,.2f}; "
            f"{summary['held']:,} held; exceptions: {exceptions}; {written:,} item(s) written. "
            "A lead approves it on the run's page before it is posted."
        )


def _advance(bar):
    def progress(done, total):
        bar.total = total
        bar.n = done
        bar.refresh()

    return progress
