"""NACHA (ACH) files for autopay (issue 11, "Autopay": `export_autopay` writes PPD debits; ACH returns are
read from a NACHA return file). Pure: dataclasses in, record text out, and back; no ORM.

Layout as ../shared/domain/payments.md gives it (positions 1-based, inclusive): 94-character records; file
header 1; per batch a batch header 5 (SEC PPD, service class 225: debits only), entry details 6, batch
control 8; file control 9; padded with all-9 records to a multiple of 10 (blocking factor 10). Entry hash:
the sum of the entries' 8-digit routing prefixes, rightmost 10 digits. Trace numbers: the ODFI's 8-digit
routing + a 7-digit sequence, ascending and unique in the file. Return addenda (type 99) follow the standard
NACHA layout, which payments.md does not spell out.
"""

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from cistern.payments.aba import is_valid_routing_number

RECORD_LENGTH = 94
BLOCKING_FACTOR = 10
PADDING_RECORD = "9" * RECORD_LENGTH
DEBITS_ONLY = "225"
PPD = "PPD"
CENT = Decimal("0.01")
HASH_MODULUS = 10**10

CHECKING, SAVINGS = "checking", "savings"
# Transaction codes: live debits and their zero-dollar prenotes, by the kind of bank account.
DEBIT_CODES = {CHECKING: "27", SAVINGS: "37"}
PRENOTE_CODES = {CHECKING: "28", SAVINGS: "38"}


class NachaError(ValueError):
    """Inputs that cannot make a valid file, or a return file that cannot be read; the message says why."""


@dataclass(frozen=True)
class Originator:
    """Who sends the file and through which bank: fixed for the district, from settings."""

    company_name: str  # shown on the customer's bank statement, 16 characters
    company_id: str  # 10 characters, often "1" + the EIN
    immediate_origin: str  # 10 characters, or a 9-digit routing number (then a leading blank)
    immediate_origin_name: str
    immediate_destination: str  # the ODFI's 9-digit routing number
    immediate_destination_name: str
    odfi_routing: str  # its first 8 digits: batch headers, batch controls and trace numbers


@dataclass(frozen=True)
class Debit:
    """One customer's autopay debit, or with `prenote` its zero-dollar prenote."""

    routing: str  # 9 digits, check digit included
    account_number: str  # up to 17 characters
    amount: Decimal
    individual_id: str  # the utility account number
    individual_name: str
    account_type: str = CHECKING
    prenote: bool = False

    @property
    def transaction_code(self) -> str:
        return (PRENOTE_CODES if self.prenote else DEBIT_CODES)[self.account_type]


@dataclass(frozen=True)
class Batch:
    effective_entry_date: date  # the settlement day asked for: a banking day
    debits: Sequence[Debit]
    entry_description: str = "WATER BILL"  # 10 characters, on the customer's bank statement
    descriptive_date: str = ""  # 6 characters, shown as given (e.g. "DEC 26")
    discretionary: str = ""


@dataclass(frozen=True)
class AutopayFile:
    originator: Originator
    created: datetime
    file_id_modifier: str  # A-Z or 0-9: a second file the same day takes the next one
    batches: Sequence[Batch]
    reference_code: str = ""
    first_trace_sequence: int = 1


@dataclass(frozen=True)
class Written:
    """The file's text and the trace number given to each debit, in the order of the batches' debits."""

    text: str
    records: tuple[str, ...]
    trace_numbers: tuple[str, ...]
    total_debits: Decimal


def _plain(text: str) -> str:
    """Upper-case printable ASCII: banks' ACH software takes no accents (Peña is sent as PENA)."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if " " <= c <= "~" else " " for c in ascii_text).upper()


def _alpha(text: str, width: int) -> str:
    """Alphanumeric field: left-justified, blank-filled, cut to its width."""
    return _plain(text)[:width].ljust(width)


def _numeric(value: int, width: int, what: str) -> str:
    """Numeric field: right-justified, zero-filled; refused rather than cut when it does not fit."""
    text = str(value)
    if value < 0 or len(text) > width:
        raise NachaError(f"{what} {value} does not fit in {width} digits.")
    return text.zfill(width)


def _cents(amount: Decimal, what: str) -> int:
    if not isinstance(amount, Decimal) or amount != amount.quantize(CENT):
        raise NachaError(f"{what} must be a Decimal to the cent: {amount!r}.")
    return int(amount * 100)


def _check_fixed(value: str, pattern: str, what: str) -> str:
    if not re.fullmatch(pattern, value or "", re.ASCII):
        raise NachaError(f"{what} is not valid: {value!r}.")
    return value


def _check_originator(o: Originator) -> None:
    if not is_valid_routing_number(o.immediate_destination):
        raise NachaError(
            f"The immediate destination is not a valid routing number: {o.immediate_destination!r}."
        )
    _check_fixed(o.odfi_routing, r"[0-9]{8}", "The ODFI's 8-digit routing")
    _check_fixed(o.company_id, r"[0-9A-Za-z ]{1,10}", "The company identification (10 characters)")
    if not (len(o.immediate_origin) == 10 or re.fullmatch(r"[0-9]{9}", o.immediate_origin, re.ASCII)):
        raise NachaError(
            f"The immediate origin is 10 characters or a 9-digit routing: {o.immediate_origin!r}."
        )
    if not o.company_name.strip():
        raise NachaError("The company name is required: it is what the customer sees on the statement.")


def _check_debit(d: Debit, where: str) -> None:
    if not is_valid_routing_number(d.routing):
        raise NachaError(f"{where}: the routing number fails its check digit: {d.routing!r}.")
    if d.account_type not in DEBIT_CODES:
        raise NachaError(f"{where}: the account type is {CHECKING} or {SAVINGS}, not {d.account_type!r}.")
    _check_fixed(d.account_number, r"[0-9A-Za-z-]{1,17}", f"{where}: the bank account number (up to 17)")
    cents = _cents(d.amount, f"{where}: the amount")
    if d.prenote and cents != 0:
        raise NachaError(f"{where}: a prenote is for zero dollars, not {d.amount}.")
    if not d.prenote and cents <= 0:
        raise NachaError(f"{where}: a debit must be more than zero, not {d.amount}.")


def file_header(f: AutopayFile) -> str:
    o = f.originator
    origin = o.immediate_origin if len(o.immediate_origin) == 10 else " " + o.immediate_origin
    return (
        "1"
        + "01"
        + " " + o.immediate_destination
        + origin
        + f.created.strftime("%y%m%d")
        + f.created.strftime("%H%M")
        + f.file_id_modifier
        + "094"
        + "10"
        + "1"
        + _alpha(o.immediate_destination_name, 23)
        + _alpha(o.immediate_origin_name, 23)
        + _alpha(f.reference_code, 8)
    )  # fmt: skip


def batch_header(o: Originator, batch: Batch, number: int) -> str:
    return (
        "5"
        + DEBITS_ONLY
        + _alpha(o.company_name, 16)
        + _alpha(batch.discretionary, 20)
        + _alpha(o.company_id, 10)
        + PPD
        + _alpha(batch.entry_description, 10)
        + _alpha(batch.descriptive_date, 6)
        + batch.effective_entry_date.strftime("%y%m%d")
        + "   "  # settlement date: the bank fills it
        + "1"
        + o.odfi_routing
        + _numeric(number, 7, "The batch number")
    )  # fmt: skip


def entry_detail(d: Debit, trace: str) -> str:
    return (
        "6"
        + d.transaction_code
        + d.routing[:8]
        + d.routing[8]
        + _alpha(d.account_number, 17)
        + _numeric(_cents(d.amount, "The amount"), 10, "The amount in cents")
        + _alpha(d.individual_id, 15)
        + _alpha(d.individual_name, 22)
        + "  "
        + "0"  # no addenda with PPD debits
        + trace
    )  # fmt: skip


def entry_hash(routings: Sequence[str]) -> int:
    """Sum of the 8-digit routing prefixes, rightmost 10 digits."""
    return sum(int(r[:8]) for r in routings) % HASH_MODULUS


def batch_control(o: Originator, count: int, hash_: int, debits: int, number: int) -> str:
    return (
        "8"
        + DEBITS_ONLY
        + _numeric(count, 6, "The batch's entry count")
        + _numeric(hash_, 10, "The entry hash")
        + _numeric(debits, 12, "The batch's total debits")
        + _numeric(0, 12, "The batch's total credits")
        + _alpha(o.company_id, 10)
        + " " * 19  # message authentication code: not used
        + " " * 6  # reserved
        + o.odfi_routing
        + _numeric(number, 7, "The batch number")
    )  # fmt: skip


def file_control(batches: int, blocks: int, count: int, hash_: int, debits: int) -> str:
    return (
        "9"
        + _numeric(batches, 6, "The batch count")
        + _numeric(blocks, 6, "The block count")
        + _numeric(count, 8, "The file's entry count")
        + _numeric(hash_, 10, "The entry hash")
        + _numeric(debits, 12, "The file's total debits")
        + _numeric(0, 12, "The file's total credits")
        + " " * 39
    )  # fmt: skip


def write_autopay_file(f: AutopayFile, line_end: str = "\n") -> Written:
    """The NACHA file of PPD debits for `f`; NachaError names the first input that cannot be sent."""
    o = f.originator
    _check_originator(o)
    _check_fixed(f.file_id_modifier, r"[A-Z0-9]", "The file id modifier (A-Z or 0-9)")
    if not f.batches or not any(b.debits for b in f.batches):
        raise NachaError("There is nothing to send: no debits.")
    if f.first_trace_sequence < 1:
        raise NachaError(f"Trace sequences start at 1, not {f.first_trace_sequence}.")
    records = [file_header(f)]
    traces = []
    sequence = f.first_trace_sequence
    file_hash = file_count = file_debits = 0
    batch_count = 0
    for batch in f.batches:
        if not batch.debits:
            continue  # an empty batch is refused by banks; leave it out
        batch_count += 1
        records.append(batch_header(o, batch, batch_count))
        for i, debit in enumerate(batch.debits, start=1):
            _check_debit(debit, f"Batch {batch_count}, debit {i} ({debit.individual_id})")
            trace = o.odfi_routing + _numeric(sequence, 7, "The trace sequence")
            records.append(entry_detail(debit, trace))
            traces.append(trace)
            sequence += 1
        count = len(batch.debits)
        hash_ = entry_hash([d.routing for d in batch.debits])
        debits = sum(_cents(d.amount, "The amount") for d in batch.debits)
        records.append(batch_control(o, count, hash_, debits, batch_count))
        file_hash, file_count, file_debits = file_hash + hash_, file_count + count, file_debits + debits
    blocks = -(-(len(records) + 1) // BLOCKING_FACTOR)  # the file control included, rounded up
    records.append(file_control(batch_count, blocks, file_count, file_hash % HASH_MODULUS, file_debits))
    records.extend([PADDING_RECORD] * (blocks * BLOCKING_FACTOR - len(records)))
    for record in records:  # a wrong width would be this module's bug: never let the bank find it
        if len(record) != RECORD_LENGTH:
            raise NachaError(f"Internal error: a record of {len(record)} characters: {record!r}.")
    text = line_end.join(records) + line_end
    return Written(text, tuple(records), tuple(traces), (Decimal(file_debits) / 100).quantize(CENT))


# Return files -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AchReturn:
    """One returned entry: the return reason and the trace number of the debit it returns."""

    return_code: str  # R01, R02...
    original_trace: str  # the trace number the district gave the debit
    amount: Decimal
    individual_id: str
    individual_name: str
    routing: str
    transaction_code: str
    return_trace: str  # the returning bank's own trace number
    date_of_death: str = ""
    addenda_information: str = ""


def _records(text: str) -> list[tuple[int, str]]:
    """(line number, record) for each non-blank record; a file sent as one unbroken line is cut into 94s."""
    lines = text.splitlines()
    if len(lines) == 1 and len(lines[0]) > RECORD_LENGTH and len(lines[0]) % RECORD_LENGTH == 0:
        lines = [lines[0][i : i + RECORD_LENGTH] for i in range(0, len(lines[0]), RECORD_LENGTH)]
    result = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if len(line) > RECORD_LENGTH:
            raise NachaError(f"line {number}: a record is {RECORD_LENGTH} characters, this one {len(line)}.")
        # Trailing blanks are often stripped in transit; they carry nothing, so put them back.
        result.append((number, line.ljust(RECORD_LENGTH)))
    return result


def _digits(record: str, start: int, end: int, number: int, what: str) -> str:
    """Positions start-end (1-based, inclusive), which must be digits."""
    value = record[start - 1 : end]
    if not value.isascii() or not value.isdigit():
        raise NachaError(f"line {number}: {what} (positions {start}-{end}) is not digits: {value!r}.")
    return value


def parse_returns(text: str) -> list[AchReturn]:
    """The returns in a NACHA return file: each entry detail followed by its addenda of type 99.

    Notifications of change (addenda type 98) are not returns: parse_notices_of_change reads them from the
    same file, so none is lost (the rules require the district to act on each).
    """
    returns = []
    pending = None  # (line number, entry record) waiting for its addenda
    for number, record in _records(text):
        kind = record[0]
        if kind == "6":
            if pending is not None and pending[1][78] == "1":
                raise NachaError(f"line {pending[0]}: the entry says an addenda follows, but none does.")
            pending = (number, record)
        elif kind == "7":
            if pending is None:
                raise NachaError(f"line {number}: an addenda record with no entry before it.")
            addenda_type = record[1:3]
            if addenda_type == "99":
                returns.append(_return(pending, number, record))
            elif addenda_type != "98":
                raise NachaError(f"line {number}: addenda type {addenda_type!r} is not a return (99).")
            pending = None
        elif kind in "1589":
            if pending is not None and pending[1][78] == "1":
                raise NachaError(f"line {pending[0]}: the entry says an addenda follows, but none does.")
            pending = None
        else:
            raise NachaError(f"line {number}: unknown record type {kind!r}.")
    if pending is not None and pending[1][78] == "1":
        raise NachaError(f"line {pending[0]}: the entry says an addenda follows, but none does.")
    return returns


def _return(entry: tuple[int, str], number: int, addenda: str) -> AchReturn:
    entry_number, record = entry
    code = addenda[3:6]
    if not re.fullmatch(r"R[0-9]{2}", code, re.ASCII):
        raise NachaError(f"line {number}: the return reason (positions 4-6) is not R and 2 digits: {code!r}.")
    cents = int(_digits(record, 30, 39, entry_number, "the amount"))
    return AchReturn(
        return_code=code,
        original_trace=_digits(addenda, 7, 21, number, "the original trace number"),
        amount=(Decimal(cents) / 100).quantize(CENT),
        individual_id=record[39:54].strip(),
        individual_name=record[54:76].strip(),
        routing=_digits(record, 4, 12, entry_number, "the routing number"),
        transaction_code=_digits(record, 2, 3, entry_number, "the transaction code"),
        return_trace=_digits(addenda, 80, 94, number, "the trace number"),
        date_of_death=addenda[21:27].strip(),
        addenda_information=addenda[35:79].strip(),
    )


@dataclass(frozen=True)
class NoticeOfChange:
    """A bank's notice that an enrolment's details are wrong (addenda type 98): what to correct, and which
    debit it was about. Acting on it is the enrolment's work; reading it is this module's."""

    change_code: str  # C01 (account number), C02 (routing), C05 (account type), ...
    original_trace: str
    corrected_data: str
    routing: str
    individual_id: str
    trace: str  # the notifying bank's own trace number


def parse_notices_of_change(text: str) -> list[NoticeOfChange]:
    """The notices of change in a NACHA return file: each entry detail followed by its addenda of type 98
    (standard positions: change code 4-6, original trace 7-21, corrected data 36-64, trace 80-94)."""
    notices = []
    entry = None
    for number, record in _records(text):
        if record[0] == "6":
            entry = (number, record)
        elif record[0] == "7" and record[1:3] == "98" and entry is not None:
            entry_number, detail = entry
            code = record[3:6]
            if not re.fullmatch(r"C[0-9]{2}", code, re.ASCII):
                raise NachaError(
                    f"line {number}: the change code (positions 4-6) is not C and 2 digits: {code!r}."
                )
            notices.append(
                NoticeOfChange(
                    change_code=code,
                    original_trace=_digits(record, 7, 21, number, "the original trace number"),
                    corrected_data=record[35:64].strip(),
                    routing=_digits(detail, 4, 12, entry_number, "the routing number"),
                    individual_id=detail[39:54].strip(),
                    trace=_digits(record, 80, 94, number, "the trace number"),
                )
            )
    return notices
