"""The daily late-fee assessment looks line by line only at accounts owing something on what fell due: the demo
district's history runs it every day of 13 months (seen: no late fees in 13 months), which per-account queries
over every billed account made take hours."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cistern.core import roles
from cistern.demo.rates import load_rates
from cistern.ledger import selectors
from cistern.ledger.services import Posting, assess_late_fees, journal_post


def _bill(actor, account, amount, due):
    return journal_post(
        actor=actor, entry_date=date.fromordinal(due.toordinal() - 20), memo="Water bill", source_kind="bill",
        postings=[Posting("1200", D(amount), account.pk, due_date=due), Posting("4110", -D(amount))],
    )  # fmt: skip


def _pay(actor, account, amount, on):
    journal_post(
        actor=actor, entry_date=on, memo="Payment", source_kind="payment",
        postings=[Posting("1010", D(amount)), Posting("1200", -D(amount), account.pk)],
    )  # fmt: skip


@pytest.mark.django_db
def test_paid_up_accounts_are_not_read_line_by_line(make_user, css2, start_account):
    load_rates()
    billing = make_user(roles.BILLING_ADMIN, username="billing_candidates")
    late, paid = start_account(), start_account()
    _bill(css2, late, "80.00", date(2026, 9, 25))
    owing_later = []
    for _ in range(15):  # paid their past bills; the newest is not yet due
        account = start_account()
        _bill(css2, account, "50.00", date(2026, 9, 25))
        _pay(css2, account, "50.00", date(2026, 9, 20))
        _bill(css2, account, "60.00", date(2026, 12, 1))
        owing_later.append(account)
    _bill(css2, paid, "45.55", date(2026, 9, 25))
    _pay(css2, paid, "45.55", date(2026, 10, 30))  # paid late, before the assessment

    with CaptureQueriesContext(connection) as queries:
        entries = assess_late_fees(actor=billing, on=date(2026, 11, 26))
    assert [e.lines.get(account__isnull=False).account_id for e in entries] == [late.pk]
    assert selectors.account_balance(late) == D("90.00")
    assert all(selectors.account_balance(a) == D("60.00") for a in owing_later)
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    # A fixed number (the fee, suspensions, the candidates, their lines, waivers, the late-fee holds' sources,
    # the batch's locks and entries), not a query per billed account (17 of them).
    assert len(selects) <= 16
