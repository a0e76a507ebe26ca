"""Late penalties: which past-due charges get one and how much. Pure: plain values in and out, no ORM.

A bill still open `after_days` days past its due date gets one penalty, the greater of a fixed amount or a
percent of what is still open of it (the fee catalog's late penalty). A charge is penalized once. Under a
district suspension of late fees nothing is charged, and a bill whose penalty day fell inside one is never
penalized for it (the board waived it; the bill is not charged late when the suspension ends).
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
