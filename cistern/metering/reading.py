"""Consumption and read validation. Pure: plain values in, plain values out, no ORM.

Validation is a list of checks; each returns the problems it finds, so a clerk sees all of a read's
problems at once (STYLE.md §8).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

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


@dataclass(frozen=True)
class PriorRead:
    read_on: date
    value: Decimal


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


@dataclass(frozen=True)
class Verdict:
    status: str  # accepted, exception, rejected
    consumption: Decimal | None
    problems: tuple[Problem, ...] = field(default_factory=tuple)


def usage(facts: ReadFacts) -> Decimal | None:
    # Every check asks; a file import asks a million times. Kept on the (frozen) facts after the first time.
    cached = facts.__dict__.get("_usage", _UNSET)
    if cached is _UNSET:
        cached = facts.__dict__["_usage"] = _usage(facts)
    return cached


_UNSET = object()


def _usage(facts: ReadFacts) -> Decimal | None:
    if facts.previous is None or facts.register is None or facts.read_on <= facts.previous.read_on:
        return None
    return consumption(facts.previous.value, facts.value, facts.register, facts.rollover_window_percent)


def typical_usage(facts: ReadFacts) -> Decimal | None:
    """The yardstick for high and low: the larger of the 3-period average and the same period last year,
    so a summer read is not called high for being above a winter average."""
    cached = facts.__dict__.get("_typical", _UNSET)
    if cached is _UNSET:
        cached = facts.__dict__["_typical"] = _typical_usage(facts)
    return cached


def _typical_usage(facts: ReadFacts) -> Decimal | None:
    candidates = []
    if facts.recent_usage:
        candidates.append(sum(facts.recent_usage, ZERO) / len(facts.recent_usage))
    if facts.usage_last_year is not None:
        candidates.append(facts.usage_last_year)
    return max(candidates) if candidates else None


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
    if facts.previous and facts.register and facts.read_on > facts.previous.read_on and usage(facts) is None:
        return [
            Problem(
                "negative",
                f"Read {facts.value} is below the last read {facts.previous.value} and is not a rollover.",
            )
        ]
    return []


def check_zero_on_active(facts: ReadFacts) -> list[Problem]:
    if facts.account_active and facts.kind not in BOUNDARY_KINDS and usage(facts) == ZERO:
        return [Problem("zero_usage", "No usage on an active account.")]
    return []


def check_usage_on_inactive(facts: ReadFacts) -> list[Problem]:
    used = usage(facts)
    no_service = facts.account_active is False or (facts.account_active is None and facts.meter_known)
    if no_service and used is not None and used > ZERO:
        return [Problem("usage_inactive", f"{used} units used with no active account at the premise.")]
    return []


def check_high(facts: ReadFacts) -> list[Problem]:
    used, typical = usage(facts), typical_usage(facts)
    if used is None or typical is None or typical < facts.minimum_typical_units:
        return []
    limit = typical * (100 + facts.high_percent) / 100
    if used > limit:
        return [Problem("high", f"{used} units is high: typical {typical:.1f}, limit {limit:.1f}.")]
    return []


def check_low(facts: ReadFacts) -> list[Problem]:
    used, typical = usage(facts), typical_usage(facts)
    if used is None or used == ZERO or typical is None or typical < facts.minimum_typical_units:
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
    problems = tuple(p for check in CHECKS for p in check(facts))
    if any(p.code in REJECTING for p in problems):
        return Verdict("rejected", None, problems)
    return Verdict("exception" if problems else "accepted", usage(facts), problems)


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
