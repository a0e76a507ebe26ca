"""Consumption and read validation. Pure: plain values in, plain values out, no ORM.

Validation is a list of checks; each returns the problems it finds, so a clerk sees all of a read's
problems at once (STYLE.md §8).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

ZERO = Decimal("0")
HUNDREDTH = Decimal("0.01")
BOUNDARY_KINDS = ("initial", "final")


@dataclass(frozen=True)
class Register:
    dials: int
    multiplier: Decimal

    @property
    def capacity(self) -> Decimal:
        return Decimal(10) ** self.dials


def is_plausible_rollover(previous: Decimal, value: Decimal, register: Register, window_percent: int) -> bool:
    """A lower read is a rollover when the previous read was near the register's end and this one near zero."""
    window = register.capacity * window_percent / 100
    return previous >= register.capacity - window and value < window


def consumption(
    previous: Decimal, value: Decimal, register: Register, window_percent: int = 20
) -> Decimal | None:
    """Units used between two reads of one meter, or None when the read went backwards (no rollover)."""
    if value >= previous:
        used = (value - previous) * register.multiplier
    elif is_plausible_rollover(previous, value, register, window_percent):
        used = (register.capacity - previous + value) * register.multiplier
    else:
        return None
    # Hundredths, half up, here: the databases would otherwise round differently (SQLite half-even) on storing.
    return used.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ChangeOut:
    """A meter change-out inside a period: the old meter's final read and the new meter's initial read."""

    old_register: Register
    old_final: Decimal
    new_register: Register
    new_initial: Decimal


def consumption_across_change_out(previous: Decimal, value: Decimal, change: ChangeOut) -> Decimal | None:
    """Units from a read of the old meter to a read of the new one: old meter to its final, new from its initial."""
    old = consumption(previous, change.old_final, change.old_register)
    new = consumption(change.new_initial, value, change.new_register)
    if old is None or new is None:
        return None
    return old + new


def typical_of(recent_usage: tuple[Decimal, ...], usage_last_year: Decimal | None) -> Decimal | None:
    """The yardstick for high and low: the larger of the recent average and the same period last year, so a
    summer read is not called high for being above a winter average. None without history."""
    typical = sum(recent_usage, ZERO) / len(recent_usage) if recent_usage else None
    if usage_last_year is not None and (typical is None or usage_last_year > typical):
        typical = usage_last_year
    return typical


class PriorRead(NamedTuple):
    read_on: date
    value: Decimal


@dataclass(slots=True)
class ReadFacts:
    """Everything the checks need about one incoming read."""

    read_on: date
    value: Decimal
    meter_known: bool
    register: Register | None = None
    installed: bool = True  # False: the meter was at no service point on that date
    kind: str = "actual"  # initial and final reads (turn-on, change-out, stop) mark a boundary, not a period
    previous: PriorRead | None = None  # the last accepted read of this installation (or its initial value)
    same_day_values: tuple[Decimal, ...] = ()  # other reads of this meter on the same day
    account_active: bool | None = None  # None: no account at the premise on that date
    recent_usage: tuple[Decimal, ...] = ()  # units of the last 3 accepted periods, newest first
    usage_last_year: Decimal | None = None  # units of the same period a year earlier
    high_percent: int = 100
    low_percent: int = 70
    minimum_typical_units: Decimal = Decimal("3")
    rollover_window_percent: int = 20

    # Worked out once, when the facts are gathered: every check asks, and a file import asks a million times.
    usage: Decimal | None = field(init=False, repr=False, compare=False)  # units since the previous read
    typical_usage: Decimal | None = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        used = None
        if self.previous is not None and self.register is not None and self.read_on > self.previous.read_on:
            used = consumption(self.previous.value, self.value, self.register, self.rollover_window_percent)
        self.usage, self.typical_usage = used, typical_of(self.recent_usage, self.usage_last_year)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass(frozen=True)
class Verdict:
    status: str  # accepted, exception, rejected
    consumption: Decimal | None
    problems: tuple[Problem, ...] = field(default_factory=tuple)


def check_unknown_meter(facts: ReadFacts) -> list[Problem]:
    return [] if facts.meter_known else [Problem("unknown_meter", "No meter with this serial number.")]


def check_not_installed(facts: ReadFacts) -> list[Problem]:
    if facts.meter_known and not facts.installed:
        return [Problem("not_installed", "The meter was not installed at a service point on this date.")]
    return []


def check_older_than_last(facts: ReadFacts) -> list[Problem]:
    if facts.previous and facts.read_on < facts.previous.read_on:
        return [
            Problem(
                "older_than_last",
                f"Read date is before the last accepted read ({facts.previous.read_on:%m/%d/%Y}).",
            )
        ]
    return []


def check_duplicate(facts: ReadFacts) -> list[Problem]:
    if facts.same_day_values:
        values = ", ".join(str(v) for v in facts.same_day_values)
        return [
            Problem("duplicate", f"This meter already has a read on {facts.read_on:%m/%d/%Y} ({values}).")
        ]
    return []


def check_negative(facts: ReadFacts) -> list[Problem]:
    if facts.previous and facts.register and facts.read_on > facts.previous.read_on and facts.usage is None:
        return [
            Problem(
                "negative",
                f"Read {facts.value} is below the last read {facts.previous.value} and is not a rollover.",
            )
        ]
    return []


def check_zero_on_active(facts: ReadFacts) -> list[Problem]:
    if facts.account_active and facts.kind not in BOUNDARY_KINDS and facts.usage == ZERO:
        return [Problem("zero_usage", "No usage on an active account.")]
    return []


def check_usage_on_inactive(facts: ReadFacts) -> list[Problem]:
    used = facts.usage
    no_service = facts.account_active is False or (facts.account_active is None and facts.meter_known)
    if no_service and used is not None and used > ZERO:
        return [Problem("usage_inactive", f"{used} units used with no active account at the premise.")]
    return []


def check_high(facts: ReadFacts) -> list[Problem]:
    used, typical = facts.usage, facts.typical_usage
    if used is None or typical is None or typical < facts.minimum_typical_units:
        return []
    limit = typical * (100 + facts.high_percent) / 100
    if used > limit:
        return [Problem("high", f"{used} units is high: typical {typical:.1f}, limit {limit:.1f}.")]
    return []


def check_low(facts: ReadFacts) -> list[Problem]:
    used, typical = facts.usage, facts.typical_usage
    if used is None or used == ZERO or typical is None or typical < facts.minimum_typical_units:
        return []
    if facts.kind in BOUNDARY_KINDS:  # a move-in or move-out read ends a part month: less is expected
        return []
    limit = typical * (100 - facts.low_percent) / 100
    if used < limit:
        return [Problem("low", f"{used} units is low: typical {typical:.1f}, limit {limit:.1f}.")]
    return []


CHECKS: list[Callable[[ReadFacts], list[Problem]]] = [
    check_unknown_meter,
    check_not_installed,
    check_older_than_last,
    check_duplicate,
    check_negative,
    check_zero_on_active,
    check_usage_on_inactive,
    check_high,
    check_low,
]

# A read with one of these cannot be stored against a meter at all.
REJECTING = {"unknown_meter"}


def validate(facts: ReadFacts) -> Verdict:
    found: list[Problem] = []
    for check in CHECKS:
        found += check(facts)
    if not found:
        return Verdict("accepted", facts.usage, ())
    problems = tuple(found)
    if any(p.code in REJECTING for p in problems):
        return Verdict("rejected", None, problems)
    return Verdict("exception", facts.usage, problems)


def clean_usage(
    read_on: date,
    value: Decimal,
    register: Register,
    previous: PriorRead,
    recent_usage: tuple[Decimal, ...],
    usage_last_year: Decimal | None,
    *,
    high_percent: int,
    low_percent: int,
    minimum_typical_units: Decimal,
    rollover_window_percent: int,
) -> Decimal | None:
    """The usage of an actual read of an installed meter on an active account, when validate() would accept it
    with no problem; None when it might find one (validate() then says which). A read file is a million
    reads and nearly all of them are clean: this is their short way through the same rules."""
    if read_on <= previous.read_on:
        return None
    used = consumption(previous.value, value, register, rollover_window_percent)
    if not used:  # backwards (None) or zero: a problem on an active account
        return None
    typical = typical_of(recent_usage, usage_last_year)
    if typical is None or typical < minimum_typical_units:  # too little history to call it high or low
        return used
    if used > typical * (100 + high_percent) / 100 or used < typical * (100 - low_percent) / 100:
        return None
    return used


def estimate_usage(
    *, usage_last_year: Decimal | None, recent_usage: tuple[Decimal, ...], days: int
) -> Decimal | None:
    """Usage for a period with no read: the same period last year, else the recent average, scaled to `days`
    from 30-day periods. None when there is no history to estimate from."""
    if usage_last_year is not None:
        base = usage_last_year
    elif recent_usage:
        base = sum(recent_usage, ZERO) / len(recent_usage)
    else:
        return None
    return (base * days / 30).quantize(Decimal("1"))
