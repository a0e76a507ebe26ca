"""The account page opens with its summary: balance, past due, the latest bill's due date, deposit held,
credits waiting for approval, flags (with expiry) and held from billing, each to the cent, gathered from the
apps that keep them (customers/summary.py) without customers importing them."""

# ruff: noqa: F811 (the billing tests' district fixtures, imported for use as fixtures)
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from cistern.billing import services as billing
from cistern.billing.models import Bill
from cistern.core import clock, roles
from cistern.customers import services as customers
from cistern.customers.summary import account_summary
from cistern.ledger.services import adjustment_request
from tests.billing.conftest import biller, district, lead, metered_account, read, supervisor  # noqa: F401
from tests.conftest import ACCEPTABLE

pytestmark = pytest.mark.django_db

JUL = date(2026, 7, 25)
WITH_DEPOSIT_AND_FEE = replace(
    ACCEPTABLE, credit_decision="deposit", deposit_required=True, charge_setup_fee=True
)


def _run(district, biller, lead):
    run = billing.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    billing.bill_run_calculate(actor=biller, run=run)
    billing.bill_run_approve(actor=lead, run=run)
    billing.bill_run_post(actor=biller, run=run)
    return run


@pytest.fixture
def counter(district, biller, lead, css1, metered_account):
    """An account started 06/25/2026 with the $200 deposit and $35 set-up fee, billed $1,541.80 for July (120
    units), a $20 credit posted, a $180 credit and the bill's cancellation waiting for approval, and a
    medical flag to 12/31/2026; a second account on the route, unread, held from billing."""
    account = metered_account([(JUL, "220")], application=WITH_DEPOSIT_AND_FEE)
    unread = metered_account()
    _run(district, biller, lead)
    bill = Bill.objects.get(account=account)
    with clock.on(date(2026, 8, 3)):
        adjustment_request(actor=css1, account=account, reason_code="courtesy_credit", amount=D("20.00"),
                           memo="Missed appointment")  # fmt: skip
        waiting = adjustment_request(actor=css1, account=account, reason_code="leak_adjustment",
                                     amount=D("180.00"), memo="Leak repaired 07/30")  # fmt: skip
        billing.bill_cancel_request(actor=lead, bill=bill, reason="Read looks wrong", rebill=False)
    customers.flag_add(actor=css1, account=account, kind="medical", starts_on=date(2026, 7, 1),
                       expires_on=date(2026, 12, 31), reason="Dr. Patel, certified")  # fmt: skip
    return {"account": account, "unread": unread, "bill": bill, "waiting": waiting}


def test_figures_to_the_cent(counter, css1):
    """Seen: the balance was three screens down the account page; the summary gives every figure at the top."""
    account, bill = counter["account"], counter["bill"]
    assert bill.current_charges == D("1541.80")
    on = bill.due_date - timedelta(days=1)  # the bill not yet due; the start charges (due 06/25) are
    summary = account_summary(account, css1, on)
    assert summary.balance == D("1756.80")  # deposit 200.00 + set-up fee 35.00 + bill 1,541.80 - credit 20.00
    assert summary.past_due == D("215.00")  # the start charges, less the $20 credit applied to them first
    assert summary.deposit_held == D("200.00")
    assert summary.pending_credits == D("1721.80")  # 180.00 adjustment + 1,541.80 cancellation
    assert summary.pending_credit_count == 2
    assert summary.last_bill["due_date"] == bill.due_date and summary.last_bill["amount_due"] == D("1776.80")
    assert [(f.kind, f.expires_on) for f in summary.flags] == [("medical", date(2026, 12, 31))]
    assert summary.held is None and summary.status == "active"

    after = account_summary(account, css1, bill.due_date + timedelta(days=1))
    assert after.past_due == D("1756.80")  # all of it, once the bill's due date has passed


def test_held_from_billing_says_why_and_since(counter, css1):
    summary = account_summary(counter["unread"], css1, date(2026, 8, 3))
    assert summary.held["since"] == JUL and "No read" in summary.held["reason"]
    assert summary.balance == D("0.00") and summary.last_bill is None and summary.pending_credit_count == 0


def test_a_role_sees_only_the_figures_it_may(counter, make_user):
    """A cashier sees balances and bills; a user without the ledger or bills sees neither figure."""
    cashier = make_user(roles.CASHIER)
    assert account_summary(counter["account"], cashier, date(2026, 8, 3)).deposit_held == D("200.00")
    nobody = make_user(None)
    bare = account_summary(counter["account"], nobody, date(2026, 8, 3))
    assert (bare.balance, bare.past_due, bare.deposit_held, bare.last_bill) == (None, None, None, None)


def test_the_account_page_opens_with_the_summary(counter, client, css1):
    """Seen: the balance was three screens down; now the summary block comes before every panel."""
    account = counter["account"]
    client.force_login(css1)
    with clock.on(counter["bill"].due_date + timedelta(days=1)):
        page = client.get(f"/accounts/{account.number}/").content.decode()
    summary_at = page.index('id="account-summary"')
    assert summary_at < page.index('id="panel-')
    block = page[summary_at : page.index("</dl>", summary_at)]
    for text in ("$1,756.80", "$200.00", "$1,721.80", "2 waiting for approval", "Medical certification",
                 "to 12/31/2026", counter["bill"].due_date.strftime("%m/%d/%Y")):  # fmt: skip
        assert text in block, text
    assert 'id="summary-past-due" class="owes">$1,756.80' in block
    assert 'id="summary-held">No<' in block
