"""A posting killed with SIGKILL part-way and started again ends with exactly the bills and ledger an
uninterrupted posting makes (PostgreSQL: the posting runs in a process of its own against committed data)."""

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count, Sum

from cistern.billing import services
from cistern.billing.models import Bill, BillLine, BillRun, BillRunItem, RunStatus
from cistern.ledger import selectors as ledger
from cistern.ledger.models import JournalEntry
from cistern.ledger.verify import breaches

ROOT = Path(__file__).resolve().parents[2]
JUL = date(2026, 7, 25)


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _post(batch_size: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "cistern.settings"}
    command = [sys.executable, str(ROOT / "manage.py"), "bill_run", "--cycle", "C01", "--period-end", "2026-07-25",
               "--post", "--user", "biller", "--batch-size", str(batch_size), "--verbosity", "0"]  # fmt: skip
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="runs on PostgreSQL (CI); see issue 4")
@pytest.mark.django_db(transaction=True)
def test_a_posting_killed_with_sigkill_resumes_to_the_same_books(district, biller, lead, metered_account):
    accounts = [metered_account([(JUL, str(100 + n % 23))]) for n in range(160)]
    run = services.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    services.bill_run_calculate(actor=biller, run=run)
    services.bill_run_approve(actor=lead, run=run)
    expected = dict(BillRunItem.objects.filter(run=run, billable=True).values_list("account_id", "total"))
    assert len(expected) == 160

    process = _post(batch_size=1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Bill.objects.count() >= 20:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    killed_at = Bill.objects.count()
    assert 20 <= killed_at < 160, f"killed after {killed_at} bills"
    assert BillRun.objects.get(pk=run.pk).status == RunStatus.POSTING
    # Every batch that committed is whole: a bill has its lines and its entry, or there is no bill.
    assert JournalEntry.objects.filter(source_kind="bill").count() == killed_at
    assert BillLine.objects.values("bill").distinct().count() == killed_at

    finished = _post(batch_size=50)
    out, err = finished.communicate(timeout=120)
    assert finished.returncode == 0, err.decode()
    assert BillRun.objects.get(pk=run.pk).status == RunStatus.POSTED
    assert dict(Bill.objects.values_list("account_id", "current_charges")) == expected
    assert Bill.objects.values("account").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    assert JournalEntry.objects.filter(source_kind="bill").count() == 160
    assert ledger.receivable_balances([a.pk for a in accounts]) == expected
    assert JournalEntry.objects.filter(source_kind="bill").aggregate(n=Count("lines"))["n"] == sum(
        1 + len({line.gl_account for line in bill.lines.all()})
        for bill in Bill.objects.prefetch_related("lines")
    )
    assert Bill.objects.aggregate(total=Sum("current_charges"))["total"] == sum(expected.values())
    assert breaches() == []
