from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from cistern.conversion import parallel
from cistern.conversion.parallel_run import ParallelRefused, parallel_run_compare

LARGEST_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Compare the previous system's bills for a period (DIR/bills.csv, the rows whose period_end is "
        "--period-end) with Cistern's trial for the same period, account by account, without posting "
        "anything; keep the comparison as a parallel run. Exit 0 whenever the comparison ran, 1 when "
        "bills.csv has errors (each printed as bills.csv:line:field: message). See docs/parallel-bills.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "folder", metavar="DIR", help="The folder holding the previous system's bills.csv."
        )
        parser.add_argument("--period-end", required=True, help="YYYY-MM-DD: the cycle's read date.")
        parser.add_argument("--cycle", default="", help="Cycle code (default: every cycle in the file).")
        parser.add_argument("--user", default="demo-billing", help="Username the run is kept under (audit).")

    def handle(self, *args, folder, period_end, cycle, user, **options):
        try:
            end = date.fromisoformat(period_end)
        except ValueError:
            raise CommandError(f"--period-end {period_end!r} is not a date (YYYY-MM-DD).") from None
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"There is no active user {user!r}.")
        path = Path(folder) / parallel.BILLS_FILE
        if not path.is_file():
            raise CommandError(
                f"{path} does not exist: the folder must hold the previous system's bills.csv."
            )
        with open(path, encoding="utf-8-sig", newline="") as lines:
            try:
                legacy = parallel.read_bills(lines, period_end=end)
            except UnicodeDecodeError as exc:
                raise CommandError(f"{parallel.BILLS_FILE} is not UTF-8 text ({exc.reason}).") from None
        if legacy.problem_count:
            for problem in legacy.problems:
                self.stderr.write(str(problem))
            if legacy.problem_count > len(legacy.problems):
                self.stderr.write(f"... and {legacy.problem_count - len(legacy.problems)} more.")
            raise CommandError(
                f"{parallel.BILLS_FILE} has {legacy.problem_count} error(s): nothing was compared."
            )
        try:
            run = parallel_run_compare(
                actor=actor,
                legacy=legacy,
                period_end=end,
                cycle_code=cycle,
                folder=str(Path(folder).resolve()),
            )
        except (ParallelRefused, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
        self._report(run)

    def _report(self, run) -> None:
        result, out = run.result, self.stdout
        cycles = ", ".join(result["cycles"]) or "none"
        out.write(
            f"Parallel run {run.pk}: period ending {run.period_end}, cycles {cycles}; "
            f"{result['legacy_bills']} previous-system bills, {result['cistern_billed']} Cistern bills "
            f"({result['cistern_not_billed']} accounts not billed by Cistern)."
        )
        if result["legacy_other_cycles"]:
            out.write(f"{result['legacy_other_cycles']} previous-system bills of other cycles left out.")
        rate = result["match_rate"]
        out.write(f"Match rate: {rate}%" if rate is not None else "Match rate: nothing to compare.")
        out.write("Differences by reason:")
        for reason, words in parallel.REASONS.items():
            out.write(f"  {reason:<13} {result['counts'][reason]:>7}  {words}")
        differences = result["differences"]
        if differences:
            out.write(
                f"The {min(LARGEST_SHOWN, len(differences))} largest differences (Cistern minus previous):"
            )
        for d in differences[:LARGEST_SHOWN]:
            out.write(
                f"  {d['account'] or '-':<9} legacy {d['legacy_number'] or '-':<12} "
                f"Cistern {_total(d['cistern_total']):>10}  previous {_total(d['legacy_total']):>10}  "
                f"difference {d['difference']:>9}  {d['reason']}: {d['note']}"
            )
            for description, amount in d["lines"]:
                out.write(f"      {description}: {amount}")
        out.write(parallel.last_line(run.matched, run.compared))


def _total(amount: str | None) -> str:
    return "not billed" if amount is None else amount
