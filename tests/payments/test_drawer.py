from decimal import Decimal as D

import pytest

from cistern.payments.drawer import (
    BlindCount,
    CountError,
    TenderBalance,
    balance_drawer,
    counted_cash,
    counted_totals,
)

# A $154.00 float + $382.37 cash taken = $536.37 in the drawer when it balances.
BALANCED = BlindCount(
    bills={100: 2, 50: 1, 20: 10, 10: 4, 5: 3, 2: 1, 1: 4},  # 200 + 50 + 200 + 40 + 15 + 2 + 4 = 511
    coins={D("1.00"): 2, D("0.50"): 1, D("0.25"): 6, D("0.10"): 3, D("0.05"): 1, D("0.01"): 2},  # 4.37
    rolls={D("0.25"): 1, D("0.10"): 2, D("0.01"): 2},  # 40 quarters, 2 x 50 dimes, 2 x 50 pennies
    checks=[D("45.56"), D("120.00"), D("0.99")],
)
EXPECTED = {"cash": D("382.37"), "check": D("166.55")}


def test_counted_totals_by_denomination():
    # Bills 511.00; coins 2.00 + 0.50 + 1.50 + 0.30 + 0.05 + 0.02 = 4.37; rolls 10.00 + 10.00 + 1.00 = 21.00.
    assert counted_cash(BALANCED) == D("536.37")
    assert counted_totals(BALANCED) == {"cash": D("536.37"), "check": D("166.55")}
    assert str(counted_cash(BALANCED)) == "536.37"


def test_a_dollar_bill_and_a_dollar_coin_are_counted_apart():
    assert counted_cash(BlindCount(bills={1: 3}, coins={D("1.00"): 2})) == D("5.00")


def test_exact():
    result = balance_drawer(D("154.00"), EXPECTED, BALANCED)
    assert result.tenders == (
        TenderBalance("cash", D("382.37"), D("382.37"), D("0.00")),
        TenderBalance("check", D("166.55"), D("166.55"), D("0.00")),
    )
    assert result.variance == D("0.00")
    assert result.cash_in_drawer == D("536.37")
    assert result.to_deposit == {"cash": D("382.37"), "check": D("166.55")}  # the float stays


def test_over():
    count = BlindCount(
        bills={**BALANCED.bills, 5: 4}, coins=BALANCED.coins, rolls=BALANCED.rolls, checks=BALANCED.checks
    )
    result = balance_drawer(D("154.00"), EXPECTED, count)
    cash = result.tenders[0]
    assert (cash.counted, cash.variance, cash.over, cash.short) == (D("387.37"), D("5.00"), True, False)
    assert result.variance == D("5.00")


def test_short_cash_and_a_missing_check():
    count = BlindCount(
        bills=BALANCED.bills,
        coins={**BALANCED.coins, D("0.01"): 0},
        rolls=BALANCED.rolls,
        checks=[D("45.56"), D("120.00")],
    )
    result = balance_drawer(D("154.00"), EXPECTED, count)
    assert result.tenders == (
        TenderBalance("cash", D("382.37"), D("382.35"), D("-0.02")),
        TenderBalance("check", D("166.55"), D("165.56"), D("-0.99")),
    )
    assert result.tenders[0].short
    assert result.variance == D("-1.01")


def test_the_float_is_not_revenue():
    # Only the float in the drawer and nothing taken: exact, nothing to deposit.
    count = BlindCount(bills={100: 1, 20: 2, 10: 1})
    result = balance_drawer(D("150.00"), {}, count)
    assert result.variance == D("0.00")
    assert result.to_deposit == {"cash": D("0.00"), "check": D("0.00")}
    # A drawer that lost part of its float is short by what it lost.
    assert balance_drawer(D("150.00"), {}, BlindCount(bills={100: 1})).variance == D("-50.00")


@pytest.mark.parametrize(
    ("count", "problem"),
    [
        (BlindCount(bills={3: 1}), "no 3 dollar bills"),
        (BlindCount(coins={D("0.02"): 1}), "no 0.02 coins"),
        (BlindCount(bills={20: -1}), "whole number, 0 or more"),
        (BlindCount(bills={20: 1.5}), "whole number, 0 or more"),
        (BlindCount(checks=[D("0.00")]), "Check 1"),
        (BlindCount(checks=[D("10.00"), 10.0]), "Check 2"),
        (BlindCount(checks=[D("10.001")]), "Check 1"),
    ],
)
def test_refused_counts(count, problem):
    with pytest.raises(CountError, match=problem):
        balance_drawer(D("100.00"), {}, count)


def test_refused_expected_and_float():
    with pytest.raises(CountError, match="not 'card'"):
        balance_drawer(D("100.00"), {"card": D("5.00")}, BlindCount())
    with pytest.raises(CountError, match="opening float"):
        balance_drawer(D("-1.00"), {}, BlindCount())
    with pytest.raises(CountError, match="opening float"):
        balance_drawer(100.0, {}, BlindCount())
