"""The office's opening and closing checklist: which steps were missed on which business days. Pure: plain
values in and out, no ORM (`schedule.selectors` gathers the records).

A day is judged once it is over: the business days before today, from the first day anyone recorded a step
(the checklist's first day in use) and at most `LOOKBACK_DAYS` back. A step active and not recorded that day is
missed; a miss stays on the supervisor's queue until acknowledged with a note.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from cistern.core.calendar import BusinessCalendar

LOOKBACK_DAYS = 30


@dataclass(frozen=True)
class Step:
    id: int
    name: str
    part: str  # "opening" or "closing"


@dataclass(frozen=True)
class Miss:
    day: date
    step: Step


def days_to_judge(today: date, first_in_use: date | None, calendar: BusinessCalendar) -> list[date]:
    """The business days before `today` whose checklist counts."""
    if first_in_use is None:
        return []
    day, days = max(first_in_use, today - timedelta(days=LOOKBACK_DAYS)), []
    while day < today:
        if calendar.is_business_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def misses(
    days: Iterable[date],
    steps: Iterable[Step],
    done: set[tuple[date, int]],
    acknowledged: set[tuple[date, int]],
) -> list[Miss]:
    """The steps not done (and not yet acknowledged) on each of `days`, oldest first."""
    steps = list(steps)
    return [
        Miss(day, step)
        for day in sorted(days)
        for step in steps
        if (day, step.id) not in done and (day, step.id) not in acknowledged
    ]
