"""Coverage of the office: who is on the counter, the phones, the drawer and the radio each business day's
morning and afternoon. Pure: plain values in and out, no ORM (`schedule.selectors` gathers the facts).

A person works a day when their workweek (the latest one started on or before it) says so: a 5/8 week works
Monday to Friday, a 4/10 week all weekdays but its day off. Leave (whole days, or a morning or afternoon of one
day) takes them out. A slot is uncovered when nobody is assigned, or the one assigned is not working then.
Lunches: one slot a person a day; two people on positions the same afternoon or morning at lunch at once leave
two positions alone together, which the week page shows.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from cistern.core.calendar import BusinessCalendar

FIVE_EIGHT = "5x8"
FOUR_TEN = "4x10"
AM = "am"
PM = "pm"
HALVES = (AM, PM)
COUNTER, PHONES, DRAWER, RADIO = "counter", "phones", "drawer", "radio"
POSITIONS = (COUNTER, PHONES, DRAWER, RADIO)

# Why a slot is uncovered.
NOBODY = "nobody"
DAY_OFF = "day_off"
ON_LEAVE = "on_leave"
NOT_SCHEDULED = "not_scheduled"
REASONS = {
    NOBODY: "nobody assigned",
    DAY_OFF: "assigned person's day off",
    ON_LEAVE: "assigned person on leave",
    NOT_SCHEDULED: "assigned person has no workweek",
}
# Why a person is off, in a word (the week page).
OFF_LABELS = {DAY_OFF: "day off", ON_LEAVE: "leave", NOT_SCHEDULED: "no workweek"}


@dataclass(frozen=True)
class Workweek:
    user_id: int
    pattern: str  # FIVE_EIGHT or FOUR_TEN
    starts_on: date
    day_off: int | None = None  # 0 Monday ... 4 Friday, for FOUR_TEN


@dataclass(frozen=True)
class Leave:
    user_id: int
    first_day: date
    last_day: date
    half: str = ""  # "": whole days; AM or PM: that half of the one day


@dataclass(frozen=True)
class Assignment:
    day: date
    half: str
    position: str
    user_id: int


@dataclass(frozen=True)
class Lunch:
    user_id: int
    day: date
    starts_at: time
    minutes: int = 30


@dataclass(frozen=True)
class Gap:
    day: date
    half: str
    position: str
    reason: str  # one of REASONS
    user_id: int | None = None  # the one assigned, when there is one


@dataclass(frozen=True)
class LunchClash:
    day: date
    user_ids: tuple[int, int]
    starts_at: time
    ends_at: time


def workweek_on(user_id: int, day: date, workweeks: Iterable[Workweek]) -> Workweek | None:
    found = [w for w in workweeks if w.user_id == user_id and w.starts_on <= day]
    return max(found, key=lambda w: w.starts_on) if found else None


def why_off(
    user_id: int, day: date, half: str, workweeks: Iterable[Workweek], leaves: Iterable[Leave]
) -> str | None:
    """Why `user_id` is not working `day`'s `half` (NOT_SCHEDULED, DAY_OFF, ON_LEAVE), or None: they are."""
    week = workweek_on(user_id, day, workweeks)
    if week is None:
        return NOT_SCHEDULED
    if day.weekday() >= 5 or (week.pattern == FOUR_TEN and day.weekday() == week.day_off):
        return DAY_OFF
    for leave in leaves:
        if leave.user_id == user_id and leave.first_day <= day <= leave.last_day and leave.half in ("", half):
            return ON_LEAVE
    return None


def available(
    user_ids: Iterable[int], day: date, half: str, workweeks: Iterable[Workweek], leaves: Iterable[Leave]
) -> list[int]:
    """Those of `user_ids` working `day`'s `half`."""
    workweeks, leaves = list(workweeks), list(leaves)
    return [u for u in user_ids if why_off(u, day, half, workweeks, leaves) is None]


def business_days(first: date, last: date, calendar: BusinessCalendar) -> list[date]:
    days, day = [], first
    while day <= last:
        if calendar.is_business_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def gaps(
    days: Iterable[date], assignments: Iterable[Assignment], workweeks: Iterable[Workweek],
    leaves: Iterable[Leave], calendar: BusinessCalendar,
) -> list[Gap]:  # fmt: skip
    """The uncovered slots of the business days among `days`, in day, half, position order."""
    workweeks, leaves = list(workweeks), list(leaves)
    slot = {(a.day, a.half, a.position): a.user_id for a in assignments}
    found = []
    for day in sorted(set(days)):
        if not calendar.is_business_day(day):
            continue
        for half in HALVES:
            for position in POSITIONS:
                user_id = slot.get((day, half, position))
                if user_id is None:
                    found.append(Gap(day, half, position, NOBODY))
                elif (reason := why_off(user_id, day, half, workweeks, leaves)) is not None:
                    found.append(Gap(day, half, position, reason, user_id))
    return found


def _span(lunch: Lunch) -> tuple[datetime, datetime]:
    start = datetime.combine(lunch.day, lunch.starts_at)
    return start, start + timedelta(minutes=lunch.minutes)


def lunch_clashes(assignments: Iterable[Assignment], lunches: Iterable[Lunch]) -> list[LunchClash]:
    """Two people holding positions the same half-day whose lunches overlap (both positions alone at once)."""
    holding: dict[tuple[date, str], set[int]] = {}
    for a in assignments:
        holding.setdefault((a.day, a.half), set()).add(a.user_id)
    by_day: dict[date, list[Lunch]] = {}
    for lunch in lunches:
        by_day.setdefault(lunch.day, []).append(lunch)
    found = []
    for day, day_lunches in sorted(by_day.items()):
        day_lunches.sort(key=lambda x: (x.starts_at, x.user_id))
        for i, one in enumerate(day_lunches):
            for other in day_lunches[i + 1 :]:
                together = any(
                    {one.user_id, other.user_id} <= holding.get((day, half), set()) for half in HALVES
                )
                start = max(_span(one)[0], _span(other)[0])
                end = min(_span(one)[1], _span(other)[1])
                if together and start < end:
                    found.append(LunchClash(day, (one.user_id, other.user_id), start.time(), end.time()))
    return found
