"""Balancing a cash drawer at close (issue 11, "The counter": a blind count by denomination plus the list
of checks; then expected vs counted per tender and the variance; the opening float is not revenue). Pure:
counts and Decimals in, totals out; no ORM.

The count is entered before the expected figures are shown; this module only needs both once they exist.
Money orders are paper deposited like checks, so a drawer that takes them lists them with the checks.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from cistern.core.money import CENT, ZERO, is_cents

CASH, CHECK = "cash", "check"
TENDERS = (CASH, CHECK)

BILLS = (100, 50, 20, 10, 5, 2, 1)  # dollars
COINS = (Decimal("1.00"), Decimal("0.50"), Decimal("0.25"), Decimal("0.10"), Decimal("0.05"), Decimal("0.01"))
# Coins in a standard bank roll: rolled coin is counted by the roll.
COINS_PER_ROLL = {
    Decimal("1.00"): 25,
    Decimal("0.50"): 20,
    Decimal("0.25"): 40,
    Decimal("0.10"): 50,
    Decimal("0.05"): 40,
    Decimal("0.01"): 50,
}


class CountError(ValueError):
    """A count that cannot be right as entered; the message names the line."""


@dataclass(frozen=True)
class BlindCount:
    """What the cashier counted: pieces per denomination (bills by dollar, coins by Decimal value), rolls of
    coin per coin value, and each check's amount."""

    bills: Mapping[int, int] = field(default_factory=dict)
    coins: Mapping[Decimal, int] = field(default_factory=dict)
    rolls: Mapping[Decimal, int] = field(default_factory=dict)
    checks: Sequence[Decimal] = ()


def _pieces(counts: Mapping, allowed: Sequence, what: str) -> None:
    for denomination, pieces in counts.items():
        if denomination not in allowed:
            raise CountError(f"There is no {denomination} {what} in a US drawer.")
        if not isinstance(pieces, int) or isinstance(pieces, bool) or pieces < 0:
            raise CountError(
                f"The count of {denomination} {what} must be a whole number, 0 or more: {pieces!r}."
            )


def counted_cash(count: BlindCount) -> Decimal:
    """All the cash in the drawer, float included."""
    _pieces(count.bills, BILLS, "dollar bills")
    _pieces(count.coins, COINS, "coins")
    _pieces(count.rolls, COINS, "coin rolls")
    bills = sum((Decimal(value) * pieces for value, pieces in count.bills.items()), ZERO)
    coins = sum((value * pieces for value, pieces in count.coins.items()), ZERO)
    rolls = sum((value * COINS_PER_ROLL[value] * rolls for value, rolls in count.rolls.items()), ZERO)
    return (bills + coins + rolls).quantize(CENT)


def counted_checks(count: BlindCount) -> Decimal:
    for i, amount in enumerate(count.checks, start=1):
        if not is_cents(amount) or amount <= 0:
            raise CountError(f"Check {i}: an amount more than zero, to the cent, not {amount!r}.")
    return sum(count.checks, ZERO).quantize(CENT)


def counted_totals(count: BlindCount) -> dict[str, Decimal]:
    """Counted total per tender, the cash with the float still in it."""
    return {CASH: counted_cash(count), CHECK: counted_checks(count)}


@dataclass(frozen=True)
class TenderBalance:
    tender: str
    expected: Decimal  # taken in payments during the session, net of change given
    counted: Decimal  # for cash, what is in the drawer less the opening float
    variance: Decimal  # counted - expected: over positive, short negative

    @property
    def over(self) -> bool:
        return self.variance > 0

    @property
    def short(self) -> bool:
        return self.variance < 0


@dataclass(frozen=True)
class DrawerBalance:
    opening_float: Decimal
    cash_in_drawer: Decimal  # counted, float included
    tenders: tuple[TenderBalance, ...]

    @property
    def variance(self) -> Decimal:
        """The amount to post to cash over/short: over positive, short negative."""
        return sum((t.variance for t in self.tenders), ZERO)

    @property
    def to_deposit(self) -> dict[str, Decimal]:
        """What goes to the bank per tender: everything counted but the float, which stays in the drawer."""
        return {t.tender: t.counted for t in self.tenders}


def balance_drawer(
    opening_float: Decimal, expected: Mapping[str, Decimal], count: BlindCount
) -> DrawerBalance:
    """Expected vs counted per tender once the blind count is in; the float is taken out of the cash first."""
    if not is_cents(opening_float) or opening_float < 0:
        raise CountError(f"The opening float must be 0 or more, to the cent: {opening_float!r}.")
    for tender, amount in expected.items():
        if tender not in TENDERS:
            raise CountError(f"A drawer counts {' and '.join(TENDERS)}, not {tender!r}.")
        if not is_cents(amount):
            raise CountError(f"The expected {tender} must be a Decimal to the cent: {amount!r}.")
    counted = counted_totals(count)
    cash_in_drawer = counted[CASH]
    # The float was the district's own cash before the first payment: it is not revenue, so only what the
    # drawer holds beyond it is compared with the cash payments taken.
    counted[CASH] -= opening_float
    tenders = []
    for tender in TENDERS:
        taken = expected.get(tender, ZERO).quantize(CENT)
        tenders.append(TenderBalance(tender, taken, counted[tender], counted[tender] - taken))
    return DrawerBalance(opening_float.quantize(CENT), cash_in_drawer, tuple(tenders))
