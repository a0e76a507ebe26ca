import pytest

from cistern.payments.aba import (
    is_valid_routing_number,
    mask_account_number,
    routing_check_digit,
    routing_number_problem,
)


@pytest.mark.parametrize("routing", ["011000015", "021000021", "121000358", "322271627", "091000019"])
def test_real_routing_numbers_pass(routing):
    assert is_valid_routing_number(routing)
    assert routing_check_digit(routing[:8]) == int(routing[8])
    assert routing_number_problem(routing) is None


def test_check_digit_by_hand():
    # 1210003_5: 3*(1+0+3) + 7*(2+0+5) + (1+0) = 12 + 49 + 1 = 62; a 9th digit of 8 makes it 70.
    assert routing_check_digit("12100035") == 8
    # 0210000_2: 3*(0+0+0) + 7*(2+0+2) + (1+0) = 29; a 9th digit of 1 makes it 30.
    assert routing_check_digit("02100002") == 1
    assert routing_check_digit("00000000") == 0


@pytest.mark.parametrize("routing", ["021000022", "12100035", "1210003588", "12100035X", "", "١٢١٠٠٠٣٥٨"])
def test_wrong_routing_numbers_fail(routing):
    assert not is_valid_routing_number(routing)
    assert routing_number_problem(routing) is not None


def test_problem_words():
    assert routing_number_problem("021000022") == (
        "This routing number's check digit does not match; check the digits against the check."
    )
    assert routing_number_problem("2100002") == "A routing number is 9 digits."


def test_mask_shows_the_last_four_only():
    assert mask_account_number("123456789") == "****6789"
    assert mask_account_number("12345") == "****2345"
    assert mask_account_number("98765432109876543") == "****6543"
    assert mask_account_number("1234") == "****"
    assert mask_account_number("") == "****"
