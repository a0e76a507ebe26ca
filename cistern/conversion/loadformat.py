"""The conversion load format (docs/conversion.md): what each file of a conversion folder holds, and the rows
once read. Pure: no ORM. `reader.py` reads a folder into a LoadSet or problems; the legacy export of the demo
(cistern/demo/legacy_export.py) writes the same files from these column lists.

UTF-8 CSV with a header row; dates ISO (YYYY-MM-DD), money with a point, booleans `true`/`false`; extra columns
are ignored and listed as ignored. An account's cycle is its meter's route's cycle.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

# file name -> its columns, in the order the export writes them. Every column is required in the header;
# a value may be blank only where the reader says so (mailing_line2, unit, phone, email, end_date...).
FILES: dict[str, tuple[str, ...]] = {
    "customers.csv": (
        "legacy_customer_id", "kind", "name", "mailing_line1", "mailing_line2", "mailing_city", "mailing_state",
        "mailing_zip", "phone", "email", "language",
    ),
    "premises.csv": ("legacy_premise_id", "street", "unit", "city", "state", "zip", "parcel_number", "occupancy"),
    "cycles.csv": ("cycle", "read_day", "bill_day"),
    "routes.csv": ("route", "cycle"),
    "meters.csv": (
        "serial", "size", "make", "dials", "multiplier", "legacy_premise_id", "service_kind", "installed_on",
        "route", "read_sequence",
    ),
    "accounts.csv": (
        "legacy_account_number", "legacy_customer_id", "legacy_premise_id", "relationship", "status",
        "start_date", "end_date", "deposit_held", "paperless",
    ),
    "reads.csv": ("meter_serial", "read_on", "value", "kind"),
    "bills.csv": (
        "legacy_account_number", "bill_date", "period_start", "period_end", "units", "current_charges",
        "amount_due",
    ),
    "open_items.csv": ("legacy_account_number", "due_date", "amount", "description"),
    "autopay.csv": ("legacy_account_number", "routing_number", "account_number", "account_type", "prenote_done"),
}  # fmt: skip
# The legacy trial balance the district types in (the page's form) or hands over as `trial_balance.csv`
# (columns `figure, amount`, optional): each figure is set beside what the files hold and what was loaded.
# Receivable by age on --as-of, counted from each open item's due date (Cistern's aging buckets).
TRIAL_BALANCE_FIGURES: dict[str, str] = {
    "receivable_not_due": "Receivable, not yet due",
    "receivable_1_30": "Receivable, 1-30 days past due",
    "receivable_31_60": "Receivable, 31-60 days past due",
    "receivable_61_90": "Receivable, 61-90 days past due",
    "receivable_over_90": "Receivable, over 90 days past due",
    "receivable_total": "Receivable, total",
    "deposits_held": "Deposits held",
    "accounts_active": "Accounts active",
    "accounts_final": "Accounts final",
    "accounts_closed": "Accounts closed",
    "meters": "Meters",
}
TRIAL_BALANCE_FILE = "trial_balance.csv"
TRIAL_BALANCE_COLUMNS = ("figure", "amount")

# Files a conversion may leave out (a district without autopay, or whose old system kept no bill history).
OPTIONAL_FILES = frozenset({"bills.csv", "open_items.csv", "autopay.csv"})

CUSTOMER_KINDS = ("person", "organisation")
LANGUAGES = ("en", "es")
OCCUPANCIES = ("owner", "rental", "vacation", "commercial")
METER_SIZES = ("5/8", "3/4", "1", "1 1/2", "2", "3", "4", "6", "8", "10")
SERVICE_KINDS = ("domestic", "irrigation", "fire_line")
RELATIONSHIPS = ("owner", "tenant")
ACCOUNT_STATUSES = ("active", "final", "closed")
READ_KINDS = ("actual", "estimated")
BANK_ACCOUNT_TYPES = ("checking", "savings")

# Errors listed in full up to this many; all are counted. Warnings too.
MAX_LISTED = 1000
# A file of more data rows than this is refused (`read_folder(max_rows=...)` sets another cap): about four
# times the reads of a district of 100,000 accounts with 13 months of history.
MAX_ROWS = 5_000_000


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a row (or a whole file: line 0), as `file:line:field: message`."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.field}: {self.message}"


# Rows hold no __dict__ (slots): a district has 100,000 of each of several kinds.
@dataclass(frozen=True, slots=True)
class CustomerRow:
    line: int
    legacy_customer_id: str
    kind: str
    name: str
    mailing_line1: str
    mailing_line2: str
    mailing_city: str
    mailing_state: str
    mailing_zip: str
    phone: str  # as the old system kept it; the reader warns on an odd format and normalises it
    email: str
    language: str


@dataclass(frozen=True, slots=True)
class PremiseRow:
    line: int
    legacy_premise_id: str
    street: str
    unit: str
    city: str
    state: str
    zip: str
    parcel_number: str
    occupancy: str


@dataclass(frozen=True, slots=True)
class CycleRow:
    line: int
    cycle: str
    read_day: int  # day of the month, 1-28
    bill_day: int


@dataclass(frozen=True, slots=True)
class RouteRow:
    line: int
    route: str
    cycle: str


@dataclass(frozen=True, slots=True)
class MeterRow:
    line: int
    serial: str
    size: str
    make: str
    dials: int
    multiplier: Decimal
    legacy_premise_id: str
    service_kind: str
    installed_on: date
    route: str
    read_sequence: int


@dataclass(frozen=True, slots=True)
class AccountRow:
    line: int
    legacy_account_number: str
    legacy_customer_id: str
    legacy_premise_id: str
    relationship: str
    status: str
    start_date: date
    end_date: date | None
    deposit_held: Decimal
    paperless: bool


@dataclass(frozen=True, slots=True)
class ReadRow:
    line: int
    meter_serial: str
    read_on: date
    value: Decimal
    kind: str


@dataclass(frozen=True, slots=True)
class BillRow:
    line: int
    legacy_account_number: str
    bill_date: date
    period_start: date
    period_end: date
    units: Decimal
    current_charges: Decimal
    amount_due: Decimal


@dataclass(frozen=True, slots=True)
class OpenItemRow:
    line: int
    legacy_account_number: str
    due_date: date
    amount: Decimal  # credits negative
    description: str


@dataclass(frozen=True, slots=True)
class AutopayRow:
    line: int
    legacy_account_number: str
    routing_number: str
    account_number: str
    account_type: str
    prenote_done: bool


@dataclass
class LoadSet:
    """A conversion folder, read and checked: every row typed, every reference between files resolved."""

    folder: Path

    customers: list[CustomerRow] = field(default_factory=list)
    premises: list[PremiseRow] = field(default_factory=list)
    cycles: list[CycleRow] = field(default_factory=list)
    routes: list[RouteRow] = field(default_factory=list)
    meters: list[MeterRow] = field(default_factory=list)
    accounts: list[AccountRow] = field(default_factory=list)
    # reads.csv and bills.csv are not held: a district of 100,000 accounts has millions of each. The reader
    # checks them streaming, and the writer reads them again with reader.iter_reads / reader.iter_bills
    # (typed ReadRow / BillRow, in file order), once the whole folder has been found clean.
    open_items: list[OpenItemRow] = field(default_factory=list)
    autopay: list[AutopayRow] = field(default_factory=list)
    # trial_balance.csv, when given: figure key -> amount (counts as whole numbers)
    legacy_totals: dict[str, Decimal] = field(default_factory=dict)
    # file name -> rows read (data lines, header excluded)
    rows_read: dict[str, int] = field(default_factory=dict)
    # file name -> extra columns found in its header and ignored
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    # every meter's reads come in reads.csv in date order (the writer then need not sort them)
    reads_in_date_order: bool = True


@dataclass
class ReadResult:
    """What reading a folder found: the rows (None when any error), errors (first MAX_LISTED) with their full
    count, and warnings (listed, never refusing)."""

    load_set: LoadSet | None
    errors: list[Problem]
    error_count: int
    warnings: list[Problem]
    warning_count: int = 0  # all warnings found; `warnings` lists the first MAX_LISTED

    @property
    def ok(self) -> bool:
        return self.error_count == 0
