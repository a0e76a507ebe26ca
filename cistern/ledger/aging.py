"""Open items and aging of one account's receivable. Pure: plain values in and out, no ORM.

A reversal closes the line it reverses: the two are netted first, so a cancelled bill (or a forgiven late
fee, a returned payment) is neither open nor a credit to something else. The credits left (payments,
adjustments) are then applied to the oldest charges first; what is left of each charge is an open item,
aged by days past its due date: not yet due, 1-30, 31-60, 61-90 and over 90 days. A credit left over when
every charge is paid is a credit balance (shown as negative "not yet due"). The buckets sum to the balance.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")
NOT_DUE, DAYS_1_30, DAYS_31_60, DAYS_61_90, OVER_90 = "not_due", "1_30", "31_60", "61_90", "over_90"
BUCKETS = (NOT_DUE, DAYS_1_30, DAYS_31_60, DAYS_61_90, OVER_90)
LABELS = {
    NOT_DUE: "Not yet due",
    DAYS_1_30: "1-30 days",
    DAYS_31_60: "31-60 days",
    DAYS_61_90: "61-90 days",
    OVER_90: "Over 90 days",
}


@dataclass(frozen=True)
class Movement:
    """A receivable line of the account: a charge (positive) or a credit (negative)."""

    on: date  # the entry date
    amount: Decimal
    due: date | None = None  # charges: when due (the entry date when not given)
    description: str = ""
    line_id: int | None = None
    kind: str = ""  # what made it: bill, payment, adjustment, late_fee...
    reverses: int | None = None  # the line (line_id) this one reverses


@dataclass(frozen=True)
class OpenItem:
    on: date
    due: date
    original: Decimal
    open: Decimal
    description: str
    line_id: int | None = None
    kind: str = ""


def _netted(movements: list[Movement]) -> list[list]:
    """[movement, what is left of it] after each reversal is netted against the line it reverses."""
    rows = [[m, m.amount] for m in movements]
    by_line = {row[0].line_id: row for row in rows if row[0].line_id is not None}
    for row in rows:
        target = by_line.get(row[0].reverses) if row[0].reverses is not None else None
        if target is None or target is row:  # what it reverses is not among these lines: a plain line
            continue
        target[1] += row[1]
        row[1] = ZERO
    return rows


def open_items(movements: Iterable[Movement]) -> tuple[list[OpenItem], Decimal]:
    """(the charges still open, oldest first, and the unapplied credit as a positive amount)."""
    ordered = sorted(movements, key=lambda m: (m.due or m.on, m.on))
    netted = _netted(ordered)
    charges = [row for row in netted if row[1] > 0]
    credit = -sum((left for _, left in netted if left < 0), ZERO)
    for charge in charges:  # oldest first
        if credit <= 0:
            break
        applied = min(credit, charge[1])
        charge[1] -= applied
        credit -= applied
    items = [
        OpenItem(m.on, m.due or m.on, m.amount, left, m.description, m.line_id, m.kind)
        for m, left in charges
        if left > 0
    ]
    return items, credit


def bucket(days_past_due: int) -> str:
    if days_past_due <= 0:
        return NOT_DUE
    if days_past_due <= 30:
        return DAYS_1_30
    if days_past_due <= 60:
        return DAYS_31_60
    if days_past_due <= 90:
        return DAYS_61_90
    return OVER_90


def aging(movements: Iterable[Movement], as_of: date) -> dict[str, Decimal]:
    """Open amounts by bucket on `as_of`; an unapplied credit is negative "not yet due". The buckets sum to
    the balance."""
    items, credit = open_items(movements)
    totals = dict.fromkeys(BUCKETS, ZERO)
    for item in items:
        totals[bucket((as_of - item.due).days)] += item.open
    totals[NOT_DUE] -= credit
    return totals
