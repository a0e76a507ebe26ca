"""Bill runs through the services: a trial with its exceptions, approval by someone else, posting in batches
that resume after an interruption, bills that match the ledger to the cent."""

from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.db.models import Sum

from cistern.billing import selectors, services
from cistern.billing.models import Bill, BillLine, BillMeter, BillRun, BillRunItem, RunStatus
from cistern.ledger import selectors as ledger
from cistern.ledger.models import GLRole, JournalEntry, JournalLine
from cistern.ledger.services import Posting, journal_post
from cistern.ledger.verify import breaches
from cistern.payments import bank, hooks_bank
from cistern.payments.models import Refund

from .conftest import read

JUL, AUG = date(2026, 7, 25), date(2026, 8, 25)


def _deposit_paid(actor, account):
    """The customer pays the deposit the start charged (payments post cash against the receivable)."""
    journal_post(
        actor=actor, entry_date=account.start_date, memo="Deposit paid at the counter", source_kind="payment",
        postings=[
            Posting(ledger.gl_code(GLRole.CASH), account.deposit_amount),
            Posting(ledger.gl_code(GLRole.RECEIVABLE), -account.deposit_amount, account.pk, "Payment"),
        ],
    )  # fmt: skip


def _calculated(biller, cycle, period_end=JUL):
    run = services.bill_run_create(actor=biller, cycle=cycle, period_end=period_end)
    services.bill_run_calculate(actor=biller, run=run)
    run.refresh_from_db()
    return run


def test_a_trial_proposes_each_account_with_its_exceptions(district, biller, metered_account):
    twelve = metered_account([(JUL, "112")])
    zero = metered_account([(JUL, "100")])
    unread = metered_account()
    run = _calculated(biller, district)

    assert run.status == RunStatus.CALCULATED
    assert (run.bill_date, run.due_date) == (
        date(2026, 7, 28),
        date(2026, 8, 17),
    )  # bill day 28, due +20 days
    items = {i.account_id: i for i in BillRunItem.objects.filter(run=run)}
    assert items[twelve.pk].billable and items[twelve.pk].total == D("156.40")
    assert items[twelve.pk].units == D("12.00") and items[twelve.pk].exceptions == []
    assert (items[twelve.pk].period_start, items[twelve.pk].period_end) == (date(2026, 6, 25), JUL)
    assert [code for code, _ in items[zero.pk].exceptions] == ["zero"] and items[zero.pk].total == D("45.55")
    assert not items[unread.pk].billable and items[unread.pk].exceptions[0][0] == "no_read"
    summary = selectors.run_summary(run)
    assert (summary["billable"], summary["held"], summary["amount"]) == (2, 1, D("201.95"))
    assert summary["exceptions"] == {"No read": 1, "Zero usage": 1}
    assert Bill.objects.count() == 0 and not JournalEntry.objects.filter(source_kind="bill").exists()  # a trial writes no bill


def test_calculating_again_rewrites_only_the_bills_whose_reads_changed(
    district, biller, supervisor, metered_account
):
    fixed = metered_account([(date(2026, 7, 20), "100")])  # a zero read, re-read on the 25th
    steady = [metered_account([(JUL, "110")]) for _ in range(3)]
    run = _calculated(biller, district)
    before = dict(BillRunItem.objects.filter(run=run).values_list("account_id", "calculated_at"))

    read(supervisor, fixed.meter, JUL, "109")
    assert services.bill_run_calculate(actor=biller, run=run) == 1
    after = dict(BillRunItem.objects.filter(run=run).values_list("account_id", "calculated_at"))
    assert [a for a in after if after[a] != before[a]] == [fixed.pk]
    item = BillRunItem.objects.get(run=run, account=fixed)
    assert (
        item.units == D("9.00") and item.exceptions == [] and item.total == D("124.15")
    )  # $45.55 + 5 x $8.00 + 4 x $9.65
    assert all(after[a.pk] == before[a.pk] for a in steady)


def test_the_person_who_calculated_does_not_approve(district, biller, lead, metered_account):
    metered_account([(JUL, "112")])
    run = _calculated(biller, district)
    with pytest.raises(services.BillingError, match="other than who calculated"):
        services.bill_run_approve(actor=biller, run=run)
    with pytest.raises(services.BillingError, match="approved run is posted"):
        services.bill_run_post(actor=biller, run=run)
    services.bill_run_approve(actor=lead, run=run, note="Looked at the exceptions")
    assert [e.to_status for e in run.events.all()] == ["new", "calculated", "approved"]


def test_posting_writes_bills_lines_and_entries_that_match_the_ledger(
    district, biller, lead, metered_account
):
    accounts = [metered_account([(JUL, str(100 + units))]) for units in (0, 5, 12, 25)]
    run = _calculated(biller, district)
    services.bill_run_approve(actor=lead, run=run)
    run = services.bill_run_post(actor=biller, run=run, batch_size=3)

    assert run.status == RunStatus.POSTED and run.progress_done == 4
    bills = {b.account_id: b for b in Bill.objects.filter(run=run)}
    charges = [bills[a.pk].current_charges for a in accounts]
    assert charges == [D("45.55"), D("85.55"), D("156.40"), D("311.55")]  # 25: + 10 x $11.30 + 5 x $12.95
    twelve = bills[accounts[2].pk]
    assert list(twelve.lines.values_list("description", "amount")) == [
        ('Basic fee 3/4"', D("45.55")),
        ("Tier 1: units 1-5", D("40.00")),
        ("Tier 2: units 6-10", D("48.25")),
        ("Tier 3: units 11-20", D("22.60")),
    ]
    assert twelve.lines.get(sequence=3).explanation == "units 6-10: 5 x $9.65"
    assert (twelve.amount_due, twelve.due_date) == (D("156.40"), date(2026, 8, 17))
    for account, bill in ((a, bills[a.pk]) for a in accounts):
        assert ledger.account_balance(account) == bill.current_charges  # the bill is the account's balance
        entry = JournalEntry.objects.get(source_kind="bill", source_id=bill.pk)
        assert sum(line.amount for line in entry.lines.all()) == 0
    revenue = {row["code"]: row["net"] for row in ledger.gl_summary(date(2026, 7, 28))}
    assert revenue == {"1200": D("599.05"), "4100": D("-182.20"), "4110": D("-416.85")}
    assert breaches() == []


def test_an_account_and_a_read_are_billed_once(district, biller, lead, metered_account):
    account = metered_account([(JUL, "112")])
    run = _calculated(biller, district)
    services.bill_run_approve(actor=lead, run=run)
    services.bill_run_post(actor=biller, run=run)
    bill = Bill.objects.get(account=account)
    with pytest.raises(services.BillingError, match="already has a run"):
        services.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    # The database refuses a second bill for the period and a second billing of the read.
    with pytest.raises(IntegrityError), transaction.atomic():
        Bill.objects.create(
            account=account, period_start=bill.period_start, period_end=bill.period_end, bill_date=bill.bill_date,
            due_date=bill.due_date, current_charges=D("1.00"), amount_due=D("1.00"), created_by=biller,
        )  # fmt: skip
    other = Bill.objects.create(
        account=account, period_start=JUL, period_end=AUG, bill_date=AUG, due_date=AUG, current_charges=D("1.00"),
        amount_due=D("1.00"), created_by=biller,
    )  # fmt: skip
    meter = BillMeter.objects.get(bill=bill)
    with pytest.raises(IntegrityError), transaction.atomic():
        BillMeter.objects.create(
            bill=other, installation_id=meter.installation_id, serial="x", size="3/4", rate_class="residential",
            to_read_id=meter.to_read_id, from_date=JUL, to_date=AUG, from_value=0, to_value=0, units=0,
        )  # fmt: skip


def test_an_interrupted_posting_resumes_to_the_same_books(district, biller, lead, metered_account):
    for units in range(7):
        metered_account([(JUL, str(100 + units))])
    run = _calculated(biller, district)
    services.bill_run_approve(actor=lead, run=run)

    class Killed(Exception):
        pass

    def die_after_two_batches(done, total):
        if done >= 4:
            raise Killed

    with pytest.raises(Killed):
        services.bill_run_post(actor=biller, run=run, batch_size=2, progress=die_after_two_batches)
    run.refresh_from_db()
    assert run.status == RunStatus.POSTING and Bill.objects.count() == 4
    run = services.bill_run_post(actor=biller, run=run, batch_size=2)
    assert run.status == RunStatus.POSTED
    assert Bill.objects.count() == 7 and JournalEntry.objects.filter(source_kind="bill").count() == 7
    expected = dict(BillRunItem.objects.filter(run=run).values_list("account_id", "total"))
    assert dict(Bill.objects.values_list("account_id", "current_charges")) == expected
    assert sum(ledger.receivable_balances(expected).values()) == sum(expected.values()) == D("488.50")
    assert breaches() == []


def test_next_month_bills_from_the_last_billed_read(district, biller, lead, supervisor, metered_account):
    account = metered_account([(JUL, "112")])
    run = _calculated(biller, district)
    services.bill_run_approve(actor=lead, run=run)
    services.bill_run_post(actor=biller, run=run)
    read(supervisor, account.meter, AUG, "117")
    august = _calculated(biller, district, AUG)
    services.bill_run_approve(actor=lead, run=august)
    services.bill_run_post(actor=biller, run=august)

    bill = Bill.objects.get(run=august)
    meter = bill.meters.get()
    assert (meter.from_date, meter.from_value, meter.to_value, meter.units) == (
        JUL,
        D("112.00"),
        D("117.00"),
        D("5.00"),
    )
    assert (bill.previous_amount_due, bill.payments_and_adjustments) == (D("156.40"), D("0.00"))
    assert (bill.current_charges, bill.amount_due) == (D("85.55"), D("241.95"))


def test_a_posted_bill_is_cancelled_and_rebilled_with_the_corrected_read(
    district, biller, lead, supervisor, metered_account
):
    account = metered_account([(JUL, "125")])  # misread: 25 units
    run = _calculated(biller, district)
    services.bill_run_approve(actor=lead, run=run)
    services.bill_run_post(actor=biller, run=run)
    bill = Bill.objects.get(account=account)
    assert bill.current_charges == D("311.55")
    from cistern.metering.models import Read
    from cistern.metering.services import read_correct

    read_correct(
        actor=supervisor,
        read=Read.objects.get(account=account, read_on=JUL),
        value="112",
        reason="Misread 125",
    )

    new = services.bill_cancel(actor=lead, bill=bill, reason="Misread: read corrected")
    assert new.replaces_id == bill.pk and new.kind == "rebill" and new.current_charges == D("156.40")
    assert ledger.account_balance(account) == D("156.40")
    reversal = JournalEntry.objects.get(reverses__source_kind="bill", reverses__source_id=bill.pk)
    assert reversal.reason.startswith(f"Bill {bill.pk} cancelled")
    with pytest.raises(services.BillingError, match="already cancelled"):
        services.bill_cancel(actor=lead, bill=bill, reason="again")
    assert breaches() == []


def test_a_final_bill_applies_the_deposit_and_refunds_what_is_left(
    district, biller, lead, supervisor, metered_account
):
    from cistern.customers import services as customers
    from tests.conftest import ACCEPTABLE

    with_deposit = ACCEPTABLE.__class__(
        **{**ACCEPTABLE.__dict__, "credit_decision": "deposit", "deposit_required": True}
    )
    account = metered_account([(JUL, "112")], application=with_deposit)
    assert account.deposit_amount == D("200.00")
    assert ledger.deposits_held([account.pk]) == {account.pk: D("200.00")}
    _deposit_paid(supervisor, account)
    run = _calculated(biller, district)
    services.bill_run_approve(actor=lead, run=run)
    services.bill_run_post(actor=biller, run=run)  # $156.40 owed
    customers.service_stop(
        actor=supervisor, account=account, stop_date=date(2026, 8, 10), reason="Moving away",
        forwarding={"street": "9 Elm St", "unit": "", "city": "Yucca Valley", "state": "CA", "zip": "92284"},
    )  # fmt: skip
    read(supervisor, account.meter, date(2026, 8, 10), "115", kind="final")
    account.refresh_from_db()

    bill = services.bill_final(actor=supervisor, account=account)
    assert bill.kind == "final" and (bill.period_start, bill.period_end) == (JUL, date(2026, 8, 10))
    # 16 days: the basic fee and the blocks scale by 16/30: $24.29 + 2.6667 x $8.00 + 0.3333 x $9.65.
    assert bill.current_charges == D("48.84")
    assert bill.deposit_applied == D("200.00") and bill.refund == D("0.00")
    assert bill.amount_due == D("156.40") + D("48.84") - D("200.00") == D("5.24")
    assert ledger.account_balance(account) == D("5.24")
    assert breaches() == []


def _stopped_with_a_deposit(supervisor, metered_account):
    """An account that paid its $200 deposit, stopped on 7/10/2026 with a forwarding address and read."""
    from cistern.customers import services as customers
    from tests.conftest import ACCEPTABLE

    with_deposit = ACCEPTABLE.__class__(
        **{**ACCEPTABLE.__dict__, "credit_decision": "deposit", "deposit_required": True}
    )
    account = metered_account(application=with_deposit)
    _deposit_paid(supervisor, account)
    customers.service_stop(
        actor=supervisor, account=account, stop_date=date(2026, 7, 10), reason="Sold the house",
        forwarding={"street": "9 Elm St", "unit": "", "city": "Yucca Valley", "state": "CA", "zip": "92284"},
    )  # fmt: skip
    read(supervisor, account.meter, date(2026, 7, 10), "102", kind="final")
    account.refresh_from_db()
    return account


def test_a_final_bill_with_more_deposit_than_debt_refunds_the_rest(district, supervisor, metered_account):
    account = _stopped_with_a_deposit(supervisor, metered_account)
    bill = services.bill_final(actor=supervisor, account=account)
    assert bill.current_charges == D("38.78")  # 15 days: $45.55 x 15/30 = $22.78, 2 units x $8.00
    assert (bill.deposit_applied, bill.refund, bill.amount_due) == (D("38.78"), D("161.22"), D("0.00"))
    assert ledger.account_balance(account) == D("0.00")
    refunds = JournalEntry.objects.get(source_kind="final_settlement", source_id=bill.pk)
    lines = sorted((line.gl_account.code, line.amount) for line in refunds.lines.all())
    # The deposit: $38.78 to the bill, $161.22 to a refund.
    assert lines == [
        ("1200", D("-38.78")),
        ("2200", D("38.78")),
        ("2200", D("161.22")),
        ("2300", D("-161.22")),
    ]
    assert {line.account_id for line in refunds.lines.all() if line.gl_account.code == "2200"} == {account.pk}
    assert ledger.deposits_held([account.pk]) == {account.pk: D("0.00")}
    assert breaches() == []
    # The refund waits for accounts payable, approved by the settlement, mailed to the forwarding address.
    refund = Refund.objects.get(account=account)
    assert (refund.amount, refund.status, refund.entry_id) == (D("161.22"), "approved", refunds.pk)
    assert refund.mailing_address == "9 Elm St, Yucca Valley, CA 92284"
    batch, text, total = bank.refunds_export(actor=supervisor)
    assert total == D("161.22") and f'"9 Elm St, Yucca Valley, CA 92284",161.22,{account.number},' in text
    assert breaches() == []  # the export posts nothing: the bill moved it to refunds payable once


def test_a_cancelled_final_bills_refund_is_never_sent(district, supervisor, metered_account):
    account = _stopped_with_a_deposit(supervisor, metered_account)
    bill = services.bill_final(actor=supervisor, account=account)
    assert hooks_bank.refunds_to_export(supervisor) == 1
    services.bill_cancel(actor=supervisor, bill=bill, reason="Final read was wrong", rebill=False)
    assert hooks_bank.refunds_to_export(supervisor) == 0  # the queue does not offer it
    with pytest.raises(bank.RefundError, match="No approved refund"):
        bank.refunds_export(actor=supervisor)
    refund = Refund.objects.get(account=account)
    assert (refund.status, refund.exported_at) == ("rejected", None)
    assert "reversed" in refund.decision_note
    payable = JournalLine.objects.filter(gl_account__role=GLRole.REFUNDS_PAYABLE).aggregate(s=Sum("amount"))["s"]
    assert payable == D("0.00")  # the settlement reversed: nothing owed to the customer, nothing sent


def test_the_command_calculates_and_posts_an_approved_run(district, biller, lead, metered_account):
    metered_account([(JUL, "112")])
    out = StringIO()
    call_command("bill_run", "--cycle", "C01", "--period-end", "2026-07-25", "--user", "biller", stdout=out)
    assert "1 bills, $156.40" in out.getvalue()
    run = BillRun.objects.get()
    with pytest.raises(CommandError, match="approved run is posted"):
        call_command("bill_run", "--cycle", "C01", "--period-end", "2026-07-25", "--user", "biller", "--post")
    services.bill_run_approve(actor=lead, run=run)
    out = StringIO()
    call_command(
        "bill_run", "--cycle", "C01", "--period-end", "2026-07-25", "--user", "biller", "--post", stdout=out
    )
    assert "Posted, 1 bills" in out.getvalue()
    assert BillLine.objects.filter(bill__run=run).count() == 4
    with pytest.raises(CommandError, match="no bill cycle 'C9'"):
        call_command("bill_run", "--cycle", "C9", "--period-end", "2026-07-25", "--user", "biller")


def test_the_technicians_final_read_makes_the_final_bill(
    district, biller, lead, supervisor, metered_account, make_user
):
    from cistern.customers import services as customers
    from cistern.fieldwork import services as fieldwork
    from cistern.fieldwork.models import ServiceOrder

    account = metered_account([(JUL, "112")])
    run = _calculated(biller, district)
    services.bill_run_approve(actor=lead, run=run)
    services.bill_run_post(actor=biller, run=run)
    customers.service_stop(
        actor=supervisor, account=account, stop_date=date(2026, 8, 9), reason="Moving",
        forwarding={"street": "9 Elm St", "unit": "", "city": "Yucca Valley", "state": "CA", "zip": "92284"},
    )  # fmt: skip
    order = ServiceOrder.objects.get(account=account, order_type__code="final_read")
    tech = make_user("Field Technician", username="final_tech")
    fieldwork.order_schedule(actor=supervisor, order=order, scheduled_on=date(2026, 8, 9), technician=tech)
    fieldwork.order_dispatch(actor=supervisor, order=order)
    fieldwork.order_complete(
        actor=tech, order=order, completion=fieldwork.Completion(on=date(2026, 8, 9), read_value="115")
    )
    bill = Bill.objects.get(account=account, kind="final")
    # 15 days, 3 units: $45.55 x 15/30 = $22.78; 2.5 units x $8.00 = $20.00; 0.5 x $9.65 = $4.83.
    assert (bill.period_start, bill.period_end, bill.current_charges) == (JUL, date(2026, 8, 9), D("47.61"))
    assert bill.amount_due == D("156.40") + D("47.61") and ledger.account_balance(account) == D("204.01")
    account.refresh_from_db()
    with pytest.raises(services.BillingError, match="already has its final bill"):
        services.bill_final(actor=supervisor, account=account)
