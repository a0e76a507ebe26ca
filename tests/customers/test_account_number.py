import pytest
from hypothesis import given
from hypothesis import strategies as st

from cistern.customers.account_number import (
    InvalidAccountNumber,
    looks_like_account_number,
    make_account_number,
    parse_account_number,
)


def test_make_and_parse():
    number = make_account_number(1000001)
    assert len(number) == 8 and number.startswith("1000001")
    assert parse_account_number(number) == number
    assert parse_account_number(f" {number[:4]}-{number[4:]} ") == number
    assert looks_like_account_number(f"{number[:4]} {number[4:]}")


@given(st.integers(min_value=1, max_value=9_999_999))
def test_every_single_digit_error_is_refused(sequence):
    number = make_account_number(sequence)
    for position in range(len(number)):
        for digit in "0123456789":
            if digit == number[position]:
                continue
            typo = number[:position] + digit + number[position + 1 :]
            with pytest.raises(InvalidAccountNumber, match="check digit"):
                parse_account_number(typo)


@given(st.integers(min_value=1, max_value=9_999_999))
def test_every_adjacent_swap_is_refused(sequence):
    number = make_account_number(sequence)
    for position in range(len(number) - 1):
        a, b = number[position], number[position + 1]
        if a == b:
            continue
        swapped = number[:position] + b + a + number[position + 2 :]
        with pytest.raises(InvalidAccountNumber):
            parse_account_number(swapped)


@pytest.mark.parametrize(
    "text, message",
    [("1234567", "8 digits"), ("123456789", "8 digits"), ("12ab5678", "only digits"), ("", "8 digits")],
)
def test_malformed_numbers_say_what_is_wrong(text, message):
    with pytest.raises(InvalidAccountNumber, match=message):
        parse_account_number(text)


@pytest.mark.parametrize("sequence", [0, 10_000_000])
def test_sequence_out_of_range(sequence):
    with pytest.raises(ValueError):
        make_account_number(sequence)


def _damm_by_table(digits: str) -> int:
    # The Damm quasigroup table, written out here so the library's answer is checked independently.
    table = [
        [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3], [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
        [1, 7, 5, 0, 9, 8, 3, 4, 2, 6], [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
        [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7], [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
        [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
    ]  # fmt: skip
    interim = 0
    for ch in digits:
        interim = table[interim][int(ch)]
    return interim


@pytest.mark.parametrize("sequence", [1000001, 1000002, 1234567, 9999999])
def test_check_digit_matches_the_damm_table(sequence):
    number = make_account_number(sequence)
    assert number == f"{sequence:07d}{_damm_by_table(f'{sequence:07d}')}"
    assert _damm_by_table(number) == 0
