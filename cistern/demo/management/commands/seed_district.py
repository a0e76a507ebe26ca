from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cistern.core import clock
from cistern.customers.models import Account
from cistern.demo import config, legacy_export, loader


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of wants a date like 2026-03-31, not {text!r}") from None


class Command(BaseCommand):
    help = (
        "Load a synthetic district shaped like Joshua Basin Water District (fictional customers), N accounts in "
        "all. First the conversion from the prior system, as bulk rows: customers, premises, routes, meters and "
        "installations, the accounts in service on the conversion date (--history-months before today) and those "
        "closed before it, each meter's opening read, flags and contact-log entries, plus the district settings, "
        "cycles and two closure days; their deposits, set-up fees and opening balances go into the ledger through "
        "its services. Then the history since, replayed day by day through the same services staff use (demo "
        "users with real roles): stops with final reads and final bills, move-ins with initial reads, route read "
        "files, bill runs, payments, late fees and deposit credit-back. The same --accounts and --seed give the "
        "same district; dates count back from today (or --as-of). Refuses a database that already has accounts, "
        "unless --if-empty. --config-only loads the district's configuration alone (settings, holidays, closures, "
        "rates and fees, staff, forms: what a conversion starts from); --legacy-export DIR writes the district in "
        "this database as the previous system would export it (the conversion load format)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, default=5400, help="Accounts in all (default 5400).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has an account (make run: keeps the data).",
        )
        parser.add_argument(
            "--history-months",
            type=int,
            default=13,
            metavar="M",
            help="Months of history before today (default 13): the conversion date is the newest opening read "
            "about this long ago, and every day after it is replayed through the services. 0: the conversion "
            "alone, every account as it stands today, meters and installations without reads or bills (the "
            "scale benchmark; account history then spans 13 months).",
        )
        parser.add_argument(
            "--as-of", type=_date, default=None, help="The district's 'today' (default: today), YYYY-MM-DD."
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Afterwards run full_clean() and the search-text check on a sample of accounts.",
        )

        parser.add_argument(
            "--config-only",
            action="store_true",
            help="Load the district's configuration alone: settings, holidays, closure days, rate schedules and "
            "fee catalog, staff, forms. No customers, premises, routes, cycles, meters or accounts. Loading twice "
            "changes nothing; a database with accounts is left as it is.",
        )
        parser.add_argument(
            "--legacy-export",
            metavar="DIR",
            help="Write the district in this database into DIR as the previous system would export it (the "
            "conversion load format, docs/go-live.md), with README.txt naming the cutover and parallel period.",
        )

    def handle(self, *, accounts, seed, if_empty, history_months, as_of, check, **options):
        if options["config_only"] and options["legacy_export"]:
            raise CommandError("--config-only and --legacy-export are two separate steps: give one.")
        if options["config_only"]:
            return self.config_only(as_of)
        if options["legacy_export"]:
            return self.legacy_export(Path(options["legacy_export"]), as_of)
        if accounts < 1:
            raise CommandError("--accounts must be at least 1.")
        if history_months < 0:
            raise CommandError("--history-months must not be negative.")
        verbosity = options["verbosity"]
        last = [0]

        def progress(totals, seconds):
            if verbosity >= 1 and accounts >= 100_000 and totals.accounts - last[0] >= 100_000:
                last[0] = totals.accounts
                self.stdout.write(f"  {totals.accounts:>9,} accounts written ({seconds:.0f} s)")

        try:
            result = loader.seed_district(
                accounts=accounts, seed=seed, history_months=history_months, today=as_of, if_empty=if_empty,
                progress=progress,
            )  # fmt: skip
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        if result.skipped:
            self.stdout.write("The database already has accounts: demo district left as it is.")
            return
        t, s, r = result.totals, result.by_status, result.replayed
        total = sum(s.values())
        self.stdout.write(
            f"Seeded {total:,} accounts in {result.seconds:.1f} s (seed {seed}): "
            f"active {s.get('active', 0):,}, final {s.get('final', 0):,}, closed {s.get('closed', 0):,}. "
            f"Converted from the prior system: {t.accounts:,} accounts, {t.customers:,} customers, "
            f"{t.premises:,} premises, {t.flags:,} flags, {t.contacts:,} "
            f"contact entries, {t.opening_balances:,} opening balances, {t.service_points:,} service points with "
            f"meters and their opening reads."
        )
        if r is not None:
            self.stdout.write(
                f"Replayed {r.days:,} days: {r.stops:,} stops, {r.move_ins:,} move-ins, {r.flags:,} flags, "
                f"{r.reads:,} reads ({r.read_files:,} read files), {r.runs:,} bill runs, "
                f"{result.bills:,} bills posted ({r.final_bills:,} final bills), {r.payments:,} payments ({r.drawers:,} drawers counted, audited "
                f"and deposited; {r.autopay_enrolments:,} autopay enrolments; {r.returned_checks:,} returned checks), "
                f"{r.late_fees:,} late fees, {r.deposits_credited:,} deposits credited back."
            )
            c = r.collections
            self.stdout.write(
                f"Collections: {c.get('reminders', 0):,} reminders, {c.get('notices', 0):,} shutoff notices "
                f"({c.get('occupant_notices', 0):,} to occupants), {c.get('returned_letters', 0):,} came back, "
                f"{c.get('door_hangers', 0):,} door-hangers, {c.get('lockoff_orders', 0):,} lock-offs, "
                f"{c.get('arrangements', 0):,} payment arrangements, {c.get('write_offs', 0):,} write-offs, "
                f"{c.get('referrals', 0):,} agency referral files."
            )
            for problem in r.problems[:20]:
                self.stdout.write(f"  {problem}")
        self.stdout.write(f"Next account sequence {result.next_sequence}.")
        if check:
            problems = loader.check_sample()
            if problems:
                raise CommandError("Sample check failed:\n  " + "\n  ".join(problems[:20]))
            self.stdout.write("Sample check: full_clean() and search text OK.")

    def config_only(self, as_of) -> None:
        if Account.objects.exists():
            self.stdout.write(
                "The database already has accounts: its configuration is left as it is (--config-only prepares an "
                "empty database for a conversion)."
            )
            return
        config.load_config(as_of or clock.today())
        self.stdout.write(
            "Loaded the district's configuration: settings, holidays, closure days, rate schedules and fee catalog, "
            "staff and forms. No customers, routes or cycles: a conversion brings them."
        )

    def legacy_export(self, folder: Path, as_of) -> None:
        if not Account.objects.exists():
            raise CommandError("The database has no accounts: seed the demo district first (make run).")
        try:
            result = legacy_export.export(folder, today=as_of or clock.today())
        except legacy_export.ExportError as exc:
            raise CommandError(str(exc)) from None
        for name, rows in result.rows.items():
            self.stdout.write(f"  {name:<18} {rows:>9,} rows")
        self.stdout.write(
            f"Wrote the legacy export to {folder} in {result.seconds:.1f} s. Convert as of {result.cutover} "
            f"(--as-of {result.cutover}); parallel bills: --period-end {result.period_end} --cycle {result.cycle} "
            f"({result.rounded_in_period} bills rounded per bill differ by cents). See {folder / 'README.txt'}."
        )
