"""reads.csv and bills.csv, checked row by row without holding the rows: a district of 100,000 accounts has
about 1.3 million of each. What is kept is compact: per read four machine integers (meter, day, value in
hundredths, line), sorted per meter at the end to find duplicates and reads going backwards. Pure: no ORM.
"""

from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cistern.metering.reading import Register, is_plausible_rollover

from .checks_files import Listed
from .checks_values import MONEY_WHOLE_DIGITS, cents, decimal_text_problem, parse_date
from .loadformat import READ_KINDS

READS, BILLS = "reads.csv", "bills.csv"
REQUIRED = "empty: a value is required"
# ReadRules.rollover_window_percent's default: the conversion judges a lower read as Cistern's read
# validation does out of the box.
ROLLOVER_WINDOW_PERCENT = 20


@dataclass
class MeterIndex:
    """The meters of meters.csv (each with a usable serial) by their place: what their reads are checked
    against, and the last read day each was found to have."""

    by_serial: dict[str, int] = field(default_factory=dict)
    serials: list[str] = field(default_factory=list)
    dials: array = field(default_factory=lambda: array("b"))  # 0 when meters.csv's value was bad
    multipliers: list[Decimal] = field(default_factory=list)
    installed: array = field(default_factory=lambda: array("i"))  # date ordinal; 0 when bad
    last_read: array = field(default_factory=lambda: array("i"))  # date ordinal; 0 when none

    def add(self, serial: str, dials: int | None, multiplier: Decimal | None, installed: int | None) -> int:
        index = len(self.serials)
        self.by_serial[serial] = index
        self.serials.append(serial)
        self.dials.append(dials or 0)
        self.multipliers.append(multiplier or Decimal(1))
        self.installed.append(installed or 0)
        self.last_read.append(0)
        return index


def _shown(hundredths: int) -> str:
    whole, part = divmod(hundredths, 100)
    return str(whole) if not part else f"{whole}.{part:02d}"


@dataclass
class ReadsFound:
    rows: int = 0
    in_date_order: bool = True  # each meter's reads in the file in date order


def check_reads(
    rows: Iterable[tuple[int, list[str]]],
    positions: tuple[int, ...],
    meters: MeterIndex,
    errors: Listed,
    *,
    meters_known: bool,
    window_percent: int = ROLLOVER_WINDOW_PERCENT,
) -> ReadsFound:
    """Each read's values and meter; then, per meter in date order, duplicates and reads going backwards
    that are not a plausible rollover. `meters_known`: meters.csv was read, so an unknown serial is an error
    (not noise after meters.csv's own error)."""
    p_serial, p_on, p_value, p_kind = positions
    kinds = frozenset(READ_KINDS)
    by_serial, dials, installed, last_read = (
        meters.by_serial,
        meters.dials,
        meters.installed,
        meters.last_read,
    )
    r_meter, r_day, r_value, r_line = array("i"), array("i"), array("q"), array("i")
    add, from_iso = errors.add, date.fromisoformat
    found = ReadsFound()
    for line, row in rows:
        found.rows += 1
        # The common case inline, without a call per value (a million rows): an exact serial, a YYYY-MM-DD
        # date, digits with at most two decimals. Anything else goes the slow way, which strips and explains.
        serial, read_on, value = row[p_serial], row[p_on], row[p_value]
        meter = by_serial.get(serial)
        day = hundredths = None
        if len(read_on) == 10 and read_on[4] == "-" and read_on[7] == "-":
            try:  # noqa: SIM105 (a with-statement per row costs more than the try)
                day = from_iso(read_on).toordinal()
            except ValueError:
                pass
        whole, point, fraction = value.partition(".")
        if whole.isdigit() and len(whole) <= 10 and whole.isascii():
            if not point:
                hundredths = int(whole) * 100
            elif 0 < len(fraction) <= 2 and fraction.isdigit() and fraction.isascii():
                hundredths = int(whole) * 100 + int(fraction) * (10 if len(fraction) == 1 else 1)
        if meter is None or day is None or hundredths is None or row[p_kind] not in kinds:
            checked = _read_slowly(line, row, positions, meters, errors, meters_known)
            if checked is None:
                continue
            meter, day, hundredths = checked
        if day < installed[meter]:
            add(READS, line, "read_on", f"{_day(day)} is before meter {meters.serials[meter]} was installed "
                f"({_day(installed[meter])})")  # fmt: skip
            continue
        if dials[meter] and hundredths >= 100 * 10 ** dials[meter]:
            add(READS, line, "value", f"{_shown(hundredths)} is more than meter {meters.serials[meter]}'s "
                f"{dials[meter]} dials show")  # fmt: skip
            continue
        r_meter.append(meter)
        r_day.append(day)
        r_value.append(hundredths)
        r_line.append(line)
        if day > last_read[meter]:
            last_read[meter] = day
    found.in_date_order = _check_sequences(meters, r_meter, r_day, r_value, r_line, errors, window_percent)
    return found


def _read_slowly(
    line: int,
    row: list[str],
    positions: tuple[int, ...],
    meters: MeterIndex,
    errors: Listed,
    meters_known: bool,
) -> tuple[int, int, int] | None:
    """A read the fast path did not take: its values stripped and each checked, each problem listed.
    (meter, day, hundredths) when all are good."""
    serial, read_on, value, kind = (row[p].strip() for p in positions)
    add = errors.add
    meter = meters.by_serial.get(serial)
    if meter is None:
        if not serial:
            add(READS, line, "meter_serial", REQUIRED)
        elif meters_known:
            add(READS, line, "meter_serial", f'unknown meter "{serial}" (not in meters.csv)')
    day = hundredths = None
    try:
        day = parse_date(read_on).toordinal() if read_on else add(READS, line, "read_on", REQUIRED)
    except ValueError as error:
        add(READS, line, "read_on", str(error))
    try:
        hundredths = cents(value) if value else add(READS, line, "value", REQUIRED)
    except ValueError as error:
        add(READS, line, "value", str(error))
    if kind not in READ_KINDS:
        add(
            READS,
            line,
            "kind",
            f'unknown kind "{kind}" (one of: {", ".join(READ_KINDS)})' if kind else REQUIRED,
        )
        return None
    if meter is None or day is None or hundredths is None:
        return None
    return meter, day, hundredths


def _day(ordinal: int) -> str:
    return date.fromordinal(ordinal).isoformat()


def _check_sequences(
    meters: MeterIndex, r_meter, r_day, r_value, r_line, errors: Listed, window: int
) -> bool:
    """Group the reads by meter (a counting sort: stable, so file order within a meter), put each meter's in
    date order, and compare each read with the one before. True when every meter's reads came in date order."""
    count = len(meters.serials)
    starts = array("i", bytes(4 * (count + 1)))
    for meter in r_meter:
        starts[meter + 1] += 1
    for m in range(count):
        starts[m + 1] += starts[m]
    order = array("i", bytes(4 * len(r_meter)))
    fill = array("i", starts)
    for i, meter in enumerate(r_meter):
        order[fill[meter]] = i
        fill[meter] += 1
    in_order = True
    for m in range(count):
        lo, hi = starts[m], starts[m + 1]
        if hi - lo < 2:
            continue
        group = order[lo:hi]
        days = [r_day[i] for i in group]
        if any(days[k] > days[k + 1] for k in range(len(days) - 1)):
            in_order = False
            group = sorted(group, key=lambda i: (r_day[i], r_line[i]))
        previous = group[0]
        for i in group[1:]:
            if r_day[i] == r_day[previous]:
                errors.add(
                    READS, r_line[i], "read_on",
                    f"meter {meters.serials[m]} already has a read on {_day(r_day[i])} (line {r_line[previous]})",
                )  # fmt: skip
                continue
            if r_value[i] < r_value[previous] and not _rollover(
                meters, m, r_value[previous], r_value[i], window
            ):
                errors.add(
                    READS, r_line[i], "value",
                    f"{_shown(r_value[i])} is below meter {meters.serials[m]}'s read of {_day(r_day[previous])} "
                    f"({_shown(r_value[previous])}, line {r_line[previous]}) and is not a rollover of its "
                    f"{meters.dials[m] or '?'}-dial register",
                )  # fmt: skip
            previous = i
    return in_order


def _rollover(meters: MeterIndex, m: int, previous: int, value: int, window: int) -> bool:
    if not meters.dials[m]:
        return False
    register = Register(dials=meters.dials[m], multiplier=meters.multipliers[m])
    return is_plausible_rollover(Decimal(previous) / 100, Decimal(value) / 100, register, window)


_BILL_DATES = ("bill_date", "period_start", "period_end")
_BILL_MONEY = ("current_charges", "amount_due")


def check_bills(
    rows: Iterable[tuple[int, list[str]]],
    positions: tuple[int, ...],
    accounts: dict[str, str],
    errors: Listed,
    *,
    accounts_known: bool,
) -> int:
    """Each bill's values and account (legacy number -> status in `accounts`); the rows counted."""
    p_number, p_bill, p_start, p_end, p_units, p_current, p_due = positions
    from_iso = date.fromisoformat
    count = 0
    for line, row in rows:
        count += 1
        # The common case inline (see check_reads); anything else the slow way.
        bill_on, start, end = row[p_bill], row[p_start], row[p_end]
        good = (row[p_number] in accounts or not accounts_known) and (
            len(bill_on) == len(start) == len(end) == 10
            and bill_on[4] == bill_on[7] == start[4] == start[7] == end[4] == end[7] == "-"
        )
        if good:
            try:
                from_iso(bill_on)
                good = from_iso(start) <= from_iso(end)
            except ValueError:
                good = False
        if good:
            for position in (p_units, p_current, p_due):
                text = row[position]
                whole, point, fraction = (
                    text[1:] if text[:1] == "-" and position != p_units else text
                ).partition(".")
                if not (
                    whole.isdigit() and len(whole) <= 10 and whole.isascii()
                    and (not point or (0 < len(fraction) <= 2 and fraction.isdigit() and fraction.isascii()))
                ):  # fmt: skip
                    good = False
                    break
        if not good:
            _bill_slowly(line, row, positions, accounts, errors, accounts_known)
    return count


def _bill_slowly(
    line: int,
    row: list[str],
    positions: tuple[int, ...],
    accounts: dict,
    errors: Listed,
    accounts_known: bool,
) -> None:
    number, bill_on, start, end, units, current, due = (row[p].strip() for p in positions)
    add = errors.add
    if not number:
        add(BILLS, line, "legacy_account_number", REQUIRED)
    elif accounts_known and number not in accounts:
        add(BILLS, line, "legacy_account_number", f'unknown account "{number}" (not in accounts.csv)')
    days = []
    for column, text in zip(_BILL_DATES, (bill_on, start, end), strict=True):
        try:
            days.append(parse_date(text) if text else add(BILLS, line, column, REQUIRED))
        except ValueError as error:
            days.append(None)
            add(BILLS, line, column, str(error))
    try:
        cents(units) if units else add(BILLS, line, "units", REQUIRED)
    except ValueError as error:
        add(BILLS, line, "units", str(error))
    for column, text in zip(_BILL_MONEY, (current, due), strict=True):
        problem = decimal_text_problem(text, 2, MONEY_WHOLE_DIGITS, negative=True) if text else REQUIRED
        if problem:
            add(BILLS, line, column, problem)
    if days[1] is not None and days[2] is not None and days[2] < days[1]:
        add(BILLS, line, "period_end", f"{days[2]} is before the period's start {days[1]}")
