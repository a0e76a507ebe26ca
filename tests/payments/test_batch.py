"""Payments posted as a batch write what one-by-one posting writes: the same rows, entries and application."""

from datetime import date
from decimal import Decimal as D

import pytest

from cistern.core import roles
from cistern.core.models import AuditEvent
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.verify import breaches
from cistern.payments import batch
from cistern.payments.models import Payment, PaymentPart

pytestmark = pytest.mark.django_db


def test_a_batch_posts_each_payment_applied_oldest_due_first(make_user, start_account, charge):
    billing = make_user(roles.BILLING_ADMIN, username="billing")
    first, second = start_account(), start_account()
    charge(first, "30.00", date(2026, 10, 20))
    charge(first, "12.00", date(2026, 10, 20), kind="late_fee", description="Late penalty")
    charge(first, "40.00", date(2026, 11, 20))
    items = [
        batch.BatchItem(first.pk, D("35.00"), "check", "1001", "lockbox 1"),
        batch.BatchItem(second.pk, D("10.00"), "check", "77", "lockbox 2"),
        batch.BatchItem(first.pk, D("50.00"), "check", "1002", "lockbox 3"),
    ]
    ids = batch.payments_post_batch(
        actor=billing, channel="lockbox", received_on=date(2026, 11, 25), items=items
    )
    assert Payment.objects.filter(pk__in=ids).count() == 3
    one, two, three = (PaymentPart.objects.get(payment_id=pk) for pk in ids)
    # On one due date the fee is paid before the water (the district's priority), then the next due date.
    assert [(a["kind"], a["amount"]) for a in one.applied] == [("fees", "12.00"), ("water", "23.00")]
    assert [(a["kind"], a["amount"]) for a in three.applied] == [("water", "7.00"), ("water", "40.00")]
    assert three.credit == D("3.00") and three.balance_after == D("-3.00")
    assert two.credit == D("10.00")
    assert ledger_selectors.account_balance(first) == D("-3.00")
    assert ledger_selectors.account_balance(second) == D("-10.00")
    assert breaches() == []
    event = AuditEvent.objects.get(action="payment.batch")
    assert event.changes["payments"] == [None, 3]
