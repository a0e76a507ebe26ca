from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cistern.core import clock
from cistern.ledger import export, selectors


class Command(BaseCommand):
    help = "Write the day's GL summary (debits and credits by GL account) as CSV or XLSX."

    def add_arguments(self, parser):
        parser.add_argument("--on", help="YYYY-MM-DD (default: today)")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("--out", help="file to write (default: gl-YYYY-MM-DD.csv|xlsx here)")

    def handle(self, *args, **options):
        try:
            on = date.fromisoformat(options["on"]) if options["on"] else clock.today()
        except ValueError:
            raise CommandError(f"--on {options['on']!r} is not a date (YYYY-MM-DD).") from None
        summary = selectors.gl_summary(on)
        kind = options["format"]
        content = export.gl_csv(on, summary) if kind == "csv" else export.gl_xlsx(on, summary)
        path = Path(options["out"] or f"gl-{on:%Y-%m-%d}.{kind}")
        path.write_bytes(content)
        self.stdout.write(f"{path}: {len(summary)} GL accounts for {on:%m/%d/%Y}.")
