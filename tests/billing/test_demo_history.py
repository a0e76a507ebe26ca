"""The demo district opens with a billing history: months of posted bills, paid for the most part, balanced
books, and one trial run left for a lead to approve."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from cistern.billing.models import Bill, BillCycle, BillRun, RunStatus
from cistern.billing.selectors import usage_history
from cistern.ledger.selectors import receivable_balances
from cistern.ledger.verify import breaches


@pytest.mark.django_db
def test_seed_district_posts_bills_for_its_history():
    out = StringIO()
    call_command("seed_district", "--accounts", "300", "--seed", "4", "--history-months", "3",
                 "--as-of", "2026-11-26", stdout=out)  # fmt: skip
    bills = Bill.objects.count()
    assert f"{bills:,} bills posted" in out.getvalue() and bills > 500
    assert BillCycle.objects.count() == 12
    assert list(BillRun.objects.exclude(status=RunStatus.POSTED).values_list("cycle__code", "status")) == [
        ("C01", "calculated")
    ]
    # Three months of reads after the opening one: three bills for an account in service all along.
    account_id = (
        Bill.objects.filter(account__status="active", account__start_date__lt=date(2026, 8, 1))
        .values_list("account_id", flat=True)
        .order_by("account_id")
        .first()
    )
    history = usage_history(
        account_id, Bill.objects.filter(account_id=account_id).latest("period_end").period_end
    )
    assert len(history) in (2, 3)  # the first cycle's newest period is still a trial
    owed = receivable_balances(Bill.objects.values_list("account_id", flat=True).distinct())
    latest = {}
    for account, charges in Bill.objects.order_by("period_end").values_list("account_id", "current_charges"):
        latest[account] = charges
    # Most customers owe at most their newest bill (not yet due): they paid the ones before.
    paid_up = sum(1 for account, balance in owed.items() if balance <= latest[account])
    assert paid_up > 0.8 * len(owed)
    assert breaches() == []
