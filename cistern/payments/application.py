"""How one payment is applied to an account's open charges, and how one payment is split across several
accounts of the same customer (issue 11, "Application order of a payment" and "one payment split across
several accounts"). Pure: plain values in, plain values out; no ORM.

Open charges are paid by due date, oldest first; on the same due date by a priority that is data (the
district's default: deposit, fees, water); what is left over becomes a credit on the account.
"""

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cistern.core.money import CENT, ZERO

DEFAULT_PRIORITY = ("deposit", "fees", "water")


class ApplicationError(ValueError):
    """A payment or charge that cannot be applied as given; the message names the problem."""


@dataclass(frozen=True)
class OpenCharge:
    id: Hashable
    due: date
    kind: str
    amount_open: Decimal


@dataclass(frozen=True)
class Allocation:
    charge_id: Hashable
    due: date
    kind: str
    amount: Decimal


@dataclass(frozen=True)
class Application:
    allocations: tuple[Allocation, ...]
    credit: Decimal  # the overpayment, left on the account as a credit

    @property
    def applied(self) -> Decimal:
        return sum((a.amount for a in self.allocations), ZERO)


def _cents(value: Decimal, what: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise ApplicationError(f"{what} must be a Decimal, not {type(value).__name__}.")
    if value != value.quantize(CENT):
        raise ApplicationError(f"{what} has more than 2 decimals: {value}.")
    return value.quantize(CENT)


def payment_order(
    charges: Sequence[OpenCharge], priority: Sequence[str] = DEFAULT_PRIORITY
) -> list[OpenCharge]:
    """The charges in the order a payment pays them: due date, then the kind's priority, then as given."""
    rank = {kind: i for i, kind in enumerate(priority)}
    # A kind the priority does not name comes after those it does, so a new charge kind never jumps the queue.
    return sorted(charges, key=lambda c: (c.due, rank.get(c.kind, len(rank))))


def apply_payment(
    amount: Decimal, charges: Sequence[OpenCharge], priority: Sequence[str] = DEFAULT_PRIORITY
) -> Application:
    """Allocations of `amount` to the open charges, in payment order, and the overpayment left as a credit."""
    left = _cents(amount, "The payment")
    if left <= 0:
        raise ApplicationError(f"The payment must be more than zero: {left}.")
    seen = set()
    for charge in charges:
        if charge.id in seen:
            raise ApplicationError(f"Charge {charge.id} is listed twice.")
        seen.add(charge.id)
        if _cents(charge.amount_open, f"Charge {charge.id}'s open amount") <= 0:
            raise ApplicationError(f"Charge {charge.id} has nothing open: {charge.amount_open}.")
    allocations = []
    for charge in payment_order(charges, priority):
        if left == 0:
            break
        paid = min(left, charge.amount_open.quantize(CENT))
        allocations.append(Allocation(charge.id, charge.due, charge.kind, paid))
        left -= paid
    return Application(tuple(allocations), left)


@dataclass(frozen=True)
class AccountShare:
    account: Hashable
    amount: Decimal


def split_payment(amount: Decimal, shares: Sequence[tuple[Hashable, Decimal]]) -> tuple[AccountShare, ...]:
    """One payment split across accounts by explicit amounts, which must add up to the payment to the cent."""
    total = _cents(amount, "The payment")
    if total <= 0:
        raise ApplicationError(f"The payment must be more than zero: {total}.")
    if not shares:
        raise ApplicationError("Name at least one account to pay.")
    result, seen = [], set()
    for account, share in shares:
        if account in seen:
            raise ApplicationError(f"Account {account} is named twice; give it one amount.")
        seen.add(account)
        share = _cents(share, f"The amount for account {account}")
        if share <= 0:
            raise ApplicationError(f"The amount for account {account} must be more than zero: {share}.")
        result.append(AccountShare(account, share))
    parts = sum((s.amount for s in result), ZERO)
    if parts != total:
        raise ApplicationError(
            f"The amounts for the accounts add up to {parts}, not the payment's {total} "
            f"({'over' if parts > total else 'short'} by {abs(parts - total)})."
        )
    return tuple(result)
