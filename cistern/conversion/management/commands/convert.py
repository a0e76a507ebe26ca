"""manage.py convert DIR --as-of YYYY-MM-DD [--dry-run] [--user USERNAME]

Convert a district's folder from its previous system (docs/conversion.md) into this empty database, or with
--dry-run measure what it would load and write nothing but the run's record. The run is done as --user, who must
hold "conversion.run_conversion" (Billing Admin or Supervisor); without --user, the one active Billing Admin
when there is exactly one. Refused (any error in the folder, or a database that already holds accounts): each
error line (the first 1,000), their count, exit status 1. Else the warnings, the reconciliation and a last line
saying what was converted; exit status 0. (A system actor, whose password is unusable, is never the default.)
"""

import time
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cistern.conversion.errors import ConversionError
from cistern.conversion.loadformat import MAX_LISTED
from cistern.conversion.models import ConversionOutcome
from cistern.conversion.reconciliation import report_lines
from cistern.conversion.services import convert
from cistern.core.roles import BILLING_ADMIN


def _as_of(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of: {value!r} is not a date (YYYY-MM-DD).") from exc


def _user(username: str | None):
    users = get_user_model().objects.filter(is_active=True)
    if username:
        found = users.filter(username=username).first()
        if found is None:
            raise CommandError(f"--user: no active user {username!r}.")
        return found
    # People who sign in, not system actors (unusable password: the demo's staff, the conversion user).
    admins = list(users.filter(groups__name=BILLING_ADMIN).exclude(password__startswith="!").distinct()[:2])
    if len(admins) != 1:
        raise CommandError(
            f"Name the user the conversion is done as with --user (a {BILLING_ADMIN} or Supervisor): "
            f"there is {'no' if not admins else 'more than one'} active {BILLING_ADMIN}."
        )
    return admins[0]


class Command(BaseCommand):
    help = "Convert a district's folder from its previous system into this empty database (or --dry-run)."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="The conversion folder (customers.csv, accounts.csv, ...).")
        parser.add_argument("--as-of", required=True, help="The conversion date, YYYY-MM-DD.")
        parser.add_argument("--dry-run", action="store_true", help="Measure and reconcile; write nothing.")
        parser.add_argument("--user", help=f"Who converts (default: the one active {BILLING_ADMIN}).")

    def handle(self, *args, folder, as_of, dry_run, user, **options):
        as_of = _as_of(as_of)
        actor = _user(user)
        started = time.monotonic()
        try:
            run = convert(actor=actor, folder=folder, as_of=as_of, dry_run=dry_run)
        except ConversionError as exc:
            run = exc.run
            errors = run.errors if run is not None else [str(exc)]
            for line in errors[:MAX_LISTED]:
                self.stdout.write(line)
            count = run.error_count if run is not None else 1
            self.stdout.write(f"{count:,} error{'s' if count != 1 else ''}")
            raise CommandError("Refused: nothing converted.", returncode=1) from exc
        for warning in run.warnings:
            self.stdout.write(f"warning: {warning}")
        for line in report_lines(run.report):
            self.stdout.write(line)
        seconds = time.monotonic() - started
        if run.outcome == ConversionOutcome.DRY_RUN:
            self.stdout.write(f"Dry run: nothing written ({seconds:.1f} s)")
            return
        figures = {t["figure"]: t["loaded"] for t in run.report["totals"]}
        files = {f["file"]: f["loaded"] for f in run.report["files"]}
        accounts = sum(int(figures.get(f"accounts_{s}") or 0) for s in ("active", "final", "closed"))
        self.stdout.write(
            f"Converted: {accounts:,} accounts, {files.get('meters.csv', 0):,} meters, "
            f"{files.get('reads.csv', 0):,} reads, {files.get('bills.csv', 0):,} bills, "
            f"receivable ${Decimal(figures.get('receivable_total') or 0):,.2f} as of {as_of:%Y-%m-%d} "
            f"in {seconds:.1f} s"
        )
