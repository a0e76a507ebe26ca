"""The business-day calendar, built from plain values: the observed holidays and closure days it is given."""

from datetime import date

import pytest

from cistern.core.calendar import BusinessCalendar

# The district's observed holidays these tests cross (as core.Holiday rows would give them).
HOLIDAYS = {
    date(2026, 3, 31): "Cesar Chavez Day",
    date(2026, 7, 3): "Independence Day (observed)",
    date(2026, 11, 26): "Thanksgiving Day",
    date(2026, 11, 27): "Day After Thanksgiving",
    date(2026, 12, 25): "Christmas Day",
    date(2027, 1, 1): "New Year's Day",
    date(2027, 3, 31): "Cesar Chavez Day",
    date(2027, 12, 24): "Christmas Day (observed)",
}
CAL = BusinessCalendar(holidays=HOLIDAYS)


@pytest.mark.parametrize(
    "day, open_",
    [
        (date(2026, 11, 25), True),  # Wednesday before Thanksgiving
        (date(2026, 11, 26), False),  # Thanksgiving
        (date(2026, 11, 27), False),  # Day after Thanksgiving (California state holiday)
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 30), True),
        (date(2026, 12, 24), True),
        (date(2026, 12, 25), False),  # Christmas, a Friday
        (date(2027, 12, 24), False),  # Christmas 2027 falls on a Saturday: observed Friday the 24th
        (date(2026, 3, 31), False),  # Cesar Chavez Day, a Tuesday
        (date(2026, 3, 30), True),
        (date(2027, 3, 31), False),  # Cesar Chavez Day, a Wednesday
        (date(2026, 7, 3), False),  # Independence Day observed
    ],
)
def test_is_business_day(day, open_):
    assert CAL.is_business_day(day) is open_


def test_next_business_day_skips_thanksgiving_and_the_weekend():
    assert CAL.next_business_day(date(2026, 11, 25)) == date(2026, 11, 30)
    assert CAL.next_business_day(date(2026, 11, 26)) == date(2026, 11, 30)


def test_next_business_day_after_christmas_eve():
    assert CAL.next_business_day(date(2026, 12, 24)) == date(2026, 12, 28)


def test_next_business_day_is_strictly_after():
    assert CAL.next_business_day(date(2026, 11, 23)) == date(2026, 11, 24)


def test_seven_business_days_of_notice_across_thanksgiving():
    # SB 998: notice at least 7 business days before a shutoff. From Friday Nov 20, 2026:
    # 23, 24, 25, (26, 27 holidays, 28, 29 weekend), 30, Dec 1, 2, 3.
    assert CAL.add_business_days(date(2026, 11, 20), 7) == date(2026, 12, 3)
    assert CAL.business_days_between(date(2026, 11, 20), date(2026, 12, 3)) == 7


def test_add_business_days_backwards_and_zero():
    assert CAL.add_business_days(date(2026, 11, 30), -1) == date(2026, 11, 25)
    assert CAL.add_business_days(date(2026, 11, 28), 0) == date(2026, 11, 28)


def test_cesar_chavez_day_moves_a_deadline():
    # Monday March 30, 2026 + 2 business days skips Tuesday the 31st.
    assert CAL.add_business_days(date(2026, 3, 30), 2) == date(2026, 4, 2)


def test_district_closure_day():
    cal = BusinessCalendar.with_closures([date(2026, 12, 24), date(2026, 12, 31)], holidays=HOLIDAYS)
    assert not cal.is_business_day(date(2026, 12, 24))
    assert cal.holiday_name(date(2026, 12, 24)) == "District closure"
    assert cal.next_business_day(date(2026, 12, 23)) == date(2026, 12, 28)
    # Dec 28, 29, 30 are open; Dec 31 closed; Jan 1 is New Year's Day; Jan 4 is a Monday.
    assert cal.add_business_days(date(2026, 12, 23), 4) == date(2027, 1, 4)


def test_holiday_name_for_a_holiday_and_an_ordinary_day():
    assert CAL.holiday_name(date(2026, 11, 26)) == "Thanksgiving Day"
    assert CAL.holiday_name(date(2026, 11, 24)) is None


def test_only_the_holidays_it_is_given_close_the_office():
    """No holiday package behind it: a day the district does not observe is a business day."""
    assert BusinessCalendar().is_business_day(date(2026, 11, 26))
    kept_open = BusinessCalendar(
        holidays={d: n for d, n in HOLIDAYS.items() if n != "Day After Thanksgiving"}
    )
    assert kept_open.is_business_day(date(2026, 11, 27))
    assert kept_open.next_business_day(date(2026, 11, 25)) == date(2026, 11, 27)
    columbus = BusinessCalendar(holidays={date(2026, 10, 12): "Columbus Day"})
    assert not columbus.is_business_day(date(2026, 10, 12))
    assert columbus.holiday_name(date(2026, 10, 12)) == "Columbus Day"


def test_business_day_on_or_after():
    assert CAL.business_day_on_or_after(date(2026, 11, 25)) == date(2026, 11, 25)  # open: itself
    assert CAL.business_day_on_or_after(date(2026, 11, 26)) == date(2026, 11, 30)  # holiday, holiday, weekend
    assert CAL.business_day_on_or_after(date(2026, 12, 5)) == date(2026, 12, 7)  # Saturday
