"""Rating: a service period's charges from the rates in force. Pure: plain values in, bill lines out, no ORM.

(tariffs of one rate class and meter size, service period, units used, proration settings) -> bill lines
(description, quantity, unit price, amount, GL account, tier). Each line is quantized to cents, half up; the
total is the sum of the lines.

Proration (district settings): a period whose length is inside the regular window (27-33 days) bills one full
month; outside it (move-in, move-out, a long or short cycle) the basic fee and the width of each usage block
scale by days / 30. A rate change inside a period splits it by days: each part is rated with its own tariff,
with its share of the month and of the units.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
QUANTITY = Decimal("0.0001")  # quantities are shown to 4 places; amounts use the exact value
ZERO = Decimal(0)


@dataclass(frozen=True)
class Block:
    """Units after `after` up to and including `through` (None: and up) at `price` each: tier 1 of
    "units 1-5" is Block(1, 0, 5, 8.00)."""

    tier: int
    after: Decimal
    through: Decimal | None
    price: Decimal


@dataclass(frozen=True)
class Tariff:
    """The rates of one rate class and meter size in one schedule version, from `effective_from`."""

    effective_from: date
    basic_fee: Decimal  # per month
    blocks: tuple[Block, ...]  # in tier order; one open-ended block for a flat rate
    basic_gl: str = "4100"
    usage_gl: str = "4110"
    label: str = ""  # the schedule version, as a bill names it
    basic_name: str = "Basic fee"  # a fire line's is its monthly fire-line service charge


@dataclass(frozen=True)
class Proration:
    regular_min_days: int = 27
    regular_max_days: int = 33
    month_days: int = 30


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    gl_account: str
    tier: int | None = None  # None: the basic fee
    explanation: str = ""  # the arithmetic in plain words


class RatingError(ValueError):
    pass


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _units(amount: Decimal) -> str:
    text = format(amount.quantize(QUANTITY, rounding=ROUND_HALF_UP).normalize(), "f")
    return text


def _block_name(block: Block, scale: Decimal) -> str:
    first = block.after * scale
    if block.through is None:
        return "all usage" if block.after == 0 else f"units over {_units(first)}"
    return f"units {_units(first + 1) if scale == 1 else _units(first)}-{_units(block.through * scale)}"


def tariffs_for_period(tariffs: Sequence[Tariff], start: date, end: date) -> list[tuple[Tariff, date, date]]:
    """The tariff in force on each part of the period [start, end): (tariff, from, until), in date order."""
    ordered = sorted(tariffs, key=lambda t: t.effective_from)
    parts = []
    for index, tariff in enumerate(ordered):
        until = ordered[index + 1].effective_from if index + 1 < len(ordered) else None
        part_start = max(start, tariff.effective_from)
        part_end = end if until is None else min(end, until)
        if part_start < part_end:
            parts.append((tariff, part_start, part_end))
    if not parts or parts[0][1] != start:
        raise RatingError(f"No rates in force on {start:%m/%d/%Y}.")
    return parts


def rate(
    tariffs: Sequence[Tariff], *, start: date, end: date, units: Decimal, size_label: str = "",
    proration: Proration = Proration(),
) -> list[Line]:  # fmt: skip
    """The charges for service from `start` (the previous read) to `end` (this read) with `units` used."""
    if end <= start:
        raise RatingError("The service period must end after it starts.")
    if units < 0:
        raise RatingError("Usage cannot be negative.")
    days = (end - start).days
    regular = proration.regular_min_days <= days <= proration.regular_max_days
    parts = tariffs_for_period(tariffs, start, end)
    lines: list[Line] = []
    for tariff, part_start, part_end in parts:
        part_days = (part_end - part_start).days
        # The share of a month this part bills: all of it for a regular period, else its days of 30.
        month = Decimal(part_days) / Decimal(days) if regular else Decimal(part_days) / proration.month_days
        part_units = units if len(parts) == 1 else units * part_days / days
        note = f" ({part_start:%m/%d}-{part_end:%m/%d}, {tariff.label})" if len(parts) > 1 else ""
        lines.append(_basic_fee(tariff, month, size_label, note, part_days, regular))
        lines.extend(_usage(tariff, month, part_units, note))
    return lines


def _basic_fee(tariff: Tariff, month: Decimal, size_label: str, note: str, days: int, regular: bool) -> Line:
    meter = f' {size_label}"' if size_label else ""
    name = tariff.basic_name
    if month == 1:
        explanation = f"monthly {name.lower()}{meter}: ${price_text(tariff.basic_fee)}"
    elif regular:
        explanation = (
            f"monthly {name.lower()}{meter} ${price_text(tariff.basic_fee)} x {_units(month)} of the period"
        )
    else:
        explanation = f"monthly {name.lower()}{meter} ${price_text(tariff.basic_fee)} x {days} days / 30"
    return Line(
        description=f"{name}{meter}{note}", quantity=month.quantize(QUANTITY, rounding=ROUND_HALF_UP),
        unit_price=tariff.basic_fee, amount=_cents(tariff.basic_fee * month), gl_account=tariff.basic_gl,
        tier=None, explanation=explanation,
    )  # fmt: skip


def _usage(tariff: Tariff, month: Decimal, units: Decimal, note: str) -> list[Line]:
    lines = []
    for block in tariff.blocks:
        low = block.after * month
        high = None if block.through is None else block.through * month
        used = max(ZERO, (units if high is None else min(units, high)) - low)
        if used <= 0:
            continue
        name = _block_name(block, month)
        tier = f"Tier {block.tier}: " if len(tariff.blocks) > 1 else ""
        lines.append(
            Line(
                description=f"{tier}{name}{note}", quantity=used.quantize(QUANTITY, rounding=ROUND_HALF_UP),
                unit_price=block.price, amount=_cents(used * block.price), gl_account=tariff.usage_gl,
                tier=block.tier, explanation=f"{name}: {_units(used)} x ${price_text(block.price)}",
            )
        )  # fmt: skip
    return lines


def total(lines: Sequence[Line]) -> Decimal:
    return sum((line.amount for line in lines), ZERO)


def quantity_text(quantity: Decimal) -> str:
    """A quantity as a bill shows it: 1, 2.5, 0.4667."""
    return _units(quantity)


def price_text(price: Decimal) -> str:
    """A price to the cent, or to the places it has beyond that: 9.65, 0.0125."""
    cents = price.quantize(CENT, rounding=ROUND_HALF_UP)
    return str(cents) if cents == price else str(price.normalize())
