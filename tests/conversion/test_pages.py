"""The conversion pages: who sees the runs and the form; a ZIP of the conversion folder unpacked (at its root or in
one folder inside, non-CSV members left out and listed, a member outside the folder refusing the upload, the
inflated size capped) and converted; the run page's errors, warnings and reconciliation; its workbook; bad values
answer 400 naming the field; a database that holds accounts refuses the form."""

import html
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cistern.conversion.forms import FolderRefused, extract_folder
from cistern.conversion.loadformat import TRIAL_BALANCE_FIGURES
from cistern.conversion.models import ConversionRun
from cistern.core import clock, roles
from cistern.customers.models import Account
from cistern.demo.config import load_config

pytestmark = pytest.mark.django_db

GOOD = Path(__file__).parent / "fixtures" / "good"
AS_OF = "2026-11-30"
AS_OF_DAY = date(2026, 11, 30)


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def _good(prefix: str = "", **changes: bytes) -> dict[str, bytes]:
    files = {f"{prefix}{p.name}": p.read_bytes() for p in sorted(GOOD.glob("*.csv"))}
    files.update({f"{prefix}{name}": data for name, data in changes.items()})
    return files


def _upload(data: bytes, name: str = "district.zip"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, "application/zip")


def _post(client, data: bytes, **fields):
    form = {"folder": _upload(data), "as_of": AS_OF, "dry_run": "on", **fields}
    return client.post("/conversion/", form)


@pytest.fixture
def billing(client, make_user):
    client.force_login(make_user(roles.BILLING_ADMIN, username="billing"))
    return client


@pytest.fixture
def district(db):
    """The demo district's configuration, no customers: what a conversion loads into."""
    with clock.on(AS_OF_DAY):
        return load_config(AS_OF_DAY)


def _run(user, **fields) -> ConversionRun:
    values = {
        "by": user, "folder": "district.zip", "as_of": date(2026, 11, 30), "dry_run": True, "outcome": "dry_run",
        "report": {"as_of": AS_OF, "files": [], "totals": [], "differences": []},
    }  # fmt: skip
    return ConversionRun.objects.create(**{**values, **fields})


# --- who sees what ---------------------------------------------------------------------------------------------


def test_a_css_i_may_not_open_the_page(client, make_user):
    client.force_login(make_user(roles.CSS_I))
    assert client.get("/conversion/").status_code == 403
    assert 'href="/conversion/"' not in client.get("/").content.decode()


def test_the_billing_admin_sees_the_form_and_the_menu_link(billing):
    page = billing.get("/conversion/").content.decode()
    assert 'name="folder"' in page and 'type="file"' in page
    assert re.search(r'<input type="checkbox" name="dry_run"[^>]*checked', page)
    for figure, label in TRIAL_BALANCE_FIGURES.items():
        assert f'name="legacy_{figure}"' in page and label in page
    assert 'href="/conversion/">Conversion</a>' in page
    assert 'href="/conversion/parallel/">Parallel bills</a>' in page


def test_the_auditor_sees_the_runs_but_no_form_and_may_not_post(client, make_user):
    admin = make_user(roles.BILLING_ADMIN)
    _run(admin, folder="first-try.zip", outcome="refused", error_count=3)
    auditor = make_user(roles.AUDITOR)
    client.force_login(auditor)
    page = client.get("/conversion/").content.decode()
    assert "first-try.zip" in page and "Refused (errors)" in page and "11/30/2026" in page
    assert 'name="folder"' not in page
    assert _post(client, _zip(_good())).status_code == 403
    assert ConversionRun.objects.count() == 1


# --- the upload ----------------------------------------------------------------------------------------------------


def _cells(page: str, table: str) -> dict[str, list[str]]:
    """A table's body rows by their row header: the cells' text."""
    body = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', page, re.S).group(1)
    rows = re.findall(r'<tr[^>]*><th scope="row">(.*?)</th>(.*?)</tr>', body, re.S)
    return {head: [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
            for head, cells in rows}  # fmt: skip


def _convert(client, data: bytes, **fields):
    with clock.on(AS_OF_DAY):
        return _post(client, data, **fields)


def test_a_dry_run_of_the_zipped_folder_shows_its_reconciliation(district, billing):
    response = _convert(
        billing, _zip(_good("district/", **{"README.txt": b"notes"})),
        legacy_receivable_total="2706.98", legacy_meters="14",
    )  # fmt: skip
    run = ConversionRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/conversion/{run.pk}/"
    assert (run.outcome, run.folder, run.as_of, run.dry_run) == ("dry_run", "district.zip", AS_OF_DAY, True)
    assert run.legacy_totals == {"receivable_total": "2706.98", "meters": "14"}
    assert not Account.objects.exists()  # a dry run writes nothing but its run
    page = billing.get(response["Location"]).content.decode()
    assert "district/README.txt" in page  # left out of the ZIP, and listed
    assert "Dry run: nothing written" in page
    files = _cells(page, "files")
    assert files["accounts.csv"] == ["13", "13", "0", "none"]
    assert files["reads.csv"] == ["170", "170", "0", "none"]
    assert files["bills.csv"] == ["144", "144", "0", "none"]
    totals = _cells(page, "totals")
    assert totals["Receivable, total"] == ["2706.98", "2706.98", "2706.98", "", "Agrees"]
    assert totals["Meters"] == ["14", "13", "13", "-1", "Differs"]
    assert totals["Deposits held"] == ["not given", "600.00", "600.00", "", "Not compared"]
    assert "<li>Meters: legacy 14, in files 13, loaded 13</li>" in page
    assert "meters.csv:" in page and "BD-1040009" in page  # the fixture's one warning


def test_unticked_the_folder_is_converted(district, billing):
    with clock.on(AS_OF_DAY):
        response = billing.post("/conversion/", {"folder": _upload(_zip(_good())), "as_of": AS_OF})
    run = ConversionRun.objects.get()
    assert response.status_code == 302 and run.outcome == "converted" and run.dry_run is False
    assert run.legacy_totals["receivable_total"] == "2706.98"  # the folder's trial_balance.csv
    assert Account.objects.count() == 13
    page = billing.get("/conversion/").content.decode()
    assert "The database already holds accounts" in page


def test_a_folder_with_a_broken_file_is_refused_with_its_error(district, billing):
    meters = (GOOD / "meters.csv").read_text().replace("BD-1040002,3/4,", "BD-1040002,7/8,")
    response = _convert(billing, _zip(_good(**{"meters.csv": meters.encode()})))
    run = ConversionRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/conversion/{run.pk}/"
    assert run.outcome == "refused" and run.error_count == 1
    page = html.unescape(billing.get(response["Location"]).content.decode())
    assert "Refused (errors)" in page and "a refused folder is not reconciled" in page
    assert (
        '<code>meters.csv:3:size: unknown size "7/8" (one of: 5/8, 3/4, 1, 1 1/2, 2, 3, 4, 6, 8, 10)</code>'
        in page
    )
    assert not Account.objects.exists()


def test_a_member_outside_the_folder_refuses_the_upload(billing):
    response = _post(billing, _zip(_good(**{"../evil.csv": b"figure,amount\n"})))
    page = response.content.decode()
    assert response.status_code == 400
    assert "folder: &#x27;../evil.csv&#x27; would unpack outside the folder" in page
    assert not ConversionRun.objects.exists()


def test_an_upload_over_the_cap_answers_400_naming_the_field(billing, settings):
    settings.CISTERN_UPLOAD_MAX_BYTES = 4096
    data = _zip(_good())
    assert len(data) > 4096
    response = _post(billing, data)
    assert response.status_code == 400
    assert re.search(
        r"folder: district\.zip is [\d.]+ MB; files up to 0 MB are read", response.content.decode()
    )
    assert not ConversionRun.objects.exists()


def test_files_that_inflate_past_the_cap_are_refused(billing, settings):
    settings.CISTERN_XLSX_MAX_INFLATED = 10_000
    response = _post(billing, _zip(_good(**{"reads.csv": b"x" * 20_000})))
    assert response.status_code == 400
    assert "folder: The ZIP&#x27;s files unpack to" in response.content.decode()
    assert not ConversionRun.objects.exists()


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"as_of": "2026-02-30"}, "as_of: Enter a valid date."),
        ({"as_of": ""}, "as_of: This field is required."),
        ({"legacy_receivable_total": "12,34x"}, "legacy_receivable_total: Enter a number."),
        ({"legacy_meters": "1.5"}, "legacy_meters: Enter a whole number."),
    ],
)
def test_a_bad_value_answers_400_naming_the_field(billing, fields, named):
    response = _post(billing, _zip(_good()), **fields)
    assert response.status_code == 400
    assert named in response.content.decode()
    assert not ConversionRun.objects.exists()


def test_a_file_that_is_not_a_zip_answers_400(billing):
    response = _post(billing, b"legacy_account_number\n10001\n")
    assert response.status_code == 400
    assert "folder: The file is not a ZIP file." in response.content.decode()


def test_a_database_that_holds_accounts_refuses_the_form(billing, start_account):
    start_account()
    page = billing.get("/conversion/").content.decode()
    assert "The database already holds accounts" in page
    response = _post(billing, _zip(_good()))
    assert response.status_code == 400
    assert (
        "The database already holds accounts: a conversion loads an empty district"
        in response.content.decode()
    )
    assert not ConversionRun.objects.exists()


# --- the ZIP, plainly ----------------------------------------------------------------------------------------------


def test_files_at_the_root_are_taken_and_deeper_ones_ignored(tmp_path):
    data = _zip({"customers.csv": b"a\n", "old/customers.csv": b"b\n", "__MACOSX/._customers.csv": b"",
                 "logo.png": b"\x89PNG"})  # fmt: skip
    extracted = extract_folder(io.BytesIO(data), tmp_path, max_inflated=1000)
    assert extracted.files == ["customers.csv"]
    assert extracted.ignored == ["__MACOSX/._customers.csv", "logo.png", "old/customers.csv"]
    assert (tmp_path / "customers.csv").read_bytes() == b"a\n"


@pytest.mark.parametrize("name", ["/etc/cron.csv", "a/../../x.csv", "C:/x.csv", "a\\..\\x.csv"])
def test_members_outside_the_folder_are_refused(tmp_path, name):
    with pytest.raises(FolderRefused, match="would unpack outside the folder"):
        extract_folder(io.BytesIO(_zip({"customers.csv": b"a\n", name: b"x"})), tmp_path, max_inflated=1000)
    assert list(tmp_path.iterdir()) == []


def test_a_zip_without_csv_files_is_refused(tmp_path):
    with pytest.raises(FolderRefused, match="no CSV files"):
        extract_folder(io.BytesIO(_zip({"notes.txt": b"x"})), tmp_path, max_inflated=1000)


# --- the run page and its workbook -------------------------------------------------------------------------------

REPORT = {
    "as_of": AS_OF,
    "files": [
        {"file": "accounts.csv", "read": 13, "loaded": 13, "refused": 0, "ignored_columns": ["route_code"]},
        {"file": "meters.csv", "read": 13, "loaded": 12, "refused": 1, "ignored_columns": []},
    ],
    "totals": [
        {"figure": "receivable_total", "label": "Receivable, total", "legacy": "2706.98", "in_files": "2706.98",
         "loaded": "2706.98", "difference": "0.00"},
        {"figure": "meters", "label": "Meters", "legacy": "14", "in_files": "13", "loaded": "12",
         "difference": "-2"},
        {"figure": "deposits_held", "label": "Deposits held", "legacy": None, "in_files": "600.00",
         "loaded": "600.00", "difference": None},
    ],
    "differences": ["Meters: the legacy trial balance says 14, the files hold 13, 12 were loaded."],
}  # fmt: skip


def test_the_run_page_shows_the_reconciliation(billing, make_user):
    run = _run(
        make_user(roles.SUPERVISOR, username="boss"), report=REPORT, warnings=["meters.csv:10: vacant"]
    )
    page = billing.get(f"/conversion/{run.pk}/").content.decode()
    assert "<caption>Files: rows read, loaded and refused</caption>" in page
    files = re.search(r'<table id="files">.*?</table>', page, re.S).group(0)
    assert re.search(r'<th scope="row">meters.csv</th><td class="num">13</td>\s*<td class="num">12</td>'
                     r'<td class="num">1</td>', files)  # fmt: skip
    assert "route_code" in files
    totals = re.search(r'<table id="totals">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr[^>]*><th scope=\"row\">(.*?)</th>(.*?)</tr>", totals, re.S)
    cells = {label: re.findall(r"<td[^>]*>(.*?)</td>", body) for label, body in rows}
    assert cells["Receivable, total"] == ["2706.98", "2706.98", "2706.98", "0.00", "Agrees"]
    assert cells["Meters"] == ["14", "13", "12", "-2", "<strong>Differs</strong>"]
    assert cells["Deposits held"] == ["not given", "600.00", "600.00", "", "Not compared"]
    assert "Meters: the legacy trial balance says 14" in page and "meters.csv:10: vacant" in page


def test_the_run_page_lists_the_first_errors_and_counts_the_rest(billing, make_user):
    errors = [f"reads.csv:{line}:value: not a number" for line in range(2, 1002)]
    run = _run(
        make_user(roles.BILLING_ADMIN, username="b2"), outcome="refused", errors=errors, error_count=1500
    )
    page = billing.get(f"/conversion/{run.pk}/").content.decode()
    assert "Refused (errors)" in page
    assert page.count("<li><code>reads.csv:") == 1000
    assert "<code>reads.csv:1001:value: not a number</code>" in page
    assert "… and 500 more" in page


def test_the_workbook_has_its_sheets_and_neutralises_formulas(billing, make_user):
    run = _run(
        make_user(roles.BILLING_ADMIN, username="b3"), report=REPORT, errors=["meters.csv:4:size: not a size"],
        error_count=1, warnings=['=HYPERLINK("http://example.com","click")', "plain warning"],
    )  # fmt: skip
    response = billing.get(f"/conversion/{run.pk}/report.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Files", "Totals", "Differences", "Errors", "Warnings"]
    files = [[c.value for c in row] for row in book["Files"].iter_rows(min_row=5)]
    assert files == [["accounts.csv", 13, 13, 0, "route_code"], ["meters.csv", 13, 12, 1, None]]
    totals = [[c.value for c in row] for row in book["Totals"].iter_rows(min_row=5)]
    assert totals[0] == ["Receivable, total", 2706.98, 2706.98, 2706.98, 0]
    assert totals[1] == ["Meters", 14, 13, 12, -2]
    assert totals[2] == ["Deposits held", None, 600, 600, None]
    assert book["Errors"]["A5"].value == "meters.csv:4:size: not a size"
    cell = book["Warnings"]["A5"]
    assert cell.value == '\'=HYPERLINK("http://example.com","click")' and cell.data_type == "s"
    assert book["Warnings"]["A6"].value == "plain warning"


def test_a_run_that_does_not_exist_is_404(billing):
    assert billing.get("/conversion/999999/").status_code == 404
    assert billing.get("/conversion/999999/report.xlsx").status_code == 404


@pytest.mark.parametrize("value", ["1e309", "9" * 50, "0001-01-01", "-0", "abc", "NaN", "x" * 3000, "½"])
def test_hostile_values_in_each_field_answer_400_naming_it(billing, value):
    """The hostile-values test meets the form with accounts in the database (refused whole): here, empty."""
    fields = ["as_of", *(f"legacy_{figure}" for figure in TRIAL_BALANCE_FIGURES)]
    for field in fields:
        response = _post(billing, _zip({"customers.csv": b"x\n"}), **{field: value})
        if response.status_code != 302:
            assert response.status_code == 400, (field, value)
            assert f"{field}: " in response.content.decode(), (field, value)
    assert not ConversionRun.objects.filter(outcome="converted").exists()
    for path in (f"/conversion/{'9' * 50}/", f"/conversion/{'9' * 50}/report.xlsx"):
        assert billing.get(path).status_code == 404
