"""The remittance stub's scanline: printed by the bill, read back by the lockbox import."""

from decimal import Decimal

import pytest

from cistern.billing.scanline import ScanlineError, parse_scanline, scanline

PRINTED = "10000015 0000015640 3"


def test_known_scanline_and_its_check_digit():
    assert scanline("10000015", Decimal("156.40")) == PRINTED
    assert scanline("10001236", Decimal("1234.56")) == "10001236 0000123456 4"


@pytest.mark.parametrize(
    "amount", ["0.01", "1.00", "156.40", "1234.56", "99999999.99"], ids=lambda amount: amount
)
def test_round_trip(amount):
    line = scanline("10001236", Decimal(amount))
    assert parse_scanline(line) == ("10001236", Decimal(amount))
    assert parse_scanline(line.replace(" ", "")) == ("10001236", Decimal(amount))


def test_amount_keeps_its_cents():
    account, amount = parse_scanline(PRINTED)
    assert (account, amount, str(amount)) == ("10000015", Decimal("156.40"), "156.40")


@pytest.mark.parametrize("amount", ["0", "0.00", "-12.00"])
def test_zero_or_credit_prints_zeros(amount):
    assert scanline("10000015", Decimal(amount)) == "10000015 0000000000 7"


def test_amount_rounds_half_up_to_the_cent():
    assert scanline("10000015", Decimal("10.005")) == "10000015 0000001001 4"


def test_surrounding_whitespace_is_ignored():
    assert parse_scanline(f"  {PRINTED}\n") == ("10000015", Decimal("156.40"))


def test_every_single_digit_error_is_caught():
    digits = PRINTED.replace(" ", "")
    for position in range(len(digits)):
        for digit in "0123456789":
            if digit == digits[position]:
                continue
            typo = digits[:position] + digit + digits[position + 1 :]
            with pytest.raises(ScanlineError, match="check digit"):
                parse_scanline(typo)


def test_a_swap_of_adjacent_digits_is_caught():
    # "15640" read as "16540": positions 14 and 15 swapped.
    with pytest.raises(ScanlineError, match="check digit"):
        parse_scanline("10000015 0000016540 3")


@pytest.mark.parametrize(
    "text", ["", "10000015 0000015640", "10000015 00000015640 3", "1000001500000156403 0"]
)
def test_wrong_length(text):
    with pytest.raises(ScanlineError, match="has 19 digits"):
        parse_scanline(text)


@pytest.mark.parametrize("text", ["10000015-0000015640-3", "1000001O 0000015640 3", "10000015 000001564٣ 3"])
def test_non_digits(text):
    with pytest.raises(ScanlineError, match="only digits"):
        parse_scanline(text)


@pytest.mark.parametrize("account", ["1000001", "100000155", "1000001X", ""])
def test_printing_refuses_a_bad_account_number(account):
    with pytest.raises(ScanlineError, match="8 digits"):
        scanline(account, Decimal("1.00"))


def test_printing_refuses_an_amount_too_large_for_the_line():
    with pytest.raises(ScanlineError, match="does not fit"):
        scanline("10000015", Decimal("100000000.00"))


def test_printing_refuses_a_float():
    with pytest.raises(ScanlineError, match="Decimal"):
        scanline("10000015", 156.40)
