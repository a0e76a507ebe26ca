"""Banking days for ACH settlement: weekends and Federal Reserve holidays only (payments.md)."""

from datetime import date

import pytest

from cistern.core.calendar import BusinessCalendar
from cistern.payments import banking_days as banking

FED_2026 = [
    date(2026, 1, 1), date(2026, 1, 19), date(2026, 2, 16), date(2026, 5, 25), date(2026, 6, 19),
    date(2026, 9, 7), date(2026, 10, 12), date(2026, 11, 11), date(2026, 11, 26), date(2026, 12, 25),
]  # fmt: skip
FED_2027 = [
    date(2027, 1, 1), date(2027, 1, 18), date(2027, 2, 15), date(2027, 5, 31), date(2027, 7, 5),
    date(2027, 9, 6), date(2027, 10, 11), date(2027, 11, 11), date(2027, 11, 25),
]  # fmt: skip


@pytest.mark.parametrize("day", FED_2026 + FED_2027, ids=str)
def test_federal_reserve_holidays_on_weekdays_are_not_banking_days(day):
    assert day.weekday() < 5
    assert not banking.is_banking_day(day)
    assert "Federal Reserve holiday" in banking.why_not_banking_day(day)


def test_named_holidays():
    assert "Juneteenth" in banking.federal_reserve_holiday(date(2026, 6, 19))
    assert "Thanksgiving" in banking.federal_reserve_holiday(date(2027, 11, 25))
    assert "Christmas" in banking.federal_reserve_holiday(date(2026, 12, 25))


def test_weekends_are_not_banking_days():
    assert banking.why_not_banking_day(date(2026, 12, 5)) == "a Saturday"
    assert banking.why_not_banking_day(date(2026, 12, 6)) == "a Sunday"
    assert banking.is_banking_day(date(2026, 12, 4))


def test_a_saturday_holiday_is_not_moved_to_the_friday():
    # Independence Day 2026, Juneteenth 2027 and Christmas 2027 fall on Saturdays: the Reserve Banks open the Friday.
    for friday in (date(2026, 7, 3), date(2027, 6, 18), date(2027, 12, 24), date(2027, 12, 31)):
        assert friday.weekday() == 4
        assert banking.is_banking_day(friday), friday


def test_a_sunday_holiday_moves_to_monday():
    assert date(2027, 7, 4).weekday() == 6
    assert not banking.is_banking_day(date(2027, 7, 5))


def test_the_district_closure_days_and_state_holidays_are_banking_days():
    # The office closes (core calendar), the bank settles all the same.
    office = BusinessCalendar.with_closures(
        [date(2026, 12, 24)], {date(2026, 11, 27): "Day after Thanksgiving"}
    )
    for day in (
        date(2026, 12, 24),
        date(2026, 11, 27),
        date(2026, 3, 31),
    ):  # closure, state holiday, Chavez Day
        assert not office.is_business_day(day) or day == date(2026, 3, 31)
        assert banking.is_banking_day(day), day


def test_next_and_adding_banking_days():
    assert banking.next_banking_day(date(2026, 12, 24)) == date(2026, 12, 28)  # Christmas Friday, weekend
    assert banking.banking_day_on_or_after(date(2026, 12, 26)) == date(2026, 12, 28)
    assert banking.banking_day_on_or_after(date(2026, 12, 28)) == date(2026, 12, 28)
    assert banking.add_banking_days(date(2026, 11, 24), 3) == date(
        2026, 11, 30
    )  # Thanksgiving, weekend skipped
    assert banking.add_banking_days(date(2026, 12, 4), 0) == date(2026, 12, 4)
    with pytest.raises(ValueError):
        banking.add_banking_days(date(2026, 12, 4), -1)
