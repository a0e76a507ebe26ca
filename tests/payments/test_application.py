from datetime import date
from decimal import Decimal as D

import pytest

from cistern.payments.application import (
    AccountShare,
    Allocation,
    ApplicationError,
    OpenCharge,
    apply_payment,
    split_payment,
)

JAN, FEB, MAR = date(2026, 1, 20), date(2026, 2, 20), date(2026, 3, 20)


def charges():
    # Given out of order on purpose.
    return [
        OpenCharge("water-feb", FEB, "water", D("60.00")),
        OpenCharge("water-jan", JAN, "water", D("55.25")),
        OpenCharge("fee-feb", FEB, "fees", D("10.00")),
        OpenCharge("deposit-feb", FEB, "deposit", D("100.00")),
    ]


def test_oldest_first_then_deposit_fees_water_on_the_same_due_date():
    result = apply_payment(D("200.00"), charges())
    assert result.allocations == (
        Allocation("water-jan", JAN, "water", D("55.25")),
        Allocation("deposit-feb", FEB, "deposit", D("100.00")),
        Allocation("fee-feb", FEB, "fees", D("10.00")),
        Allocation("water-feb", FEB, "water", D("34.75")),
    )
    assert result.credit == D("0.00")
    assert result.applied == D("200.00")


def test_partial_payment_stops_inside_a_charge():
    result = apply_payment(D("60.00"), charges())
    assert result.allocations == (
        Allocation("water-jan", JAN, "water", D("55.25")),
        Allocation("deposit-feb", FEB, "deposit", D("4.75")),
    )
    assert result.credit == D("0.00")


def test_overpayment_becomes_a_credit():
    result = apply_payment(D("300.01"), charges())
    assert [a.amount for a in result.allocations] == [D("55.25"), D("100.00"), D("10.00"), D("60.00")]
    assert result.credit == D("74.76")
    assert str(result.credit) == "74.76"


def test_no_open_charges_is_all_credit():
    result = apply_payment(D("25.00"), [])
    assert result.allocations == ()
    assert result.credit == D("25.00")


def test_priority_is_data():
    result = apply_payment(D("65.00"), charges()[:1] + charges()[2:], priority=("water", "fees", "deposit"))
    assert [(a.charge_id, a.amount) for a in result.allocations] == [
        ("water-feb", D("60.00")),
        ("fee-feb", D("5.00")),
    ]


def test_a_kind_the_priority_does_not_name_comes_last_on_its_due_date():
    open_ = [OpenCharge(1, FEB, "backflow test", D("30.00")), OpenCharge(2, FEB, "water", D("20.00"))]
    result = apply_payment(D("25.00"), open_)
    assert [(a.charge_id, a.amount) for a in result.allocations] == [(2, D("20.00")), (1, D("5.00"))]


def test_ties_keep_the_order_given():
    open_ = [OpenCharge("b", MAR, "water", D("1.00")), OpenCharge("a", MAR, "water", D("1.00"))]
    assert [a.charge_id for a in apply_payment(D("2.00"), open_).allocations] == ["b", "a"]


@pytest.mark.parametrize(
    ("amount", "open_", "problem"),
    [
        (D("0.00"), [], "more than zero"),
        (D("-5.00"), [], "more than zero"),
        (D("1.001"), [], "more than 2 decimals"),
        (1.5, [], "Decimal"),
        (D("5.00"), [OpenCharge(1, JAN, "water", D("0.00"))], "nothing open"),
        (
            D("5.00"),
            [OpenCharge(1, JAN, "water", D("1.00")), OpenCharge(1, FEB, "water", D("1.00"))],
            "twice",
        ),
    ],
)
def test_refused(amount, open_, problem):
    with pytest.raises(ApplicationError, match=problem):
        apply_payment(amount, open_)


def test_split_across_accounts():
    assert split_payment(D("150.00"), [("1001-01", D("100.00")), ("1002-01", D("50.00"))]) == (
        AccountShare("1001-01", D("100.00")),
        AccountShare("1002-01", D("50.00")),
    )


@pytest.mark.parametrize(
    ("shares", "problem"),
    [
        (
            [("A", D("100.00")), ("B", D("49.99"))],
            r"add up to 149.99, not the payment's 150.00 \(short by 0.01\)",
        ),
        ([("A", D("100.00")), ("B", D("50.01"))], r"over by 0.01"),
        ([("A", D("150.00")), ("B", D("0.00"))], "more than zero"),
        ([("A", D("75.00")), ("A", D("75.00"))], "named twice"),
        ([], "at least one account"),
    ],
)
def test_split_refused(shares, problem):
    with pytest.raises(ApplicationError, match=problem):
        split_payment(D("150.00"), shares)
