"""Where an account's meter span starts and ends: only the customer's own water. Pure: plain values, no ORM.

A span runs from the last read this account was billed to (or, on its first bill, its own start read) to the
newest read of the account in the period's read window. On a first bill the start is the account's turn-on
(initial) read, or any read taken on its start date; with none, a start read is estimated for the start date
from the reads around it, by days, and the span says so (it is a read exception for review; the next actual
read trues it up). A read taken before the account began (the previous occupant's, or a vacant spell's) is
never the start of its span.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

HUNDREDTH = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ReadRow:
    """An accepted read of one installation (any account's)."""

    id: int
    account_id: int | None
    read_on: date
    value: Decimal
    kind: str
    consumption: Decimal | None  # units since the read before it, as metering judged them


@dataclass(frozen=True)
class Billed:
    """Where the installation was last billed to: the closing read of its newest bill span."""

    read_id: int
    read_on: date
    value: Decimal


@dataclass(frozen=True)
class SpanStart:
    read_id: int | None
    on: date
    value: Decimal | None
    estimated: bool = False


@dataclass(frozen=True)
class SpanFound:
    start: SpanStart
    to: ReadRow
    units: Decimal
    problem: str = ""  # why the start is estimated (a read exception), or ""


def units_between(reads: list[ReadRow], account_id: int, after: date, until: date) -> Decimal:
    """The account's units between two dates: the consumption of its reads in (after, until]."""
    return sum(
        (r.consumption or ZERO for r in reads if r.account_id == account_id and after < r.read_on <= until),
        ZERO,
    )


def find_span(
    *, account_id: int, start_date: date, reads: list[ReadRow], billed: Billed | None, window_start: date,
    until: date, installed_on: date, initial_value: Decimal | None, serial: str = "",
) -> SpanFound | None:  # fmt: skip
    """The account's span on one installation up to `until`, or None when it has no read to bill in the window
    (or that read is already billed). `reads` are the installation's accepted reads, oldest first."""
    own = [r for r in reads if r.account_id == account_id and r.read_on <= until]
    closing = [r for r in own if r.read_on > window_start]
    if not closing:
        return None
    to = closing[-1]
    if billed is not None and billed.read_id == to.id:
        return None
    if (
        billed is not None and billed.read_on >= start_date
    ):  # billed since the account began: go on from there
        start = SpanStart(billed.read_id, billed.read_on, billed.value)
        return _found(start, to, units_between(reads, account_id, start.on, to.read_on))
    if installed_on >= start_date:  # the meter went in after the account began: its first register value,
        first = own[0]  # unless its first read is an opening read (converted, nothing measured before it)
        if first.consumption is None and first.id != to.id:
            start = SpanStart(first.id, first.read_on, first.value)
        else:
            start = SpanStart(None, installed_on, initial_value)
        if start.on >= to.read_on:
            return None
        return _found(start, to, units_between(reads, account_id, start.on, to.read_on))
    # A read on the start date: the account's own turn-on read first, else the last occupant's final read.
    on_start = sorted(
        (r for r in reads if r.read_on == start_date),
        key=lambda r: (r.account_id != account_id, r.kind != "initial"),
    )
    if on_start:
        first = on_start[0]
        if first.id == to.id:
            return None
        start = SpanStart(first.id, first.read_on, first.value)
        return _found(start, to, units_between(reads, account_id, start.on, to.read_on))
    before = [r for r in reads if r.read_on < start_date]
    after = [r for r in own if r.read_on > start_date]
    if not after:
        return None
    if not before:  # no read before the account began: nobody else's water is in its first read
        first = after[0]
        if first.id == to.id:
            return None
        start = SpanStart(first.id, first.read_on, first.value)
        return _found(start, to, units_between(reads, account_id, start.on, to.read_on))
    previous, following = before[-1], after[0]
    share, value = estimate_start(previous, following, start_date)
    start = SpanStart(None, start_date, value, estimated=True)
    units = units_between(reads, account_id, start_date, to.read_on) - share
    meter = f"meter {serial}" if serial else "the meter"
    problem = (
        f"No turn-on read on {meter} for the move-in on {start_date:%m/%d/%Y}: start read estimated at "
        f"{value} from the reads of {previous.read_on:%m/%d/%Y} and {following.read_on:%m/%d/%Y}, by days."
    )
    return _found(start, to, max(units, ZERO), problem)


def estimate_start(previous: ReadRow, following: ReadRow, on: date) -> tuple[Decimal, Decimal]:
    """(units of `following`'s consumption used before `on`, the register value estimated for `on`): the
    consumption between two reads shared by days."""
    days = (following.read_on - previous.read_on).days
    fraction = Decimal((on - previous.read_on).days) / Decimal(days)
    used = following.consumption or ZERO
    share = (used * fraction).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    if following.value >= previous.value:
        value = previous.value + (following.value - previous.value) * fraction
    else:  # the register rolled over between them: count on from the earlier read
        value = previous.value + share
    return share, value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def _found(start: SpanStart, to: ReadRow, units: Decimal, problem: str = "") -> SpanFound | None:
    if start.on >= to.read_on:
        return None
    return SpanFound(start, to, units, problem)
