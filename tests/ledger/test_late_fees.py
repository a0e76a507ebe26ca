"""Late penalties: the greater of $10.00 or 10% of what is past due, after 30 days, once per bill."""

from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cistern.core import roles
from cistern.demo.rates import load_rates
from cistern.ledger import late_fees, selectors
from cistern.ledger.late_fees import PastDue
from cistern.ledger.models import JournalEntry
from cistern.ledger.services import Posting, assess_late_fees, journal_post, journal_reverse
from cistern.ledger.verify import breaches


def test_the_rule_with_plain_values():
    items = [
        PastDue(1, date(2026, 9, 25), D("45.55")),  # 10% is 4.56: the $10 minimum
        PastDue(2, date(2026, 9, 25), D("312.40")),  # 10% is 31.24
        PastDue(3, date(2026, 10, 30), D("500.00")),  # only 27 days past due
        PastDue(4, date(2026, 9, 1), D("80.00")),  # penalized already
    ]
    found = late_fees.penalties(
        items, on=date(2026, 11, 26), minimum=D("10.00"), percent=D("10"), after_days=30, already={4}
    )
    assert [(p.charge_id, p.amount) for p in found] == [(1, D("10.00")), (2, D("31.24"))]


def _bill(actor, account, amount, due):
    return journal_post(
        actor=actor, entry_date=date.fromordinal(due.toordinal() - 20), memo="Water bill", source_kind="bill",
        postings=[Posting("1200", D(amount), account.pk, due_date=due), Posting("4110", -D(amount))],
    )  # fmt: skip


@pytest.mark.django_db
def test_assessing_charges_each_past_due_bill_once(make_user, css2, start_account):
    load_rates()
    billing = make_user(roles.BILLING_ADMIN, username="billing_fees")
    late, partly, on_time = start_account(), start_account(), start_account()
    _bill(css2, late, "312.40", date(2026, 9, 25))
    _bill(css2, partly, "156.40", date(2026, 9, 25))
    journal_post(  # a payment covers all but $40.00 of it
        actor=css2, entry_date=date(2026, 10, 1), memo="Payment", source_kind="payment",
        postings=[Posting("1010", D("116.40")), Posting("1200", D("-116.40"), partly.pk)],
    )  # fmt: skip
    _bill(css2, on_time, "99.00", date(2026, 11, 20))
    _bill(css2, late, "20.00", date(2026, 10, 25))  # a second past-due bill: a penalty of its own

    entries = assess_late_fees(actor=billing, on=date(2026, 11, 26))
    assert len(entries) == 3
    assert selectors.account_balance(late) == D("312.40") + D("31.24") + D("20.00") + D("10.00")
    assert selectors.account_balance(partly) == D("40.00") + D("10.00")  # 10% of $40 is less than $10
    assert selectors.account_balance(on_time) == D("99.00")
    assert assess_late_fees(actor=billing, on=date(2026, 11, 27)) == []  # once per bill
    # A reversed penalty (forgiven) is not charged again either.
    journal_reverse(actor=billing, entry=entries[0], reason="Waived: first late payment")
    assert assess_late_fees(actor=billing, on=date(2026, 11, 28)) == []
    assert breaches() == []
    out = StringIO()
    call_command("assess_late_fees", "--on", "2026-11-29", "--user", billing.username, stdout=out)
    assert out.getvalue().strip() == "0 late penalties on 11/29/2026, $0.00 in all."


@pytest.mark.django_db
def test_clerks_do_not_assess_late_fees(css1):
    load_rates()
    with pytest.raises(CommandError, match="permission"):
        call_command("assess_late_fees", "--user", css1.username, stdout=StringIO())
    assert not JournalEntry.objects.exists()
