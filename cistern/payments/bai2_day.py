"""The bank's BAI2 day file, read with the `bai2` package, and its lockbox deposits totalled (issue 11, "The
day's BAI2 file from the bank ... reconciles"). Pure: text in, plain values out; no ORM.

BAI2 (payments.md): `01` file header, `02` group header (its as-of date is the day reported), `03` account
identifier with its summaries, `16` transaction details (type code, amount in cents, ...), `88` continuations,
`49`/`98`/`99` trailers carrying control totals and record counts, which the package checks. A lockbox deposit
is a `16` record with type code 115.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from bai2 import bai2 as reader
from bai2.exceptions import IntegrityException, NotSupportedYetException, ParsingException

LOCKBOX_DEPOSIT = "115"
MAX_BYTES = 20 * 1024 * 1024  # a day's BAI2 of a small district is kilobytes


class Bai2Error(ValueError):
    """The file is not a BAI2 file the district can read; the message says what is wrong."""


@dataclass(frozen=True)
class Deposit:
    account: str  # the district's account at the bank, as the 03 record names it
    amount: Decimal
    bank_reference: str
    customer_reference: str
    text: str


@dataclass(frozen=True)
class LockboxDay:
    """The lockbox deposits the bank reports for one as-of date."""

    as_of: date
    deposits: tuple[Deposit, ...]
    accounts: tuple[str, ...]  # every account the day reports (whether or not it had a lockbox deposit)
    details: int = 0  # 16 records of every type that day
    other_types: dict = field(default_factory=dict)  # type code -> total of the other credits, for the report

    @property
    def total(self) -> Decimal:
        return sum((d.amount for d in self.deposits), Decimal("0.00"))


def _dollars(cents) -> Decimal:
    return (Decimal(int(cents or 0)) / 100).quantize(Decimal("0.01"))


def _parse(text: str):
    if not text.strip():
        raise Bai2Error("The file is empty: a BAI2 file starts with a 01 file header.")
    if not text.lstrip().startswith("01,"):
        raise Bai2Error(f"Not a BAI2 file: it starts with {text.lstrip()[:20]!r}, not a 01 file header.")
    try:
        return reader.parse_from_string(text, check_integrity=True)
    except IntegrityException as e:
        raise Bai2Error(
            f"The file's control totals or record counts do not match its records: {e}."
        ) from None
    except NotSupportedYetException as e:
        raise Bai2Error(f"The file uses something the BAI2 reader does not support: {e}.") from None
    except ParsingException as e:
        raise Bai2Error(f"The file's records are not in BAI2 order: {e}.") from None
    except (ValueError, IndexError, KeyError, TypeError, RuntimeError, StopIteration) as e:
        # The package raises these for a field that does not parse (a date, an amount, a record code).
        raise Bai2Error(f"A record of the file cannot be read as BAI2: {e or type(e).__name__}.") from None


def lockbox_days(raw: bytes | str, *, account: str = "") -> list[LockboxDay]:
    """Each as-of date of the file with its lockbox deposits (type 115), oldest first; only those to the
    district's `account` at the bank when it is given (and Bai2Error when the file does not report it)."""
    if isinstance(raw, bytes):
        if len(raw) > MAX_BYTES:
            raise Bai2Error(f"The file is {len(raw) / 2**20:,.1f} MB; a BAI2 day file is far smaller.")
        try:
            raw = raw.decode("ascii")
        except UnicodeDecodeError:
            raise Bai2Error("The file is not plain text (BAI2 is ASCII).") from None
    if "\x00" in raw:
        raise Bai2Error("The file holds a NUL character: not a BAI2 file.")
    parsed = _parse(raw)
    by_day: dict[date, dict] = defaultdict(
        lambda: {"deposits": [], "accounts": [], "details": 0, "other": {}}
    )
    for group in parsed.children:
        as_of = group.header.as_of_date
        if as_of is None:
            raise Bai2Error("A group header (02) has no as-of date.")
        day = by_day[as_of]
        for bank_account in group.children:
            number = (bank_account.header.customer_account_number or "").strip()
            if account and number != account:
                continue
            day["accounts"].append(number)
            for detail in bank_account.children:
                day["details"] += 1
                code = detail.type_code.code if detail.type_code is not None else ""
                amount = _dollars(detail.amount)
                if code == LOCKBOX_DEPOSIT:
                    day["deposits"].append(
                        Deposit(
                            number,
                            amount,
                            (detail.bank_reference or "").strip(),
                            (detail.customer_reference or "").strip(),
                            (detail.text or "").strip(),
                        )  # fmt: skip
                    )
                else:
                    day["other"][code] = str(Decimal(day["other"].get(code, "0")) + amount)
    if account and not any(day["accounts"] for day in by_day.values()):
        raise Bai2Error(f"The file does not report the district's account {account} (03 records).")
    return [
        LockboxDay(as_of, tuple(d["deposits"]), tuple(d["accounts"]), d["details"], d["other"])
        for as_of, d in sorted(by_day.items())
    ]
