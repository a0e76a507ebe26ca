from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cistern.core.money import MoneyError, format_money, is_cents, money


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2.345", "2.35"),
        ("2.344", "2.34"),
        ("-2.345", "-2.35"),  # half up means away from zero
        ("0.005", "0.01"),
        (Decimal("156.4"), "156.40"),
        (12, "12.00"),
        ("$1,234.565", "1234.57"),
    ],
)
def test_money_quantizes_half_up_to_cents(value, expected):
    assert money(value) == Decimal(expected)
    assert str(money(value)) == expected


@pytest.mark.parametrize("value", [2.5, True, None, "abc", "NaN", "Infinity", [1]])
def test_money_refuses_what_is_not_money(value):
    with pytest.raises(MoneyError):
        money(value)


def test_format_money():
    assert format_money(Decimal("1234.5")) == "$1,234.50"
    assert format_money(Decimal("-12")) == "-$12.00"


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=6))
def test_money_is_within_half_a_cent_and_idempotent(value):
    cents = money(value)
    assert abs(cents - value) <= Decimal("0.005")
    assert money(cents) == cents
    assert cents.as_tuple().exponent == -2


def test_is_cents_takes_only_a_decimal_already_to_the_cent():
    assert is_cents(Decimal("12.30")) and is_cents(Decimal("-4")) and is_cents(Decimal("0.01"))
    assert not is_cents(Decimal("12.345"))
    assert not is_cents(12.3) and not is_cents(12) and not is_cents("12.30")
    assert not is_cents(Decimal("Infinity")) and not is_cents(Decimal("NaN"))
