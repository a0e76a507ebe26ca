"""When a locked-off account is reconnected and what the reconnection costs. Pure: plain values in and out.

- The district's policy (shutoff-law.md, "After a shutoff"): reconnected the same business day when paid (or an
  arrangement made) before the cut-off hour on a business day, otherwise the next business day. A reconnection
  the customer asks to have outside operating hours is done on the day asked, at the after-hours fee.
- The fee (HSC 116914): the catalog's, and for a low-income customer no more than the cap in force ($50 during
  operating hours, $150 outside them, adjusted for inflation: data), nor than the actual cost when that is lower.
"""

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from cistern.core.calendar import BusinessCalendar
from cistern.core.money import format_money, is_cents

OFFICE_FEE, AFTER_HOURS_FEE = "reconnect_office", "reconnect_after_hours"


class TermsError(ValueError):
    """A figure a reconnection cannot be priced with."""


def fee_code(after_hours: bool) -> str:
    return AFTER_HOURS_FEE if after_hours else OFFICE_FEE


def reconnect_day(
    *, on: date, at: time, cutoff: time, calendar: BusinessCalendar, after_hours: bool = False
) -> date:
    """The day the reconnect order is for, asked on `on` at `at` (the district's local time): `on` itself when it
    is a business day and `at` is before `cutoff` (or the customer asked for an after-hours reconnection), else
    the next business day."""
    if after_hours or (calendar.is_business_day(on) and at < cutoff):
        return on
    return calendar.next_business_day(on)


@dataclass(frozen=True)
class FeeCharged:
    amount: Decimal
    catalog: Decimal
    why: str  # a sentence for the entry's memo and the order's notes


def fee_charged(
    *, catalog: Decimal, low_income: bool, cap: Decimal | None = None, actual_cost: Decimal | None = None
) -> FeeCharged:
    """The reconnection fee: the catalog's; for a low-income customer the least of the catalog's, the cap in
    force (None: none) and the actual cost (None: not given)."""
    for name, value in (("catalog amount", catalog), ("cap", cap), ("actual cost", actual_cost)):
        if value is not None and (not is_cents(value) or value < 0):
            raise TermsError(f"The {name} must be an amount of 0 or more, to the cent: {value}.")
    if not low_income:
        return FeeCharged(catalog, catalog, f"Catalog fee {format_money(catalog)}.")
    amount, why = catalog, f"Catalog fee {format_money(catalog)}; low-income"
    if cap is not None and cap < amount:
        amount, why = cap, f"{why}: capped at {format_money(cap)} (HSC 116914)"
    if actual_cost is not None and actual_cost < amount:
        amount, why = actual_cost, f"{why}: the actual cost {format_money(actual_cost)}, lower (HSC 116914)"
    if amount == catalog:
        why = f"{why}: within the cap"
    return FeeCharged(amount, catalog, f"{why}.")
