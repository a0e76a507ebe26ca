"""Read files: malformed files are refused whole with every error; well-formed files import once."""

import io
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import Workbook

from cistern.core import roles
from cistern.core.models import AuditEvent
from cistern.metering import batch, imports, services
from cistern.metering.batch import AlreadyImported, ImportRefused, reads_import
from cistern.metering.models import Meter, Read, ReadImport, ServicePoint

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "corpus"
HEADER = "meter_serial,read_date,value,source,reader_code,note\n"
_serials = count(1)


@pytest.fixture
def installer(make_user):
    return make_user(roles.SUPERVISOR, username="import_installer")


@pytest.fixture
def clerk(make_user):
    """A CSS II: may import read files."""
    return make_user(roles.CSS_II, username="import_clerk")


@pytest.fixture
def meter_at(installer, premise_factory, start_account):
    """A meter installed on 01/02/2026 at a new service point of `premise` (by default a new premise with an
    account since 01/01/2026 or the installation if earlier; `account=False`: none), through the services."""

    def make(
        premise=None,
        serial=None,
        installed_on=date(2026, 1, 2),
        initial="0",
        dials=6,
        multiplier="1",
        account=True,
    ):
        if premise is None:
            premise = premise_factory()
            if account:
                start_account(premise=premise, start_date=min(installed_on, date(2026, 1, 1)))
        point = ServicePoint.objects.create(premise=premise)
        meter = Meter.objects.create(
            serial=serial or f"IM{next(_serials):06d}",
            size="3/4",
            dials=dials,
            multiplier=Decimal(multiplier),
        )
        services.meter_install(
            actor=installer,
            meter=meter,
            service_point=point,
            installed_on=installed_on,
            initial_value=initial,
        )
        return meter

    return make


@pytest.fixture
def corpus_meters(meter_at):
    """The meters the corpus files name: A-100 (an account since 01/01/2026) and A-101 (no account)."""
    return meter_at(serial="A-100"), meter_at(serial="A-101", account=False)


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def nothing_written():
    return not ReadImport.objects.exists() and not Read.objects.exclude(kind="initial").exists()


# --- the parser alone: plain values, no database --------------------------------------------------------


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2026-03-01", date(2026, 3, 1)),
        ("3/1/2026", date(2026, 3, 1)),
        ("03/01/2026", date(2026, 3, 1)),
        (date(2026, 3, 1), date(2026, 3, 1)),
    ],
)
def test_dates(raw, expected):
    assert imports.parse_date(raw, today=date(2026, 11, 1)) == expected


@pytest.mark.parametrize("raw", ["2026-13-01", "2026-02-30", "20260301", "1/3/26", "March 1", "", "45000"])
def test_bad_dates(raw):
    with pytest.raises(imports.FieldProblem, match="is not a date"):
        imports.parse_date(raw, today=date(2026, 11, 1))


def test_header_names_are_tolerant():
    positions, errors = imports.map_header(
        ["Meter Serial", "READ_DATE", "value", "Source", "Reader code", "note"]
    )
    assert errors == [] and list(positions) == list(imports.COLUMNS)


def test_sources():
    assert [imports.parse_source(s) for s in ["Handheld", "AMR", "drive-by", "AMI", "Manual entry"]] == [
        "handheld", "amr", "amr", "ami", "manual",
    ]  # fmt: skip


# --- malformed files: refused whole, every error as file:line:field -------------------------------------

FUTURE = (timezone.localdate() + timedelta(days=3)).strftime("%Y-%m-%d")

MALFORMED_CSV = {
    # corpus file -> the errors it must produce (line:field)
    "bad_date.csv": ["2:read_date"],
    "bad_us_date.csv": ["3:read_date"],
    "non_numeric_value.csv": ["2:value"],
    "negative_value.csv": ["2:value"],
    "three_decimals.csv": ["2:value"],
    "huge_value.csv": ["2:value"],
    "unknown_column.csv": ["1:colour"],
    "missing_column.csv": ["1:source"],
    "repeated_column.csv": ["1:Value"],
    "unnamed_column.csv": ["1:column 5"],
    "unknown_meter.csv": ["3:meter_serial"],
    "missing_serial.csv": ["2:meter_serial"],
    "missing_value.csv": ["2:value"],
    "bad_source.csv": ["2:source"],
    "estimate_source.csv": ["2:source"],
    "long_reader_code.csv": ["2:reader_code"],
    "too_many_values.csv": ["2:line"],
    "empty.csv": ["1:header"],
    "header_only.csv": ["2:line"],
    "unterminated_quote.csv": ["3:line"],
    "many_errors.csv": ["2:read_date", "2:value", "3:meter_serial", "4:source", "5:value", "6:meter_serial"],
}


def _error_places(exc: ImportRefused, file_name: str) -> list[str]:
    places = []
    for error in exc.errors:
        assert error.startswith(f"{file_name}:"), error
        line, field, _ = error[len(file_name) + 1 :].split(":", 2)
        places.append(f"{line}:{field}")
    return places


@pytest.mark.parametrize("name", sorted(MALFORMED_CSV))
def test_malformed_csv_is_refused_with_every_error(name, clerk, corpus_meters):
    content = (CORPUS / name).read_bytes()
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name=name, content=content)
    assert _error_places(refused.value, name) == MALFORMED_CSV[name]
    assert refused.value.total == len(MALFORMED_CSV[name])
    assert nothing_written()


def test_the_error_says_what_and_where(clerk, corpus_meters):
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name="reads.csv", content=(CORPUS / "bad_date.csv").read_bytes())
    assert refused.value.errors == [
        'reads.csv:2:read_date: "2026-13-01" is not a date (YYYY-MM-DD or MM/DD/YYYY)'
    ]
    assert "Nothing was written" in str(refused.value)


def test_a_future_date_is_refused(clerk, corpus_meters):
    content = f"{HEADER}A-100,{FUTURE},120,handheld,,\n".encode()
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name="future.csv", content=content)
    assert _error_places(refused.value, "future.csv") == ["2:read_date"]
    assert "is in the future" in refused.value.errors[0]
    assert nothing_written()


def test_a_long_note_is_refused(clerk, corpus_meters):
    content = f"{HEADER}A-100,2026-03-02,12,handheld,R7,{'x' * 201}\n".encode()
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name="note.csv", content=content)
    assert refused.value.errors == ["note.csv:2:note: is 201 characters long (at most 200)"]


MALFORMED_XLSX = {
    "xlsx_bad_date.xlsx": (
        [["Meter Serial", "Read Date", "Value", "Source"], ["A-100", "2026-13-01", 12, "handheld"]],
        ["2:read_date"],
    ),
    "xlsx_number_as_date.xlsx": (
        [["meter_serial", "read_date", "value", "source"], ["A-100", 46000, 12, "handheld"]],
        ["2:read_date"],
    ),
    "xlsx_unknown_meter.xlsx": (
        [
            ["meter_serial", "read_date", "value", "source"],
            ["A-100", date(2026, 3, 2), 12, "ami"],
            ["Z-999", date(2026, 3, 2), 12, "ami"],
        ],
        ["3:meter_serial"],
    ),  # fmt: skip
    "xlsx_text_value.xlsx": (
        [["meter_serial", "read_date", "value", "source"], ["A-100", date(2026, 3, 2), "twelve", "ami"]],
        ["2:value"],
    ),
    "xlsx_unknown_column.xlsx": (
        [
            ["meter_serial", "read_date", "value", "source", "Route"],
            ["A-100", date(2026, 3, 2), 12, "ami", 7],
        ],
        ["1:Route"],
    ),
}


@pytest.mark.parametrize("name", sorted(MALFORMED_XLSX))
def test_malformed_xlsx_is_refused(name, clerk, corpus_meters):
    rows, expected = MALFORMED_XLSX[name]
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name=name, content=xlsx(rows))
    assert _error_places(refused.value, name) == expected
    assert nothing_written()


def test_a_damaged_xlsx_is_refused(clerk, corpus_meters):
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name="damaged.xlsx", content=b"PK\x03\x04 not really a workbook")
    assert _error_places(refused.value, "damaged.xlsx") == ["1:file"]
    assert nothing_written()


def test_errors_are_listed_up_to_a_limit_and_counted(clerk, corpus_meters, monkeypatch):
    monkeypatch.setattr(batch, "MAX_ERRORS", 5)
    content = HEADER + "".join(f"A-100,2026-02-{d:02d},x{d},handheld,,\n" for d in range(1, 21))
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name="many.csv", content=content.encode())
    assert refused.value.total == 20 and len(refused.value.errors) == 5
    assert refused.value.errors[0].startswith("many.csv:2:value:")
    assert "20 errors (the first 5 are listed)" in str(refused.value)


def test_unknown_meters_are_found_across_lookup_blocks(clerk, corpus_meters, monkeypatch):
    monkeypatch.setattr(batch, "LOOKUP_ROWS", 3)
    lines = [f"{s},2026-02-{d:02d},{d},handheld,,\n" for d, s in enumerate(["A-100", "NOPE"] * 5, start=1)]
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name="blocks.csv", content=(HEADER + "".join(lines)).encode())
    assert _error_places(refused.value, "blocks.csv") == [f"{n}:meter_serial" for n in (3, 5, 7, 9, 11)]


# --- well-formed files ------------------------------------------------------------------------------------


def test_a_well_formed_file_imports(clerk, meter_at, start_account):
    account = start_account(start_date=date(2026, 1, 1))
    steady = meter_at(premise=account.premise, serial="S-1")
    idle = meter_at(serial="S-2", account=False)
    content = HEADER + (
        "S-1,2026-02-02,10,handheld,R7,\n"
        "S-1,03/02/2026,20,handheld,R7,gate locked\n"
        "S-1,2026-04-02,30,handheld,R7,\n"
        "S-1,2026-05-02,200,handheld,R7,\n"  # 170 units against a typical 10: high
        "S-2,2026-02-02,0,amr,,\n"
        "S-2,2026-03-02,5,AMR drive-by,,\n"  # usage with no account: an exception
    )
    result = reads_import(actor=clerk, file_name="march.csv", content=content.encode())
    assert (result.rows, result.accepted, result.exceptions, result.skipped) == (6, 4, 2, 0)
    read_import = ReadImport.objects.get()
    assert (read_import.rows, read_import.accepted, read_import.exceptions) == (6, 4, 2)
    assert read_import.imported_by == clerk and read_import.file_name == "march.csv"
    reads = {(r.meter.serial, r.read_on): r for r in Read.objects.filter(read_import=read_import)}
    second = reads[("S-1", date(2026, 3, 2))]
    assert (second.status, second.consumption, second.note, second.reader_code) == (
        "accepted", Decimal("10"), "gate locked", "R7",
    )  # fmt: skip
    assert second.account == account and second.installation.meter == steady and second.created_by == clerk
    high = reads[("S-1", date(2026, 5, 2))]
    assert high.status == "exception" and [p["code"] for p in high.problems] == ["high"]
    inactive = reads[("S-2", date(2026, 3, 2))]
    assert inactive.status == "exception" and [p["code"] for p in inactive.problems] == ["usage_inactive"]
    assert inactive.meter == idle and inactive.account is None and inactive.source == "amr"
    event = AuditEvent.objects.get(action="reads.import")
    assert event.actor == clerk and event.object_id == str(read_import.pk)
    assert event.changes["accepted"] == [None, 4] and event.changes["skipped"] == [None, 0]


def test_reimporting_the_same_file_changes_nothing(clerk, meter_at, make_user):
    meter_at(serial="S-1")
    content = f"{HEADER}S-1,2026-02-02,10,handheld,,\n".encode()
    reads_import(actor=clerk, file_name="feb.csv", content=content)
    before = (Read.objects.count(), ReadImport.objects.count(), AuditEvent.objects.count())
    other = make_user(roles.BILLING_ADMIN, username="other_importer")
    with pytest.raises(AlreadyImported) as again:
        reads_import(actor=other, file_name="feb-copy.csv", content=content)
    assert "feb.csv was already imported on" in str(again.value) and "by import_clerk" in str(again.value)
    assert (Read.objects.count(), ReadImport.objects.count(), AuditEvent.objects.count()) == before


def test_identical_reads_are_skipped(clerk, meter_at):
    meter = meter_at(serial="S-1")
    reads_import(actor=clerk, file_name="a.csv", content=f"{HEADER}S-1,2026-02-02,10,handheld,,\n".encode())
    content = HEADER + (
        "S-1,2026-02-02,10.00,handheld,,\n"  # the same read again (another file): skipped
        "S-1,2026-03-02,20,handheld,,\n"
        "S-1,2026-03-02,20,handheld,,\n"  # twice in this file: once
        "S-1,2026-03-02,25,handheld,,\n"  # another value the same day: a duplicate to review
    )
    result = reads_import(actor=clerk, file_name="b.csv", content=content.encode())
    assert (result.accepted, result.exceptions, result.skipped) == (1, 1, 2)
    march = Read.objects.filter(meter=meter, read_on=date(2026, 3, 2)).order_by("id")
    assert [(r.value, r.status) for r in march] == [(Decimal("20"), "accepted"), (Decimal("25"), "exception")]
    assert [p["code"] for p in march[1].problems] == ["duplicate"]


def test_reads_of_a_meter_out_of_order_are_judged_in_date_order(clerk, meter_at):
    meter_at(serial="S-1")
    content = HEADER + (
        "S-1,2026-04-02,30,handheld,,\nS-1,2026-02-02,10,handheld,,\nS-1,2026-03-02,20,handheld,,\n"
    )
    result = reads_import(actor=clerk, file_name="shuffled.csv", content=content.encode())
    assert (result.accepted, result.exceptions) == (3, 0)
    reads = Read.objects.filter(read_import=result.read_import).order_by("read_on")
    assert [r.consumption for r in reads] == [Decimal("10"), Decimal("10"), Decimal("10")]


def test_an_xlsx_file_imports(clerk, meter_at):
    meter_at(serial="X-1")
    meter_at(serial="12345678")
    content = xlsx(
        [
            ["Meter Serial", "Read Date", "Value", "Source", "Reader Code", "Note"],
            ["X-1", date(2026, 2, 2), 10, "handheld", "R7", None],
            ["X-1", "03/02/2026", 19.5, "Handheld", None, "dog in yard"],
            [12345678, date(2026, 2, 2), 3, "ami", None, None],
            [None, None, None, None, None, None],  # Excel's empty rows are not reads
        ]
    )
    result = reads_import(actor=clerk, file_name="reads.xlsx", content=content)
    assert (result.rows, result.accepted, result.exceptions) == (3, 3, 0)
    second = Read.objects.get(meter__serial="X-1", read_on=date(2026, 3, 2))
    assert second.value == Decimal("19.5") and second.consumption == Decimal("9.5")
    assert second.note == "dog in yard"


def test_a_windows_1252_csv_imports(clerk, meter_at):
    meter_at(serial="S-1")
    content = f"{HEADER}S-1,2026-02-02,10,handheld,,Perro bravo en el jardín\n".encode("cp1252")
    reads_import(actor=clerk, file_name="excel.csv", content=content)
    assert Read.objects.get(read_on=date(2026, 2, 2)).note == "Perro bravo en el jardín"


def test_large_files_are_bucketed_and_still_judged_per_meter(clerk, meter_at, monkeypatch):
    """Many buckets (a tiny CHUNK_ROWS): each meter's reads still meet in one bucket, in date order."""
    monkeypatch.setattr(batch, "CHUNK_ROWS", 4)
    for n in range(6):
        meter_at(serial=f"B-{n}")
    lines = [
        f"B-{n},2026-{month:02d}-02,{(month - 1) * 10},handheld,,\n"
        for month in range(2, 8)
        for n in range(6)
    ]
    result = reads_import(actor=clerk, file_name="big.csv", content=(HEADER + "".join(lines)).encode())
    assert (result.rows, result.accepted, result.exceptions) == (36, 36, 0)
    assert set(Read.objects.filter(read_import=result.read_import).values_list("consumption", flat=True)) == {
        Decimal("10")
    }


def test_importing_needs_the_permission(meter_at, css1):
    meter_at(serial="S-1")
    with pytest.raises(PermissionDenied):
        reads_import(
            actor=css1, file_name="x.csv", content=f"{HEADER}S-1,2026-02-02,10,handheld,,\n".encode()
        )
    assert nothing_written()


def test_the_bulk_insert_writes_every_column_of_read():
    columns = {f.column for f in Read._meta.concrete_fields} - {"id"}
    assert set(batch.READ_COLUMNS) == columns and len(batch.READ_COLUMNS) == len(columns)


# --- the command ------------------------------------------------------------------------------------------


def test_the_command_imports_and_reports(clerk, meter_at, tmp_path):
    meter_at(serial="S-1")
    path = tmp_path / "feb.csv"
    path.write_text(f"{HEADER}S-1,2026-02-02,10,handheld,,\nS-1,2026-03-02,20,handheld,,\n")
    out = io.StringIO()
    call_command("import_reads", str(path), "--user", clerk.username, stdout=out)
    assert "2 reads: 2 accepted, 0 exceptions, 0 skipped" in out.getvalue()
    out = io.StringIO()
    call_command("import_reads", str(path), "--user", clerk.username, stdout=out)
    assert "already imported" in out.getvalue()
    assert ReadImport.objects.count() == 1


def test_the_command_lists_every_error(clerk, corpus_meters):
    with pytest.raises(CommandError) as failed:
        call_command("import_reads", str(CORPUS / "many_errors.csv"), "--user", clerk.username)
    message = str(failed.value)
    assert "many_errors.csv:2:read_date:" in message and "many_errors.csv:6:meter_serial:" in message
    assert nothing_written()


def test_the_command_needs_a_user_who_may_import(css1, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text(HEADER)
    with pytest.raises(CommandError, match="no user"):
        call_command("import_reads", str(path), "--user", "nobody-here")
    with pytest.raises(CommandError, match="permission"):
        call_command("import_reads", str(path), "--user", css1.username)


# --- a CSV file in blocks ---------------------------------------------------------------------------------


def _blocks_file(line_end: str = "\n") -> str:
    lines = [HEADER.strip()]
    for month in range(2, 11):
        note = '"gate code 1234\nring twice"' if month == 4 else "plain"  # a note with a line break in it
        lines.append(f"B-1,2026-{month:02d}-02,{(month - 1) * 10},handheld,R7,{note}")
    return line_end.join(lines) + line_end


@pytest.mark.parametrize("line_end", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr-only"])
def test_csv_blocks_end_at_records_and_keep_line_numbers(line_end):
    content = _blocks_file(line_end).encode()
    blocks = list(imports.csv_blocks(io.BytesIO(content), block_bytes=40))
    assert b"".join(data for _, data in blocks) == content and len(blocks) > 3
    for _, data in blocks:
        assert data.endswith(line_end.encode()) and data.count(b'"') % 2 == 0  # whole records only
    # The reads and the line of each, block by block, are what the whole file parsed at once gives.
    positions, _, first = imports.parse_first_block(blocks[0], date(2026, 11, 26), "utf-8")
    parsed = list(first.rows)
    for line, data in blocks[1:]:
        parsed += imports.parse_block(line, data, positions, date(2026, 11, 26), "utf-8").rows
    whole = [
        (p.meter_serial, p.read_on.toordinal(), str(p.value), p.source, p.reader_code, p.note, p.line)
        for p in imports.parse(io.BytesIO(content), file_name="b.csv", today=date(2026, 11, 26))
    ]
    assert parsed == whole and len(whole) == 9
    assert whole[2][5] == "gate code 1234\nring twice" and whole[3][6] == 6  # lines 4 and 5 hold one read


def test_errors_in_later_blocks_name_their_line(clerk, meter_at, monkeypatch):
    monkeypatch.setattr(imports, "BLOCK_BYTES", 64)
    meter_at(serial="B-1")
    content = _blocks_file().replace("2026-09-02", "2026-09-31").encode()  # line 10 (line 5 holds two)
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name="blocks.csv", content=content)
    assert refused.value.errors == [
        'blocks.csv:10:read_date: "2026-09-31" is not a date (YYYY-MM-DD or MM/DD/YYYY)'
    ]
    assert nothing_written()
    result = reads_import(actor=clerk, file_name="blocks.csv", content=_blocks_file().encode())
    assert (result.rows, result.accepted) == (9, 9)
    assert Read.objects.get(read_on=date(2026, 4, 2)).note == "gate code 1234\nring twice"
