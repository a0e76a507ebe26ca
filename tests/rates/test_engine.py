"""The rating engine with the district's real rates (shared/domain/district.md). Plain values, no database."""

from datetime import date
from decimal import Decimal as D

import pytest

from cistern.rates import engine
from cistern.rates.engine import Block, Proration, Tariff

TIERED = (
    Block(1, D(0), D(5), D("8.00")),
    Block(2, D(5), D(10), D("9.65")),
    Block(3, D(10), D(20), D("11.30")),
    Block(4, D(20), None, D("12.95")),
)
THREE_QUARTER = Tariff(date(2024, 1, 1), D("45.55"), TIERED, label="Scenario C from 01/01/2024")
ONE_AND_A_HALF = Tariff(date(2024, 1, 1), D("151.83"), (Block(1, D(0), None, D("9.65")),))


def bill(tariffs, units, start=date(2026, 10, 2), end=date(2026, 11, 1)):
    lines = engine.rate(tariffs, start=start, end=end, units=D(units), size_label="3/4")
    return lines, engine.total(lines)


def amounts(lines):
    return [(line.tier, line.quantity, line.amount) for line in lines]


@pytest.mark.parametrize(
    "units,total",
    [("0", "45.55"), ("5", "85.55"), ("12", "156.40"), ("25", "311.55")],
)
def test_three_quarter_inch_full_month(units, total):
    lines, billed = bill([THREE_QUARTER], units)
    assert billed == D(total)
    assert billed == sum(line.amount for line in lines)


def test_the_worked_example_line_by_line():
    lines, total = bill([THREE_QUARTER], "12")
    assert amounts(lines) == [
        (None, D("1.0000"), D("45.55")),
        (1, D("5.0000"), D("40.00")),
        (2, D("5.0000"), D("48.25")),
        (3, D("2.0000"), D("22.60")),
    ]
    assert total == D("156.40")
    assert [line.description for line in lines] == [
        'Basic fee 3/4"', "Tier 1: units 1-5", "Tier 2: units 6-10", "Tier 3: units 11-20",
    ]  # fmt: skip
    assert lines[2].explanation == "units 6-10: 5 x $9.65"
    assert {line.gl_account for line in lines} == {"4100", "4110"}


def test_twenty_five_units_reach_tier_four():
    lines, total = bill([THREE_QUARTER], "25")
    # 45.55 + 40.00 + 48.25 + 10 x 11.30 + 5 x 12.95
    assert amounts(lines)[-1] == (4, D("5.0000"), D("64.75"))
    assert total == D("45.55") + D("40.00") + D("48.25") + D("113.00") + D("64.75")


def test_one_and_a_half_inch_is_flat():
    lines = engine.rate([ONE_AND_A_HALF], start=date(2026, 10, 2), end=date(2026, 11, 1), units=D("30"))
    assert amounts(lines) == [(None, D("1.0000"), D("151.83")), (1, D("30.0000"), D("289.50"))]
    assert lines[1].description == "all usage"
    assert engine.total(lines) == D("441.33")


@pytest.mark.parametrize("days", [27, 30, 33])
def test_a_period_inside_the_regular_window_bills_one_month(days):
    start = date(2026, 10, 1)
    lines = engine.rate(
        [THREE_QUARTER], start=start, end=date.fromordinal(start.toordinal() + days), units=D(12)
    )
    assert engine.total(lines) == D("156.40")


def test_a_move_in_half_month_scales_the_fee_and_every_block():
    # 15 days: basic fee x 15/30, tier 1 is units 0-2.5, tier 2 2.5-5, tier 3 5-10.
    lines, total = bill([THREE_QUARTER], "6", start=date(2026, 10, 17), end=date(2026, 11, 1))
    assert amounts(lines) == [
        (None, D("0.5000"), D("22.78")),  # 22.775 half up
        (1, D("2.5000"), D("20.00")),
        (2, D("2.5000"), D("24.13")),  # 24.125 half up
        (3, D("1.0000"), D("11.30")),
    ]
    assert total == D("78.21")
    assert lines[0].explanation == 'monthly basic fee 3/4" $45.55 x 15 days / 30'


def test_a_long_cycle_scales_up():
    # 40 days: outside 27-33, so x 40/30; tier 1 is units 0-6.6667.
    lines, _ = bill([THREE_QUARTER], "6", start=date(2026, 9, 22), end=date(2026, 11, 1))
    assert amounts(lines) == [(None, D("1.3333"), D("60.73")), (1, D("6.0000"), D("48.00"))]


def test_a_rate_change_inside_the_period_splits_it_by_days():
    higher = Tariff(date(2026, 10, 17), D("50.00"), TIERED, label="from 10/17/2026")
    # 30 days from 10/02: 15 at the old rates, 15 at the new; 12 units split 6 and 6.
    lines, total = bill([THREE_QUARTER, higher], "12")
    assert amounts(lines) == [
        (None, D("0.5000"), D("22.78")),
        (1, D("2.5000"), D("20.00")),
        (2, D("2.5000"), D("24.13")),
        (3, D("1.0000"), D("11.30")),
        (None, D("0.5000"), D("25.00")),
        (1, D("2.5000"), D("20.00")),
        (2, D("2.5000"), D("24.13")),
        (3, D("1.0000"), D("11.30")),
    ]
    assert total == D("158.64")
    assert lines[4].description == 'Basic fee 3/4" (10/17-11/01, from 10/17/2026)'


def test_rates_must_be_in_force_and_the_period_real():
    with pytest.raises(engine.RatingError, match="No rates in force on 12/01/2023"):
        bill([THREE_QUARTER], "5", start=date(2023, 12, 1), end=date(2024, 1, 1))
    with pytest.raises(engine.RatingError, match="must end after it starts"):
        bill([THREE_QUARTER], "5", start=date(2026, 11, 1), end=date(2026, 11, 1))
    with pytest.raises(engine.RatingError, match="cannot be negative"):
        bill([THREE_QUARTER], "-1")


def test_the_proration_window_is_a_setting():
    lines = engine.rate(
        [THREE_QUARTER], start=date(2026, 10, 7), end=date(2026, 11, 1), units=D(0),
        proration=Proration(regular_min_days=25, regular_max_days=35),
    )  # fmt: skip
    assert engine.total(lines) == D("45.55")  # 25 days is a regular month here
