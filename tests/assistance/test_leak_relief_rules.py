"""The program's rules and the relief, with plain values (no database)."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from cistern.assistance import leak_relief as lr

D = Decimal
TIERS = ((D(5), D("8.00"), 1), (D(5), D("9.65"), 2), (D(10), D("11.30"), 3), (None, D("12.95"), 4))


def usage(units):
    """The demo district's 3/4" usage lines for `units`."""
    blocks, left = [], D(units)
    for size, price, tier in TIERS:
        used = left if size is None else min(size, left)
        if used > 0:
            blocks.append(lr.UsageBlock(used, price, tier))
        left -= used
    return tuple(blocks)


def bill(pk=1, *, units=140, amount="1800.80", start=date(2026, 6, 25), end=date(2026, 7, 25),
         last_units=12, last_amount="156.40"):  # fmt: skip
    return lr.BillInQuestion(
        bill_id=pk, period_start=start, period_end=end, bill_date=date(2026, 7, 28), due_date=date(2026, 8, 17),
        units=D(units), amount=D(amount), usage=usage(units),
        last_year=None if last_units is None else lr.LastYear(D(last_units), D(last_amount)),
    )  # fmt: skip


GOOD = lr.Facts(
    bills=(bill(),), relationship="owner", occupancy="owner", primary_residence=True, customer_reliefs=(),
    address_reliefs=(), paid_by_due=D("156.40"), repair_proof=True, repaired_on=date(2026, 8, 1),
)  # fmt: skip
TERMS = lr.Terms()
ON = date(2026, 8, 20)


def failed(facts, terms=TERMS, on=ON):
    result = lr.judge(facts, terms, on=on)
    return [c.rule for c in result.checks if not c.passed]


def test_all_rules_met():
    result = lr.judge(GOOD, TERMS, on=ON)
    assert result.eligible and len(result.checks) == 7
    assert [c.rule for c in result.checks] == [
        lr.OCCUPANCY, lr.BILL_INCREASE, lr.PER_CUSTOMER, lr.PER_ADDRESS, lr.CONSECUTIVE, lr.GOOD_FAITH, lr.REPAIR,
    ]  # fmt: skip


def test_occupancy_each_way():
    assert failed(replace(GOOD, primary_residence=False)) == [lr.OCCUPANCY]
    assert failed(replace(GOOD, relationship="tenant", occupancy="rental")) == []
    assert failed(replace(GOOD, relationship="tenant", occupancy="vacation")) == [lr.OCCUPANCY]
    assert failed(replace(GOOD, occupancy="vacation")) == [lr.OCCUPANCY]
    assert failed(replace(GOOD, occupancy="commercial")) == [lr.OCCUPANCY]


def test_700_threshold_to_the_cent():
    assert failed(replace(GOOD, bills=(bill(amount="856.40"),))) == []  # $700.00 above
    assert failed(replace(GOOD, bills=(bill(amount="856.39"),))) == [lr.BILL_INCREASE]  # $699.99
    check = lr.judge(replace(GOOD, bills=(bill(amount="856.39"),)), TERMS, on=ON).checks[1]
    assert "$699.99 above last year's $156.40 (less than $700.00)" in check.detail


def test_threshold_is_data():
    terms = replace(TERMS, bill_increase_minimum=D("2000.00"))
    assert failed(GOOD, terms) == [lr.BILL_INCREASE]


def test_no_bill_last_year_fails_increase_and_good_faith():
    facts = replace(GOOD, bills=(bill(last_units=None),))
    assert failed(facts) == [lr.BILL_INCREASE, lr.GOOD_FAITH]


def test_two_in_five_years_by_customer():
    two = (date(2022, 3, 1), date(2024, 5, 1))
    assert failed(replace(GOOD, customer_reliefs=two)) == [lr.PER_CUSTOMER]
    assert failed(replace(GOOD, customer_reliefs=two[1:])) == []
    # One granted 5 years ago to the day has left the window.
    assert failed(replace(GOOD, customer_reliefs=(date(2021, 8, 20), date(2024, 5, 1)))) == []
    assert failed(replace(GOOD, customer_reliefs=(date(2021, 8, 21), date(2024, 5, 1)))) == [lr.PER_CUSTOMER]


def test_two_in_five_years_by_address():
    two = (date(2023, 3, 1), date(2025, 5, 1))
    assert failed(replace(GOOD, address_reliefs=two)) == [lr.PER_ADDRESS]
    assert failed(replace(GOOD, address_reliefs=two[:1])) == []


def test_consecutive_cycles():
    second = bill(2, start=date(2026, 7, 25), end=date(2026, 8, 25))
    assert failed(replace(GOOD, bills=(bill(), second))) == []
    gap = bill(2, start=date(2026, 8, 25), end=date(2026, 9, 25))
    assert failed(replace(GOOD, bills=(bill(), gap))) == [lr.CONSECUTIVE]
    third = bill(3, start=date(2026, 8, 25), end=date(2026, 9, 25))
    assert failed(replace(GOOD, bills=(bill(), second, third))) == [lr.CONSECUTIVE]
    assert (
        failed(replace(GOOD, bills=(bill(), second, third)), replace(TERMS, max_consecutive_cycles=3)) == []
    )


def test_good_faith_payment():
    assert failed(replace(GOOD, paid_by_due=D("156.39"))) == [lr.GOOD_FAITH]
    # Two bills: last year's average of $156.40 and $100.00 is $128.20.
    second = bill(2, start=date(2026, 7, 25), end=date(2026, 8, 25), last_amount="100.00")
    assert failed(replace(GOOD, bills=(bill(), second), paid_by_due=D("128.20"))) == []
    assert failed(replace(GOOD, bills=(bill(), second), paid_by_due=D("128.19"))) == [lr.GOOD_FAITH]


def test_repair():
    assert failed(replace(GOOD, repair_proof=False)) == [lr.REPAIR]
    assert failed(replace(GOOD, repaired_on=date(2026, 8, 21))) == [lr.REPAIR]


def test_relief_to_the_cent():
    # 140 units against 12: excess 128, 64 forgiven, all in tier 4 ($12.95): $828.80 billed, $512.00 at $8.00.
    one = lr.bill_relief(bill(), TERMS)
    assert (one.excess_units, one.forgiven_units, one.billed, one.repriced) == (
        D(128),
        D(64),
        D("828.80"),
        D("512.00"),
    )
    assert lr.relief(GOOD, TERMS) == D("316.80")


def test_relief_across_tiers_and_odd_share():
    # 30 units against 10: excess 20; 33.33% forgiven = 6.666 units from the top: 6.666 at $12.95 (tier 4 has 10)
    # = $86.32 (86.3247); repriced 6.666 x $8.00 = $53.33 (53.328): $32.99.
    facts = replace(GOOD, bills=(bill(units=30, amount="300.00", last_units=10),))
    assert lr.relief(facts, replace(TERMS, forgiven_share=D("33.33"))) == D("32.99")
    # 24 units against 4, all forgiven: 4 at $12.95 + 10 at $11.30 + 5 at $9.65 + 1 at $8.00 = $221.05; 20 x $8.00.
    facts = replace(GOOD, bills=(bill(units=24, amount="300.00", last_units=4),))
    assert lr.relief(facts, replace(TERMS, forgiven_share=D(100))) == D("61.05")


def test_relief_of_two_bills_and_no_excess():
    second = bill(2, units=60, start=date(2026, 7, 25), end=date(2026, 8, 25), last_units=20)
    # second: excess 40, 20 forgiven at $12.95 = $259.00 - $160.00 = $99.00
    assert lr.relief(replace(GOOD, bills=(bill(), second)), TERMS) == D("415.80")
    assert lr.relief(replace(GOOD, bills=(bill(units=12, last_units=12),)), TERMS) == D("0.00")
    # Priced at the top tier, nothing is forgiven in money.
    assert lr.relief(GOOD, replace(TERMS, relief_price=D("12.95"))) == D("0.00")
