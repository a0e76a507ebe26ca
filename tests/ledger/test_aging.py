"""Open items and aging: credits go to the oldest charges first. Plain values."""

from datetime import date
from decimal import Decimal as D

from cistern.ledger.aging import Movement, aging, bucket, open_items

AS_OF = date(2026, 11, 26)


def test_buckets_by_days_past_due():
    assert [bucket(d) for d in (0, 29, 30, 59, 60, 89, 90, 119, 120, 400)] == [
        "current", "current", "30", "30", "60", "60", "90", "90", "120+", "120+",
    ]  # fmt: skip


def test_a_payment_pays_the_oldest_bill_first():
    moves = [
        Movement(date(2026, 7, 5), D("80.00"), due=date(2026, 7, 25)),  # 124 days past due
        Movement(date(2026, 9, 5), D("90.00"), due=date(2026, 9, 25)),  # 62
        Movement(date(2026, 10, 5), D("100.00"), due=date(2026, 10, 25)),  # 32
        Movement(date(2026, 11, 5), D("110.00"), due=date(2026, 11, 25)),  # 1
        Movement(date(2026, 11, 10), D("-120.00")),  # pays July's 80 and 40 of September's
    ]
    items, credit = open_items(moves)
    assert [(i.due, i.open) for i in items] == [
        (date(2026, 9, 25), D("50.00")), (date(2026, 10, 25), D("100.00")), (date(2026, 11, 25), D("110.00")),
    ]  # fmt: skip
    assert credit == 0
    assert aging(moves, AS_OF) == {
        "current": D("110.00"), "30": D("100.00"), "60": D("50.00"), "90": D("0.00"), "120+": D("0.00"),
    }  # fmt: skip


def test_a_credit_balance_is_negative_current_and_the_buckets_sum_to_the_balance():
    moves = [Movement(date(2026, 10, 5), D("45.55")), Movement(date(2026, 10, 20), D("-100.00"))]
    result = aging(moves, AS_OF)
    assert result["current"] == D("-54.45") and sum(result.values()) == D("-54.45")
    assert open_items(moves) == ([], D("54.45"))


def test_a_charge_without_a_due_date_ages_from_its_date():
    result = aging([Movement(date(2026, 6, 1), D("10.00"))], AS_OF)  # 178 days
    assert result["120+"] == D("10.00")
