"""Banking days for ACH settlement: weekdays on which the Federal Reserve Banks are open.

Not the district's office calendar (core/calendar.py): a district closure day is still a banking day (the
bank settles the debits whether the office is open or not), and the holidays are the Federal Reserve's, from
the `holidays` package's XFED calendar. A Federal Reserve holiday falling on a Saturday is not moved: the
Reserve Banks are open the Friday before (only a Sunday holiday moves, to the Monday).

Pure: no ORM.
"""

from datetime import date, timedelta
from functools import lru_cache

import holidays

SATURDAY = 5
FEDERAL_RESERVE = "XFED"  # the `holidays` package's market code for the Federal Reserve System


@lru_cache(maxsize=64)
def _federal_reserve_holidays(year: int) -> dict[date, str]:
    return dict(holidays.financial_holidays(FEDERAL_RESERVE, years=year, language="en_US"))


def federal_reserve_holiday(day: date) -> str | None:
    """The Federal Reserve holiday on `day` (as observed), or None."""
    return _federal_reserve_holidays(day.year).get(day)


def why_not_banking_day(day: date) -> str | None:
    """Why no ACH settles on `day` ("a Saturday", "Thanksgiving Day, a Federal Reserve holiday"), or None
    when it is a banking day."""
    if day.weekday() >= SATURDAY:
        return f"a {day:%A}"
    name = federal_reserve_holiday(day)
    return f"{name}, a Federal Reserve holiday" if name else None


def is_banking_day(day: date) -> bool:
    return why_not_banking_day(day) is None


def next_banking_day(day: date) -> date:
    """The first banking day strictly after `day`."""
    day += timedelta(days=1)
    while not is_banking_day(day):
        day += timedelta(days=1)
    return day


def banking_day_on_or_after(day: date) -> date:
    """`day` itself when it is a banking day, else the next one."""
    return day if is_banking_day(day) else next_banking_day(day)


def add_banking_days(day: date, count: int) -> date:
    """`count` (0 or more) banking days after `day`; `day` itself is never counted."""
    if count < 0:
        raise ValueError(f"Count banking days forward only, not {count}.")
    for _ in range(count):
        day = next_banking_day(day)
    return day
