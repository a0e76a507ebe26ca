"""Posting at the counter, voids and reversals, the close with a blind count and the lead's audit."""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from cistern.core.models import AuditEvent
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.models import GLAccount, GLRole, JournalLine
from cistern.payments import drawer
from cistern.payments import services as payments
from cistern.payments.models import DrawerStatus, PaymentStatus

from .conftest import cash

D = Decimal


def gl_balance(role):
    gl = GLAccount.objects.get(role=role)
    return sum((line.amount for line in JournalLine.objects.filter(gl_account=gl)), D("0.00"))


def test_cash_payment_posts_to_undeposited_funds_with_change(cashier, open_drawer, owing_account):
    payment, posted = payments.payment_post(
        actor=cashier, session=open_drawer, request=cash(owing_account, "45.56", "50.00")
    )
    assert posted
    assert payment.change_given == D("4.44")
    assert ledger_selectors.account_balance(owing_account) == D("0.00")
    assert gl_balance(GLRole.UNDEPOSITED_FUNDS) == D("45.56")
    part = payment.parts.get()
    assert part.applied[0]["amount"] == "45.56" and part.applied[0]["kind"] == "water"
    assert part.credit == D("0.00") and part.balance_after == D("0.00")
    assert AuditEvent.objects.filter(action="payment.post", account_id=owing_account.pk).count() == 1


def test_overpayment_is_a_credit(cashier, open_drawer, owing_account):
    payment, _ = payments.payment_post(
        actor=cashier, session=open_drawer, request=cash(owing_account, "60.00")
    )
    assert payment.parts.get().credit == D("14.44")
    assert ledger_selectors.account_balance(owing_account) == D("-14.44")


def test_cash_only_account_refuses_a_check(cashier, open_drawer, owing_account, lead):
    from datetime import date

    from cistern.customers.models import AccountFlag, FlagKind

    AccountFlag.objects.create(
        account=owing_account,
        kind=FlagKind.CASH_ONLY,
        starts_on=date(2026, 1, 1),
        reason="Two returned checks",
    )
    request = payments.PaymentRequest(
        channel="counter", parts=[(owing_account, D("45.56"))],
        tenders=[payments.Tender("check", D("45.56"), check_number="1001")],
    )  # fmt: skip
    with pytest.raises(payments.PaymentError, match="cash only"):
        payments.payment_post(actor=cashier, session=open_drawer, request=request)
    assert ledger_selectors.account_balance(owing_account) == D("45.56")


def test_void_in_open_session_and_reverse_after_close(cashier, open_drawer, owing_account, lead):
    payment, _ = payments.payment_post(
        actor=cashier, session=open_drawer, request=cash(owing_account, "45.56")
    )
    voided = payments.payment_void(actor=cashier, payment=payment, reason="Keyed the wrong account")
    assert voided.status == PaymentStatus.VOIDED
    assert ledger_selectors.account_balance(owing_account) == D("45.56")
    second, _ = payments.payment_post(
        actor=cashier, session=open_drawer, request=cash(owing_account, "45.56")
    )
    payments.drawer_close(
        actor=cashier,
        session=open_drawer,
        count=drawer.BlindCount(
            bills={100: 1, 50: 1, 20: 2, 5: 1}, coins={D("0.50"): 1, D("0.05"): 1, D("0.01"): 1}
        ),
    )
    with pytest.raises(payments.PaymentError, match="lead reverses"):
        payments.payment_void(actor=cashier, payment=second, reason="late")
    with pytest.raises(PermissionDenied):
        payments.payment_reverse(actor=cashier, payment=second, reason="late")
    payments.payment_reverse(actor=lead, payment=second, reason="Customer's check was counted twice")
    assert ledger_selectors.account_balance(owing_account) == D("45.56")


@pytest.mark.parametrize(
    "bills, variance",
    [({100: 1, 50: 1, 20: 2}, D("-5.56")), ({100: 2}, D("4.44")), ({100: 1, 50: 1, 20: 2, 5: 1}, D("-0.56"))],
)
def test_drawer_close_posts_the_variance_and_the_lead_audits(
    cashier, open_drawer, owing_account, lead, bills, variance
):
    payments.payment_post(actor=cashier, session=open_drawer, request=cash(owing_account, "45.56", "50.00"))
    session = payments.drawer_close(actor=cashier, session=open_drawer, count=drawer.BlindCount(bills=bills))
    assert session.status == DrawerStatus.CLOSED
    assert session.expected_cash == D("45.56")
    assert session.variance == variance
    assert gl_balance(GLRole.CASH_OVER_SHORT) == -variance
    with pytest.raises(payments.PaymentError, match="no more payments"):
        payments.payment_post(actor=cashier, session=session, request=cash(owing_account, "1.00"))
    with pytest.raises(payments.PaymentError, match="write what explains it"):
        payments.drawer_audit(actor=lead, session=session)
    with pytest.raises(PermissionDenied):
        payments.drawer_audit(actor=cashier, session=session, note="x")
    audited = payments.drawer_audit(
        actor=lead, session=session, note="Counted twice; a $5 was in the check slot"
    )
    assert audited.status == DrawerStatus.AUDITED


def test_exact_drawer_needs_no_note(cashier, open_drawer, owing_account, lead):
    payments.payment_post(actor=cashier, session=open_drawer, request=cash(owing_account, "45.56", "50.00"))
    count = drawer.BlindCount(
        bills={100: 1, 50: 1, 20: 2, 5: 1}, coins={D("0.50"): 1, D("0.05"): 1, D("0.01"): 1}
    )
    session = payments.drawer_close(actor=cashier, session=open_drawer, count=count)
    assert session.variance == D("0.00") and session.variance_entry is None
    assert payments.drawer_audit(actor=lead, session=session).status == DrawerStatus.AUDITED


def test_one_open_drawer_per_cashier(cashier, open_drawer):
    with pytest.raises(payments.PaymentError, match="already have an open drawer"):
        payments.drawer_open(actor=cashier, drawer_name="Counter 2", opening_float=D("100.00"))


def test_a_lead_does_not_audit_their_own_drawer(lead, owing_account):
    session = payments.drawer_open(actor=lead, drawer_name="Counter 2", opening_float=D("0.00"))
    payments.payment_post(actor=lead, session=session, request=cash(owing_account, "45.56"))
    count = drawer.BlindCount(bills={20: 2, 5: 1}, coins={D("0.50"): 1, D("0.05"): 1, D("0.01"): 1})
    session = payments.drawer_close(actor=lead, session=session, count=count)
    with pytest.raises(payments.PaymentError, match="other than the cashier"):
        payments.drawer_audit(actor=lead, session=session)


def test_what_a_payment_was_paid_with_and_how_it_was_applied_is_never_rewritten(
    cashier, open_drawer, owing_account
):
    from django.db import DatabaseError, transaction

    from cistern.payments.models import PaymentPart, PaymentTender

    payment, _ = payments.payment_post(
        actor=cashier, session=open_drawer, request=cash(owing_account, "45.56")
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PaymentTender.objects.filter(payment=payment).update(amount=D("1.00"))
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        PaymentPart.objects.filter(payment=payment).delete()
    assert payment.tenders.get().amount == D("45.56")


def test_a_retry_after_the_drawer_closed_answers_with_the_payment_it_posted(
    cashier, open_drawer, owing_account
):
    """The key is checked by the database as the payment is written: a retry is answered with the payment
    posted under it, also when it is refused for another reason now (its drawer closed since)."""
    request = replace(
        cash(owing_account, "45.56", "50.00"), idempotency_key="counter-key-1", fingerprint="body-1"
    )
    payment, created = payments.payment_post(actor=cashier, session=open_drawer, request=request)
    assert created and payment.posted_parts[0].balance_after == D("0.00")
    again, created = payments.payment_post(actor=cashier, session=open_drawer, request=request)
    assert (again.pk, created) == (payment.pk, False)
    count = drawer.BlindCount(
        bills={100: 1, 50: 1, 20: 2, 5: 1}, coins={D("0.50"): 1, D("0.05"): 1, D("0.01"): 1}
    )
    closed = payments.drawer_close(actor=cashier, session=open_drawer, count=count)
    again, created = payments.payment_post(actor=cashier, session=closed, request=request)
    assert (again.pk, created) == (payment.pk, False)
    other = replace(cash(owing_account, "10.00"), idempotency_key="counter-key-1", fingerprint="body-2")
    with pytest.raises(payments.IdempotencyConflict):
        payments.payment_post(actor=cashier, session=closed, request=other)
    # Nothing was written by the refused attempts: one payment, one entry, one audit row.
    assert ledger_selectors.account_balance(owing_account) == D("0.00")
    assert AuditEvent.objects.filter(action="payment.post").count() == 1
    assert JournalLine.objects.filter(entry__source_kind="payment").count() == 2
