"""Late penalties: which past-due charges get one and how much. Pure: plain values in and out, no ORM.

A bill still open `after_days` days past its due date gets one penalty, the greater of a fixed amount or a
percent of what is still open of it (the fee catalog's late penalty). A charge is penalized once. Under a
district suspension of late fees nothing is charged, and a bill whose penalty day fell inside one is never
penalized for it (the board waived it; the bill is not charged late when the suspension ends).

A late charge that is interest is waived once in any 12 months for a low-income customer (HSC 116914): the
first penalty due when no waiver of that fee fell in the 12 months before is not charged, the next is.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class PastDue:
    charge_id: int  # the receivable line of the bill
    due: date
    open: Decimal  # what is still owed of it, credits applied to the oldest charges first


@dataclass(frozen=True)
class Penalty:
    charge_id: int
    amount: Decimal
    past_due: Decimal


def penalties(
    items: Iterable[PastDue], *, on: date, minimum: Decimal, percent: Decimal, after_days: int,
    already: set[int], suspended: Iterable[tuple[date, date]] = (),
) -> list[Penalty]:  # fmt: skip
    """The penalties due on `on` for charges not yet penalized (`already`); `suspended` holds the spans (first
    and last day) of the district's suspensions of late fees."""
    spans = list(suspended)

    def in_suspension(day: date) -> bool:
        return any(first <= day <= last for first, last in spans)

    if in_suspension(on):
        return []
    found = []
    for item in items:
        penalty_day = item.due + timedelta(days=after_days)
        if item.charge_id in already or item.open <= 0 or on < penalty_day or in_suspension(penalty_day):
            continue
        share = (item.open * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        found.append(Penalty(item.charge_id, max(minimum, share), item.open))
    return found


def year_after(day: date) -> date:
    """The same day 12 months later (02/29 gives 02/28)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def waiver_due(*, on: date, last_waived: date | None) -> bool:
    """May an interest charge be waived on `on`: no waiver in the 12 months before (one on `last_waived`)."""
    return last_waived is None or on >= year_after(last_waived)


def waive_interest(
    found: list[Penalty], *, on: date, low_income: bool, last_waived: date | None
) -> tuple[list[Penalty], list[Penalty]]:
    """Split one account's penalties due on `on` (oldest charge first) into (charged, waived): for a low-income
    account with no waiver in the 12 months before `on`, the first is waived and the rest charged."""
    if not found or not low_income or not waiver_due(on=on, last_waived=last_waived):
        return list(found), []
    return list(found[1:]), [found[0]]
