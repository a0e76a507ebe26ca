"""The daily GL summary: on the page, as CSV and XLSX, and from the command."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from cistern.core import roles
from cistern.ledger.services import Posting, journal_post

pytestmark = pytest.mark.django_db

DAY = date(2026, 10, 5)


@pytest.fixture
def posted(css2, start_account):
    first, second = start_account(), start_account()
    for account, amount in ((first, "156.40"), (second, "45.55")):
        journal_post(
            actor=css2, entry_date=DAY, memo="Bill", source_kind="bill",
            postings=[Posting("1200", D(amount), account.pk), Posting("4110", -D(amount))],
        )  # fmt: skip
    journal_post(
        actor=css2, entry_date=DAY, memo="Payment", source_kind="payment",
        postings=[Posting("1010", D("100.00")), Posting("1200", D("-100.00"), first.pk)],
    )  # fmt: skip
    journal_post(  # another day: not in the summary
        actor=css2, entry_date=date(2026, 10, 6), memo="Bill", source_kind="bill",
        postings=[Posting("1200", D("9.99"), first.pk), Posting("4110", D("-9.99"))],
    )  # fmt: skip


EXPECTED_CSV = (
    "date,gl_account,name,debits,credits,net\r\n"
    "2026-10-05,1010,Undeposited funds,100.00,0.00,100.00\r\n"
    "2026-10-05,1200,Accounts receivable: customers,201.95,100.00,101.95\r\n"
    "2026-10-05,4110,Water sales: usage,0.00,201.95,-201.95\r\n"
)


def test_the_csv_has_debits_and_credits_by_gl_account(client, make_user, posted):
    client.force_login(make_user(roles.BILLING_ADMIN, username="gl_admin"))
    response = client.get("/ledger/gl/", {"on": "2026-10-05", "format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="gl-2026-10-05.csv"'
    assert response.content.decode() == EXPECTED_CSV
    page = client.get("/ledger/gl/", {"on": "2026-10-05"}).content.decode()
    assert '<td class="num">$201.95</td>' in page


def test_the_xlsx_holds_exact_numbers(client, make_user, posted):
    client.force_login(make_user(roles.AUDITOR, username="gl_auditor"))
    response = client.get("/ledger/gl/", {"on": "2026-10-05", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("date", "gl_account", "name", "debits", "credits", "net")
    assert rows[2][1] == "1200" and D(str(rows[2][3])) == D("201.95") and len(rows) == 4


def test_the_command_writes_the_file(posted, tmp_path):
    out = tmp_path / "gl.csv"
    call_command("export_gl", "--on", "2026-10-05", "--out", str(out), stdout=io.StringIO())
    assert out.read_bytes().decode() == EXPECTED_CSV


def test_clerks_do_not_export_the_gl(client, make_user):
    client.force_login(make_user(roles.CSS_I, username="gl_clerk"))
    assert client.get("/ledger/gl/").status_code == 403
