"""Accounts that owe something, cashiers and leads, for the payments tests."""

from datetime import date
from decimal import Decimal

import pytest

from cistern.core import roles
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole
from cistern.payments import services as payments


@pytest.fixture
def cashier(make_user):
    return make_user(roles.CASHIER)


@pytest.fixture
def lead(make_user):
    return make_user(roles.CSS_II, username="lead")


@pytest.fixture
def supervisor_user(make_user):
    return make_user(roles.SUPERVISOR, username="supervisor")


@pytest.fixture
def charge(supervisor_user):
    """Charge an account as a bill would: receivable against water revenue, due on `due`."""

    def post(account, amount: str, due: date, kind: str = "bill", description: str = "Water bill"):
        amount = Decimal(amount)
        return ledger.journal_post(
            actor=supervisor_user, entry_date=due, memo=description, source_kind=kind, source_id=None,
            postings=[
                ledger.Posting(ledger_selectors.gl_code(GLRole.RECEIVABLE), amount, account.pk, description, due),
                ledger.Posting("4110", -amount, description=description),
            ],
        )  # fmt: skip

    return post


@pytest.fixture
def owing_account(start_account, charge):
    """An account in service owing $45.56 on a bill due 11/20/2026."""
    account = start_account()
    charge(account, "45.56", date(2026, 11, 20))
    return account


@pytest.fixture
def open_drawer(cashier):
    return payments.drawer_open(actor=cashier, drawer_name="Counter 1", opening_float=Decimal("150.00"))


def cash(account, amount: str, tendered: str | None = None) -> payments.PaymentRequest:
    amount = Decimal(amount)
    return payments.PaymentRequest(
        channel="counter", parts=[(account, amount)], tenders=[payments.Tender("cash", amount)],
        cash_tendered=Decimal(tendered) if tendered else None,
    )  # fmt: skip
