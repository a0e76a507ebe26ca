"""Read files (CSV and XLSX): the header, the fields of each line and what is wrong with them.

Pure: a binary stream in, plain values and field errors out, no ORM. Whether a meter exists is the import
service's question (batch.py); everything that can be said from the file alone is said here. Errors are
reported as `file:line:field: message`, all of them, so the clerk fixes the file once.

Big input (seen: a 287 KB XLSX with 2,000,000 rows held a request for 108 s and 1.5 GB): a workbook whose
parts declare more than `max_inflated` bytes uncompressed is refused before openpyxl opens it, and its rows are
counted while they are read, so a file past `max_rows` stops there whatever its headers say (Python's zipfile
also stops each part at its declared size: a part that lies small fails its CRC instead of inflating).
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO, NamedTuple

COLUMNS = ("meter_serial", "read_date", "value", "source", "reader_code", "note")
REQUIRED = ("meter_serial", "read_date", "value", "source")
MAX_LENGTH = {"meter_serial": 30, "reader_code": 10, "note": 200}


def _key(name: str) -> str:
    """Header names and sources compare without case, spaces, underscores or hyphens."""
    return re.sub(r"[\s_\-]+", "", name).lower()


# Header names a file may use for each column (the canonical name first).
HEADER_NAMES = {
    "meter_serial": ["meter_serial", "serial", "meter", "meter_number", "meter_no"],
    "read_date": ["read_date", "read_on", "date"],
    "value": ["value", "reading", "read", "register"],
    "source": ["source", "read_source"],
    "reader_code": ["reader_code", "reader"],
    "note": ["note", "notes", "comment", "reader_note"],
}
_HEADERS = {_key(alias): column for column, aliases in HEADER_NAMES.items() for alias in aliases}

# Read sources a file or the API may give (ReadSource values and labels); estimates are Cistern's own.
SOURCE_NAMES = {
    "handheld": ["handheld", "hand held"],
    "amr": ["amr", "AMR drive-by", "drive-by", "driveby"],
    "ami": ["ami"],
    "manual": ["manual", "Manual entry"],
    "service_order": ["service_order", "Service order"],
}
_SOURCES = {_key(alias): source for source, aliases in SOURCE_NAMES.items() for alias in aliases}
SOURCES_HINT = ", ".join(SOURCE_NAMES)

DATE_HINT = "YYYY-MM-DD or MM/DD/YYYY"
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_US = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\Z")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)\Z")
VALUE_LIMIT = Decimal(10) ** 10  # NUMERIC(12, 2)
MAX_ROWS = 2_000_000  # reads in a file (settings.CISTERN_UPLOAD_MAX_ROWS)
MAX_INFLATED = 200 * 1024 * 1024  # a workbook's parts, inflated (settings.CISTERN_XLSX_MAX_INFLATED)
_PLAIN_VALUE = re.compile(r"\d{1,10}(\.\d{0,2})?\Z")  # surely a register value: no sign, within the limit


@dataclass(frozen=True, order=True)
class FieldError:
    line: int
    field: str
    message: str

    def format(self, file_name: str) -> str:
        return f"{file_name}:{self.line}:{self.field}: {self.message}"


class ParsedRead(NamedTuple):
    line: int
    meter_serial: str
    read_on: date
    value: Decimal
    source: str
    reader_code: str
    note: str


class SerialSeen(NamedTuple):
    """The serial of a line that has other errors: whether the meter exists is reported too."""

    line: int
    meter_serial: str


class FieldProblem(ValueError):
    """One field's value is wrong; the message says how, quoting what was given."""


class TooBig(ValueError):
    """The file is past a cap (rows, or a workbook's inflated size): it is refused as a whole."""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def _shown(raw) -> str:
    text = str(raw)
    return f'"{text[:40]}…"' if len(text) > 40 else f'"{text}"'


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def parse_date(raw, *, today: date) -> date:
    """A read date: an ISO or US date (or a spreadsheet date cell), not after `today`."""
    if isinstance(raw, datetime):
        day = raw.date()
    elif isinstance(raw, date):
        day = raw
    else:
        text = _text(raw)
        try:
            if _ISO.match(text):
                day = date.fromisoformat(text)
            else:
                match = _US.match(text)
                if match is None:
                    raise ValueError
                month, day_of_month, year = (int(part) for part in match.groups())
                day = date(year, month, day_of_month)
        except ValueError:
            raise FieldProblem(f"{_shown(raw)} is not a date ({DATE_HINT})") from None
    if day > today:
        raise FieldProblem(f"{day:%m/%d/%Y} is in the future")
    return day


def parse_value(raw) -> Decimal:
    """A register value: a plain number, 0 or more, at most 2 decimal places."""
    if isinstance(raw, bool):
        raise FieldProblem(f"{_shown(raw)} is not a number")
    text = repr(raw) if isinstance(raw, float) else _text(raw)
    if not _NUMBER.match(text):
        raise FieldProblem(f"{_shown(raw)} is not a number")
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        raise FieldProblem(f"{_shown(raw)} is not a number") from None
    if value < 0:
        raise FieldProblem(f"{_shown(raw)} is negative (a register value is 0 or more)")
    if value == 0:
        value = abs(value)  # -0 is 0
    if value.as_tuple().exponent < -2:
        raise FieldProblem(f"{_shown(raw)} has more than 2 decimal places")
    if value >= VALUE_LIMIT:
        raise FieldProblem(f"{_shown(raw)} is too large for a register value")
    return value


def parse_source(raw) -> str:
    text = _text(raw)
    source = _SOURCES.get(_key(text))
    if source is None:
        if _key(text) in ("estimate", "estimated", "estimatedbycistern"):
            raise FieldProblem(f"{_shown(raw)}: estimates are made by Cistern, not imported")
        raise FieldProblem(f"{_shown(raw)} is not a read source ({SOURCES_HINT})")
    return source


def parse_text(raw, field: str) -> str:
    text = _text(raw)
    limit = MAX_LENGTH[field]
    if len(text) > limit:
        raise FieldProblem(f"is {len(text)} characters long (at most {limit})")
    return text


def map_header(cells: list) -> tuple[dict[str, int], list[FieldError]]:
    """Column name -> position, and the header's errors (unknown, repeated or missing columns)."""
    positions: dict[str, int] = {}
    errors: list[FieldError] = []
    for position, cell in enumerate(cells):
        name = _text(cell)
        if not name:
            errors.append(FieldError(1, f"column {position + 1}", "has no name"))
            continue
        column = _HEADERS.get(_key(name))
        if column is None:
            errors.append(FieldError(1, name, f"unknown column (the columns are {', '.join(COLUMNS)})"))
        elif column in positions:
            errors.append(FieldError(1, name, f"repeats the column {column}"))
        else:
            positions[column] = position
    for column in REQUIRED:
        if column not in positions:
            errors.append(FieldError(1, column, "missing column"))
    return positions, errors


def parse_line(line: int, cells: list, positions: dict[str, int], *, today: date):
    """One data line: (ParsedRead, []) or (its SerialSeen or None, its errors)."""
    errors: list[FieldError] = []
    if len(cells) > len(positions):
        extra = [c for c in cells[len(positions) :] if _text(c)]  # trailing empty cells are harmless
        if extra:
            errors.append(
                FieldError(
                    line, "line", f"has {len(cells)} values; the header names {len(positions)} columns"
                )
            )
    values = {}
    for column, position in positions.items():
        raw = cells[position] if position < len(cells) else None
        if column in REQUIRED and _text(raw) == "" and not isinstance(raw, date):
            errors.append(FieldError(line, column, "is missing"))
            continue
        try:
            if column == "read_date":
                values[column] = parse_date(raw, today=today)
            elif column == "value":
                values[column] = parse_value(raw)
            elif column == "source":
                values[column] = parse_source(raw)
            else:
                values[column] = parse_text(raw, column)
        except FieldProblem as problem:
            errors.append(FieldError(line, column, str(problem)))
    if errors:
        serial = values.get("meter_serial")
        return (SerialSeen(line, serial) if serial else None), errors
    parsed = ParsedRead(
        line, values["meter_serial"], values["read_date"], values["value"], values["source"],
        values.get("reader_code", ""), values.get("note", ""),
    )  # fmt: skip
    return parsed, errors


def line_parser(positions: dict[str, int], *, today: date):
    """A parser for the usual CSV line (every field present and well formed): (line, cells) -> ParsedRead, or
    None for anything else, which parse_line() then reads the slow way, with its errors. The same checks as
    parse_line in straight-line code: a read file is a million lines."""
    width = len(positions)
    serial_at, date_at, value_at, source_at = (positions[c] for c in REQUIRED)
    reader_at, note_at = positions.get("reader_code"), positions.get("note")
    iso, plain_value, from_iso = _ISO.match, _PLAIN_VALUE.match, date.fromisoformat
    serial_limit, reader_limit, note_limit = (MAX_LENGTH[c] for c in ("meter_serial", "reader_code", "note"))
    sources: dict[str, str | None] = {}  # a file says "handheld" a million times

    def parse_fast(line: int, cells: list) -> ParsedRead | None:
        if len(cells) != width:
            return None
        serial = cells[serial_at].strip()
        text = cells[date_at].strip()
        if not serial or len(serial) > serial_limit or not iso(text):
            return None
        raw_value = cells[value_at].strip()
        if not plain_value(raw_value):
            return None
        raw_source = cells[source_at]
        source = sources.get(raw_source, False)
        if source is False:
            source = sources[raw_source] = _SOURCES.get(_key(raw_source.strip()))
        reader_code = cells[reader_at].strip() if reader_at is not None else ""
        note = cells[note_at].strip() if note_at is not None else ""
        if source is None or len(reader_code) > reader_limit or len(note) > note_limit:
            return None
        try:
            read_on = from_iso(text)
        except ValueError:
            return None
        if read_on > today:
            return None
        return ParsedRead(line, serial, read_on, Decimal(raw_value), source, reader_code, note)

    return parse_fast


def is_xlsx(file_name: str, head: bytes) -> bool:
    return file_name.lower().endswith((".xlsx", ".xlsm")) or head.startswith(b"PK\x03\x04")


def _csv_lines(text, offset: int = 0) -> Iterator[tuple[int, list]]:
    """(line, cells) of CSV text, lines counted from `offset`; (line, csv.Error) ends it."""
    reader = csv.reader(text, strict=True)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num + offset, exc
            return
        yield reader.line_num + offset, cells


def _csv_rows(stream: BinaryIO, encoding: str) -> Iterator[tuple[int, list]]:
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    try:
        yield from _csv_lines(text)
    finally:
        text.detach()  # the caller's stream stays open


def inflated_size(stream: BinaryIO) -> int:
    """The bytes a workbook's parts declare they inflate to (its zip directory; nothing is inflated)."""
    try:
        with zipfile.ZipFile(stream) as archive:
            return sum(info.file_size for info in archive.infolist())
    finally:
        stream.seek(0)


def _xlsx_rows(stream: BinaryIO, max_rows: int, max_inflated: int) -> Iterator[tuple[int, list]]:
    from openpyxl import load_workbook  # imported here: only XLSX files need it

    try:
        inflated = inflated_size(stream)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        yield 1, ValueError(f"not a readable XLSX workbook ({exc.__class__.__name__})")
        return
    if inflated > max_inflated:
        limit = _megabytes(max_inflated)
        problem = f"the workbook inflates to {_megabytes(inflated)}; at most {limit} is read (save it as CSV)"
        yield 1, TooBig(problem)
        return
    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign zip: openpyxl raises many kinds
        yield 1, ValueError(f"not a readable XLSX workbook ({exc.__class__.__name__})")
        return
    try:
        sheet = book.worksheets[0]
        last = max_rows + 1  # the header and max_rows reads
        for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            if line > last:
                yield line, TooBig(f"has more than {max_rows:,} reads; split the file")
                return
            yield line, list(cells)
    except Exception as exc:  # a part that lies about its size fails its CRC; damaged XML
        yield 1, ValueError(f"not a readable XLSX workbook ({exc.__class__.__name__})")
    finally:
        book.close()


def rows(
    stream: BinaryIO,
    *,
    file_name: str,
    encoding: str = "utf-8-sig",
    max_rows: int = MAX_ROWS,
    max_inflated: int = MAX_INFLATED,
) -> Iterator[tuple[int, list]]:
    """(line, cells) of the file's first sheet or its CSV lines; (line, exception) for an unreadable file."""
    head = stream.read(4)
    stream.seek(0)
    if is_xlsx(file_name, head):
        yield from _xlsx_rows(stream, max_rows, max_inflated)
    else:
        yield from _csv_rows(stream, encoding)


def _header(header) -> tuple[dict[str, int] | None, list[FieldError]]:
    """The first line: column positions, or None and what is wrong with it."""
    if header is None or (not isinstance(header[1], Exception) and not any(_text(c) for c in header[1])):
        return None, [
            FieldError(
                1, "header", f"the file is empty (the first line names the columns: {', '.join(COLUMNS)})"
            )
        ]
    if isinstance(header[1], Exception):
        return None, [FieldError(header[0], "file", str(header[1]))]
    positions, errors = map_header(header[1])
    return (None if errors else positions), errors


def _items(lines, positions: dict[str, int], *, today: date, xlsx: bool):
    """ParsedReads, FieldErrors and SerialSeens of the data lines, in file order; a line that is not CSV ends
    the file (what follows it cannot be trusted to be split into the right lines)."""
    parse_fast = None if xlsx else line_parser(positions, today=today)  # spreadsheet cells are not all text
    for line, cells in lines:
        if parse_fast is not None and type(cells) is list:
            parsed = parse_fast(line, cells)
            if parsed is not None:
                yield parsed
                continue
        if isinstance(cells, TooBig):
            yield FieldError(line, "file", str(cells))
            return
        if isinstance(cells, Exception):
            problem = str(cells) if xlsx else f"cannot be read as CSV ({cells})"
            yield FieldError(line, "file" if xlsx else "line", problem)
            return
        if not any(c is not None and c != "" and (not isinstance(c, str) or c.strip()) for c in cells):
            continue
        parsed, errors = parse_line(line, cells, positions, today=today)
        yield from errors
        if parsed is not None:
            yield parsed


def parse(
    stream: BinaryIO,
    *,
    file_name: str,
    today: date,
    encoding: str = "utf-8-sig",
    max_rows: int = MAX_ROWS,
    max_inflated: int = MAX_INFLATED,
):
    """Yield a ParsedRead, or FieldErrors and a SerialSeen, for every line of a read file, in file order.

    Blank lines are skipped. A file without a usable header yields only the header's errors. A workbook past
    `max_inflated` bytes or `max_rows` reads yields a "file" error (see the module's docstring)."""
    xlsx = is_xlsx(file_name, stream.read(4))
    stream.seek(0)
    lines = rows(stream, file_name=file_name, encoding=encoding, max_rows=max_rows, max_inflated=max_inflated)
    positions, errors = _header(next(lines, None))
    yield from errors
    if positions is not None:
        yield from _items(lines, positions, today=today, xlsx=xlsx)


# --- a CSV file in blocks, so that blocks can be parsed side by side ---------------------------------------

BLOCK_BYTES = 1 << 20


def _record_end(data: bytes) -> int:
    """The position after the last line break of `data` outside quotes (a quoted field may hold line
    breaks), or -1. `data` begins at the start of a record, so a line break with an even number of quote
    characters before it ends a record. A \r at the very end may be the first half of a \r\n: not there."""
    cut = len(data)
    while True:
        cut = max(data.rfind(b"\n", 0, cut), data.rfind(b"\r", 0, cut))
        if cut < 0:
            return -1
        if cut + 1 == len(data) and data[cut] == 13:
            continue
        if data.count(b'"', 0, cut) % 2 == 0:
            return cut + 1


def _line_breaks(data: bytes) -> int:
    # As the csv module counts lines: \r\n, \n or a lone \r (old Mac Excel) each end one.
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")


def csv_blocks(stream: BinaryIO, *, block_bytes: int | None = None) -> Iterator[tuple[int, bytes]]:
    """(number of its first line, bytes) of whole records of a CSV file, about `block_bytes` each, in order."""
    block_bytes = block_bytes or BLOCK_BYTES
    line, carry = 1, b""
    while data := stream.read(block_bytes):
        data = carry + data
        end = _record_end(data)
        if end < 0:  # one record longer than a block: read on
            carry = data
            continue
        block, carry = data[:end], data[end:]
        yield line, block
        line += _line_breaks(block)
    if carry:
        yield line, carry


def _block_lines(first_line: int, data: bytes, encoding: str) -> Iterator[tuple[int, list]]:
    return _csv_lines(io.StringIO(data.decode(encoding, errors="replace"), newline=""), first_line - 1)


class ParsedBlock(NamedTuple):
    """A block of lines, parsed: its good lines as spill rows (serial, date ordinal, value, source,
    reader_code, note, line), its FieldErrors and SerialSeens, and whether a line that is not CSV ended it."""

    rows: list[tuple]
    problems: list
    stopped: bool


def _parse_block(lines, positions: dict[str, int], today: date) -> ParsedBlock:
    rows: list[tuple] = []
    problems: list = []
    unreadable = []

    def watched():
        for line, cells in lines:
            if isinstance(cells, Exception):
                unreadable.append(line)
            yield line, cells

    parsed_read = ParsedRead
    for item in _items(watched(), positions, today=today, xlsx=False):
        if type(item) is parsed_read:
            line, serial, read_on, value, source, reader_code, note = item
            rows.append((serial, read_on.toordinal(), str(value), source, reader_code, note, line))
        else:
            problems.append(item)
    return ParsedBlock(rows, problems, bool(unreadable))


def parse_first_block(block: tuple[int, bytes] | None, today: date, encoding: str):
    """The first block of csv_blocks(): (column positions or None, the header's errors, its data lines parsed
    or None)."""
    if block is None:
        return (*_header(None), None)
    lines = _block_lines(*block, encoding)
    positions, errors = _header(next(lines, None))
    if positions is None:
        return positions, errors, None
    return positions, errors, _parse_block(lines, positions, today)


def parse_block(
    first_line: int, data: bytes, positions: dict[str, int], today: date, encoding: str
) -> ParsedBlock:
    """Parse one block of csv_blocks() (pure and picklable both ways: a worker process's whole task)."""
    return _parse_block(_block_lines(first_line, data, encoding), positions, today)
