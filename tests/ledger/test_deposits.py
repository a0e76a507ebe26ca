"""Deposits and set-up fees in the ledger: posted when service starts, moved by a transfer, settled by the
final bill from what the ledger holds, credited back after the good-payment rule; one lock order."""

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from cistern.billing import services as billing
from cistern.core import roles
from cistern.core.models import AuditEvent
from cistern.core.selectors import district_settings
from cistern.customers import services as customers
from cistern.customers.models import Account
from cistern.fieldwork.models import ServiceOrder, ServiceOrderType
from cistern.ledger import selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole, JournalEntry
from cistern.ledger.services import Posting, deposits_credit_back, journal_post, journal_reverse
from cistern.ledger.verify import breaches
from tests.billing.conftest import read
from tests.conftest import ACCEPTABLE

pytestmark = pytest.mark.django_db

WITH_DEPOSIT_AND_FEE = replace(
    ACCEPTABLE, credit_decision="deposit", deposit_required=True, charge_setup_fee=True
)
WITH_DEPOSIT = replace(ACCEPTABLE, credit_decision="deposit", deposit_required=True)
FORWARDING = {"street": "9 Elm St", "unit": "", "city": "Yucca Valley", "state": "CA", "zip": "92284"}


@pytest.fixture
def billing_admin(make_user):
    return make_user(roles.BILLING_ADMIN, username="deposits_admin")


def _lines(entry):
    return sorted(
        (line.gl_account.code, line.amount, line.account_id, line.due_date) for line in entry.lines.all()
    )


def _pay(actor, account, amount, on):
    return journal_post(
        actor=actor, entry_date=on, memo="Payment", source_kind="payment",
        postings=[
            Posting(selectors.gl_code(GLRole.CASH), D(amount)),
            Posting(selectors.gl_code(GLRole.RECEIVABLE), -D(amount), account.pk, "Payment"),
        ],
    )  # fmt: skip


def test_start_service_posts_the_deposit_and_the_set_up_fee(start_account, css1):
    """Seen: 723 accounts show a $200 deposit and the $35 set-up fee, but neither is in the ledger (GL 2200 has
    no lines)."""
    account = start_account(application=WITH_DEPOSIT_AND_FEE, start_date=date(2026, 11, 2))
    assert selectors.account_balance(account) == D("235.00")
    assert selectors.deposits_held([account.pk]) == {account.pk: D("200.00")}
    entry = JournalEntry.objects.get(source_kind="start_charges", source_id=account.pk)
    assert entry.entry_date == date(2026, 11, 2) and entry.created_by == css1
    start = date(2026, 11, 2)
    assert _lines(entry) == [
        ("1200", D("35.00"), account.pk, start),
        ("1200", D("200.00"), account.pk, start),
        ("2200", D("-200.00"), account.pk, None),
        ("4210", D("-35.00"), None, None),
    ]
    assert AuditEvent.objects.filter(action="ledger.post", account_id=account.pk).count() == 1
    # Once per account: asking again returns the same entry and posts nothing.
    assert ledger.start_charges_post(actor=css1, account=account) == entry
    assert JournalEntry.objects.filter(source_kind="start_charges").count() == 1
    assert breaches() == []


def test_an_account_with_neither_deposit_nor_fee_posts_nothing(start_account):
    account = start_account()
    assert not JournalEntry.objects.exists()
    assert selectors.deposits_held([account.pk]) == {account.pk: D("0.00")}


def test_a_start_that_fails_posts_nothing(start_account, css1, premise_factory, customer_factory):
    premise = premise_factory()
    start_account(premise=premise, application=WITH_DEPOSIT_AND_FEE)
    with pytest.raises(customers.CustomerError, match="is in service"):
        customers.service_start_new_customer(
            actor=css1, customer_fields={"name": "Ana Ruiz"}, premise=premise, start_date=date(2026, 11, 9),
            application=WITH_DEPOSIT_AND_FEE,
        )  # fmt: skip
    assert JournalEntry.objects.count() == 1  # the first start's only


def test_a_new_customer_start_posts_its_charges(css1, premise_factory):
    account = customers.service_start_new_customer(
        actor=css1, customer_fields={"name": "Ana Ruiz"}, premise=premise_factory(), start_date=date(2026, 11, 9),
        application=WITH_DEPOSIT_AND_FEE,
    )  # fmt: skip
    assert selectors.account_balance(account) == D("235.00")


def test_a_transfer_moves_the_deposit_and_charges_no_new_fee(start_account, css1, premise_factory):
    old = start_account(application=WITH_DEPOSIT_AND_FEE, start_date=date(2025, 6, 1))
    _pay(css1, old, "235.00", date(2025, 6, 1))
    new = customers.service_transfer(
        actor=css1, account=old, new_premise=premise_factory(street="7000 Sunfair Rd"),
        transfer_date=date(2026, 12, 1), occupancy_type="owner", relationship="owner",
    )  # fmt: skip
    assert selectors.deposits_held([old.pk, new.pk]) == {old.pk: D("0.00"), new.pk: D("200.00")}
    moved = JournalEntry.objects.get(source_kind="deposit_transfer", source_id=new.pk)
    assert moved.entry_date == date(2026, 12, 1)
    assert _lines(moved) == [("2200", D("-200.00"), new.pk, None), ("2200", D("200.00"), old.pk, None)]
    assert not JournalEntry.objects.filter(source_kind="start_charges", source_id=new.pk).exists()
    assert selectors.receivable_balances([old.pk, new.pk]) == {old.pk: D("0.00")}  # no fee on the new one
    assert breaches() == []


def _stopped_with_final_read(supervisor, account, stop_on, value):
    customers.service_stop(
        actor=supervisor, account=account, stop_date=stop_on, reason="Moving away", forwarding=FORWARDING
    )
    read(supervisor, account.meter, stop_on, value, kind="final")
    account.refresh_from_db()
    return account


def test_the_final_bill_applies_the_deposit_held_and_refunds_the_rest_to_the_cent(
    district,
    supervisor,
    metered_account,
):
    account = metered_account(application=WITH_DEPOSIT)
    _pay(supervisor, account, "200.00", account.start_date)  # the deposit paid at the counter
    _stopped_with_final_read(supervisor, account, date(2026, 7, 10), "102")
    bill = billing.bill_final(actor=supervisor, account=account)
    assert bill.current_charges == D("38.78")  # 15 days: $45.55 x 15/30 = $22.78, 2 units x $8.00
    assert (bill.deposit_applied, bill.refund, bill.amount_due) == (D("38.78"), D("161.22"), D("0.00"))
    settlement = JournalEntry.objects.get(source_kind="final_settlement", source_id=bill.pk)
    assert sorted(
        (line.gl_account.code, line.amount, line.account_id) for line in settlement.lines.all()
    ) == [
        ("1200", D("-38.78"), account.pk),
        ("2200", D("38.78"), account.pk),
        ("2200", D("161.22"), account.pk),
        ("2300", D("-161.22"), None),
    ]
    assert selectors.deposits_held([account.pk]) == {account.pk: D("0.00")}
    assert selectors.account_balance(account) == D("0.00")
    assert breaches() == []


def test_a_final_bill_refunds_no_deposit_the_ledger_never_held(district, supervisor, metered_account):
    """Seen: the final bill would refund a deposit never collected (a $200 deposit on the account, none in the
    ledger)."""
    account = metered_account()
    Account.objects.filter(pk=account.pk).update(deposit_amount=D("200.00"))  # on file, never posted
    _stopped_with_final_read(supervisor, account, date(2026, 7, 10), "102")
    bill = billing.bill_final(actor=supervisor, account=account)
    assert (bill.deposit_applied, bill.refund, bill.amount_due) == (D("0.00"), D("0.00"), D("38.78"))
    assert not JournalEntry.objects.filter(source_kind="final_settlement").exists()
    assert selectors.account_balance(account) == D("38.78")


# --- the good-payment rule ------------------------------------------------------------------------------------

STARTED = date(2024, 1, 10)
MONTHS_23, MONTHS_24 = date(2025, 12, 10), date(2026, 1, 10)


@pytest.fixture
def in_good_standing(start_account, css1, supervisor):
    """An active account that paid its $200 deposit on 01/10/2024."""

    def make():
        account = start_account(application=WITH_DEPOSIT, start_date=STARTED)
        customers.account_activate(actor=supervisor, account=account, on=STARTED, reason="Water on")
        _pay(css1, account, "200.00", STARTED)
        return account

    return make


def _late_fee(actor, account, on, charge_id):
    return journal_post(
        actor=actor, entry_date=on, memo="Late penalty", source_kind="late_fee", source_id=charge_id,
        postings=[
            Posting(selectors.gl_code(GLRole.RECEIVABLE), D("10.00"), account.pk, "Late penalty", on),
            Posting("4220", D("-10.00")),
        ],
    )  # fmt: skip


def test_the_deposit_is_credited_back_at_24_months_not_at_23(in_good_standing, billing_admin):
    account = in_good_standing()
    early = deposits_credit_back(actor=billing_admin, on=MONTHS_23)
    assert (early.looked_at, len(early.credited), early.too_new, early.not_yet_due) == (1, 0, 1, 1)
    assert selectors.deposits_held([account.pk]) == {account.pk: D("200.00")}

    done = deposits_credit_back(actor=billing_admin, on=MONTHS_24)
    assert (done.looked_at, len(done.credited)) == (1, 1)
    (entry,) = done.credited
    assert (entry.source_kind, entry.source_id, entry.entry_date) == (
        "deposit_credit_back",
        account.pk,
        MONTHS_24,
    )
    assert _lines(entry) == [
        ("1200", D("-200.00"), account.pk, MONTHS_24),
        ("2200", D("200.00"), account.pk, None),
    ]
    assert selectors.deposits_held([account.pk]) == {account.pk: D("0.00")}
    assert selectors.account_balance(account) == D("-200.00")  # a credit on the next bill
    audit = AuditEvent.objects.get(action="deposit.credit_back", account_id=account.pk)
    assert audit.actor == billing_admin and "24 months" in audit.reason
    # Once: the next day finds nothing held.
    again = deposits_credit_back(actor=billing_admin, on=date(2026, 1, 11))
    assert (again.looked_at, again.credited) == (0, [])
    assert JournalEntry.objects.filter(source_kind="deposit_credit_back").count() == 1
    assert breaches() == []


def test_three_late_payments_in_the_window_keep_the_deposit_two_do_not(in_good_standing, billing_admin, css1):
    three, two, one_reversed = in_good_standing(), in_good_standing(), in_good_standing()
    charge = iter(range(9000, 9100))
    fees = {}
    for account, days in (
        (three, (date(2024, 5, 20), date(2024, 9, 20), date(2025, 3, 20))),
        (two, (date(2024, 5, 20), date(2025, 3, 20))),
        (one_reversed, (date(2024, 5, 20), date(2024, 9, 20), date(2025, 3, 20))),
    ):
        fees[account.pk] = [_late_fee(css1, account, on, next(charge)) for on in days]
        _pay(css1, account, f"{10 * len(days)}.00", date(2025, 3, 25))
    journal_reverse(actor=css1, entry=fees[one_reversed.pk][1], reason="Fee charged in error")  # not late
    done = deposits_credit_back(actor=billing_admin, on=MONTHS_24)
    assert (done.looked_at, done.too_many_late, done.not_yet_due) == (3, 1, 1)
    assert sorted(e.source_id for e in done.credited) == [two.pk, one_reversed.pk]
    assert selectors.deposits_held([three.pk]) == {three.pk: D("200.00")}


def test_late_fees_before_the_window_do_not_count(in_good_standing, billing_admin, css1):
    account = in_good_standing()
    for n, on in enumerate((date(2024, 3, 20), date(2024, 4, 20), date(2024, 5, 20))):
        _late_fee(css1, account, on, 9500 + n)
    _pay(css1, account, "30.00", date(2024, 5, 25))
    # 03/10/2026 looks back to 03/10/2024: three late payments. 03/21/2026 looks back to 03/21/2024: two.
    assert deposits_credit_back(actor=billing_admin, on=date(2026, 3, 10)).too_many_late == 1
    assert len(deposits_credit_back(actor=billing_admin, on=date(2026, 3, 21)).credited) == 1


def _locked_off(account, on):
    ServiceOrder.objects.create(
        number=700000 + account.pk, order_type=ServiceOrderType.objects.get(code="lock_off"), status="completed",
        premise=account.premise, account=account, requested_on=on,
        completed_at=timezone.make_aware(datetime(on.year, on.month, on.day, 10, 0)),
    )  # fmt: skip


def test_a_lock_off_in_the_window_keeps_the_deposit_unless_the_district_waives_that(
    in_good_standing, billing_admin
):
    account = in_good_standing()
    _locked_off(account, date(2025, 2, 3))
    done = deposits_credit_back(actor=billing_admin, on=MONTHS_24)
    assert (done.looked_at, done.locked_off, done.credited) == (1, 1, [])
    settings = district_settings()
    settings.deposit_refund_no_lockoff = False
    settings.save()
    assert len(deposits_credit_back(actor=billing_admin, on=MONTHS_24).credited) == 1


def test_the_command_counts_in_and_out_and_clerks_may_not_run_it(in_good_standing, billing_admin, css1):
    in_good_standing()
    young = in_good_standing()
    Account.objects.filter(pk=young.pk).update(start_date=date(2025, 1, 10))
    out = StringIO()
    call_command("credit_back_deposits", "--on", "2026-01-10", "--user", billing_admin.username, stdout=out)
    assert out.getvalue().startswith(
        "2 accounts holding a deposit looked at on 01/10/2026: 1 credited ($200.00), 1 not yet due "
        "(1 in service too short a time, 0 with too many late payments, 0 locked off)."
    )
    with pytest.raises(CommandError, match="permission"):
        call_command("credit_back_deposits", "--user", css1.username, stdout=StringIO())
    with pytest.raises(PermissionDenied):
        deposits_credit_back(actor=css1, on=MONTHS_24)


def test_the_daily_task_credits_today(in_good_standing, billing_admin):
    from cistern.core import clock
    from cistern.ledger.tasks import credit_back_deposits_daily

    account = in_good_standing()
    with clock.on(MONTHS_24):
        assert credit_back_deposits_daily.enqueue(billing_admin.pk).return_value == 1
    assert selectors.deposits_held([account.pk]) == {account.pk: D("0.00")}


# --- one lock order; verify_ledger ----------------------------------------------------------------------------


def test_posting_locks_the_accounts_it_posts_to_in_id_order(start_account, css1, monkeypatch):
    first, second = start_account(), start_account()
    locked = []
    real = ledger.accounts_lock
    monkeypatch.setattr(ledger, "accounts_lock", lambda ids: locked.append(real(ids)) or locked[-1])
    receivable = selectors.gl_code(GLRole.RECEIVABLE)
    entry = journal_post(
        actor=css1, entry_date=date(2026, 11, 5), memo="Transfer of a payment", source_kind="test",
        postings=[Posting(receivable, D("5.00"), second.pk), Posting(receivable, D("-5.00"), first.pk)],
    )  # fmt: skip
    journal_reverse(actor=css1, entry=entry, reason="Wrong account")
    assert locked == [[first, second], [first, second]]
    assert customers.accounts_lock([second.pk, first.pk, second.pk]) == [first, second]


def test_verify_ledger_finds_a_deposit_not_in_the_ledger_and_a_deposit_overdrawn(start_account, css1):
    held = start_account(application=WITH_DEPOSIT)
    missing = start_account()
    Account.objects.filter(pk=missing.pk).update(deposit_amount=D("200.00"))  # asked, never posted
    assert breaches() == [
        f"Account {missing.number} was asked a $200.00 deposit at its start; the ledger holds none of it."
    ]
    with pytest.raises(CommandError, match="1 breach"):
        call_command("verify_ledger", stdout=StringIO(), stderr=StringIO())
    deposits = selectors.gl_code(GLRole.DEPOSITS_HELD)
    journal_post(
        actor=css1, entry_date=date(2026, 11, 5), memo="Refund", source_kind="test",
        postings=[Posting(deposits, D("250.00"), held.pk), Posting(selectors.gl_code(GLRole.REFUNDS_PAYABLE),
                                                                   D("-250.00"))],
    )  # fmt: skip
    assert (
        f"Account {held.number}: $50.00 more of its deposit was applied, refunded or moved than was ever held."
        in breaches()
    )


def test_a_converted_districts_start_charges_post_in_one_batch_once(
    db, make_user, start_account, premise_factory
):
    """A conversion posts every converted account's deposit and set-up fee as start_charges_post would, in
    one batch; a second batch charges nothing twice."""
    from decimal import Decimal as D

    from cistern.core import roles
    from cistern.customers.models import Account
    from cistern.ledger import selectors, services

    clerk = make_user(roles.CSS_I, username="conversion_clerk")
    accounts = [start_account(premise=premise_factory()) for _ in range(3)]
    Account.objects.filter(pk=accounts[0].pk).update(deposit_amount=D("200.00"), setup_fee_amount=D("35.00"))
    Account.objects.filter(pk=accounts[1].pk).update(deposit_amount=D("0.00"), setup_fee_amount=D("35.00"))
    Account.objects.filter(pk=accounts[2].pk).update(deposit_amount=D("0.00"), setup_fee_amount=D("0.00"))
    fresh = list(Account.objects.filter(pk__in=[a.pk for a in accounts]).order_by("pk"))
    on = fresh[0].start_date
    charged = services.start_charges_post_batch(actor=clerk, accounts=fresh, on=on)
    assert charged == [fresh[0].pk, fresh[1].pk]
    balances = selectors.receivable_balances([a.pk for a in fresh])
    assert (balances[fresh[0].pk], balances[fresh[1].pk]) == (D("235.00"), D("35.00"))
    assert fresh[2].pk not in balances
    assert selectors.deposits_held([fresh[0].pk]) == {fresh[0].pk: D("200.00")}
    assert services.start_charges_post_batch(actor=clerk, accounts=fresh, on=on) == []
    assert (
        services.start_charges_post(actor=clerk, account=fresh[0]).pk
        == services._posted("start_charges", fresh[0].pk).pk
    )
