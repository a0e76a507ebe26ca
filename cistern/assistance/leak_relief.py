"""The Customer Account Assistance Program for leaks: who may have high-bill relief after a leak, and how much.
Pure: plain values in and out, no ORM (district.md, "Help for customers").

`judge` checks an application's facts against the program's terms and returns every rule with its outcome,
so a clerk sees all of them at once:

- occupancy: the owner's primary residence (an owner's account at an owner-occupied premise, declared the
  primary residence) or a long-term tenant (a tenant's account at a rental); no vacation rental, no business.
- bill_increase: each bill in question is at least `bill_increase_minimum` ($700.00) above the bill for the
  same period last year (charges of the period, not the balance); a bill with no bill a year before fails.
- per_customer, per_address: fewer than `max_per_5_years` reliefs granted in the 5 years before the day
  asked, to the customer (any account) and at the address (any customer); this one would be the next.
- consecutive_cycles: at most `max_consecutive_cycles` bills, and consecutive (each begins where the one before
  ends, a day apart at most).
- good_faith: the payments made from the first bill's bill date through its due date are at least last year's
  average bill for the periods in question (the mean of last year's bills for them).
- repair: proof of the repair is attached and the repair was made by the day of the application.

`relief` recalculates the leak usage; see its docstring.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
YEARS = 5

OCCUPANCY = "occupancy"
BILL_INCREASE = "bill_increase"
PER_CUSTOMER = "per_customer"
PER_ADDRESS = "per_address"
CONSECUTIVE = "consecutive_cycles"
GOOD_FAITH = "good_faith"
REPAIR = "repair"

RULE_LABELS = {
    OCCUPANCY: "Owner's primary residence or long-term tenant",
    BILL_INCREASE: "Bill at least the minimum above the same period last year",
    PER_CUSTOMER: "Reliefs in 5 years to the customer",
    PER_ADDRESS: "Reliefs in 5 years at the address",
    CONSECUTIVE: "Consecutive billing cycles",
    GOOD_FAITH: "Good-faith payment by the due date",
    REPAIR: "Proof of repair",
}


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class UsageBlock:
    """A usage line of a bill: units billed at a price per unit (a tier of the rate schedule)."""

    units: Decimal
    price: Decimal
    tier: int = 0


@dataclass(frozen=True)
class LastYear:
    """The bill for the same period a year before."""

    units: Decimal
    amount: Decimal


@dataclass(frozen=True)
class BillInQuestion:
    bill_id: int
    period_start: date
    period_end: date
    bill_date: date
    due_date: date
    units: Decimal
    amount: Decimal  # the period's charges
    usage: tuple[UsageBlock, ...] = ()
    last_year: LastYear | None = None


@dataclass(frozen=True)
class Facts:
    bills: tuple[BillInQuestion, ...]
    relationship: str  # "owner" or "tenant"
    occupancy: str  # the premise's use as the account says: "owner", "rental", "vacation", "commercial"
    primary_residence: bool  # declared by the owner on the application
    customer_reliefs: tuple[date, ...]  # the days reliefs were granted to the customer before
    address_reliefs: tuple[date, ...]  # ... and at the address
    paid_by_due: Decimal  # payments from the first bill's bill date through its due date
    repair_proof: bool
    repaired_on: date | None


@dataclass(frozen=True)
class Terms:
    bill_increase_minimum: Decimal = Decimal("700.00")
    max_per_5_years: int = 2
    max_consecutive_cycles: int = 2
    forgiven_share: Decimal = Decimal("50")  # percent of the excess units
    relief_price: Decimal = Decimal("8.00")  # per unit


@dataclass(frozen=True)
class Check:
    rule: str
    passed: bool
    detail: str

    @property
    def label(self) -> str:
        return RULE_LABELS.get(self.rule, self.rule)


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    checks: tuple[Check, ...]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 02/29
        return day.replace(year=day.year - years, day=28)


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _occupancy(facts: Facts) -> Check:
    if facts.relationship == "owner" and facts.occupancy == "owner":
        if facts.primary_residence:
            return Check(OCCUPANCY, True, "The owner's primary residence.")
        return Check(OCCUPANCY, False, "An owner's home that is not declared the owner's primary residence.")
    if facts.relationship == "tenant" and facts.occupancy == "rental":
        return Check(OCCUPANCY, True, "A long-term tenant.")
    kinds = {"vacation": "a vacation (short-term) rental", "commercial": "a business premise"}
    what = kinds.get(facts.occupancy, f"{facts.relationship} at a premise used as {facts.occupancy}")
    return Check(OCCUPANCY, False, f"The account is {what}.")


def _bill_increase(facts: Facts, terms: Terms) -> Check:
    if not facts.bills:
        return Check(BILL_INCREASE, False, "No bill is in question.")
    parts, passed = [], True
    for bill in facts.bills:
        if bill.last_year is None:
            passed = False
            parts.append(f"Bill {bill.bill_id}: no bill for the same period last year.")
            continue
        more = bill.amount - bill.last_year.amount
        ok = more >= terms.bill_increase_minimum
        passed = passed and ok
        parts.append(
            f"Bill {bill.bill_id}: {_money(bill.amount)}, {_money(more)} above last year's "
            f"{_money(bill.last_year.amount)} ({'at least' if ok else 'less than'} "
            f"{_money(terms.bill_increase_minimum)})."
        )
    return Check(BILL_INCREASE, passed, " ".join(parts))


def _in_window(days: Sequence[date], on: date, terms: Terms, rule: str, whom: str) -> Check:
    since = _years_before(on, YEARS)
    made = sorted(d for d in days if since < d <= on)
    ok = len(made) < terms.max_per_5_years
    listed = ", ".join(f"{d:%m/%d/%Y}" for d in made) or "none"
    return Check(
        rule, ok,
        f"{len(made)} granted {whom} since {since:%m/%d/%Y} ({listed}); at most {terms.max_per_5_years} in 5 years.",
    )  # fmt: skip


def _consecutive(facts: Facts, terms: Terms) -> Check:
    bills = sorted(facts.bills, key=lambda b: b.period_end)
    if len(bills) > terms.max_consecutive_cycles:
        return Check(
            CONSECUTIVE, False, f"{len(bills)} bills; at most {terms.max_consecutive_cycles} cycles."
        )
    for before, after in zip(bills, bills[1:], strict=False):
        if after.period_start > before.period_end + timedelta(days=1):
            return Check(
                CONSECUTIVE, False,
                f"Bill {after.bill_id} does not follow bill {before.bill_id}: "
                f"{before.period_end:%m/%d/%Y} to {after.period_start:%m/%d/%Y}.",
            )  # fmt: skip
    return Check(CONSECUTIVE, True, f"{len(bills)} consecutive; at most {terms.max_consecutive_cycles}.")


def last_year_average(facts: Facts) -> Decimal | None:
    """Last year's average bill for the periods in question (None when a period has none)."""
    amounts = [b.last_year.amount for b in facts.bills if b.last_year is not None]
    if not amounts or len(amounts) != len(facts.bills):
        return None
    return _cents(sum(amounts, ZERO) / len(amounts))


def _good_faith(facts: Facts) -> Check:
    average = last_year_average(facts)
    if average is None:
        return Check(GOOD_FAITH, False, "Last year's bills for the period are not all known.")
    first = min(facts.bills, key=lambda b: b.period_end)
    ok = facts.paid_by_due >= average
    return Check(
        GOOD_FAITH, ok,
        f"{_money(facts.paid_by_due)} paid from {first.bill_date:%m/%d/%Y} to the due date "
        f"{first.due_date:%m/%d/%Y}; last year's average bill for the period is {_money(average)}.",
    )  # fmt: skip


def _repair(facts: Facts, on: date) -> Check:
    if not facts.repair_proof:
        return Check(REPAIR, False, "No proof of repair attached.")
    if facts.repaired_on is None:
        return Check(REPAIR, False, "The day of the repair is not given.")
    if facts.repaired_on > on:
        return Check(REPAIR, False, f"The repair date {facts.repaired_on:%m/%d/%Y} is after {on:%m/%d/%Y}.")
    return Check(REPAIR, True, f"Repaired {facts.repaired_on:%m/%d/%Y}; proof attached.")


def judge(facts: Facts, terms: Terms, *, on: date) -> Eligibility:
    """Every rule of the program checked on `on`; eligible when all pass."""
    checks = (
        _occupancy(facts),
        _bill_increase(facts, terms),
        _in_window(facts.customer_reliefs, on, terms, PER_CUSTOMER, "to the customer"),
        _in_window(facts.address_reliefs, on, terms, PER_ADDRESS, "at the address"),
        _consecutive(facts, terms),
        _good_faith(facts),
        _repair(facts, on),
    )
    return Eligibility(all(c.passed for c in checks), checks)


@dataclass(frozen=True)
class BillRelief:
    bill_id: int
    excess_units: Decimal
    forgiven_units: Decimal
    billed: Decimal  # what the forgiven units were billed at
    repriced: Decimal  # what they cost at the relief price
    credit: Decimal


def bill_relief(bill: BillInQuestion, terms: Terms) -> BillRelief:
    """One bill's relief (see `relief`)."""
    last_units = bill.last_year.units if bill.last_year is not None else bill.units
    excess = max(bill.units - last_units, Decimal(0))
    forgiven = excess * terms.forgiven_share / Decimal(100)
    billed, left = Decimal(0), forgiven
    for block in sorted(bill.usage, key=lambda b: (b.tier, b.price), reverse=True):
        if left <= 0:
            break
        taken = min(block.units, left)
        billed += taken * block.price
        left -= taken
    billed = _cents(billed)
    repriced = _cents(forgiven * terms.relief_price)
    return BillRelief(bill.bill_id, excess, forgiven, billed, repriced, max(billed - repriced, ZERO))


def relief(facts: Facts, terms: Terms) -> Decimal:
    """The credit for the leak, in cents: the sum over the bills in question of

        excess units   = the bill's units - the units of the same period last year (not below 0)
        forgiven units = excess units x forgiven_share / 100 (not rounded)
        billed         = what the forgiven units were billed at: they are the last units used, so they are
                         taken from the bill's usage lines from the highest tier down (at each line's price),
                         rounded to the cent half up
        repriced       = forgiven units x relief_price, rounded to the cent half up
        credit         = billed - repriced (not below 0)

    The rest of the excess stays billed as it was. E.g. 140 units against 12 last year on the demo's 3/4"
    tiers: excess 128, forgiven 64, all in tier 4 at $12.95 = $828.80, repriced at $8.00 = $512.00: $316.80.
    """
    return sum((bill_relief(b, terms).credit for b in facts.bills), ZERO)
