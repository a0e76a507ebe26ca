"""Big input: read files have caps (settings: CISTERN_UPLOAD_MAX_BYTES, CISTERN_UPLOAD_MAX_ROWS,
CISTERN_XLSX_MAX_INFLATED), applied on the page, by `manage.py import_reads` and by the service under both.

Problem seen: a 287 KB XLSX with 2,000,000 rows held a request for 108 s and 1.5 GB. A workbook is refused
before it inflates past 200 MB (its zip directory says what its parts inflate to, and openpyxl never opens
it), its rows are counted while read (a workbook whose headers lie stops at the row cap, or fails its CRC), and
the error listing stops after the first 1,000 while every error is counted."""

import io
import struct
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from cistern.metering import batch
from cistern.metering.batch import ImportRefused, reads_import
from cistern.metering.models import Read, ReadImport

from . import test_import

pytestmark = pytest.mark.django_db
clerk, installer, meter_at = test_import.clerk, test_import.installer, test_import.meter_at  # the fixtures
HEADER = test_import.HEADER


def nothing_written():
    return not ReadImport.objects.exists() and not Read.objects.filter(read_import__isnull=False).exists()


def _good_lines(serial: str, n: int) -> str:
    return "".join(f"{serial},2026-02-{d:02d},{d},handheld,,\n" for d in range(1, n + 1))


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["meter_serial", "read_date", "value", "source"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _declare_size(data: bytes, member: str, size: int) -> bytes:
    """The workbook with `member`'s uncompressed size in the zip's central directory replaced by `size`: a
    small file that says it inflates to `size` bytes (or lies small)."""
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == name:
            return data[: at + 24] + struct.pack("<I", size) + data[at + 28 :]
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"no {member} in the workbook")


def test_a_workbook_that_declares_250_mb_is_refused_before_it_is_opened(clerk, meter_at, monkeypatch):
    """A small file (a few KB) whose sheet declares 250 MB uncompressed: refused from its zip directory alone
    (openpyxl is never called, nothing is inflated) and nothing is written."""
    meter_at(serial="X-1")
    hostile = _declare_size(
        _xlsx([["X-1", "2026-02-02", 10, "handheld"]]), "xl/worksheets/sheet1.xml", 250 * 2**20
    )
    assert len(hostile) < 10_000
    with zipfile.ZipFile(io.BytesIO(hostile)) as archive:
        assert sum(i.file_size for i in archive.infolist()) > 200 * 2**20

    def never(*args, **kwargs):
        raise AssertionError("openpyxl opened a workbook past the inflation cap")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name="big.xlsx", content=hostile)
    (error,) = refused.value.errors
    assert error.startswith("big.xlsx:1:file: the workbook inflates to 250 MB; at most 200 MB is read")
    assert nothing_written()


def test_a_workbook_that_lies_small_fails_its_check_and_writes_nothing(clerk, meter_at):
    """A sheet that declares 100 bytes but holds more: zipfile stops at the declared size, the CRC fails."""
    meter_at(serial="X-1")
    rows = [["X-1", f"2026-02-{d:02d}", d, "handheld"] for d in range(1, 20)]
    liar = _declare_size(_xlsx(rows), "xl/worksheets/sheet1.xml", 100)
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name="liar.xlsx", content=liar)
    assert refused.value.errors[0].startswith("liar.xlsx:1:file: not a readable XLSX workbook")
    assert nothing_written()


def test_workbook_rows_are_counted_while_read(clerk, meter_at, settings):
    """Rows past CISTERN_UPLOAD_MAX_ROWS stop the reading there: the file is refused, whatever it declares."""
    settings.CISTERN_UPLOAD_MAX_ROWS = 3
    meter_at(serial="X-1")
    rows = [["X-1", f"2026-02-{d:02d}", d, "handheld"] for d in range(1, 6)]
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name="rows.xlsx", content=_xlsx(rows))
    assert refused.value.errors == ["rows.xlsx:5:file: has more than 3 reads; split the file"]
    assert nothing_written()
    settings.CISTERN_UPLOAD_MAX_ROWS = 5
    reads_import(actor=clerk, file_name="rows.xlsx", content=_xlsx(rows))
    assert Read.objects.filter(read_import__isnull=False).count() == 5


def test_a_csv_past_the_row_cap_is_refused(clerk, meter_at, settings):
    settings.CISTERN_UPLOAD_MAX_ROWS = 3
    meter_at(serial="X-1")
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name="rows.csv", content=(HEADER + _good_lines("X-1", 5)).encode())
    assert refused.value.errors[-1].endswith("file: has more than 3 reads; split the file")
    assert nothing_written()


def test_a_file_past_the_byte_cap_is_refused_unread(clerk, meter_at, settings, tmp_path):
    """The service (so the page and the command too) refuses a file past CISTERN_UPLOAD_MAX_BYTES."""
    settings.CISTERN_UPLOAD_MAX_BYTES = 100
    meter_at(serial="X-1")
    content = (HEADER + _good_lines("X-1", 9)).encode()
    assert len(content) > 100
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name="big.csv", content=content)
    assert refused.value.errors[0].startswith("big.csv:1:file: is 0.0 MB; files up to 0 MB are read")
    path = tmp_path / "big.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="big.csv:1:file:"):
        call_command("import_reads", str(path), "--user", clerk.username)
    assert nothing_written()


def test_the_page_refuses_a_file_past_the_cap(client, clerk, meter_at, settings):
    settings.CISTERN_UPLOAD_MAX_BYTES = 100
    meter_at(serial="X-1")
    client.force_login(clerk)
    upload = SimpleUploadedFile("big.csv", (HEADER + _good_lines("X-1", 9)).encode())
    response = client.post("/meters/imports/", {"file": upload})
    assert response.status_code == 200
    assert "big.csv is 0.0 MB; files up to 0 MB are read" in response.content.decode()
    assert nothing_written()


def test_a_request_body_past_the_cap_is_refused_before_it_is_read(client, clerk, settings):
    """Django writes an upload of any size to disk before the view looks; the body is refused first (400)."""
    settings.CISTERN_UPLOAD_MAX_BYTES = 1000
    client.force_login(clerk)
    upload = SimpleUploadedFile("huge.csv", HEADER.encode() + b"x" * (1024 * 1024 + 2000))
    response = client.post("/meters/imports/", {"file": upload})
    assert response.status_code == 400
    assert "files up to 0 MB are accepted" in response.content.decode()
    assert nothing_written()


def test_the_error_listing_stops_after_the_first_1000_and_counts_them_all(clerk, meter_at, client):
    meter_at(serial="X-1")
    content = HEADER + "".join(f"X-1,2026-02-02,bad{n},handheld,,\n" for n in range(1, 1201))
    with pytest.raises(ImportRefused) as refused:
        reads_import(actor=clerk, file_name="bad.csv", content=content.encode())
    assert batch.MAX_ERRORS == 1_000
    assert refused.value.total == 1200 and len(refused.value.errors) == 1000
    assert "1,200 errors (the first 1,000 are listed)" in str(refused.value)
    client.force_login(clerk)
    page = client.post("/meters/imports/", {"file": SimpleUploadedFile("bad.csv", content.encode())})
    text = page.content.decode()
    assert text.count("<li><code>bad.csv:") == 1000 and "1,200 errors in all" in text
    assert nothing_written()
