"""Business days of the district: weekdays that are neither an observed holiday on the district's list nor a
district closure day. SB 998 counts notice periods in these days; due dates move to them.

Pure: no ORM, no holiday package. `core.selectors.district_calendar()` builds one from the district's rows
(`core.Holiday`, `core.ClosureDay`); tests build one from plain values.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

SATURDAY = 5


@dataclass(frozen=True)
class BusinessCalendar:
    closure_days: frozenset[date] = field(default_factory=frozenset)
    holidays: Mapping[date, str] = field(default_factory=dict)  # the observed holidays: day -> name

    @classmethod
    def with_closures(
        cls, closures: Iterable[date], holidays: Mapping[date, str] | None = None
    ) -> "BusinessCalendar":
        return cls(closure_days=frozenset(closures), holidays=dict(holidays or {}))

    def holiday_name(self, day: date) -> str | None:
        """Why the office is closed on a weekday, or None when it is open (weekends are not named)."""
        if day in self.closure_days:
            return "District closure"
        return self.holidays.get(day)

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self.closure_days and day not in self.holidays

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def business_day_on_or_after(self, day: date) -> date:
        """`day` itself when the office is open, else the next business day."""
        return day if self.is_business_day(day) else self.next_business_day(day)

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
