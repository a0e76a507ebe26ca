"""Parallel bills: the previous system's bills for a period set beside Cistern's trial, account by account
(docs/parallel-bills.md). Pure: plain values in and out, no ORM.

Each account billed by either side is compared once (COMPARED counts the union); it matches when both sides
billed it and their current charges are equal to the cent. A difference gets the first reason that explains it,
in the order of REASONS: a bill only one side made, then the units, then the days, then a fee or line only one
side has, then rounding, then the rate or meter size. The order goes from the plainest cause to the vaguest, so
a clerk fixes the cause and the knock-on differences go with it (different units always change the amount, so
units are named before any money reason).

Money compared is the bill's current charges (not the amount due, which carries the balance forward). Days are
`period_end - period_start`, the previous read's date to this read's, as Cistern counts a bill's days.
"""

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from .loadformat import FILES, MAX_LISTED, BillRow, Problem

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
# A difference of at most 5 cents, with the same units and days, is rounding: the previous system rounded a
# tier's charge or a prorated basic charge at another step than Cistern does (a few lines of half a cent each).
# A real rate difference is a dollar or more; 5 cents is below any fee or block price in a tariff.
ROUNDING_CENTS = Decimal("0.05")

# Reason -> what it means in words (the report says these, never a colour alone), in the order they are tried.
REASONS: dict[str, str] = {
    "only_legacy": "Billed only by the previous system",
    "only_cistern": "Billed only by Cistern",
    "units": "Units differ",
    "days": "Days differ",
    "fee": "A fee or line only one side has",
    "rounding": f"Rounding ({int(ROUNDING_CENTS * 100)} cents or less)",
    "rate_or_size": "Same units and days, a different rate, class or meter size",
    "other": "Other (not explained)",
}

BILLS_FILE = "bills.csv"
BILL_COLUMNS = FILES[BILLS_FILE]


@dataclass(frozen=True)
class CisternBill:
    """An account's bill in Cistern's trial for the period."""

    account: str  # Cistern's account number
    legacy_number: str  # blank when the account has none
    units: Decimal
    days: int
    meter_size: str
    rate_class: str
    lines: tuple[tuple[str, Decimal], ...]  # (description, amount)
    total: Decimal


@dataclass(frozen=True)
class NotBilled:
    """An account in the period's cycles that Cistern's trial does not bill (held, or final-billed), and why."""

    account: str
    legacy_number: str
    why: str


@dataclass(frozen=True)
class Difference:
    account: str  # blank: no Cistern account has the legacy number
    legacy_number: str
    cistern_total: Decimal | None  # None: Cistern does not bill it
    legacy_total: Decimal | None  # None: the previous system did not bill it
    difference: Decimal  # Cistern's minus the previous system's (a side that did not bill counts 0.00)
    reason: str
    cistern_units: Decimal | None
    legacy_units: Decimal | None
    cistern_days: int | None
    legacy_days: int | None
    lines: tuple[tuple[str, Decimal], ...]  # Cistern's lines that differ: the fee's line for a fee, else all
    note: str = ""  # what the reason found: the hold, the fee, the meter size and class
    legacy_line: int = 0  # the bill's line in bills.csv


@dataclass(frozen=True)
class Comparison:
    compared: int
    matched: int
    counts: dict[str, int]  # every reason of REASONS, in order, zeros included
    differences: tuple[Difference, ...]  # largest |difference| first

    @property
    def match_rate(self) -> Decimal | None:
        """Percent matched to the cent, two decimals (None when nothing was compared)."""
        if not self.compared:
            return None
        return (Decimal(self.matched) * 100 / self.compared).quantize(CENT)


def legacy_days(row: BillRow) -> int:
    return (row.period_end - row.period_start).days


def _money(amount: Decimal) -> str:
    return f"${amount:,.2f}" if amount >= 0 else f"-${-amount:,.2f}"


def classify(
    bill: CisternBill, row: BillRow, known_fees: Sequence[tuple[str, Decimal]] = ()
) -> tuple[str, tuple[tuple[str, Decimal], ...], str]:
    """Why a bill both sides made differs: (reason, Cistern's lines that differ, note). Only called when the
    totals differ by a cent or more."""
    difference = bill.total - row.current_charges
    if bill.units != row.units:
        return "units", bill.lines, f"Cistern billed {bill.units} units, the previous system {row.units}."
    days = legacy_days(row)
    if bill.days != days:
        return "days", bill.lines, f"Cistern billed {bill.days} days, the previous system {days}."
    if difference > 0:
        for description, amount in bill.lines:
            if amount == difference:
                return (
                    "fee", ((description, amount),),
                    f"The previous system's bill has no line for {description} ({_money(amount)}).",
                )  # fmt: skip
    for name, amount in known_fees:
        if amount == abs(difference):
            side = "the previous system's" if difference < 0 else "Cistern's"
            return "fee", ((name, amount),), f"Only {side} bill has {name} ({_money(amount)})."
    if abs(difference) <= ROUNDING_CENTS:
        return "rounding", bill.lines, f"{_money(abs(difference))} apart."
    if bill.total > 0 and row.current_charges > 0:
        return (
            "rate_or_size", bill.lines,
            f'Cistern billed a {bill.meter_size}" {bill.rate_class.replace("_", " ")} meter.',
        )  # fmt: skip
    return "other", bill.lines, "One side's current charges are zero or a credit."


def compare(
    cistern: Iterable[CisternBill],
    legacy: Mapping[str, BillRow],
    *,
    not_billed: Iterable[NotBilled] = (),
    accounts: Mapping[str, str] | None = None,
    known_fees: Sequence[tuple[str, Decimal]] = (),
) -> Comparison:
    """Cistern's bills beside the previous system's (`legacy`: by legacy account number). `not_billed` names
    the accounts Cistern's trial holds or final-bills, so a legacy bill for one says why Cistern has none;
    `accounts` maps legacy numbers to Cistern account numbers for the rest; `known_fees` are the fee catalog's
    (name, amount), so a difference of exactly one fee is named."""
    accounts = dict(accounts or {})
    held = {n.legacy_number: n for n in not_billed if n.legacy_number}
    for n in held.values():
        accounts.setdefault(n.legacy_number, n.account)
    differences: list[Difference] = []
    matched = compared = 0
    seen: set[str] = set()
    for bill in cistern:
        compared += 1
        row = legacy.get(bill.legacy_number) if bill.legacy_number else None
        if bill.legacy_number:
            seen.add(bill.legacy_number)
        if row is None:
            differences.append(
                Difference(
                    bill.account, bill.legacy_number, bill.total, None, bill.total, "only_cistern", bill.units, None,
                    bill.days, None, bill.lines,
                    "No previous-system bill for the period." if bill.legacy_number else "No legacy number.",
                )
            )  # fmt: skip
            continue
        if bill.total == row.current_charges:
            matched += 1
            continue
        reason, lines, note = classify(bill, row, known_fees)
        differences.append(
            Difference(
                bill.account, bill.legacy_number, bill.total, row.current_charges, bill.total - row.current_charges,
                reason, bill.units, row.units, bill.days, legacy_days(row), lines, note, row.line,
            )
        )  # fmt: skip
    for number, row in legacy.items():
        if number in seen:
            continue
        compared += 1
        hold = held.get(number)
        account = accounts.get(number, "")
        if hold is not None:
            note = f"Not billed by Cistern: {hold.why}"
        elif account:
            note = "Cistern's trial has no bill for this account in the period's cycles."
        else:
            note = "No Cistern account has this legacy number."
        differences.append(
            Difference(
                account, number, None, row.current_charges, -row.current_charges, "only_legacy", None, row.units,
                None, legacy_days(row), (), note, row.line,
            )
        )  # fmt: skip
    differences.sort(key=lambda d: (-abs(d.difference), d.legacy_number, d.account))
    counts = dict.fromkeys(REASONS, 0)
    for d in differences:
        counts[d.reason] += 1
    return Comparison(compared, matched, counts, tuple(differences))


# --- the stored form (ParallelRun.result) -------------------------------------------------------------------


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def difference_to_json(d: Difference) -> dict:
    return {
        "account": d.account, "legacy_number": d.legacy_number, "cistern_total": _amount(d.cistern_total),
        "legacy_total": _amount(d.legacy_total), "difference": str(d.difference), "reason": d.reason,
        "cistern_units": _amount(d.cistern_units), "legacy_units": _amount(d.legacy_units),
        "cistern_days": d.cistern_days, "legacy_days": d.legacy_days,
        "lines": [[description, str(amount)] for description, amount in d.lines], "note": d.note,
        "legacy_line": d.legacy_line,
    }  # fmt: skip


def comparison_to_json(c: Comparison) -> dict:
    rate = c.match_rate
    return {
        "compared": c.compared,
        "matched": c.matched,
        "match_rate": None if rate is None else str(rate),
        "counts": c.counts,
        "rounding_cents": str(ROUNDING_CENTS),
        "differences": [difference_to_json(d) for d in c.differences],
    }


def last_line(matched: int, compared: int) -> str:
    return f"{matched} of {compared} bills match to the cent"


# --- reading bills.csv ------------------------------------------------------------------------------------


def _date(text: str) -> date:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":  # YYYY-MM-DD only, as the load format says
        raise ValueError(text)
    return date.fromisoformat(text)


def _decimal(text: str, *, places: int) -> Decimal:
    value = Decimal(text)
    if not value.is_finite() or value.as_tuple().exponent < -places:
        raise InvalidOperation
    return value


# bills.csv's typed columns: (column, parser, decimal places for a number, what it must be).
_TYPED = (
    ("bill_date", _date, None, "a date (YYYY-MM-DD)"), ("period_start", _date, None, "a date (YYYY-MM-DD)"),
    ("period_end", _date, None, "a date (YYYY-MM-DD)"), ("units", None, 4, "a number"),
    ("current_charges", None, 2, "an amount with at most 2 decimals (e.g. 41.20)"),
    ("amount_due", None, 2, "an amount with at most 2 decimals (e.g. 41.20)"),
)  # fmt: skip


@dataclass
class LegacyBills:
    """bills.csv's bills for one period end, by legacy account number, or the problems that refuse it."""

    bills: dict[str, BillRow]
    problems: list[Problem]  # the first MAX_LISTED
    problem_count: int
    rows_read: int  # data lines, every period


def read_bills(lines: Iterable[str], *, period_end: date) -> LegacyBills:
    """bills.csv (an iterable of text lines, header first) read for `period_end`: each row of the period is
    checked in full (a malformed one refuses the file), a row of another period only for its period_end, then
    skipped (a history of 13 months reads in a second; the conversion's reader checks every row of every
    period). A legacy account with two bills for the period is a problem at the second."""
    result = LegacyBills({}, [], 0, 0)

    def problem(line: int, field: str, message: str) -> None:
        result.problem_count += 1
        if len(result.problems) < MAX_LISTED:
            result.problems.append(Problem(BILLS_FILE, line, field, message))

    reader = csv.reader(lines)
    header = next(reader, None)
    if header is None:
        problem(1, "header", "The file is empty: a header row is expected.")
        return result
    header = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in BILL_COLUMNS if c not in header]
    for column in missing:
        problem(1, column, "The column is missing from the header.")
    if missing:
        return result
    at = {c: header.index(c) for c in BILL_COLUMNS}
    at_end, wanted = at["period_end"], period_end.isoformat()
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        result.rows_read += 1
        end_text = values[at_end].strip() if at_end < len(values) else ""
        if end_text != wanted:
            try:
                _date(end_text)
            except ValueError:
                problem(line, "period_end", f"{end_text[:40]!r} is not a date (YYYY-MM-DD).")
            continue
        row = {c: (values[i].strip() if i < len(values) else "") for c, i in at.items()}
        typed, bad = {}, False
        for column, parse, places, kind in _TYPED:
            try:
                typed[column] = parse(row[column]) if places is None else _decimal(row[column], places=places)
            except (ValueError, InvalidOperation):
                problem(line, column, f"{row[column][:40]!r} is not {kind}.")
                bad = True
        number = row["legacy_account_number"]
        if not number:
            problem(line, "legacy_account_number", "The legacy account number is blank.")
            bad = True
        if bad:
            continue
        if typed["units"] < 0:
            problem(line, "units", f"{typed['units']} units: units are never negative.")
            continue
        if typed["period_start"] >= typed["period_end"]:
            problem(line, "period_start", "The period starts on or after its end.")
            continue
        if typed["period_end"] != period_end:
            continue
        if number in result.bills:
            problem(
                line, "legacy_account_number",
                f"Account {number} has a second bill for the period ending {period_end} "
                f"(the first at line {result.bills[number].line}).",
            )  # fmt: skip
            continue
        result.bills[number] = BillRow(line=line, legacy_account_number=number, **typed)
    return result
