from decimal import Decimal

import pytest

from cistern.payments.amounts import AmountError, change_due, parse_amount


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("4556", "45.56"),
        ("5", "0.05"),
        ("100", "1.00"),
        ("0045", "0.45"),
        ("41172", "411.72"),
        ("45.5", "45.50"),
        ("45.", "45.00"),
        ("45.56", "45.56"),
        (".5", "0.50"),
        (" 12.3 ", "12.30"),
        ("100000000", "1000000.00"),
        ("1000000.00", "1000000.00"),
    ],
)
def test_typed_amounts(typed, amount):
    parsed = parse_amount(typed)
    assert parsed == Decimal(amount)
    assert str(parsed) == amount  # exactly two places


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "Enter an amount"),
        ("   ", "Enter an amount"),
        (".", "Enter an amount"),
        ("-4556", "negative"),
        ("-45.56", "negative"),
        ("45.567", "at most 2 digits after the point"),
        ("100000001", "more than the largest amount the counter takes"),
        ("1000000.01", "more than the largest amount the counter takes"),
        ("9" * 40, "more than the largest amount the counter takes"),
        ("45,56", "only digits"),
        ("$45", "only digits"),
        ("4e5", "only digits"),
        ("1.2.3", "only digits"),
        ("+45", "only digits"),
        ("٤٥", "only digits"),  # Arabic-Indic digits are digits to Python, not to the counter
        ("0", "more than zero"),
        ("0.00", "more than zero"),
    ],
)
def test_refused_amounts_name_the_problem(typed, problem):
    with pytest.raises(AmountError, match=problem):
        parse_amount(typed)


def test_amount_error_is_a_value_error():
    assert issubclass(AmountError, ValueError)


def test_change_due():
    assert change_due(Decimal("45.56"), Decimal("50.00")) == Decimal("4.44")
    assert change_due(Decimal("45.56"), Decimal("45.56")) == Decimal("0.00")
    assert change_due(Decimal("0.01"), Decimal("100")) == Decimal("99.99")
    assert str(change_due(Decimal("45.56"), Decimal("50"))) == "4.44"


def test_change_due_refuses_short_cash_and_bad_values():
    with pytest.raises(AmountError, match="0.56 short"):
        change_due(Decimal("45.56"), Decimal("45.00"))
    with pytest.raises(AmountError, match="negative"):
        change_due(Decimal("-1.00"), Decimal("5.00"))
    with pytest.raises(AmountError, match="more than 2 decimals"):
        change_due(Decimal("1.005"), Decimal("5.00"))
    with pytest.raises(AmountError, match="Decimal"):
        change_due(45.56, Decimal("50.00"))
