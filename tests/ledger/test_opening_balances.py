"""Balances converted from the previous system are journal entries: the data migration posts today's
OpeningBalance rows, `opening_balance_post` posts one more; the ledger is the one balance source."""

import importlib
from datetime import date
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from cistern.core import roles
from cistern.customers import services as customers
from cistern.customers.balances import balances_owed
from cistern.customers.models import Account, OpeningBalance
from cistern.ledger import selectors
from cistern.ledger.models import JournalEntry
from cistern.ledger.services import LedgerError, opening_balance_post
from cistern.ledger.verify import breaches

pytestmark = pytest.mark.django_db

migration = importlib.import_module("cistern.ledger.migrations.0009_opening_balances_into_ledger")
FORWARDING = {"street": "9 Elm St", "city": "Barstow", "state": "CA", "zip": "92311"}


@pytest.fixture
def closed_account(start_account, css1, customer_factory):
    def make(name="Wade Holloway", stop=date(2025, 3, 1)):
        account = start_account(customer=customer_factory(name=name), start_date=date(2024, 1, 5))
        return customers.service_stop(actor=css1, account=account, stop_date=stop, forwarding=FORWARDING)

    return make


def _lines(entry):
    return sorted(
        (line.gl_account.code, line.amount, line.account_id, line.due_date) for line in entry.lines.all()
    )


def test_the_migration_posts_every_converted_balance_once(closed_account, start_account):
    """Seen: 18 closed accounts carry $4,666.33 of converted balances outside the ledger: the account page says
    "Balance $0.00" while start service refuses the customer for $411.72 owed."""
    owed = closed_account()
    active = start_account(start_date=date(2024, 1, 5))
    owed_row = OpeningBalance.objects.create(account=owed, amount=D("411.72"), as_of=date(2025, 4, 1))
    credit_row = OpeningBalance.objects.create(
        account=active, amount=D("-12.50"), as_of=date(2025, 4, 1), note="Overpaid in March"
    )
    OpeningBalance.objects.create(
        account=closed_account("Ana Ruiz"), amount=D("0.00"), as_of=date(2025, 4, 1)
    )

    migration.convert(apps, None)

    entries = {e.source_id: e for e in JournalEntry.objects.filter(source_kind="opening_balance")}
    assert set(entries) == {owed_row.pk, credit_row.pk}  # a zero balance posts nothing
    conversion = entries[owed_row.pk].created_by
    assert (conversion.username, conversion.is_active, conversion.has_usable_password()) == (
        "conversion", False, False,
    )  # fmt: skip
    assert entries[owed_row.pk].entry_date == date(2025, 4, 1)
    # The closed account's debt fell due when its service ended; the credit is the other way round.
    assert _lines(entries[owed_row.pk]) == [
        ("1200", D("411.72"), owed.pk, date(2025, 3, 1)),
        ("3000", D("-411.72"), None, None),
    ]
    assert _lines(entries[credit_row.pk]) == [
        ("1200", D("-12.50"), active.pk, date(2025, 4, 1)),
        ("3000", D("12.50"), None, None),
    ]
    assert entries[credit_row.pk].reason == "Overpaid in March"
    assert selectors.receivable_balances([owed.pk, active.pk]) == {
        owed.pk: D("411.72"),
        active.pk: D("-12.50"),
    }
    assert balances_owed([owed.pk, active.pk]) == {owed.pk: D("411.72"), active.pk: D("-12.50")}  # once each

    migration.convert(apps, None)  # again: nothing twice
    assert JournalEntry.objects.filter(source_kind="opening_balance").count() == 2
    assert breaches() == []


def test_a_converted_balance_is_on_the_account_page_and_refuses_the_start_once_not_twice(
    closed_account, start_account, make_user, client, css1
):
    """Seen: the account page said "Balance $0.00" while start service refused the customer for $411.72."""
    old = closed_account()
    admin = make_user(roles.BILLING_ADMIN, username="conversion_admin")
    entry = opening_balance_post(
        actor=admin, account=old, amount=D("411.72"), on=date(2025, 4, 1), memo="Batch 3"
    )
    assert OpeningBalance.objects.get(account=old).amount == D("411.72")  # the conversion's record
    assert balances_owed([old.pk]) == {old.pk: D("411.72")}  # the ledger's, not the row's as well
    client.force_login(css1)
    page = client.get(f"/accounts/{old.number}/").content.decode()
    assert '<strong id="account-balance" class="owes">$411.72</strong>' in page
    with pytest.raises(customers.BadDebtRefused, match=r"\$411\.72"):
        start_account(customer=old.customer)

    # Posting the same balance again returns its entry; a different one is refused.
    assert opening_balance_post(actor=admin, account=old, amount=D("411.72"), on=date(2025, 4, 1)) == entry
    with pytest.raises(LedgerError, match=r"already has an opening balance of \$411\.72"):
        opening_balance_post(actor=admin, account=old, amount=D("400.00"), on=date(2025, 4, 1))
    assert JournalEntry.objects.filter(source_kind="opening_balance").count() == 1
    assert breaches() == []


def test_only_the_conversion_posts_opening_balances(closed_account, css1):
    old = closed_account()
    with pytest.raises(PermissionDenied):
        opening_balance_post(actor=css1, account=old, amount=D("10.00"), on=date(2025, 4, 1))
    assert not OpeningBalance.objects.exists()


def test_verify_ledger_finds_an_opening_balance_outside_the_ledger(closed_account):
    old = closed_account()
    OpeningBalance.objects.create(
        account=old, amount=D("411.72"), as_of=date(2025, 4, 1)
    )  # loaded, not posted
    assert breaches() == [f"Account {old.number}: its opening balance of $411.72 is not in the ledger."]
    assert Account.objects.get(pk=old.pk).status == "final"
