"""Reads in bulk: read files (CSV, XLSX) and the API's batches from AMI head-ends.

A file is all or nothing: every line is parsed first (imports.py) and every serial looked up; a file with
any malformed line or unknown meter is refused with all of its errors and writes nothing. A well-formed
file is stored in one transaction: validation exceptions are queued (status "exception"), never refused.
The API stores the good reads of a batch and reports the others by index.

Each read gets the verdict read_record() would give it: the facts selectors.read_facts() gathers for one
read are loaded here set-wise, for a bucket of meters at a time, and every read is judged by
reading.validate(). The reads of one meter are judged in date order, each seeing the ones before it, as
if read_record() had been called for them one by one in that order.

Memory stays flat in the size of the file: parsed lines are spilled to a temporary file in buckets by
meter (about CHUNK_ROWS lines each) and judged and inserted one bucket at a time. Only the serial map
(one entry per meter of the file) grows, with the district, not with the file.
"""

import codecs
import hashlib
import io
import json
import marshal
import multiprocessing
import os
import tempfile
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal
from math import ceil
from typing import BinaryIO

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cistern.core import clock
from cistern.core.audit import audit_record, snapshot
from cistern.core.logs import log_event
from cistern.core.permissions import require
from cistern.customers.models import OPEN_STATUSES, Account

from . import imports, selectors
from .judging import HISTORY, STORED_COLUMNS, BucketFacts, Judged, Rules, judge, judge_for_storing, sort_lines
from .models import Meter, MeterInstallation, Read, ReadImport, ReadKind, ReadStatus, ServicePoint
from .reading import ReadFacts, Register, check_unknown_meter
from .services import READ_FIELDS, MeteringError

PARALLEL_BYTES = 4_000_000  # a file this big (about 100,000 reads) is parsed and judged in a worker process
MAX_WORKERS = 1
CHUNK_ROWS = 20_000  # lines judged and inserted together (one bucket of meters)
LOOKUP_ROWS = 5_000  # lines between serial look-ups while parsing
MAX_ERRORS = 1_000  # errors listed; the rest are counted
MAX_API_READS = 10_000  # reads per API request
ACTIVE = OPEN_STATUSES
INITIAL = ReadKind.INITIAL.value
ACCEPTED, EXCEPTION, REJECTED = (
    ReadStatus.ACCEPTED.value,
    ReadStatus.EXCEPTION.value,
    ReadStatus.REJECTED.value,
)

# The columns the bulk insert writes: each read's own (judging.STORED_COLUMNS), then those all the reads of a file
# share; test_import checks them against the model.
SHARED_COLUMNS = ["kind", "read_import_id", "reviewed_by_id", "reviewed_at", "created_by_id", "created_at"]
READ_COLUMNS = STORED_COLUMNS + SHARED_COLUMNS


class ImportRefused(MeteringError):
    """The file has malformed lines; nothing was written. `errors` lists them as file:line:field: message."""

    def __init__(self, file_name: str, errors: list[str], total: int):
        self.file_name, self.errors, self.total = file_name, errors, total
        more = f" (the first {len(errors):,} are listed)" if total > len(errors) else ""
        super().__init__(
            f"{file_name} was not imported: {total:,} error{'s' if total != 1 else ''}{more}. "
            "Nothing was written; correct the file and import it again."
        )


class AlreadyImported(MeteringError):
    def __init__(self, read_import: ReadImport):
        self.read_import = read_import
        when = timezone.localtime(read_import.imported_at)
        who = read_import.imported_by
        name = (who.get_full_name() or who.username) if who else "an unknown user"
        super().__init__(
            f"{read_import.file_name} was already imported on {when:%m/%d/%Y at %H:%M} by {name}; "
            "nothing was changed."
        )


@dataclass(frozen=True)
class ImportResult:
    read_import: ReadImport
    rows: int
    accepted: int
    exceptions: int
    skipped: int  # identical to a read already stored (same meter, date and value)


@dataclass(frozen=True)
class ReceiveResult:
    accepted: int
    exceptions: int
    rejected: int
    skipped: int
    errors: list[tuple[int, str]]  # (index in the batch, what is wrong)


# --- the file: hash, spill, first pass -------------------------------------------------------------------


def _as_stream(content) -> BinaryIO:
    if isinstance(content, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(content))
    content.seek(0)
    return content


def _digest(stream: BinaryIO) -> tuple[str, str, int]:
    """sha256, text encoding (UTF-8, else Windows-1252 as Excel writes CSV) and size, read in blocks."""
    digest, decoder, utf8, size = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")(), True, 0
    while block := stream.read(1 << 20):
        digest.update(block)
        size += len(block)
        if utf8:
            try:
                decoder.decode(block)
            except UnicodeDecodeError:
                utf8 = False
    stream.seek(0)
    return digest.hexdigest(), "utf-8-sig" if utf8 else "cp1252", size


class _Spill:
    """Parsed lines in buckets by meter serial, kept in a temporary file (memory flat in file size)."""

    def __init__(self, buckets: int, file):
        self.buckets, self.file, self.size = buckets, file, 0
        self.buffers: list[list] = [[] for _ in range(buckets)]
        self.blocks: list[list[tuple[int, int]]] = [[] for _ in range(buckets)]
        self.flush_at = max(256, CHUNK_ROWS // buckets)

    def add(self, row: tuple) -> None:
        bucket = hash(row[0]) % self.buckets
        buffer = self.buffers[bucket]
        buffer.append(row)
        if len(buffer) >= self.flush_at:
            data = marshal.dumps(buffer)
            self.file.write(data)
            self.blocks[bucket].append((self.size, len(data)))
            self.size += len(data)
            self.buffers[bucket] = []

    def bucket(self, bucket: int) -> list[tuple]:
        rows: list[tuple] = []
        for offset, length in self.blocks[bucket]:
            self.file.seek(offset)
            rows.extend(marshal.loads(self.file.read(length)))  # noqa: S302 (our own temporary file)
        self.file.seek(0, io.SEEK_END)
        rows.extend(self.buffers[bucket])
        return rows


def _look_up_meters(serials, meters: dict) -> None:
    """Fill meters[serial] with (id, Register) or None for each serial (an unknown meter)."""
    serials = [s for s in serials if s not in meters]
    if not serials:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT serial, id, dials, multiplier FROM {Meter._meta.db_table} WHERE {_one_of('serial')}",  # noqa: S608
            [_list_parameter(serials)],
        )
        for serial, pk, dials, multiplier in cursor.fetchall():
            meters[serial] = (pk, Register(dials=dials, multiplier=_as_decimal(multiplier)))
    for serial in serials:
        meters.setdefault(serial, None)


def _parsed_blocks(stream, *, file_name, encoding, today, pool) -> tuple[list, object]:
    """(the header's errors, the file's ParsedBlocks in order). CSV blocks are parsed by the worker processes
    when there are any; a spreadsheet is read in this process (openpyxl reads a workbook as a whole)."""
    if imports.is_xlsx(file_name, stream.read(4)):
        stream.seek(0)
        items = imports.parse(
            stream, file_name=file_name, today=today, encoding=encoding,
            max_rows=settings.CISTERN_UPLOAD_MAX_ROWS, max_inflated=settings.CISTERN_XLSX_MAX_INFLATED,
        )  # fmt: skip
        return [], _xlsx_blocks(items)
    stream.seek(0)
    blocks = imports.csv_blocks(stream)
    positions, errors, first = imports.parse_first_block(next(blocks, None), today, encoding)
    if positions is None:
        return errors, iter(())

    def parsed():
        yield first
        tasks = ((imports.parse_block, line, data, positions, today, encoding) for line, data in blocks)
        yield from _in_order(pool, tasks)

    return errors, parsed()


def _xlsx_blocks(items, size: int = LOOKUP_ROWS):
    rows: list[tuple] = []
    problems: list = []
    for item in items:
        if type(item) is imports.ParsedRead:
            line, serial, read_on, value, source, reader_code, note = item
            rows.append((serial, read_on.toordinal(), str(value), source, reader_code, note, line))
            if len(rows) >= size:
                yield imports.ParsedBlock(rows, problems, False)
                rows, problems = [], []
        else:
            problems.append(item)
    yield imports.ParsedBlock(rows, problems, False)


def _in_order(pool, tasks, ahead: int = 2):
    """Run (function, *arguments) tasks in the worker processes, `ahead` at a time beyond the one awaited,
    and give their results in task order; without a pool, run each here when its result is wanted."""
    if pool is None:
        for function, *arguments in tasks:
            yield function(*arguments)
        return
    running: deque = deque()
    for function, *arguments in tasks:
        running.append(pool.submit(function, *arguments))
        if len(running) > ahead:
            yield running.popleft().result()
    while running:
        yield running.popleft().result()


def _first_pass(stream, *, file_name, encoding, today, spill, pool) -> tuple[dict, int, list, int]:
    """Parse every line, spill the good ones, look up every serial. (meters, rows, errors kept, error count)."""
    meters: dict[str, tuple | None] = {}
    errors: list[imports.FieldError] = []
    rows = total = 0
    header_errors, blocks = _parsed_blocks(
        stream, file_name=file_name, encoding=encoding, today=today, pool=pool
    )
    if header_errors:
        return meters, 0, header_errors[:MAX_ERRORS], len(header_errors)
    for block in blocks:
        # Serials of the block not met before: looked up together, then every line's errors in line order.
        _look_up_meters(
            {r[0] for r in block.rows}
            | {p.meter_serial for p in block.problems if type(p) is imports.SerialSeen},
            meters,
        )
        block_errors = [p for p in block.problems if type(p) is imports.FieldError]
        block_errors += [
            imports.FieldError(p.line, "meter_serial", f'no meter with serial "{p.meter_serial}"')
            for p in block.problems
            if type(p) is imports.SerialSeen and meters[p.meter_serial] is None
        ]
        rows += len(block.rows)
        spill_add = None if total or block_errors else spill.add  # a file with errors is refused: why keep it
        for row in block.rows:
            if meters[row[0]] is None:
                block_errors.append(
                    imports.FieldError(row[6], "meter_serial", f'no meter with serial "{row[0]}"')
                )
                spill_add = None
            elif spill_add is not None:
                spill_add(row)
        if block_errors:
            block_errors.sort()
            total += len(block_errors)
            errors.extend(block_errors[: max(0, MAX_ERRORS - len(errors))])
        if block.stopped:
            break
        if rows > settings.CISTERN_UPLOAD_MAX_ROWS:  # a CSV past the cap (a workbook stops in imports.py)
            total += 1
            if len(errors) < MAX_ERRORS:
                errors.append(imports.FieldError(
                    block.rows[-1][6], "file", f"has more than {settings.CISTERN_UPLOAD_MAX_ROWS:,} reads; split the file"
                ))  # fmt: skip
            break
    if rows == 0 and not total:
        total = 1
        errors.append(imports.FieldError(2, "line", "the file has a header but no reads"))
    return meters, rows, errors, total


# --- the facts of a bucket of meters, loaded set-wise ------------------------------------------------------


def _one_of(column: str) -> str:
    """SQL for `column` is one of a list of values given as one parameter: no limit on the list's length, and
    none of the ORM's per-value work (a bucket names thousands of meters)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)"
    return f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608 (our own column names)


def _list_parameter(values) -> list | str:
    return list(values) if connection.vendor == "postgresql" else json.dumps(list(values))


def _as_date(value) -> date | None:
    return value if value is None or isinstance(value, date) else date.fromisoformat(value)


def _as_decimal(value) -> Decimal | None:
    # SQLite gives NUMERIC(12, 2) back as an int or a float; its shortest repr is the stored value.
    return value if value is None or isinstance(value, Decimal) else Decimal(str(value))


def _load_facts(meter_ids: list[int], first: date, last: date) -> BucketFacts:
    """What selectors.read_facts() gathers for one read, for all the meters of a bucket and their dates."""
    read, installation, service_point, account = (
        Read._meta.db_table, MeterInstallation._meta.db_table, ServicePoint._meta.db_table, Account._meta.db_table,
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.id, i.meter_id, i.installed_on, i.removed_on, i.initial_value, sp.premise_id "  # noqa: S608
            f"FROM {installation} i JOIN {service_point} sp ON sp.id = i.service_point_id "
            f"WHERE {_one_of('i.meter_id')} AND i.installed_on <= %s AND (i.removed_on IS NULL OR i.removed_on >= %s)",
            [_list_parameter(meter_ids), last, first],
        )
        installation_rows = [
            (pk, meter_id, _as_date(on), _as_date(off), _as_decimal(initial), premise_id)
            for pk, meter_id, on, off, initial, premise_id in cursor.fetchall()
        ]
        # The 16 newest accepted reads of each installation (accepted_reads()), newest first. PostgreSQL: one
        # index range per installation, a plan that does not depend on the table's statistics.
        installation_ids = _list_parameter(r[0] for r in installation_rows)
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT i.id, r.read_on, r.value, r.consumption, r.kind FROM unnest(%s::bigint[]) AS i(id) "  # noqa: S608
                f"CROSS JOIN LATERAL (SELECT read_on, value, consumption, kind FROM {read} "
                f"WHERE installation_id = i.id AND status = %s ORDER BY read_on DESC LIMIT %s) AS r",
                [installation_ids, ACCEPTED, HISTORY],
            )
        else:
            cursor.execute(
                f"SELECT installation_id, read_on, value, consumption, kind FROM (SELECT installation_id, "  # noqa: S608
                f"read_on, value, consumption, kind, ROW_NUMBER() OVER (PARTITION BY installation_id ORDER BY "
                f"read_on DESC) AS newest FROM {read} WHERE status = %s AND {_one_of('installation_id')}) AS ranked "
                f"WHERE newest <= %s",
                [ACCEPTED, installation_ids, HISTORY],
            )
        history_rows = cursor.fetchall()
        # Every stored read of these meters on the file's dates: duplicates and identical reads.
        cursor.execute(
            f"SELECT meter_id, read_on, value, status FROM {read} "  # noqa: S608
            f"WHERE {_one_of('meter_id')} AND read_on >= %s AND read_on <= %s ORDER BY id DESC",
            [_list_parameter(meter_ids), first, last],
        )
        same_day_rows = cursor.fetchall()
        # Accounts at the premises on those dates (account_at()), latest start first.
        cursor.execute(
            f"SELECT id, premise_id, start_date, end_date, status FROM {account} "  # noqa: S608
            f"WHERE {_one_of('premise_id')} AND start_date <= %s AND (end_date IS NULL OR end_date >= %s)",
            [_list_parameter({r[5] for r in installation_rows}), last, first],
        )
        account_rows = [
            (pk, premise, _as_date(start), _as_date(end), status)
            for pk, premise, start, end, status in cursor.fetchall()
        ]

    installations: dict[int, list[tuple]] = {}
    installation_rows.sort(key=lambda r: (r[2], r[0]), reverse=True)  # newest first, as installation_on()
    for pk, meter_id, installed_on, removed_on, initial, premise_id in installation_rows:
        installations.setdefault(meter_id, []).append((pk, installed_on, removed_on, initial, premise_id))
    history: dict[int, list[tuple]] = {}
    for installation_id, read_on, value, used, kind in history_rows:
        read_on = _as_date(read_on)
        # The usage of a period: an initial read's 0 at install is none (as read_facts).
        period = _as_decimal(used) if kind != INITIAL else None
        history.setdefault(installation_id, []).append(
            (read_on.toordinal(), read_on, _as_decimal(value), period)
        )
    for reads in history.values():
        reads.sort(key=lambda r: r[0], reverse=True)
    same_day: dict[tuple[int, int], list[tuple]] = {}
    for meter_id, read_on, value, status in same_day_rows:
        same_day.setdefault((meter_id, _as_date(read_on).toordinal()), []).append(
            (_as_decimal(value), status)
        )
    accounts: dict[int, list[tuple]] = {}
    account_rows.sort(key=lambda r: (r[2], r[0]), reverse=True)
    for pk, premise_id, start, end, status in account_rows:
        accounts.setdefault(premise_id, []).append((pk, start, end, status in ACTIVE))
    return BucketFacts(installations, history, same_day, accounts)


def _lock_meters(meter_ids: list[int]) -> None:
    """On PostgreSQL, lock the meters in id order, as read_record locks its one meter (SQLite: the
    transaction is IMMEDIATE and holds the database's write lock already)."""
    if connection.vendor == "postgresql" and meter_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM metering_meter WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [sorted(meter_ids)]
            )


def _bucket(rows: list[tuple], meters: dict) -> tuple[dict, BucketFacts]:
    """The meters of a bucket of spilled lines and the facts for judging them."""
    meters = {serial: meters[serial] for serial in {r[0] for r in rows}}
    first, last = min(r[1] for r in rows), max(r[1] for r in rows)
    facts = _load_facts([m[0] for m in meters.values()], date.fromordinal(first), date.fromordinal(last))
    return meters, facts


def _rules() -> Rules:
    rules = selectors.read_rules()
    return Rules(
        rules.high_percent, rules.low_percent, rules.minimum_typical_units, rules.rollover_window_percent
    )


class _Writer:
    """Judged reads straight into the table: COPY on PostgreSQL, executemany on SQLite (as the demo loader).
    The columns every read of a file shares are written once, in the statement (SQLite) or by the worker that
    formats the COPY text (PostgreSQL)."""

    def __init__(self, *, import_id: int, actor_id: int, created_at):
        self.raw = connection.connection
        self.postgres = connection.vendor == "postgresql"
        self.table = Read._meta.db_table
        columns = ", ".join(READ_COLUMNS)
        kind, import_id, actor_id = ReadKind.ACTUAL.value, int(import_id), int(actor_id)
        if self.postgres:
            self.copy_sql = f"COPY {self.table} ({columns}) FROM STDIN"
            self.copy_tail = f"{kind}\t{import_id}\t\\N\t\\N\t{actor_id}\t{created_at.isoformat()}"
        else:
            self.copy_tail = None
            stamp = created_at.astimezone(UTC).replace(tzinfo=None).isoformat(" ")  # as Django stores it
            self.insert_sql = (
                f"INSERT INTO {self.table} ({columns}) VALUES ({', '.join('?' * len(STORED_COLUMNS))}, "  # noqa: S608
                f"'{kind}', {import_id}, NULL, NULL, {actor_id}, '{stamp}')"
            )

    def write(self, judged: Judged) -> None:
        if not judged.rows:
            return
        if self.postgres:
            with self.raw.cursor() as cursor, cursor.copy(self.copy_sql) as copy:
                copy.write(judged.rows)
        else:
            self.raw.executemany(self.insert_sql, judged.rows)


def _workers(size: int) -> int:
    """Worker processes to parse and judge while this one looks up and writes: none (0) unless the file is big
    enough to repay starting them. They are spawned, not forked: a fork would share this process's database
    connection."""
    if size < PARALLEL_BYTES or (os.cpu_count() or 1) < 2:
        return 0
    return MAX_WORKERS


# --- the services ----------------------------------------------------------------------------------------


def _check_size(file_name: str, stream: BinaryIO) -> None:
    """A file past settings.CISTERN_UPLOAD_MAX_BYTES is refused before a byte of it is read."""
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    limit = settings.CISTERN_UPLOAD_MAX_BYTES
    if size > limit:
        problem = f"is {size / 2**20:,.1f} MB; files up to {limit / 2**20:,.0f} MB are read (split it)"
        raise ImportRefused(file_name, [imports.FieldError(1, "file", problem).format(file_name)], 1)


def reads_import(*, actor, file_name: str, content) -> ImportResult:
    """Import a read file (CSV or XLSX; `content` is bytes or a binary file). All or nothing: a file with any
    malformed line raises ImportRefused listing every error; the same file twice raises AlreadyImported."""
    require(actor, "metering.import_reads")
    file_name = file_name.replace("\\", "/").rsplit("/", 1)[-1][:200]
    stream = _as_stream(content)
    _check_size(file_name, stream)
    sha256, encoding, size = _digest(stream)
    earlier = ReadImport.objects.select_related("imported_by").filter(sha256=sha256).first()
    if earlier is not None:
        raise AlreadyImported(earlier)
    per_bucket = CHUNK_ROWS * (8 if imports.is_xlsx(file_name, stream.read(4)) else 32)  # bytes per line
    stream.seek(0)
    workers = _workers(size)
    pool = None
    if workers:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        with tempfile.TemporaryFile(prefix="cistern-reads-") as spill_file:
            spill = _Spill(max(1, ceil(size / per_bucket)), spill_file)
            meters, rows, errors, total = _first_pass(
                stream,
                file_name=file_name,
                encoding=encoding,
                today=clock.today(),
                spill=spill,
                pool=pool,
            )
            if total:
                raise ImportRefused(file_name, [e.format(file_name) for e in errors], total)
            try:
                return _store_file(actor, file_name, sha256, rows, meters, spill, pool)
            except IntegrityError:
                earlier = ReadImport.objects.select_related("imported_by").filter(sha256=sha256).first()
                if earlier is not None:  # the same file, imported by someone else a moment ago
                    raise AlreadyImported(earlier) from None
                raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _next_import_id() -> int:
    """The id the ReadImport of this transaction will have. Its row is append-only, so it is written last,
    with its counts, and the reads name it before it exists (foreign keys are checked at commit)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence('metering_readimport', 'id'))")
            return cursor.fetchone()[0]
        # SQLite: the transaction is IMMEDIATE, so no one else takes this id before the commit.
        cursor.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'metering_readimport'), 0), "
            "coalesce((SELECT max(id) FROM metering_readimport), 0)) + 1"
        )
        return cursor.fetchone()[0]


def _statistics_stale(rows: int) -> bool:
    """Whether PostgreSQL's statistics of the read table would mislead its planner once this file is in it:
    a table it believes (nearly) empty gets the facts queries of every bucket planned as full scans of what
    the buckets before wrote. SQLite plans by its indexes alone."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [Read._meta.db_table])
        (estimate,) = cursor.fetchone()
    return estimate < rows


def _analyze_reads() -> None:
    # Inside the import's transaction: ANALYZE samples this transaction's own new rows as live.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Read._meta.db_table}")


def _store_file(actor, file_name, sha256, rows, meters, spill, pool) -> ImportResult:
    accepted = exceptions = skipped = 0
    with transaction.atomic():
        import_id = _next_import_id()
        _lock_meters([m[0] for m in meters.values()])
        rules = _rules()
        writer = _Writer(import_id=import_id, actor_id=actor.pk, created_at=timezone.now())

        def tasks():  # the facts of a bucket are loaded here, while the workers judge the buckets before it
            for bucket in range(spill.buckets):
                lines = spill.bucket(bucket)
                if lines:
                    yield (judge_for_storing, lines, *_bucket(lines, meters), rules, writer.copy_tail)

        analyze_after_first = _statistics_stale(rows)
        # In bucket order: the same file gives the same rows in the same order.
        for judged in _in_order(pool, tasks()):
            writer.write(judged)
            if analyze_after_first:
                _analyze_reads()
                analyze_after_first = False
            accepted += judged.accepted
            exceptions += judged.exceptions
            skipped += judged.skipped
        # The unique sha256 says: once (a file imported meanwhile by someone else fails here).
        read_import = ReadImport.objects.create(
            id=import_id, file_name=file_name, sha256=sha256, rows=rows, accepted=accepted, exceptions=exceptions,
            imported_by=actor,
        )  # fmt: skip
        audit_record(
            actor=actor, action="reads.import", obj=read_import,
            after={"file_name": file_name, "sha256": sha256, "rows": rows, "accepted": accepted,
                   "exceptions": exceptions, "skipped": skipped},
        )  # fmt: skip
    log_event("reads.imported", user=actor, import_id=import_id, rows=rows, accepted=accepted, exceptions=exceptions, skipped=skipped)  # fmt: skip
    return ImportResult(read_import, rows, accepted, exceptions, skipped)


API_FIELDS = {"meter_serial": "meter_serial", "read_on": "read_date", "value": "value", "source": "source"}


def _api_item(item: dict, today: date) -> tuple | str:
    """A spilled-line tuple for one API read, or what is wrong with it ("field: message")."""
    values = {}
    for name, column in API_FIELDS.items():
        raw = item.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return f"{name}: is missing"
        try:
            if column == "read_date":
                values[name] = imports.parse_date(raw, today=today)
            elif column == "value":
                values[name] = imports.parse_value(raw)
            elif column == "source":
                values[name] = imports.parse_source(raw)
            else:
                values[name] = imports.parse_text(raw, column)
        except imports.FieldProblem as problem:
            return f"{name}: {problem}"
    extra = {}
    for name in ("reader_code", "note"):
        try:
            extra[name] = imports.parse_text(item.get(name), name)
        except imports.FieldProblem as problem:
            return f"{name}: {problem}"
    return (
        values["meter_serial"], values["read_on"].toordinal(), str(values["value"]), values["source"],
        extra["reader_code"], extra["note"],
    )  # fmt: skip


def reads_receive(*, actor, reads: list[dict]) -> ReceiveResult:
    """Store a batch of reads from an integration (AMI head-end): the good ones are stored (accepted or queued as
    exceptions), each bad one is reported by its index; reads identical to a stored one are skipped."""
    require(actor, "metering.add_read")
    if len(reads) > MAX_API_READS:
        raise MeteringError(f"At most {MAX_API_READS:,} reads per request; this one has {len(reads):,}.")
    today = clock.today()
    errors: list[tuple[int, str]] = []
    good: list[tuple] = []
    for index, item in enumerate(reads):
        parsed = _api_item(item, today)
        if isinstance(parsed, str):
            errors.append((index, parsed))
        else:
            good.append((*parsed, index))
    meters: dict = {}
    _look_up_meters({row[0] for row in good}, meters)
    unknown = check_unknown_meter(ReadFacts(read_on=today, value=Decimal(0), meter_known=False))[0].message
    known = []
    for row in good:
        if meters[row[0]] is None:
            errors.append((row[6], f"meter_serial: {unknown}"))
        else:
            known.append(row)
    errors.sort()
    accepted = exceptions = skipped = 0
    with transaction.atomic():
        _lock_meters([meters[row[0]][0] for row in known])
        new = []
        by_id = Meter.objects.in_bulk([meters[row[0]][0] for row in known]) if known else {}
        if known:
            sort_lines(known)
            bucket_meters, facts = _bucket(known, meters)
            for judged in judge(known, bucket_meters, facts, _rules()):
                if judged is None:
                    skipped += 1
                    continue
                row, meter_id, installation_id, account_id, read_on, value, status, used, problems = judged
                accepted += status == ACCEPTED
                exceptions += status == EXCEPTION
                new.append(
                    Read(
                        meter=by_id[meter_id], installation_id=installation_id, account_id=account_id, read_on=read_on,
                        value=value, kind=ReadKind.ACTUAL, source=row[3], status=status, consumption=used,
                        problems=[{"code": p.code, "message": p.message} for p in problems], reader_code=row[4],
                        note=row[5], created_by=actor,
                    )
                )  # fmt: skip
        for read in Read.objects.bulk_create(new, batch_size=1000):
            audit_record(
                actor=actor, action="read.record", obj=read, after=snapshot(read, READ_FIELDS),
                account_id=read.account_id,
            )  # fmt: skip
    return ReceiveResult(accepted, exceptions, len(errors), skipped, errors)
