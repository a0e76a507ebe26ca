"""The bank's BAI2 day: read with the `bai2` package, its lockbox deposits (type 115) reconciled against the
lockbox items posted for the as-of date; a malformed file writes nothing."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cistern.billing.scanline import scanline
from cistern.core import clock, roles
from cistern.payments import bai2_day
from cistern.payments import lockbox_services as services
from cistern.payments.models import Bai2Reconciliation
from cistern.payments.services import PaymentError

D = Decimal
TODAY = date(2026, 12, 1)
pytestmark = pytest.mark.django_db


def bai2_text(lockbox_cents: list[int], *, as_of="261130", account="0001234567", wire=50000) -> str:
    """A prior-day BAI2 file as payments.md lays it out: 01, 02 (as-of date), 03 with two summaries, a 16 per
    lockbox deposit (type 115) and an incoming wire (195), and trailers whose control totals are the sums of
    the amounts below them and whose record counts include themselves."""
    summaries = [500000, 600000]
    details = [f"16,115,{cents},0,LBX{n:03d},,Lockbox deposit/" for n, cents in enumerate(lockbox_cents, 1)]
    details.append(f"16,195,{wire},0,WIRE1,,Incoming money transfer/")
    account_total = sum(summaries) + sum(lockbox_cents) + wire
    account_records = 1 + len(details) + 1  # 03, the 16s, 49
    group_records = 1 + account_records + 1  # 02 ... 98
    lines = [
        "01,BANKID,DISTRICT,261201,0600,1,80,,2/",
        f"02,DISTRICT,BANKID,1,{as_of},2400,USD,2/",
        f"03,{account},USD,010,{summaries[0]},,,015,{summaries[1]},,/",
        *details,
        f"49,{account_total},{account_records}/",
        f"98,{account_total},1,{group_records}/",
        f"99,{account_total},1,{group_records + 2}/",
    ]
    return "\n".join(lines) + "\n"


def test_lockbox_deposits_are_the_type_115_records():
    (day,) = bai2_day.lockbox_days(bai2_text([12345, 4556]))
    assert day.as_of == date(2026, 11, 30)
    assert day.total == D("169.01")
    assert [d.bank_reference for d in day.deposits] == ["LBX001", "LBX002"]
    assert day.other_types == {"195": "500.00"}
    assert bai2_day.lockbox_days(bai2_text([100]), account="0001234567")[0].total == D("1.00")


@pytest.mark.parametrize(
    "text, says",
    [
        ("", "empty"),
        ("hello,world/", "Not a BAI2 file"),
        (bai2_text([100]).replace("49,1150100", "49,1150101"), "control totals"),
        (bai2_text([100]).replace("16,115,100", "16,115,1x0"), "cannot be read"),
        (bai2_text([100]).replace("261130", "261131"), "cannot be read"),
        ("\n".join(bai2_text([100]).splitlines()[:-1]), "not in BAI2 order"),
    ],
)
def test_malformed_bai2_is_refused_with_a_reason(text, says):
    with pytest.raises(bai2_day.Bai2Error, match=says):
        bai2_day.lockbox_days(text)


def test_an_account_the_file_does_not_report_is_an_error():
    with pytest.raises(bai2_day.Bai2Error, match="does not report the district's account 999"):
        bai2_day.lockbox_days(bai2_text([100]), account="999")


# --- reconciling against the posted items -----------------------------------------------------------------


@pytest.fixture
def billing(make_user):
    return make_user(roles.BILLING_ADMIN, username="billing")


@pytest.fixture
def posted_day(billing, owing_account):
    """$45.56 and $30.00 posted for 11/30/2026, and $9.99 with no stub in suspense."""
    stub = scanline(owing_account.number, D("45.56"))
    raw = (
        "scanline,amount,check_number,deposit_date\n"
        f"{stub},45.56,1001,2026-11-30\n{stub},30.00,1002,2026-11-30\n,9.99,1003,2026-11-30\n"
    )
    with clock.on(TODAY):
        services.lockbox_import(actor=billing, file_name="lbx.csv", content=raw.encode())


def test_reconciliation_without_a_difference(billing, posted_day):
    (r,) = services.bai2_import(actor=billing, file_name="bai.txt", content=bai2_text([4556, 3000]).encode())
    assert (r.as_of, r.bank_lockbox_total, r.posted_lockbox_total, r.difference) == (
        date(2026, 11, 30), D("75.56"), D("75.56"), D("0.00"),
    )  # fmt: skip
    assert r.details["items"]["suspense"] == {"count": 1, "total": "9.99"}


def test_reconciliation_with_a_difference_then_the_suspense_item_applied(
    billing, css2, posted_day, owing_account
):
    text = bai2_text([4556, 3000, 999]).encode()
    (r,) = services.bai2_import(actor=billing, file_name="bai.txt", content=text)
    assert r.difference == D("9.99") and r.bank_lockbox_total == D("85.55")
    item = services.LockboxItem.objects.get(status="suspense")
    services.suspense_apply(actor=css2, item=item, account_number=owing_account.number)
    (again,) = services.bai2_import(actor=billing, file_name="bai.txt", content=text)
    assert again.difference == D("0.00") and again.posted_lockbox_total == D("85.55")
    assert Bai2Reconciliation.objects.count() == 2


def test_malformed_bai2_writes_nothing(billing, posted_day):
    with pytest.raises(PaymentError, match="bad.txt was not read"):
        services.bai2_import(actor=billing, file_name="bad.txt", content=b"01,oops/")
    assert not Bai2Reconciliation.objects.exists()


def test_command_reports_the_difference(billing, posted_day, tmp_path):
    path = tmp_path / "bai.txt"
    path.write_text(bai2_text([4556, 3000, 1000]))
    out = StringIO()
    call_command("import_bai2", str(path), "--user", "billing", stdout=out)
    assert (
        "11/30/2026: bank lockbox deposits $85.56, posted lockbox items $75.56: difference $10.00."
        in out.getvalue()
    )
    path.write_text("not bai2")
    with pytest.raises(CommandError, match="Not a BAI2 file"):
        call_command("import_bai2", str(path), "--user", "billing")


def test_report_page_highlights_differences(client, billing, posted_day):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(billing)
    assert "No BAI2 file reconciled yet" in client.get("/payments/lockbox/bai2/").content.decode()
    upload = SimpleUploadedFile("bai.txt", bai2_text([4556, 3000, 1000]).encode())
    page = client.post("/payments/lockbox/bai2/", {"file": upload}, follow=True).content.decode()
    assert 'class="difference"' in page and "$10.00 difference" in page
    bad = SimpleUploadedFile("bad.txt", b"garbage")
    page = client.post("/payments/lockbox/bai2/", {"file": bad}).content.decode()
    assert "bad.txt was not read" in page
