"""The aging in SQL (reports/receivables.py) against the ledger's own aging (ledger/aging.py, one account at a time)
on random books: charges due on different days, payments that pay part or more than all, charges and payments
reversed, on several days; every bucket of every customer class to the cent."""

import dataclasses
import random
from datetime import date, timedelta
from decimal import Decimal as D

import pytest

from cistern.core import roles
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole
from cistern.reports import registry
from tests.conftest import ACCEPTABLE

from .test_money_totals import _ledger_aging

pytestmark = pytest.mark.django_db
START = date(2026, 1, 5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sql_aging_is_the_ledgers_on_random_books(seed, start_account, make_user):
    rng = random.Random(seed)
    poster = make_user(roles.SUPERVISOR, username="aging_poster")
    receivable = ledger_selectors.gl_code(GLRole.RECEIVABLE)
    cash = ledger_selectors.gl_code(GLRole.CASH)
    kinds = ["owner", "rental", "commercial", "vacation"]
    accounts = [
        start_account(
            application=dataclasses.replace(ACCEPTABLE, occupancy_type=kinds[n % 4]), start_date=START
        )
        for n in range(8)
    ]
    for account in accounts:
        entries = []
        for _ in range(rng.randint(2, 9)):
            on = START + timedelta(days=rng.randint(0, 300))
            amount = D(rng.randint(100, 20000)) / 100
            if rng.random() < 0.6:  # a charge, due 20 days on
                postings = [ledger.Posting(receivable, amount, account.pk, "Bill", on + timedelta(20)),
                            ledger.Posting("4110", -amount)]  # fmt: skip
            else:  # a payment
                postings = [
                    ledger.Posting(cash, amount),
                    ledger.Posting(receivable, -amount, account.pk, "Paid"),
                ]
            entries.append(
                ledger.journal_post(
                    actor=poster, entry_date=on, memo="Random", source_kind="test", postings=postings
                )
            )
        for entry in rng.sample(entries, k=min(2, len(entries) - 1)):
            ledger.journal_reverse(
                actor=poster,
                entry=entry,
                reason="Random",
                entry_date=entry.entry_date + timedelta(rng.randint(0, 60)),
            )
    report = registry.get("aging")
    for as_of in (START + timedelta(days=n) for n in (10, 45, 100, 170, 260, 400)):
        result = report.run({"as_of": as_of})
        found = {row[0]: dict(zip(["not_due", "1_30", "31_60", "61_90", "over_90"], row[2:7], strict=True))
                 for row in result.rows}  # fmt: skip
        assert found == _ledger_aging(as_of), (seed, as_of)
