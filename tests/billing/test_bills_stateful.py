"""Bill runs, adjustments, cancellations and rebills in any order (hypothesis stateful): after every step the
books balance, every account's balance is the sum of what it was billed and credited, a standing bill's
charges are its journal entry's, and no read closes two standing bills."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db.models import Count
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from cistern.billing import services
from cistern.billing.models import Bill, BillMeter
from cistern.ledger import selectors as ledger
from cistern.ledger.models import JournalLine
from cistern.ledger.services import adjustment_request
from cistern.ledger.verify import breaches

from .conftest import read

pytestmark = pytest.mark.django_db


def test_bills_adjustments_and_rebills_keep_the_books(district, biller, lead, supervisor, metered_account):
    accounts = [metered_account() for _ in range(3)]
    values = {a.pk: D("100") for a in accounts}

    class Books(RuleBasedStateMachine):
        @initialize()
        def baseline(self):
            self.expected = {a.pk: ledger.account_balance(a) for a in accounts}
            self.month = getattr(Books, "month", 0)

        @precondition(lambda self: self.month < 12)
        @rule(units=st.lists(st.integers(0, 40), min_size=3, max_size=3))
        def bill_a_month(self, units):
            Books.month = self.month = self.month + 1
            period_end = date(2026 + (5 + self.month) // 12, (5 + self.month) % 12 + 1, 25)
            for account, used in zip(accounts, units, strict=True):
                values[account.pk] += used
                read(supervisor, account.meter, period_end, str(values[account.pk]))
            run = services.bill_run_create(actor=biller, cycle=district, period_end=period_end)
            services.bill_run_calculate(actor=biller, run=run)
            services.bill_run_approve(actor=lead, run=run)
            services.bill_run_post(actor=biller, run=run, batch_size=2)
            for bill in Bill.objects.filter(run=run):
                self.expected[bill.account_id] += bill.current_charges

        @rule(which=st.integers(0, 2), cents=st.integers(1, 20_000))
        def credit(self, which, cents):
            amount = D(cents) / 100
            adjustment_request(
                actor=supervisor,
                account=accounts[which],
                reason_code="courtesy_credit",
                amount=amount,
                memo="Test",
            )
            self.expected[accounts[which].pk] -= amount

        @rule(which=st.integers(0, 2), rebill=st.booleans())
        def cancel_the_latest_bill(self, which, rebill):
            bill = (
                Bill.objects.filter(account=accounts[which], cancellation__isnull=True)
                .exclude(cancel_requests__status="pending")
                .order_by("-id")
                .first()
            )
            if bill is None:
                return
            asked = services.bill_cancel_request(actor=lead, bill=bill, reason="Test", rebill=rebill)
            if asked.status == "pending":  # over the lead's limit (or the day's total): nothing changes yet
                assert asked.credit > 0 and bill.current_charges > 0
                return
            new = Bill.objects.filter(replaces=bill).first()
            self.expected[bill.account_id] -= bill.current_charges
            assert (new is not None) == (rebill and bill.kind != "final")
            if new is not None:
                assert new.current_charges == bill.current_charges  # the same reads, the same charges
                assert asked.credit == 0
                self.expected[bill.account_id] += new.current_charges

        @invariant()
        def books_balance(self):
            assert breaches() == []
            assert {a.pk: ledger.account_balance(a) for a in accounts} == self.expected

        @invariant()
        def standing_bills_match_their_entries(self):
            for bill in Bill.objects.filter(cancellation__isnull=True, current_charges__gt=0):
                line = JournalLine.objects.get(
                    entry__source_kind="bill", entry__source_id=bill.pk, entry__reverses__isnull=True,
                    account__isnull=False,
                )  # fmt: skip
                assert line.amount == bill.current_charges
            twice = (
                BillMeter.objects.filter(bill__cancellation__isnull=True)
                .values("to_read")
                .annotate(n=Count("id"))
                .filter(n__gt=1)
            )
            assert not twice.exists()

    run_state_machine_as_test(
        Books,
        settings=settings(
            max_examples=8, stateful_step_count=6, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
