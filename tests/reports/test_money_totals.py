"""The money reports say what the ledger says for the same dates, to the cent: the daily cash and the deposits, the
aging (every bucket, by customer class, against the ledger's own aging of each account), a bill run's register and
the adjustments; the write-offs (tests/reports/test_write_offs.py) likewise."""

from datetime import date, timedelta
from decimal import Decimal as D

from django.db.models import Sum
from django.utils import timezone

from cistern.billing.models import Bill, BillLine
from cistern.core import clock
from cistern.customers.models import Account
from cistern.ledger import aging
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger import services as ledger
from cistern.ledger.models import GLRole, JournalLine
from cistern.payments import bank
from cistern.payments.models import Payment, PaymentStatus
from cistern.reports import registry

from .conftest import PAY_DAY

ZERO = D("0.00")


def ledger_sum(**filters) -> D:
    total = JournalLine.objects.filter(**filters).aggregate(t=Sum("amount"))["t"] or ZERO
    return D(total).quantize(D("0.01"))


def run(key, **params):
    return registry.get(key).run(params)


def test_the_daily_cash_is_the_payments_the_ledger_holds_for_the_day(books):
    result = run("daily_cash", date_from=PAY_DAY, date_to=PAY_DAY)
    rows = {(r[2], r[3], r[4]): (r[5], r[6]) for r in result.rows}
    assert rows == {
        ("Counter 1", "report_cashier", "Cash"): (1, D("50.00")),  # the voided $7.00 is not counted
        ("Counter 1", "report_cashier", "Check"): (1, D("30.00")),
        ("Counter 1", "report_cashier", "Money order"): (1, D("12.25")),
        ("Counter 1", "report_cashier", "Card (processor reference)"): (1, D("20.00")),
    }
    assert result.totals == {"tenders": 4, "amount": D("112.25")}
    # The ledger: what the day's payment entries (the void's reversal with them) credited the receivable ...
    day = {"entry__entry_date": PAY_DAY, "entry__source_kind": "payment"}
    assert -ledger_sum(gl_account__receivable=True, **day) == result.totals["amount"]
    # ... and where the money sits: the drawer's undeposited funds (cash, check, money order), the card processor.
    in_drawer = sum(
        (rows[("Counter 1", "report_cashier", k)][1] for k in ("Cash", "Check", "Money order")), ZERO
    )
    assert ledger_sum(gl_account__role=GLRole.UNDEPOSITED_FUNDS, **day) == in_drawer == D("92.25")
    assert ledger_sum(gl_account__role=GLRole.PROCESSOR_CLEARING, **day) == D("20.00")
    # Another day has nothing; filtering by a drawer that took nothing shows nothing.
    assert (
        run("daily_cash", date_from=PAY_DAY + timedelta(1), date_to=PAY_DAY + timedelta(1)).totals["amount"]
        == 0
    )
    assert list(run("daily_cash", date_from=PAY_DAY, date_to=PAY_DAY, drawer="Counter 9").rows) == []
    assert run("daily_cash", date_from=PAY_DAY, date_to=PAY_DAY, cashier="report_cashier").totals[
        "amount"
    ] == D("112.25")


def test_the_deposits_are_what_the_ledger_moved_to_the_bank(books):
    result = run("deposits", date_from=PAY_DAY - timedelta(5), date_to=PAY_DAY + timedelta(5))
    (row,) = result.rows
    assert row[0] == books["deposit"].pk and row[1] == PAY_DAY and row[2] == 1 and row[3] == 2
    assert (row[4], row[5], row[6]) == (
        D("50.00"),
        D("42.25"),
        D("92.25"),
    )  # $150 counted less the $100 float
    assert result.totals["total"] == ledger_sum(
        gl_account__role=GLRole.CASH, entry__source_kind="bank_deposit",
        entry__entry_date__range=(PAY_DAY - timedelta(5), PAY_DAY + timedelta(5)),
    )  # fmt: skip
    assert result.totals["total"] == -ledger_sum(
        gl_account__role=GLRole.UNDEPOSITED_FUNDS, entry__source_kind="bank_deposit"
    )


def _ledger_aging(as_of: date) -> dict[str, dict[str, D]]:
    """The ledger's aging (ledger/aging.py, one account at a time) summed by customer class."""
    by_class: dict[str, dict[str, D]] = {}
    for account in Account.objects.all():
        buckets = ledger_selectors.aging.aging(
            ledger_selectors.movements(
                [
                    line
                    for line in ledger_selectors.receivable_lines(account.pk)
                    if line.entry.entry_date <= as_of
                ]
            ),
            as_of,
        )
        if sum(buckets.values(), ZERO) == 0:
            continue
        into = by_class.setdefault(account.get_occupancy_type_display(), dict.fromkeys(aging.BUCKETS, ZERO))
        for key, amount in buckets.items():
            into[key] += amount
    return by_class


def test_the_aging_is_the_ledgers_aging_of_every_account(books, lead):
    # A returned check (its payment reversed, the fee charged) and a courtesy credit larger than the owner's bill
    # (a credit balance) on top of the books.
    check = Payment.objects.get(tenders__kind="check", status=PaymentStatus.POSTED)
    with clock.on(date(2026, 8, 20)):
        bank.payment_return(actor=lead, payment=check, returned_on=date(2026, 8, 20), reason="NSF")
    with clock.on(date(2026, 9, 2)):
        ledger.adjustment_request(
            actor=lead,
            account=books["owner"],
            reason_code="courtesy_credit",
            amount=D("400.00"),
            memo="Credit",
        )
    for as_of in (
        date(2026, 7, 30),
        date(2026, 8, 20),
        date(2026, 9, 30),
        date(2026, 10, 20),
        date(2026, 12, 1),
    ):
        result = run("aging", as_of=as_of)
        expected = _ledger_aging(as_of)
        found = {row[0]: dict(zip(aging.BUCKETS, row[2:7], strict=True)) for row in result.rows}
        assert found == expected, as_of
        # The buckets sum to the balance; the balances are the ledger's.
        for row in result.rows:
            assert sum(row[2:7], ZERO) == row[7]
        assert result.totals["balance"] == ledger_sum(
            gl_account__receivable=True, entry__entry_date__lte=as_of
        )
    # Filtered by class: only that class.
    rentals = run("aging", as_of=date(2026, 12, 1), customer_class="rental")
    assert [row[0] for row in rentals.rows] == ["Rental (tenant)"]


def test_the_billing_register_is_the_runs_entries(books):
    bills = Bill.objects.filter(run=books["run"])
    result = run("billing_register", run=books["run"].pk)
    rows = list(result.rows)
    assert len(rows) == result.row_count == 2
    assert result.totals["current_charges"] == ledger_sum(
        gl_account__receivable=True, entry__source_kind="bill", entry__source_id__in=list(bills.values_list("id", flat=True))
    ) == D("241.95")  # fmt: skip
    assert sum((row[7] for row in rows), ZERO) == result.totals["current_charges"]
    assert {row[1] for row in rows} == {books["owner"].number, books["rental"].number}
    lines = run("billing_register_lines", run=books["run"].pk)
    assert lines.totals["amount"] == result.totals["current_charges"]
    assert lines.totals["lines"] == BillLine.objects.filter(bill__run=books["run"]).count()
    # Revenue by GL account: the ledger's credits to each revenue account for the run's bills.
    by_gl: dict[str, D] = {}
    for gl, _, _, _, amount in lines.rows:
        by_gl[gl] = by_gl.get(gl, ZERO) + amount
    for gl, amount in by_gl.items():
        assert -ledger_sum(gl_account__code=gl, entry__source_kind="bill") == amount


def test_the_consumption_and_revenue_is_the_bills_of_the_month(books):
    result = run("consumption_revenue", date_from=date(2026, 7, 1), date_to=date(2026, 7, 31))
    assert result.totals["revenue"] == ledger_sum(
        gl_account__receivable=True, entry__source_kind="bill", entry__entry_date__range=(date(2026, 7, 1),
                                                                                         date(2026, 7, 31)),
    )  # fmt: skip
    assert {row[1] for row in result.rows} == {"Owner-occupied", "Rental (tenant)"}
    assert result.totals["bills"] == 2


def test_the_adjustments_posted_are_the_ledgers(books):
    posted = run("adjustments", date_from=PAY_DAY, date_to=PAY_DAY, status="posted")
    rows = list(posted.rows)
    assert [(r[3], r[4], r[5], r[6], r[7]) for r in rows] == [
        ("Courtesy credit", D("10.00"), "Posted", "css_i", ""),
        ("Courtesy credit", D("75.00"), "Posted", "css_i", "report_lead"),
    ]
    assert posted.totals["amount"] == D("85.00") == -ledger_sum(
        gl_account__receivable=True, entry__source_kind="adjustment", entry__entry_date=PAY_DAY
    )  # fmt: skip
    # Not posted: dated the day it was asked for (the rejected one, asked today by the wall clock).
    asked = timezone.localdate()
    every = run("adjustments", date_from=PAY_DAY, date_to=asked)
    assert every.row_count == 3 and every.totals["amount"] == D("145.00")
    assert sorted(r[5] for r in every.rows) == ["Posted", "Posted", "Rejected"]
    assert [r[8] for r in run("adjustments", date_from=PAY_DAY, date_to=asked, status="rejected").rows] == [
        "Asked again"
    ]
