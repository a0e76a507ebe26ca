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


# --- What the seed builds, checked on the same district (one 13-month seed serves the module: each seed is the
# slowest step of the suite, so the seed's own checks live here rather than seeding again elsewhere) -----------


def test_seed_builds_a_district_shaped_like_the_domain():
    from cistern.core.models import DistrictSettings, NumberSequence
    from cistern.customers import selectors
    from cistern.customers.account_number import parse_account_number
    from cistern.customers.models import OpeningBalance
    from cistern.customers.services import account_search_text
    from cistern.demo import loader

    accounts = Account.objects.select_related("customer", "premise")
    assert accounts.count() == 400
    inactive = accounts.filter(status__in=[AccountStatus.FINAL, AccountStatus.CLOSED]).count()
    assert 0.12 < inactive / 400 < 0.25  # about 1,000 of 5,400 are inactive in the real district
    for account in accounts:
        parse_account_number(account.number)  # every number carries a valid check digit
        assert account.search_text == account_search_text(account)
    assert (
        OpeningBalance.objects.filter(account__status__in=["final", "closed"]).count()
        == OpeningBalance.objects.count()
    )
    assert DistrictSettings.objects.get().phone == "(760) 366-8438"
    last = max(int(n[:7]) for n in accounts.values_list("number", flat=True))
    assert NumberSequence.objects.get(name="account_number").next_value == last + 1
    assert loader.check_sample() == []
    # What was seeded can be found.
    sample = accounts.filter(status="active").order_by("number")[3]
    assert selectors.account_search(sample.number)[0][1] == sample


def test_the_same_seed_gives_the_same_district():
    """The generator is deterministic, and the seeded accounts are the generator's: the converted ones with their
    search text, the move-ins numbered by the sequence in the order they started."""
    from cistern.demo.generator import ACCOUNT_COLUMNS, DistrictGenerator

    def build(seed):
        number, text = ACCOUNT_COLUMNS.index("number"), ACCOUNT_COLUMNS.index("search_text")
        gen = DistrictGenerator(accounts=400, seed=seed, today=TODAY, history_months=13)
        rows = [row for block in gen.blocks() for row in block.accounts]
        started = [(a.number, a.customer.name) for a in gen.history().move_ins]
        return [(row[number], row[text]) for row in rows], started

    converted, started = build(11)
    assert build(11) == (converted, started)
    assert build(12) != (converted, started)
    assert started
    stored = dict(Account.objects.values_list("number", "search_text"))
    assert {n: stored[n] for n, _ in converted} == dict(converted)
    names = dict(Account.objects.values_list("number", "customer__name"))
    assert [(n, names[n]) for n, _ in started] == started
    assert len(stored) == len(converted) + len(started) == 400


def test_seeded_reads_are_what_the_services_would_compute():
    from cistern.metering.models import Meter
    from cistern.metering.reading import Register, consumption

    assert Meter.objects.count() == Meter.objects.values("serial").distinct().count() > 300
    checked = 0
    for meter in Meter.objects.prefetch_related("reads"):
        register = Register(meter.dials, meter.multiplier)
        previous = None
        for read in sorted(meter.reads.all(), key=lambda r: r.read_on):
            if read.status != "accepted":
                assert read.status == "exception" and read.problems
                continue
            if previous is None:
                assert read.consumption is None  # the opening read from the prior system
            else:
                assert read.consumption == consumption(previous.value, read.value, register), read
                checked += 1
            previous = read
        assert all(r.read_on <= TODAY for r in meter.reads.all())
    assert checked > 300 * 12
    assert Read.objects.filter(kind="estimated").exists() and Read.objects.filter(status="exception").exists()


def test_seed_posts_bills_for_its_history_and_leaves_one_trial():
    from cistern.billing.models import BillCycle, BillRun, RunStatus
    from cistern.billing.selectors import usage_history
    from cistern.ledger.selectors import receivable_balances

    assert BillCycle.objects.count() == 12
    assert list(BillRun.objects.exclude(status=RunStatus.POSTED).values_list("cycle__code", "status")) == [
        ("C01", "calculated")
    ]
    # An account in service all along has a bill a month for the year (its cycle's newest may be the trial).
    account_id = (
        Bill.objects.filter(account__status="active", account__start_date__lt=date(2025, 10, 1))
        .values_list("account_id", flat=True)
        .order_by("account_id")
        .first()
    )
    history = usage_history(
        account_id, Bill.objects.filter(account_id=account_id).latest("period_end").period_end
    )
    assert len(history) >= 11
    owed = receivable_balances(Bill.objects.values_list("account_id", flat=True).distinct())
    latest = {}
    for account, charges in Bill.objects.order_by("period_end").values_list("account_id", "current_charges"):
        latest[account] = charges
    # Most customers owe at most their newest bill (not yet due): they paid the ones before.
    paid_up = sum(1 for account, balance in owed.items() if balance <= latest[account])
    assert paid_up > 0.8 * len(owed)


def test_no_demo_bill_falls_due_on_a_closed_day():
    """Seen: 32% of demo bills fall due on a weekend or holiday."""
    from datetime import timedelta

    from cistern.core import selectors

    calendar = selectors.district_calendar()
    bills = list(Bill.objects.values_list("bill_date", "due_date"))
    assert len(bills) > 1000
    assert [due for _, due in bills if not calendar.is_business_day(due)] == []
    moved = [(bill_date, due) for bill_date, due in bills if due != bill_date + timedelta(days=20)]
    assert moved  # some would have fallen due on a closed day: each moved to the first business day after
    for bill_date, due in moved:
        plain = bill_date + timedelta(days=20)
        assert not calendar.is_business_day(plain) and due == calendar.next_business_day(plain)
