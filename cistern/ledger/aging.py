"""Open items and aging of one account's receivable. Pure: plain values in and out, no ORM.

Credits (payments, adjustments, reversals) are applied to the oldest charges first; what is left of each
charge is an open item, aged by days past its due date into current, 30, 60, 90 and 120+. A credit left over
when every charge is paid is a credit balance (shown as negative current).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")
BUCKETS = ("current", "30", "60", "90", "120+")


@dataclass(frozen=True)
class Movement:
    """A receivable line of the account: a charge (positive) or a credit (negative)."""

    on: date  # the entry date
    amount: Decimal
    due: date | None = None  # charges: when due (the entry date when not given)
    description: str = ""
    line_id: int | None = None
    kind: str = ""  # what made it: bill, payment, adjustment, late_fee...


@dataclass(frozen=True)
class OpenItem:
    on: date
    due: date
    original: Decimal
    open: Decimal
    description: str
    line_id: int | None = None
    kind: str = ""


def open_items(movements: Iterable[Movement]) -> tuple[list[OpenItem], Decimal]:
    """(the charges still open, oldest first, and the unapplied credit as a positive amount)."""
    ordered = sorted(movements, key=lambda m: (m.due or m.on, m.on))
    charges = [[m, m.amount] for m in ordered if m.amount > 0]
    credit = -sum((m.amount for m in ordered if m.amount < 0), ZERO)
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
    if days_past_due < 30:
        return "current"
    if days_past_due < 60:
        return "30"
    if days_past_due < 90:
        return "60"
    if days_past_due < 120:
        return "90"
    return "120+"


def aging(movements: Iterable[Movement], as_of: date) -> dict[str, Decimal]:
    """Open amounts by bucket on `as_of`; an unapplied credit is negative current. The buckets sum to the
    balance."""
    items, credit = open_items(movements)
    totals = dict.fromkeys(BUCKETS, ZERO)
    for item in items:
        totals[bucket((as_of - item.due).days)] += item.open
    totals["current"] -= credit
    return totals
