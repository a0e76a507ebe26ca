"""Amounts as the counter types them, and change due on cash (issue 11, "Payment entry made for 10-key
touch typists"). Pure: strings and Decimals in, Decimals out; no ORM.

Digits alone are cents (`4556` is $45.56) so a touch typist never reaches for the point; with a point the
digits are dollars (`45.5` is $45.50, `45.` is $45.00).
"""

import re
from decimal import Decimal

from cistern.core.money import CENT, ZERO

# Far above any water bill: a typing slip (a held key) must not post a fortune.
LARGEST_AMOUNT = Decimal("1000000.00")

_AMOUNT = re.compile(r"(?P<whole>[0-9]*)(?P<point>\.(?P<fraction>[0-9]*))?", re.ASCII)


class AmountError(ValueError):
    """An amount the counter cannot take; the message names the problem for the cashier."""


def parse_amount(typed: str) -> Decimal:
    """The amount a cashier typed, in dollars to the cent; AmountError names what is wrong with it."""
    text = (typed or "").strip()
    if not text or text == ".":
        raise AmountError("Enter an amount.")
    if text.startswith("-"):
        raise AmountError(f"The amount cannot be negative: {typed.strip()!r}.")
    match = _AMOUNT.fullmatch(text)
    if match is None:
        raise AmountError(f"Type only digits and at most one decimal point: {typed.strip()!r}.")
    whole, fraction = match["whole"], match["fraction"]
    if match["point"] is None:
        # Digits alone are cents; built from the text, as multiplying would round past 28 digits.
        amount = Decimal(f"{whole[:-2] or '0'}.{whole[-2:].zfill(2)}")
    else:
        if len(fraction) > 2:
            raise AmountError(f"An amount has at most 2 digits after the point: {typed.strip()!r}.")
        amount = Decimal(f"{whole or '0'}.{fraction or '0'}")
    if amount > LARGEST_AMOUNT:  # before quantizing: a held key can type more digits than quantize takes
        raise AmountError(
            f"${amount:,.2f} is more than the largest amount the counter takes (${LARGEST_AMOUNT:,})."
        )
    amount = amount.quantize(CENT)
    if amount == ZERO:
        raise AmountError("The amount must be more than zero.")
    return amount


def _cents(value: Decimal, what: str) -> Decimal:
    if not isinstance(value, Decimal):
        # A float here would already have lost cents; refuse it rather than round it.
        raise AmountError(f"The {what} must be a Decimal, not {type(value).__name__}.")
    if value < 0:
        raise AmountError(f"The {what} cannot be negative: {value}.")
    if value != value.quantize(CENT):
        raise AmountError(f"The {what} has more than 2 decimals: {value}.")
    return value.quantize(CENT)


def change_due(amount_due_on_cash: Decimal, tendered: Decimal) -> Decimal:
    """Change to hand back when `tendered` in cash pays `amount_due_on_cash`; refused when the cash is short."""
    due = _cents(amount_due_on_cash, "amount paid in cash")
    given = _cents(tendered, "cash tendered")
    if given < due:
        raise AmountError(f"Cash tendered {given} is {due - given} short of the {due} to be paid in cash.")
    return given - due
