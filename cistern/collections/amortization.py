"""A payment arrangement's installments: a past-due balance spread over up to 12 monthly installments. Pure:
plain values in and out, no ORM.

Equal installments in cents, the last one taking the rounding (so they sum to the balance exactly), due on the
same day of each month as the first (the month's last day when it is shorter).
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, Decimal

MAX_INSTALLMENTS = 12  # the law's alternative payment schedule is repayable within 12 months
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Installment:
    number: int
    due: date
    amount: Decimal


def _month_later(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def plan_problems(balance: Decimal, count: int, first_due: date, on: date) -> list[str]:
    """What is wrong with an arrangement asked for on `on` (empty: nothing)."""
    problems = []
    if balance <= 0:
        problems.append("Nothing is past due: there is no balance to arrange.")
    if not 1 <= count <= MAX_INSTALLMENTS:
        problems.append(f"An arrangement has 1 to {MAX_INSTALLMENTS} installments; {count} asked.")
    if first_due < on:
        problems.append(f"The first installment falls due on or after today ({on:%m/%d/%Y}).")
    elif (first_due - on).days > 45:
        problems.append("The first installment falls due within 45 days.")
    if balance > 0 and count >= 1 and balance / count < CENT:
        problems.append("Each installment is at least one cent.")
    return problems


def installments(balance: Decimal, count: int, first_due: date) -> list[Installment]:
    """`balance` in `count` monthly installments from `first_due`; the last takes the rounding."""
    each = (balance / count).quantize(CENT, rounding=ROUND_DOWN)
    found = [Installment(n + 1, _month_later(first_due, n), each) for n in range(count - 1)]
    found.append(Installment(count, _month_later(first_due, count - 1), balance - each * (count - 1)))
    return found
