"""The account page shows the balance, its aging and the account's ledger."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.utils import timezone

from cistern.core import roles
from cistern.ledger.services import Posting, journal_post, journal_reverse

pytestmark = pytest.mark.django_db


def test_balance_aging_and_lines_on_the_account_page(client, css2, make_user, start_account):
    account = start_account()
    today = timezone.localdate()
    old = date.fromordinal(today.toordinal() - 75)
    journal_post(
        actor=css2, entry_date=old, memo="Bill for August", source_kind="bill",
        postings=[Posting("1200", D("156.40"), account.pk, due_date=old), Posting("4110", D("-156.40"))],
    )  # fmt: skip
    paid = journal_post(
        actor=css2, entry_date=today, memo="Payment, check 1042", source_kind="payment",
        postings=[Posting("1010", D("100.00")), Posting("1200", D("-100.00"), account.pk)],
    )  # fmt: skip
    client.force_login(make_user(roles.CSS_I, username="panel_clerk"))
    page = client.get(f"/accounts/{account.number}/").content.decode()
    assert '<strong id="account-balance" class="owes">$56.40</strong>' in page
    assert '<td class="num" data-bucket="61_90">$56.40</td>' in page  # 75 days past due, after the payment
    assert "Payment, check 1042" in page and "Bill for August" in page
    journal_reverse(actor=css2, entry=paid, reason="Check returned (NSF)")
    page = client.get(f"/accounts/{account.number}/").content.decode()
    assert '<strong id="account-balance" class="owes">$156.40</strong>' in page
    assert f"reversal of JE {paid.pk}" in page


def test_field_technicians_do_not_see_balances(client, make_user, start_account):
    account = start_account()
    client.force_login(make_user(roles.FIELD_TECHNICIAN, username="panel_tech"))
    assert client.get(f"/accounts/{account.number}/").status_code == 403
