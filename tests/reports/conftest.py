"""A small district's books for the reports, built through the services: two accounts (an owner and a rental) billed
by a posted bill run, a day at the counter (cash, a check, a money order, a card; one payment voided), the drawer
closed, audited and deposited, and adjustments (one posted at once, one approved by a lead, one rejected)."""

import dataclasses
from datetime import date
from decimal import Decimal as D

import pytest

from cistern.billing import services as billing
from cistern.core import clock, roles
from cistern.ledger import services as ledger
from cistern.payments import bank, drawer
from cistern.payments import services as payments
from tests.billing.conftest import biller, district, metered_account, read, supervisor  # noqa: F401
from tests.conftest import ACCEPTABLE

JUL = date(2026, 7, 25)  # the read day the run bills to (bills dated 07/28, due 08/17)
PAY_DAY = date(2026, 8, 10)
RENTAL = dataclasses.replace(ACCEPTABLE, relationship="tenant", occupancy_type="rental")


@pytest.fixture
def cashier(make_user):
    return make_user(roles.CASHIER, username="report_cashier")


@pytest.fixture
def lead(make_user):
    return make_user(roles.CSS_II, username="report_lead")


@pytest.fixture
def auditor(make_user):
    return make_user(roles.AUDITOR, username="report_auditor")


def counter(account, amount: str, kind: str, **tender) -> payments.PaymentRequest:
    return payments.PaymentRequest(
        channel="counter", parts=[(account, D(amount))], tenders=[payments.Tender(kind, D(amount), **tender)]
    )


@pytest.fixture
def books(district, biller, lead, supervisor, cashier, css1, metered_account):  # noqa: F811
    owner = metered_account([(JUL, "112")], occupancy="owner")
    rental = metered_account([(JUL, "105")], occupancy="rental", application=RENTAL)
    run = billing.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    billing.bill_run_calculate(actor=biller, run=run)
    run.refresh_from_db()
    billing.bill_run_approve(actor=lead, run=run)
    run = billing.bill_run_post(actor=biller, run=run)
    with clock.on(PAY_DAY):
        session = payments.drawer_open(actor=cashier, drawer_name="Counter 1", opening_float=D("100.00"))
        payments.payment_post(actor=cashier, session=session, request=counter(owner, "50.00", "cash"))
        payments.payment_post(actor=cashier, session=session, request=counter(rental, "30.00", "check",
                                                                                check_number="2001"))  # fmt: skip
        payments.payment_post(actor=cashier, session=session, request=counter(rental, "12.25", "money_order"))
        card = counter(owner, "20.00", "card", card_brand="Visa", card_last_four="4242", reference="PX-1")
        payments.payment_post(actor=cashier, session=session, request=card)
        voided, _ = payments.payment_post(
            actor=cashier, session=session, request=counter(owner, "7.00", "cash")
        )
        payments.payment_void(actor=cashier, payment=voided, reason="Keyed on the wrong account")
        session = payments.drawer_close(
            actor=cashier, session=session,
            count=drawer.BlindCount(bills={100: 1, 20: 2, 10: 1}, checks=(D("30.00"), D("12.25"))),
        )  # fmt: skip
        session = payments.drawer_audit(actor=lead, session=session)
        deposit = bank.deposit_prepare(actor=lead, sessions=[session], bank_reference="Bag 12")
        posted = ledger.adjustment_request(
            actor=css1, account=owner, reason_code="courtesy_credit", amount=D("10.00"), memo="Courtesy"
        )
        approved = ledger.adjustment_request(
            actor=css1, account=rental, reason_code="courtesy_credit", amount=D("75.00"), memo="Leak courtesy"
        )
        ledger.adjustment_decide(
            actor=lead, adjustment=approved, approve=True, note="Seen the plumber's bill"
        )
        rejected = ledger.adjustment_request(
            actor=css1, account=rental, reason_code="courtesy_credit", amount=D("60.00"), memo="Asked again"
        )
        ledger.adjustment_decide(actor=lead, adjustment=rejected, approve=False, note="Once a year")
    return {"owner": owner, "rental": rental, "run": run, "session": session, "deposit": deposit,
            "adjustments": (posted, approved, rejected)}  # fmt: skip
