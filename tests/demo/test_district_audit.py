"""An outside auditor's checks over the demo district as `seed_district` builds it (13 months of history), run as
they would be over a district's books. The district is seeded once for the module."""

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Max

from cistern.billing.models import Bill, BillKind, BillMeter
from cistern.billing.services import SETTLEMENT_SOURCE
from cistern.customers.models import Account, AccountStatus
from cistern.fieldwork.models import OrderStatus, ServiceOrder
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.models import GLRole, JournalEntry, JournalLine
from cistern.ledger.services import LATE_FEE, START_CHARGES
from cistern.ledger.verify import breaches
from cistern.metering.models import Read, ReadKind, ReadStatus
from cistern.payments.models import Refund, RefundStatus

TODAY = date(2026, 11, 26)
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def district(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_district", "--accounts", "400", "--seed", "11", "--as-of", TODAY.isoformat(),
                         stdout=StringIO())  # fmt: skip
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _conversion_date() -> date:
    return Read.objects.filter(note__startswith="Opening read converted").aggregate(d=Max("read_on"))["d"]


def _receivable(account_ids):
    lines = defaultdict(list)
    rows = (
        JournalLine.objects.filter(account_id__in=list(account_ids), gl_account__role=GLRole.RECEIVABLE)
        .order_by("entry_id", "id")
        .values_list("account_id", "entry_id", "amount")
    )
    for account_id, entry_id, amount in rows:
        lines[account_id].append((entry_id, amount))
    return lines


def test_every_stop_has_its_final_read_final_bill_and_deposit_settled():
    """Seen: 999 stopped accounts had months of accepted reads and no bill at all, no final bill and no final-read
    order; 130 of them hold $200 deposits never applied or refunded."""
    converted_on = _conversion_date()
    stopped = list(Account.objects.filter(end_date__gt=converted_on))
    assert len(stopped) > 40
    assert {a.status for a in stopped} == {AccountStatus.FINAL}
    held = ledger_selectors.deposits_held([a.pk for a in stopped])
    with_deposit = 0
    for account in stopped:
        order = ServiceOrder.objects.get(account=account, order_type__code="final_read")
        assert order.status == OrderStatus.COMPLETED and order.read is not None, account.number
        final_read = Read.objects.get(account=account, kind=ReadKind.FINAL, read_on=account.end_date,
                                      installation__service_point=order.service_point)  # fmt: skip
        assert final_read.status == ReadStatus.ACCEPTED
        bill = Bill.objects.get(account=account, kind=BillKind.FINAL, cancellation__isnull=True)
        assert bill.period_end == account.end_date and bill.bill_date == account.end_date
        assert held[account.pk] == 0, f"{account.number} still holds a deposit"
        if account.deposit_amount:
            with_deposit += 1
            settled = JournalEntry.objects.filter(source_kind=SETTLEMENT_SOURCE, source_id=bill.pk).exists()
            credited = JournalEntry.objects.filter(
                source_kind="deposit_credit_back", source_id=account.pk
            ).exists()
            assert settled or credited, account.number
    assert with_deposit > 3
    # What a final bill refunds is owed to the customer: a refund with the settlement's entry, sent to accounts
    # payable on the Friday after the bill (or waiting for the next Friday).
    refunded = Bill.objects.filter(kind=BillKind.FINAL, cancellation__isnull=True, refund__gt=0)
    assert refunded.count() > 3
    for bill in refunded:
        refund = Refund.objects.get(entry__source_kind=SETTLEMENT_SOURCE, entry__source_id=bill.pk)
        assert (refund.account_id, refund.amount) == (bill.account_id, bill.refund)
        assert refund.status == RefundStatus.EXPORTED or (TODAY - bill.bill_date).days < 7, bill.pk
    # Every account in service during the history was billed for its reads: accepted reads of a stopped
    # account end at its final bill.
    for account in stopped:
        last_billed = BillMeter.objects.filter(bill__account=account).aggregate(d=Max("to_date"))["d"]
        assert last_billed == account.end_date, account.number


def test_every_move_in_has_its_own_initial_read_and_only_its_own_water():
    """Seen: 822 first bills after a move-in billed usage measured from a read taken before the customer's
    service began (bill 31341: 32 units over 3 days, 2567 -> 2567)."""
    converted_on = _conversion_date()
    moved_in = list(Account.objects.filter(start_date__gt=converted_on))
    assert len(moved_in) > 40
    for account in moved_in:
        initial = Read.objects.filter(account=account, kind=ReadKind.INITIAL, read_on=account.start_date)
        assert initial.filter(status=ReadStatus.ACCEPTED).exists(), account.number
        order = ServiceOrder.objects.get(account=account, order_type__code="turn_on")
        assert order.status == OrderStatus.COMPLETED
    spans = BillMeter.objects.filter(
        bill__account__in=moved_in, bill__cancellation__isnull=True
    ).select_related("bill__account", "from_read")
    assert spans.count() > 40
    for span in spans:
        account = span.bill.account
        assert span.from_date >= account.start_date, (account.number, span.from_date)
        assert span.from_read is not None and span.from_read.account_id == account.pk, account.number


def test_every_deposit_set_up_fee_and_opening_balance_is_in_the_ledger():
    """Seen: 723 accounts show a $200 deposit and the $35 set-up fee, but neither is in the ledger; 18 closed
    accounts carry $4,666.33 of converted balances outside the ledger."""
    owing = Account.objects.exclude(deposit_amount=0, setup_fee_amount=0)
    assert owing.count() > 200
    charged = set(JournalEntry.objects.filter(source_kind=START_CHARGES).values_list("source_id", flat=True))
    assert [a.number for a in owing if a.pk not in charged] == []
    for entry in JournalEntry.objects.filter(source_kind=START_CHARGES, source_id__in=owing.values("pk")):
        account = owing.get(pk=entry.source_id)
        lines = entry.lines.filter(gl_account__role=GLRole.RECEIVABLE)
        assert sum(line.amount for line in lines) == account.deposit_amount + account.setup_fee_amount
    balances = Account.objects.filter(opening_balance__isnull=False).select_related("opening_balance")
    assert balances.exists()
    for account in balances:
        assert ledger_selectors.account_balance(account) >= account.opening_balance.amount


def test_late_fees_are_charged_and_at_most_once_per_bill():
    """Seen: no late fees in 13 months."""
    fees = JournalEntry.objects.filter(source_kind=LATE_FEE, reverses__isnull=True)
    assert fees.count() > 5
    per_charge = Counter(fees.values_list("source_id", flat=True))
    assert max(per_charge.values()) == 1
    charges = JournalLine.objects.filter(pk__in=per_charge).select_related("entry")
    assert {line.entry.source_kind for line in charges} == {"bill"}
    assert Counter(line.entry.source_id for line in charges).most_common(1)[0][1] == 1  # one per bill


def test_each_balance_is_its_last_bill_plus_what_came_after():
    """An account's balance is the sum of its receivable lines, and equals its last bill's amount due plus what
    was posted to it after that bill."""
    bills = {}
    for bill in Bill.objects.filter(cancellation__isnull=True).order_by("period_end", "id"):
        bills[bill.account_id] = bill
    assert len(bills) > 300
    bill_entries = dict(
        JournalEntry.objects.filter(source_kind__in=["bill", SETTLEMENT_SOURCE], reverses__isnull=True)
        .values_list("source_id")
        .annotate(last=Max("id"))
    )
    lines = _receivable(bills)
    balances = ledger_selectors.receivable_balances(bills)
    wrong = []
    for account_id, bill in bills.items():
        posted = lines[account_id]
        assert balances.get(account_id, Decimal("0.00")) == sum((a for _, a in posted), Decimal("0.00"))
        last_entry = bill_entries.get(bill.pk)
        if last_entry is None:  # a bill of no charges and no settlement: what was posted after its creation
            last_entry = max((e for e, _ in posted if e <= _entry_before(bill)), default=0)
        after = sum((amount for entry, amount in posted if entry > last_entry), Decimal("0.00"))
        if balances.get(account_id, Decimal("0.00")) != bill.amount_due + after:
            wrong.append((bill.account.number, bill.pk, bill.amount_due, after, balances.get(account_id)))
    assert wrong == []


def _entry_before(bill) -> int:
    newest = JournalEntry.objects.filter(created_at__lte=bill.created_at).aggregate(m=Max("id"))["m"]
    return newest or 0


def test_the_books_verify():
    """verify_ledger, as the auditor runs it: every entry balances, deposits held match the GL, no stopped
    account used water without a final bill."""
    assert breaches() == []
    out = StringIO()
    call_command("verify_ledger", stdout=out)
    assert "every rule holds" in out.getvalue()
