"""The trial rated on every core (billing.trial) makes exactly the items one process makes (issue 10: a
100,000-account trial is pure computation over fetched facts and uses both cores)."""

from datetime import date

import pytest

from cistern.billing import services, trial
from cistern.billing.models import BillRunItem

JUL = date(2026, 7, 25)
FIELDS = [
    "account_id", "billable", "disposition", "period_start", "period_end", "total", "units", "proposal",
    "exceptions", "has_exceptions", "fingerprint",
]  # fmt: skip


def _items(run) -> dict:
    return {row["account_id"]: row for row in BillRunItem.objects.filter(run=run).values(*FIELDS)}


@pytest.mark.skipif(  # fork only: issue 10
    "fork" not in trial.multiprocessing.get_all_start_methods(), reason="no fork here; issue 10"
)
def test_the_trial_computed_by_worker_processes_equals_the_one_computed_here(
    district, biller, metered_account, monkeypatch
):
    """Facts of every kind (usage, zero usage, no read, a high read) in chunks of 4 over 2 forked workers."""
    accounts = [metered_account([(JUL, str(100 + units))]) for units in (0, 3, 7, 12, 25, 40, 80)]
    accounts += [metered_account([]), metered_account([(date(2026, 7, 20), "104")])]
    monkeypatch.setattr(trial, "PARALLEL_MIN", 1)
    monkeypatch.setattr(trial, "CHUNK", 4)
    monkeypatch.setattr(trial, "MAX_WORKERS", 2)
    assert trial.workers_for(len(accounts)) == 2
    parallel = services.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    assert services.bill_run_calculate(actor=biller, run=parallel) == len(accounts)
    by_workers = _items(parallel)
    services.bill_run_cancel(actor=biller, run=parallel, reason="Compared with one process")

    monkeypatch.setattr(trial, "PARALLEL_MIN", 10**9)
    assert trial.workers_for(len(accounts)) == 1
    alone = services.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    services.bill_run_calculate(actor=biller, run=alone)
    assert by_workers == _items(alone)
    assert set(by_workers) == {a.pk for a in accounts}
    assert sum(1 for item in by_workers.values() if item["billable"]) == 8  # the unread one is held

    monkeypatch.setattr(trial, "PARALLEL_MIN", 1)  # calculated again by the workers: nothing changed
    assert services.bill_run_calculate(actor=biller, run=alone) == 0
