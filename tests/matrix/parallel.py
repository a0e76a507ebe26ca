"""Parallel bills: the runs and the form (conversion.view_parallelrun to see them), a run's page and its
workbook; the POST compares an uploaded bills.csv (conversion.run_parallel_bills) and redirects to the run."""

from datetime import date

from cistern.conversion.models import ParallelRun

PAGES = {
    "parallel:index": "conversion.view_parallelrun",
    "parallel:run": "conversion.view_parallelrun",
    "parallel:xlsx": "conversion.view_parallelrun",
}


class _Bills:
    """A one-bill bills.csv the test client can send for every role (it reads the file each time): its legacy
    number is no account's, so the comparison runs (billed only by the previous system) and redirects."""

    name = "bills.csv"
    content_type = "text/csv"

    def read(self):
        return (
            b"legacy_account_number,bill_date,period_start,period_end,units,current_charges,amount_due\n"
            b"MX-1,2026-11-08,2026-10-06,2026-11-05,8,50.00,50.00\n"
        )


POSTS = {"parallel:index": ("conversion.run_parallel_bills", {"bills": _Bills(), "period_end": "2026-11-05"})}


def build(world):
    run = ParallelRun.objects.create(
        by=world["user"], folder="matrix.csv", period_end=date(2026, 11, 5), compared=1, matched=0,
        result={
            "compared": 1, "matched": 0, "match_rate": "0.00", "counts": {"only_legacy": 1}, "cycles": [],
            "rounding_cents": "0.05", "legacy_bills": 1, "legacy_other_cycles": 0, "cistern_billed": 0,
            "cistern_not_billed": 0, "differences": [{
                "account": "", "legacy_number": "MX-0", "cistern_total": None, "legacy_total": "50.00",
                "difference": "-50.00", "reason": "only_legacy", "cistern_units": None, "legacy_units": "8",
                "cistern_days": None, "legacy_days": 30, "lines": [], "note": "No Cistern account has this legacy number.",
                "legacy_line": 2,
            }],
        },
    )  # fmt: skip
    return {"parallel_run": run}


def url(name, world):
    run = world["parallel_run"].pk
    return {
        "parallel:index": "/conversion/parallel/",
        "parallel:run": f"/conversion/parallel/{run}/",
        "parallel:xlsx": f"/conversion/parallel/{run}/xlsx/",
    }[name]
