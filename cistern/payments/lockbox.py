"""The bank's lockbox remittance detail file, read and judged line by line (issue 11, "Lockbox"). Pure: bytes in,
plain values and field errors out; no ORM.

The file is a CSV with the header `scanline,amount,check_number,deposit_date`: the scanline read off the bill
stub (billing/scanline.py: the account number, the amount due, a Luhn check digit), the check's amount
(`12.34`), its number and the day the bank deposited it (YYYY-MM-DD).

Two kinds of trouble, kept apart:
- A malformed file (a wrong header, an amount that is not one, a date that is not a date, a line with too few
  fields, no check number...) is refused whole: every error as `file:line:field: message`, nothing written.
- A well-formed item whose scanline cannot be matched (no stub, an unreadable or misread scanline) is still
  money the bank holds: it is taken, and goes to suspense with the reason, for a clerk to apply. Whether the
  account exists, is cash-only and so on is the import service's question (lockbox_services.py).
"""

import codecs
import csv
import functools
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from cistern.billing.scanline import ACCOUNT_DIGITS, LENGTH, ScanlineError, parse_scanline
from cistern.core.badinput import FIRST_DAY, LAST_DAY

from .amounts import LARGEST_AMOUNT

HEADER = ("scanline", "amount", "check_number", "deposit_date")
MAX_LENGTH = {"scanline": 60, "check_number": 20}  # LockboxItem's columns
MAX_ERRORS = 200  # listed; the rest are counted
_AMOUNT = re.compile(r"\d{1,10}\.\d{2}\Z", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII)


@dataclass(frozen=True, order=True)
class FieldError:
    line: int
    field: str
    message: str

    def format(self, file_name: str) -> str:
        return f"{file_name}:{self.line}:{self.field}: {self.message}"


class Item(NamedTuple):
    """One remittance as the bank sent it, with what its scanline says: the account number it names, or why it
    names none (`problem`: the item goes to suspense with it)."""

    line: int
    scanline: str
    amount: Decimal
    check_number: str
    deposit_date: date
    account_number: str  # "" when the scanline names no account
    problem: str  # "" when it does

    @property
    def key(self) -> tuple:
        """What makes a remittance the same one again (LockboxItem's `lockbox_item_once`)."""
        return (self.scanline, self.check_number, self.amount, self.deposit_date)


@dataclass(frozen=True)
class Parsed:
    items: list[Item]
    errors: list[FieldError]  # the first MAX_ERRORS, in line order
    error_count: int

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal("0.00"))


def _shown(text: str) -> str:
    return f'"{text[:40]}…"' if len(text) > 40 else f'"{text}"'


def parse_amount(text: str) -> Decimal:
    """A check's amount as the bank writes it: dollars, a point and two digits, more than zero."""
    if not _AMOUNT.match(text):
        raise ValueError(f"{_shown(text)} is not an amount (dollars and cents, e.g. 12.34)")
    amount = Decimal(text)
    if amount <= 0:
        raise ValueError(f"{_shown(text)}: an item's amount is more than zero")
    if amount > LARGEST_AMOUNT:
        raise ValueError(f"{_shown(text)} is more than the largest payment taken (${LARGEST_AMOUNT:,})")
    return amount


def parse_day(text: str, *, today: date) -> date:
    """A deposit date: ISO (YYYY-MM-DD), a real day, not after `today`."""
    return _day(text, today)


@functools.lru_cache(maxsize=64)  # a file's items are deposited on a day or two
def _day(text: str, today: date) -> date:
    try:
        if not _DATE.match(text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{_shown(text)} is not a date (YYYY-MM-DD)") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{day:%m/%d/%Y} is not a deposit date this district could have")
    if day > today:
        raise ValueError(f"{day:%m/%d/%Y} is in the future")
    return day


# Luhn's doubled digit, by digit: a table instead of arithmetic, as a file has tens of thousands of scanlines.
_DOUBLED = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]


def _luhn_valid(digits: str) -> bool:
    total, double = 0, False
    for ch in reversed(digits):
        d = ord(ch) - 48
        total += _DOUBLED[d] if double else d
        double = not double
    return total % 10 == 0


def scanline_account(scanline: str) -> tuple[str, str]:
    """(the account number the scanline names, "") or ("", why it names none): the reason a clerk reads in
    the suspense queue."""
    if not scanline:
        return "", "no scanline: the check came without its bill stub"
    digits = scanline.replace(" ", "")
    if len(digits) == LENGTH and digits.isascii() and digits.isdigit() and _luhn_valid(digits):
        return digits[:ACCOUNT_DIGITS], ""  # what parse_scanline says of it, without its cost per line
    try:
        number, _amount_due = parse_scanline(scanline)
    except ScanlineError as e:
        if "check digit" in str(e):
            return "", "scanline check digit fails: a digit was misread or two were swapped"
        return "", f"scanline unreadable: {e}"
    return number, ""


def _text(raw: bytes | str) -> tuple[str, FieldError | None]:
    if isinstance(raw, str):
        return raw, None
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        return "", FieldError(line, "file", "is not UTF-8 text (the bank's CSV is plain text)")


def parse_file(raw: bytes | str, *, today: date, max_rows: int) -> Parsed:
    """Every item of the file, or every error in it (then `items` is empty: nothing is to be written)."""
    text, problem = _text(raw)
    errors: list[FieldError] = []
    count = 0

    def error(line: int, field: str, message: str) -> None:
        nonlocal count
        count += 1
        if len(errors) < MAX_ERRORS:
            errors.append(FieldError(line, field, message))

    if problem is not None:
        return Parsed([], [problem], 1)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return Parsed([], [FieldError(line, "file", "holds a NUL character: not a CSV file")], 1)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as e:
        return Parsed([], [FieldError(1, "header", f"cannot be read as CSV: {e}")], 1)
    if header is None:
        return Parsed([], [FieldError(1, "file", "is empty: no header, no items")], 1)
    names = tuple(name.strip().lower() for name in header)
    if names != HEADER:
        expected = ",".join(HEADER)
        return Parsed([], [FieldError(1, "header", f"is {_shown(','.join(header))}; expected {expected}")], 1)
    items: list[Item] = []
    rows = 0
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # a blank line (a trailing newline or two): nothing in it
            rows += 1
            if rows > max_rows:
                error(line, "file", f"has more than {max_rows:,} items; split the file")
                break
            if len(row) != len(HEADER):
                error(line, "line", f"has {len(row)} fields; expected {len(HEADER)} ({','.join(HEADER)})")
                continue
            scanline, amount_text, check_number, day_text = (cell.strip() for cell in row)
            bad = False
            for field, value in (("scanline", scanline), ("check_number", check_number)):
                if len(value) > MAX_LENGTH[field]:
                    error(line, field, f"{_shown(value)} is longer than {MAX_LENGTH[field]} characters")
                    bad = True
            if not check_number:
                error(line, "check_number", "is empty: every lockbox item is a check with its number")
                bad = True
            try:
                amount = parse_amount(amount_text)
            except ValueError as e:
                error(line, "amount", str(e))
                bad = True
            try:
                day = parse_day(day_text, today=today)
            except ValueError as e:
                error(line, "deposit_date", str(e))
                bad = True
            if bad:
                continue
            number, why = scanline_account(scanline)
            items.append(Item(line, scanline, amount, check_number, day, number, why))
    except csv.Error as e:
        error(reader.line_num, "line", f"cannot be read as CSV: {e}")
    if count:
        return Parsed([], sorted(errors), count)
    if not items:
        return Parsed([], [FieldError(2, "file", "has a header and no items")], 1)
    return Parsed(items, [], 0)


def split_repeats(items: list[Item], seen: set[tuple]) -> tuple[list[Item], list[Item]]:
    """(the items to take, the items taken before): an item whose key is in `seen` (imported before) or that
    repeats an earlier line of this file is the same remittance again, never taken twice."""
    new, again = [], []
    keys = set(seen)
    for item in items:
        if item.key in keys:
            again.append(item)
        else:
            keys.add(item.key)
            new.append(item)
    return new, again
