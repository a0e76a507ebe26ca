"""Bills, credits and reversals in any order: after every step the books balance and every account's balance
is the sum of what was posted to it (hypothesis stateful)."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from cistern.customers.balances import balances_owed
from cistern.ledger import selectors
from cistern.ledger.models import JournalEntry
from cistern.ledger.services import Posting, journal_post, journal_reverse
from cistern.ledger.verify import breaches

pytestmark = pytest.mark.django_db

amounts = st.decimals(min_value=D("0.01"), max_value=D("900.00"), places=2)


def test_the_books_always_balance(css2, start_account):
    accounts = [start_account() for _ in range(3)]

    class Books(RuleBasedStateMachine):
        @initialize()
        def baseline(self):
            self.expected = {a.pk: selectors.account_balance(a) for a in accounts}
            self.reversible: list[JournalEntry] = []

        @rule(which=st.integers(0, 2), amount=amounts, fee=st.booleans())
        def bill(self, which, amount, fee):
            account = accounts[which]
            split = (amount / 3).quantize(D("0.01")) if fee else D("0.00")
            postings = [Posting("1200", amount, account.pk, due_date=date(2026, 10, 25)),
                        Posting("4110", -(amount - split))]  # fmt: skip
            if split:
                postings.append(Posting("4220", -split))
            entry = journal_post(actor=css2, entry_date=date(2026, 10, 5), memo="Bill", source_kind="bill",
                                 postings=postings)  # fmt: skip
            self.expected[account.pk] += amount
            self.reversible.append(entry)

        @rule(which=st.integers(0, 2), amount=amounts)
        def payment_or_adjustment(self, which, amount):
            account = accounts[which]
            entry = journal_post(
                actor=css2, entry_date=date(2026, 10, 20), memo="Payment", source_kind="payment",
                postings=[Posting("1010", amount), Posting("1200", -amount, account.pk)],
            )  # fmt: skip
            self.expected[account.pk] -= amount
            self.reversible.append(entry)

        @precondition(lambda self: self.reversible)
        @rule(pick=st.integers(0, 10_000))
        def reverse(self, pick):
            entry = self.reversible.pop(pick % len(self.reversible))
            for line in entry.lines.all():
                if line.account_id:
                    self.expected[line.account_id] -= line.amount
            journal_reverse(actor=css2, entry=entry, reason="Correction")

        @invariant()
        def books_balance(self):
            assert breaches() == []
            owed = balances_owed(self.expected)
            for account in accounts:
                assert selectors.account_balance(account) == self.expected[account.pk]
                assert owed[account.pk] == self.expected[account.pk]
                assert (
                    sum(selectors.account_aging(account, date(2026, 11, 26)).values())
                    == self.expected[account.pk]
                )

    run_state_machine_as_test(
        Books, settings=settings(max_examples=25, stateful_step_count=12, deadline=None)
    )
