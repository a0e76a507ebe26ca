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
import tempfile
from dataclasses import dataclass
from datetime import UTC, date
from decimal import Decimal
from math import ceil
from typing import BinaryIO

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from cistern.core.audit import audit_record, snapshot
from cistern.core.permissions import require
from cistern.customers.models import Account, AccountStatus

from . import imports, selectors
from .models import Meter, MeterInstallation, Read, ReadImport, ReadKind, ReadStatus
from .reading import PriorRead, ReadFacts, Register, check_unknown_meter, clean_usage, validate
from .services import READ_FIELDS, MeteringError

CHUNK_ROWS = 20_000  # lines judged and inserted together (one bucket of meters)
LOOKUP_ROWS = 5_000  # lines between serial look-ups while parsing
MAX_ERRORS = 1_000  # errors listed; the rest are counted
MAX_API_READS = 10_000  # reads per API request
HISTORY = 16  # accepted reads per installation that validation looks at (as selectors.read_facts)
CENT = Decimal("0.01")
ACTIVE = (AccountStatus.ACTIVE, AccountStatus.PENDING)
INITIAL = ReadKind.INITIAL.value
ACCEPTED, EXCEPTION, REJECTED = (
    ReadStatus.ACCEPTED.value,
    ReadStatus.EXCEPTION.value,
    ReadStatus.REJECTED.value,
)

# The columns the bulk insert writes, in order; test_import checks them against the model.
READ_COLUMNS = [
    "meter_id", "installation_id", "account_id", "read_on", "value", "kind", "source", "status", "consumption",
    "problems", "reader_code", "note", "read_import_id", "reviewed_by_id", "reviewed_at", "created_by_id",
    "created_at",
]  # fmt: skip


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


def _in_batches(values: list, size: int | None = None):
    size = size or (900 if connection.vendor == "sqlite" else 20_000)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _look_up_meters(serials, meters: dict) -> None:
    """Fill meters[serial] with (id, Register) or None for each serial (an unknown meter)."""
    serials = [s for s in serials if s not in meters]
    for batch in _in_batches(serials):
        for serial, pk, dials, multiplier in Meter.objects.filter(serial__in=batch).values_list(
            "serial", "pk", "dials", "multiplier"
        ):
            meters[serial] = (pk, Register(dials=dials, multiplier=multiplier))
    for serial in serials:
        meters.setdefault(serial, None)


def _first_pass(stream, *, file_name, encoding, today, spill) -> tuple[dict, int, list, int]:
    """Parse every line, spill the good ones, look up every serial. (meters, rows, errors kept, error count)."""
    meters: dict[str, tuple | None] = {}
    errors: list[imports.FieldError] = []
    block_errors: list[imports.FieldError] = []
    pending: list[tuple[int, str]] = []  # (line, serial) not yet looked up
    rows = total = 0

    def settle():
        nonlocal total
        _look_up_meters({serial for _, serial in pending}, meters)
        block_errors.extend(
            imports.FieldError(line, "meter_serial", f'no meter with serial "{serial}"')
            for line, serial in pending
            if meters[serial] is None
        )
        block_errors.sort()
        total += len(block_errors)
        errors.extend(block_errors[: max(0, MAX_ERRORS - len(errors))])
        block_errors.clear()
        pending.clear()

    parsed_read, spill_add = imports.ParsedRead, spill.add
    for item in imports.parse(stream, file_name=file_name, today=today, encoding=encoding):
        kind = type(item)
        if kind is parsed_read:  # the usual line, first
            rows += 1
            line, serial, read_on, value, source, reader_code, note = item
            known = meters.get(serial, False)
            if known is False:
                pending.append((line, serial))
                if len(pending) >= LOOKUP_ROWS:
                    settle()
            elif known is None:
                block_errors.append(
                    imports.FieldError(line, "meter_serial", f'no meter with serial "{serial}"')
                )
            if not total and not block_errors:
                spill_add((serial, read_on.toordinal(), str(value), source, reader_code, note, line))
            continue
        if kind is imports.FieldError:
            block_errors.append(item)
        elif item.meter_serial not in meters:  # a SerialSeen
            pending.append(item)
        elif meters[item.meter_serial] is None:
            block_errors.append(
                imports.FieldError(item.line, "meter_serial", f'no meter with serial "{item.meter_serial}"')
            )
        if len(pending) >= LOOKUP_ROWS or len(block_errors) >= LOOKUP_ROWS:
            settle()
    settle()
    if rows == 0 and not total:
        total = 1
        errors.append(imports.FieldError(2, "line", "the file has a header but no reads"))
    return meters, rows, errors, total


# --- the facts of a bucket of meters, loaded set-wise ------------------------------------------------------


class _Facts:
    """What selectors.read_facts() gathers for one read, for all the meters of a bucket and their dates."""

    def __init__(self, meter_ids: list[int], first: date, last: date):
        self.installations: dict[
            int, list[tuple]
        ] = {}  # meter -> (id, installed_on, removed_on, initial, premise)
        installation_rows = []
        for batch in _in_batches(meter_ids):
            installation_rows += (
                MeterInstallation.objects.filter(meter_id__in=batch, installed_on__lte=last)
                .exclude(removed_on__lt=first)
                .values_list("id", "meter_id", "installed_on", "removed_on", "initial_value",
                             "service_point__premise_id")
            )  # fmt: skip
        # Newest installation first, as installation_on() orders them.
        installation_rows.sort(key=lambda r: (r[2], r[0]), reverse=True)
        for pk, meter_id, installed_on, removed_on, initial, premise_id in installation_rows:
            self.installations.setdefault(meter_id, []).append(
                (pk, installed_on, removed_on, initial, premise_id)
            )
        # The 16 newest accepted reads of each installation (accepted_reads()), newest first.
        self.history: dict[int, list[tuple]] = {}
        installation_ids = [r[0] for r in installation_rows]
        for batch in _in_batches(installation_ids):
            newest = (
                Read.objects.filter(installation_id__in=batch, status=ACCEPTED)
                .annotate(rank=Window(RowNumber(), partition_by=[F("installation_id")], order_by=F("read_on").desc()))
                .filter(rank__lte=HISTORY)
                .values_list("installation_id", "read_on", "value", "consumption", "kind")
            )  # fmt: skip
            for installation_id, read_on, value, used, kind in newest:
                # The usage of a period: an initial read's 0 at install is none (as read_facts).
                period = used if kind != INITIAL else None
                self.history.setdefault(installation_id, []).append(
                    (read_on.toordinal(), read_on, value, period)
                )
        for reads in self.history.values():
            reads.sort(key=lambda r: r[0], reverse=True)
        # Every stored read of these meters on the file's dates: duplicates and identical reads.
        self.same_day: dict[tuple[int, int], list[tuple]] = {}
        for batch in _in_batches(meter_ids):
            stored = (
                Read.objects.filter(meter_id__in=batch, read_on__gte=first, read_on__lte=last)
                .order_by("-id")
                .values_list("meter_id", "read_on", "value", "status")
            )
            for meter_id, read_on, value, status in stored:
                self.same_day.setdefault((meter_id, read_on.toordinal()), []).append((value, status))
        # Accounts at the premises on those dates (account_at()), latest start first.
        self.accounts: dict[int, list[tuple]] = {}
        premise_ids = list({r[5] for r in installation_rows})
        account_rows = []
        for batch in _in_batches(premise_ids):
            account_rows += (
                Account.objects.filter(premise_id__in=batch, start_date__lte=last)
                .exclude(end_date__lt=first)
                .values_list("id", "premise_id", "start_date", "end_date", "status")
            )
        account_rows.sort(key=lambda r: (r[2], r[0]), reverse=True)
        for pk, premise_id, start, end, status in account_rows:
            self.accounts.setdefault(premise_id, []).append((pk, start, end, status in ACTIVE))


def _lock_meters(meter_ids: list[int]) -> None:
    """On PostgreSQL, lock the meters in id order, as read_record locks its one meter (SQLite: the
    transaction is IMMEDIATE and holds the database's write lock already)."""
    if connection.vendor == "postgresql" and meter_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM metering_meter WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [sorted(meter_ids)]
            )


def _judge(rows: list[tuple], meters: dict, common: dict):
    """Yield (row, meter_id, installation_id, account_id, status, consumption, problems) for each read of the
    bucket that is not identical to a stored one, meter by meter in date order. `rows` are spilled lines:
    (serial, date ordinal, value, source, reader_code, note, line or index); `yield None` marks a skip."""
    rows.sort(key=lambda r: (r[0], r[1], r[6]))
    meter_ids = list({meters[r[0]][0] for r in rows})
    first, last = min(r[1] for r in rows), max(r[1] for r in rows)
    facts = _Facts(meter_ids, date.fromordinal(first), date.fromordinal(last))
    installations, history, same_day, accounts = (
        facts.installations,
        facts.history,
        facts.same_day,
        facts.accounts,
    )
    none: list = []
    cent, from_ordinal, accepted = CENT, date.fromordinal, ACCEPTED
    for row in rows:
        meter_id, register = meters[row[0]]
        ordinal = row[1]
        value = Decimal(row[2])
        key = (meter_id, ordinal)
        stored = same_day.get(key)
        same_day_values = ()
        if stored is not None:
            if any(v == value for v, _ in stored):
                yield None
                continue
            same_day_values = tuple(v for v, s in stored if s != REJECTED)
        read_on = from_ordinal(ordinal)
        installation = None
        for candidate in installations.get(meter_id, none):
            if candidate[1] <= read_on and (candidate[2] is None or candidate[2] >= read_on):
                installation = candidate
                break
        if installation is None:
            verdict = validate(
                ReadFacts(
                    read_on=read_on, value=value, meter_known=True, register=register, installed=False,
                    same_day_values=same_day_values, **common,
                )
            )  # fmt: skip
            installation_id = account_id = None
        else:
            installation_id, installed_on, _, initial, premise_id = installation
            reads = history.get(installation_id)
            if reads is None:
                reads = history[installation_id] = []
            # As selectors.read_facts: the last accepted read, whatever its date. `reads` are (ordinal, date,
            # value, usage of its period or None), newest first.
            prior = PriorRead(reads[0][1], reads[0][2]) if reads else PriorRead(installed_on, initial)
            recent = []
            last_year = None
            year_ago = ordinal - 365
            for r in reads:
                period = r[3]
                if period is None:
                    continue
                if r[0] < ordinal and len(recent) < 3:
                    recent.append(period)
                if last_year is None and -15 <= r[0] - year_ago <= 15:
                    last_year = period
            account_id = account_active = None
            for pk, start, end, active in accounts.get(premise_id, none):
                if start <= read_on and (end is None or end >= read_on):
                    account_id, account_active = pk, active
                    break
            recent = tuple(recent)
            used = None
            if account_active and not same_day_values:
                used = clean_usage(read_on, value, register, prior, recent, last_year, **common)
            if used is not None:
                status, problems = accepted, ()
            else:
                verdict = validate(
                    ReadFacts(
                        read_on=read_on, value=value, meter_known=True, register=register, previous=prior,
                        same_day_values=same_day_values, account_active=account_active, recent_usage=recent,
                        usage_last_year=last_year, **common,
                    )
                )  # fmt: skip
                used, status, problems = verdict.consumption, verdict.status, verdict.problems
        if installation is None:
            used, status, problems = verdict.consumption, verdict.status, verdict.problems
        # `used` is in hundredths already (reading.consumption), as the column stores it on both databases.
        value = value.quantize(cent)  # as stored: the next reads see it as read_record would read it back
        same_day[key] = [(value, status)] if stored is None else [(value, status), *stored]
        if status == accepted and installation_id is not None:
            if not reads or ordinal >= reads[0][0]:  # the usual case: reads of a meter come in date order
                reads.insert(0, (ordinal, read_on, value, used))
            else:
                reads.append((ordinal, read_on, value, used))
                reads.sort(key=lambda r: r[0], reverse=True)
            del reads[HISTORY:]
        yield row, meter_id, installation_id, account_id, read_on, value, status, used, problems


def _common_facts() -> dict:
    rules = selectors.read_rules()
    return {
        "high_percent": rules.high_percent, "low_percent": rules.low_percent,
        "minimum_typical_units": rules.minimum_typical_units, "rollover_window_percent": rules.rollover_window_percent,
    }  # fmt: skip


def _problems_json(problems) -> str:
    return json.dumps([{"code": p.code, "message": p.message} for p in problems])


class _Writer:
    """Reads straight into the table: COPY on PostgreSQL, executemany on SQLite (as the demo loader)."""

    def __init__(self):
        self.raw = connection.connection
        self.postgres = connection.vendor == "postgresql"
        self.table = Read._meta.db_table

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        columns = ", ".join(READ_COLUMNS)
        if self.postgres:
            with (
                self.raw.cursor() as cursor,
                cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {self.table} ({columns}) VALUES ({', '.join('?' * len(READ_COLUMNS))})"  # noqa: S608
            self.raw.executemany(sql, rows)


# --- the services ----------------------------------------------------------------------------------------


def reads_import(*, actor, file_name: str, content) -> ImportResult:
    """Import a read file (CSV or XLSX; `content` is bytes or a binary file). All or nothing: a file with any
    malformed line raises ImportRefused listing every error; the same file twice raises AlreadyImported."""
    require(actor, "metering.import_reads")
    file_name = file_name.replace("\\", "/").rsplit("/", 1)[-1][:200]
    stream = _as_stream(content)
    sha256, encoding, size = _digest(stream)
    earlier = ReadImport.objects.select_related("imported_by").filter(sha256=sha256).first()
    if earlier is not None:
        raise AlreadyImported(earlier)
    per_bucket = CHUNK_ROWS * (8 if imports.is_xlsx(file_name, stream.read(4)) else 32)  # bytes per line
    stream.seek(0)
    with tempfile.TemporaryFile(prefix="cistern-reads-") as spill_file:
        spill = _Spill(max(1, ceil(size / per_bucket)), spill_file)
        meters, rows, errors, total = _first_pass(
            stream, file_name=file_name, encoding=encoding, today=timezone.localdate(), spill=spill
        )
        if total:
            raise ImportRefused(file_name, [e.format(file_name) for e in errors], total)
        try:
            return _store_file(actor, file_name, sha256, rows, meters, spill)
        except IntegrityError:
            earlier = ReadImport.objects.select_related("imported_by").filter(sha256=sha256).first()
            if earlier is not None:  # the same file, imported by someone else a moment ago
                raise AlreadyImported(earlier) from None
            raise


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


def _store_file(actor, file_name, sha256, rows, meters, spill) -> ImportResult:
    sqlite = connection.vendor == "sqlite"
    accepted = exceptions = skipped = 0
    with transaction.atomic():
        import_id = _next_import_id()
        _lock_meters([m[0] for m in meters.values()])
        common = _common_facts()
        writer = _Writer()
        now = timezone.now()
        created_at = now.astimezone(UTC).replace(tzinfo=None).isoformat(" ") if sqlite else now
        actual = ReadKind.ACTUAL.value
        for bucket in range(spill.buckets):
            lines = spill.bucket(bucket)
            if not lines:
                continue
            out = []
            for judged in _judge(lines, meters, common):
                if judged is None:
                    skipped += 1
                    continue
                row, meter_id, installation_id, account_id, read_on, value, status, used, problems = judged
                if status == ACCEPTED:
                    accepted += 1
                else:
                    exceptions += 1
                if sqlite:
                    read_on, value = read_on.isoformat(), row[2]
                    used = None if used is None else str(used)
                out.append(
                    (meter_id, installation_id, account_id, read_on, value, actual, row[3], status, used,
                     _problems_json(problems) if problems else "[]", row[4], row[5], import_id, None, None,
                     actor.pk, created_at)
                )  # fmt: skip
            writer.write(out)
            del out, lines
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
    today = timezone.localdate()
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
            for judged in _judge(known, meters, _common_facts()):
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
