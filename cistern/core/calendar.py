"""Business days of the district: weekdays that are neither a US federal or California state holiday
(from the `holidays` package) nor a district closure day. SB 998 counts notice periods in these days.

Pure: no ORM. `core.selectors.district_calendar()` builds one from the district's settings.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import holidays

SATURDAY = 5


@dataclass(frozen=True)
class BusinessCalendar:
    closure_days: frozenset[date] = field(default_factory=frozenset)
    subdivision: str = "CA"

    @classmethod
    def with_closures(cls, closures: Iterable[date], subdivision: str = "CA") -> "BusinessCalendar":
        return cls(closure_days=frozenset(closures), subdivision=subdivision)

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        # Years are filled in lazily by the package as dates are looked up.
        return holidays.country_holidays("US", subdiv=self.subdivision)

    def holiday_name(self, day: date) -> str | None:
        """Why the office is closed on a weekday, or None when it is open (weekends are not named)."""
        if day in self.closure_days:
            return "District closure"
        return self._holidays.get(day)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self.closure_days and day not in self._holidays

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, day: date, count: int) -> date:
        """`count` business days after `day` (before it when negative); `day` itself is never counted."""
        step = timedelta(days=1 if count >= 0 else -1)
        remaining = abs(count)
        while remaining:
            day += step
            if self.is_business_day(day):
                remaining -= 1
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days after `start` up to and including `end`."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_business_day(day):
                count += 1
        return count
