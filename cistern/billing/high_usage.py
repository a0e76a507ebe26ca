"""High usage: is a bill's usage far above the same period a year earlier? Pure: plain values in and out, no ORM.

The comparison is with the account's own history (the issue's "their own history"): the account's bill whose
service period overlaps the same dates a year earlier the most, if it covers at least half of them. A newer
account, or one whose bill a year ago covered less than half of the dates, has no history and is skipped (the
caller counts it). A premise's earlier occupants are not compared: another household's use says nothing of this
one's.

High: units >= last year's x (1 + min_percent / 100) and units - last year's >= min_units. Zero units a year ago
is history: any use of at least min_units is high.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Threshold:
    min_percent: Decimal
    min_units: Decimal


@dataclass(frozen=True)
class PastBill:
    bill_id: int
    account_id: int
    period_start: date
    period_end: date
    units: Decimal


@dataclass(frozen=True)
class BillUsage:
    bill_id: int
    account_id: int
    period_start: date
    period_end: date
    units: Decimal


@dataclass(frozen=True)
class Comparison:
    bill_id: int
    account_id: int
    units: Decimal
    last_year_bill_id: int | None  # None: no history
    last_year_units: Decimal | None
    high: bool


def year_earlier(day: date) -> date:
    """The same date a year earlier (February 29 becomes February 28)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _overlap_days(a_start: date, a_end: date, b_start: date, b_end: date) -> int:
    return max(0, (min(a_end, b_end) - max(a_start, b_start)).days)


def comparable(period_start: date, period_end: date, history: Iterable[PastBill]) -> PastBill | None:
    """The bill a year earlier to compare with: the one overlapping the same dates the most, if it covers at least
    half of them (ties: the later bill); None when there is none."""
    start, end = year_earlier(period_start), year_earlier(period_end)
    days = max(1, (end - start).days)
    best, best_days = None, 0
    for past in history:
        overlap = _overlap_days(start, end, past.period_start, past.period_end)
        if overlap > best_days or (
            overlap == best_days and best is not None and past.period_end > best.period_end
        ):
            best, best_days = past, overlap
    if best is None or best_days * 2 < days:
        return None
    return best


def is_high(units: Decimal, last_year_units: Decimal, threshold: Threshold) -> bool:
    return (
        units >= last_year_units * (1 + threshold.min_percent / HUNDRED)
        and units - last_year_units >= threshold.min_units
    )


def percent_above(units: Decimal, last_year_units: Decimal) -> Decimal | None:
    """How many percent above last year, to the whole percent; None when last year was zero."""
    if not last_year_units:
        return None
    return ((units - last_year_units) * HUNDRED / last_year_units).quantize(Decimal(1), ROUND_HALF_UP)


def compare(
    bills: Iterable[BillUsage], history: dict[int, list[PastBill]], threshold: Threshold
) -> list[Comparison]:
    """Each bill against its account's bills of a year earlier (`history`: account id -> its bills)."""
    found = []
    for bill in bills:
        past = comparable(bill.period_start, bill.period_end, history.get(bill.account_id, ()))
        if past is None:
            found.append(Comparison(bill.bill_id, bill.account_id, bill.units, None, None, False))
            continue
        high = is_high(bill.units, past.units, threshold)
        found.append(Comparison(bill.bill_id, bill.account_id, bill.units, past.bill_id, past.units, high))
    return found
