"""Late penalties: which past-due charges get one and how much. Pure: plain values in and out, no ORM.

A bill still open `after_days` days past its due date gets one penalty, the greater of a fixed amount or a
percent of what is still open of it (the fee catalog's late penalty). A charge is penalized once.
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
    already: set[int],
) -> list[Penalty]:  # fmt: skip
    """The penalties due on `on` for charges not yet penalized (`already`)."""
    found = []
    for item in items:
        if item.charge_id in already or item.open <= 0 or on < item.due + timedelta(days=after_days):
            continue
        share = (item.open * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        found.append(Penalty(item.charge_id, max(minimum, share), item.open))
    return found
