"""The lockbox: the bank's remittance file read, posted in a batch, mismatches held in suspense for a clerk,
the same file twice posting nothing; the command and the upload page."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from cistern.billing.scanline import scanline
from cistern.core import clock, roles
from cistern.core.models import AuditEvent
from cistern.customers.account_number import make_account_number
from cistern.customers.models import AccountFlag, FlagKind
from cistern.ledger import selectors as ledger_selectors
from cistern.ledger.models import GLAccount, GLRole, JournalEntry, JournalLine
from cistern.payments import lockbox
from cistern.payments import lockbox_services as services
from cistern.payments.models import (
    LockboxFile,
    LockboxItem,
    LockboxStatus,
    Payment,
    PaymentPart,
    PaymentTender,
)
from cistern.payments.services import PaymentError

pytestmark = pytest.mark.django_db
D = Decimal
TODAY = date(2026, 12, 1)
DAY = "2026-11-30"
HEADER = "scanline,amount,check_number,deposit_date\n"


@pytest.fixture(autouse=True)
def today():
    with clock.on(TODAY):
        yield


@pytest.fixture
def billing(make_user):
    return make_user(roles.BILLING_ADMIN, username="billing")


def csv_of(*rows) -> bytes:
    return (HEADER + "".join(",".join(row) + "\n" for row in rows)).encode()


def stub(account, due="45.56") -> str:
    return scanline(account.number, D(due))


def gl_total(role) -> Decimal:
    return sum(
        JournalLine.objects.filter(gl_account=GLAccount.objects.get(role=role)).values_list(
            "amount", flat=True
        ),
        D("0.00"),
    )


# --- the pure reader ------------------------------------------------------------------------------------


def test_parse_reports_every_malformed_field_with_its_line():
    raw = csv_of(
        ("10000015 0000015640 3", "12.3", "1001", DAY),
        ("10000015 0000015640 3", "12.30", "", "2026-13-01"),
        ("10000015 0000015640 3", "-5.00", "1002", "12/01/2026"),
        ("only", "two"),
        ("10000015 0000015640 3", "5.00", "1003", "2026-12-02"),
    )
    parsed = lockbox.parse_file(raw, today=TODAY, max_rows=100)
    assert parsed.items == []
    got = [e.format("day.csv") for e in parsed.errors]
    assert got == [
        'day.csv:2:amount: "12.3" is not an amount (dollars and cents, e.g. 12.34)',
        "day.csv:3:check_number: is empty: every lockbox item is a check with its number",
        'day.csv:3:deposit_date: "2026-13-01" is not a date (YYYY-MM-DD)',
        'day.csv:4:amount: "-5.00" is not an amount (dollars and cents, e.g. 12.34)',
        'day.csv:4:deposit_date: "12/01/2026" is not a date (YYYY-MM-DD)',
        "day.csv:5:line: has 2 fields; expected 4 (scanline,amount,check_number,deposit_date)",
        "day.csv:6:deposit_date: 12/02/2026 is in the future",
    ]
    assert parsed.error_count == 7


def test_parse_refuses_a_wrong_header_and_caps_rows():
    parsed = lockbox.parse_file(b"scanline,amount,check,date\n", today=TODAY, max_rows=10)
    assert [e.format("x.csv") for e in parsed.errors] == [
        'x.csv:1:header: is "scanline,amount,check,date"; expected scanline,amount,check_number,deposit_date'
    ]
    rows = [("", "1.00", str(n), DAY) for n in range(3)]
    parsed = lockbox.parse_file(csv_of(*rows), today=TODAY, max_rows=2)
    assert [e.format("x.csv") for e in parsed.errors] == [
        "x.csv:4:file: has more than 2 items; split the file"
    ]
    assert lockbox.parse_file(b"\xff\xfe", today=TODAY, max_rows=2).errors[0].field == "file"


def test_scanline_problems_are_reasons_not_file_errors():
    good = scanline("10000015", D("156.40"))
    misread = good[:3] + str((int(good[3]) + 1) % 10) + good[4:]
    parsed = lockbox.parse_file(
        csv_of((good, "1.00", "1", DAY), (misread, "1.00", "2", DAY), ("", "1.00", "3", DAY), ("12AB", "1.00", "4", DAY)),
        today=TODAY, max_rows=10,
    )  # fmt: skip
    assert [(i.account_number, i.problem.split(":")[0]) for i in parsed.items] == [
        ("10000015", ""), ("", "scanline check digit fails"), ("", "no scanline"), ("", "scanline unreadable"),
    ]  # fmt: skip


# --- the import -----------------------------------------------------------------------------------------


def test_import_posts_each_item_to_cash_and_the_account(billing, owing_account, charge):
    charge(owing_account, "10.00", date(2026, 10, 20), kind="late_fee", description="Late fee")
    raw = csv_of((stub(owing_account), "30.00", "1001", DAY), (stub(owing_account), "40.00", "1002", DAY))
    result = services.lockbox_import(actor=billing, file_name="lbx-1130.csv", content=raw)
    f = result.file
    assert (f.items, f.posted, f.suspense, f.already, f.total) == (2, 2, 0, 0, D("70.00"))
    assert result.posted_total == D("70.00")
    assert ledger_selectors.account_balance(owing_account) == D("-14.44")
    assert gl_total(GLRole.CASH) == D("70.00")
    first, second = Payment.objects.filter(channel="lockbox").order_by("id")
    assert first.received_on == date(2026, 11, 30) and first.reference == "lockbox lbx-1130.csv:2"
    assert PaymentTender.objects.get(payment=first).check_number == "1001"
    # Oldest due first: the October late fee, then the November bill; the second check pays the rest.
    part1, part2 = PaymentPart.objects.get(payment=first), PaymentPart.objects.get(payment=second)
    assert [(a["due"], a["amount"]) for a in part1.applied] == [
        ("2026-10-20", "10.00"),
        ("2026-11-20", "20.00"),
    ]
    assert part1.balance_after == D("25.56") and part1.credit == D("0.00")
    assert [(a["due"], a["amount"]) for a in part2.applied] == [("2026-11-20", "25.56")]
    assert part2.credit == D("14.44") and part2.balance_after == D("-14.44")
    entry = JournalEntry.objects.get(pk=first.entry_id)
    assert entry.source_kind == "payment" and entry.source_id == first.pk
    assert LockboxItem.objects.filter(status=LockboxStatus.POSTED, account=owing_account).count() == 2
    audit = AuditEvent.objects.get(action="lockbox.import")
    assert audit.changes["posted"] == [None, 2] and audit.changes["posted_total"] == [None, "70.00"]


def test_the_same_file_twice_posts_nothing(billing, owing_account):
    raw = csv_of((stub(owing_account), "45.56", "1001", DAY), ("", "9.99", "77", DAY))
    services.lockbox_import(actor=billing, file_name="day.csv", content=raw)
    again = services.lockbox_import(actor=billing, file_name="day.csv", content=raw).file
    assert (again.items, again.posted, again.suspense, again.already) == (2, 0, 0, 2)
    assert Payment.objects.count() == 1 and LockboxItem.objects.count() == 2
    assert ledger_selectors.account_balance(owing_account) == D("0.00")
    assert LockboxFile.objects.count() == 2


def test_a_line_repeated_in_one_file_is_taken_once(billing, owing_account):
    row = (stub(owing_account), "5.00", "1001", DAY)
    f = services.lockbox_import(actor=billing, file_name="d.csv", content=csv_of(row, row)).file
    assert (f.posted, f.already) == (1, 1)


def test_mismatches_go_to_suspense_with_their_reasons(billing, owing_account, start_account):
    cash_only = start_account()
    AccountFlag.objects.create(
        account=cash_only, kind=FlagKind.CASH_ONLY, starts_on=date(2026, 1, 1), reason="NSF x2"
    )
    good = stub(owing_account)
    misread = good[:2] + str((int(good[2]) + 3) % 10) + good[3:]
    raw = csv_of(
        (misread, "10.00", "1", DAY),
        (scanline(make_account_number(9999999), D("1.00")), "11.00", "2", DAY),
        (stub(cash_only), "12.00", "3", DAY),
        ("", "13.00", "4", DAY),
        (scanline("12345678", D("1.00")), "14.00", "5", DAY),
    )
    result = services.lockbox_import(actor=billing, file_name="d.csv", content=raw)
    assert (result.file.posted, result.file.suspense, result.suspense_total) == (0, 5, D("60.00"))
    held = list(LockboxItem.objects.order_by("line").values_list("reason", "account_id"))
    assert held == [
        ("scanline check digit fails: a digit was misread or two were swapped", None),
        (f"no account {make_account_number(9999999)}", None),
        ("cash only: checks refused", cash_only.pk),
        ("no scanline: the check came without its bill stub", None),
        ("account number 12345678 on the scanline fails its check digit", None),
    ]
    assert Payment.objects.count() == 0 and gl_total(GLRole.CASH) == D("0.00")
    assert services.suspense_count() == 5


def test_a_final_account_still_takes_the_payment(billing, owing_account):
    owing_account.status, owing_account.end_date = "final", date(2026, 11, 25)
    owing_account.save(update_fields=["status", "end_date"])
    f = services.lockbox_import(
        actor=billing, file_name="d.csv", content=csv_of((stub(owing_account), "50.00", "9", DAY))
    ).file
    assert f.posted == 1 and ledger_selectors.account_balance(owing_account) == D("-4.44")


def test_a_malformed_file_writes_nothing(billing, owing_account):
    raw = csv_of((stub(owing_account), "45.56", "1001", DAY), (stub(owing_account), "4x", "1002", DAY))
    with pytest.raises(services.ImportRefused) as refused:
        services.lockbox_import(actor=billing, file_name="bad.csv", content=raw)
    assert refused.value.errors == ['bad.csv:3:amount: "4x" is not an amount (dollars and cents, e.g. 12.34)']
    assert (
        not LockboxFile.objects.exists() and not Payment.objects.exists() and not LockboxItem.objects.exists()
    )


def test_import_needs_the_permission(css1, owing_account):
    with pytest.raises(PermissionDenied):
        services.lockbox_import(actor=css1, file_name="d.csv", content=csv_of(("", "1.00", "1", DAY)))


# --- the suspense queue ---------------------------------------------------------------------------------


@pytest.fixture
def held(billing):
    services.lockbox_import(actor=billing, file_name="d.csv", content=csv_of(("", "45.56", "501", DAY)))
    return LockboxItem.objects.get()


def test_suspense_apply_posts_a_payment_and_leaves_the_queue(billing, css2, held, owing_account):
    item = services.suspense_apply(
        actor=css2, item=held, account_number=owing_account.number, note="Stub in envelope"
    )
    assert item.status == LockboxStatus.APPLIED and item.account_id == owing_account.pk
    payment = item.payment
    assert (
        payment.channel == "lockbox"
        and payment.amount == D("45.56")
        and payment.received_on == date(2026, 11, 30)
    )
    assert payment.parts.get().applied[0]["amount"] == "45.56"
    assert ledger_selectors.account_balance(owing_account) == D("0.00")
    assert services.suspense_count() == 0
    assert AuditEvent.objects.filter(action="lockbox.apply", account_id=owing_account.pk).count() == 1
    with pytest.raises(PaymentError, match="no longer in suspense"):
        services.suspense_apply(actor=css2, item=held, account_number=owing_account.number)


def test_suspense_apply_refuses_a_bad_number_and_a_cash_only_account(css2, held, owing_account):
    with pytest.raises(PaymentError) as bad:
        services.suspense_apply(actor=css2, item=held, account_number="12345678")
    assert bad.value.field == "account" and "check digit" in str(bad.value)
    AccountFlag.objects.create(
        account=owing_account, kind=FlagKind.CASH_ONLY, starts_on=date(2026, 1, 1), reason="NSF"
    )
    with pytest.raises(PaymentError, match="cash only"):
        services.suspense_apply(actor=css2, item=held, account_number=owing_account.number)
    assert Payment.objects.count() == 0 and services.suspense_count() == 1


def test_suspense_return_needs_a_note(css2, held):
    with pytest.raises(PaymentError):
        services.suspense_return(actor=css2, item=held, note=" ")
    item = services.suspense_return(actor=css2, item=held, note="No stub, no name: back to the bank")
    assert item.status == LockboxStatus.RETURNED and item.resolution_note.startswith("No stub")
    assert services.suspense_count() == 0 and Payment.objects.count() == 0


# --- the command and the pages ---------------------------------------------------------------------------


def test_command_imports_and_reports_counts(billing, owing_account, tmp_path):
    path = tmp_path / "lbx.csv"
    path.write_bytes(csv_of((stub(owing_account), "45.56", "1001", DAY), ("", "1.00", "2", DAY)))
    out = StringIO()
    call_command("import_lockbox", str(path), "--user", "billing", stdout=out)
    assert (
        "2 items taken, 1 posted ($45.56), 1 set aside in suspense ($1.00), 0 already posted."
        in out.getvalue()
    )
    call_command("import_lockbox", str(path), "--user", "billing", stdout=out)
    assert "0 posted ($0.00), 0 set aside in suspense ($0.00), 2 already posted." in out.getvalue()


def test_command_lists_errors_and_writes_nothing(billing, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"scanline,amount\n")
    with pytest.raises(CommandError, match="bad.csv:1:header"):
        call_command("import_lockbox", str(path), "--user", "billing")
    assert not LockboxFile.objects.exists()


def test_upload_page_imports_and_shows_errors(client, billing, owing_account):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(billing)
    page = client.get("/payments/lockbox/")
    assert page.status_code == 200 and "No lockbox files imported yet" in page.content.decode()
    bad = SimpleUploadedFile("bad.csv", b"scanline,amount,check_number,deposit_date\n,1,2,2026-11-30\n")
    page = client.post("/payments/lockbox/", {"file": bad})
    assert page.status_code == 200 and "bad.csv:2:amount" in page.content.decode()
    good = SimpleUploadedFile(
        "good.csv", csv_of((stub(owing_account), "45.56", "1001", DAY), ("", "2.00", "5", DAY))
    )
    page = client.post("/payments/lockbox/", {"file": good}, follow=True)
    text = page.content.decode()
    assert "1 posted ($45.56)" in text and "1 set aside in suspense" in text
    queue = client.get("/payments/lockbox/suspense/").content.decode()
    assert "no scanline: the check came without its bill stub" in queue


def test_suspense_pages_apply_and_return(client, css2, held, owing_account):
    client.force_login(css2)
    page = client.get(f"/payments/lockbox/items/{held.pk}/")
    assert page.status_code == 200 and "$45.56" in page.content.decode()
    response = client.post(f"/payments/lockbox/items/{held.pk}/apply/", {"account": "1234-5678", "note": ""})
    assert response.status_code == 302 and services.suspense_count() == 1
    response = client.post(
        f"/payments/lockbox/items/{held.pk}/apply/",
        {"account": owing_account.number, "note": "Found the stub"},
    )
    assert response.status_code == 302 and services.suspense_count() == 0
    assert ledger_selectors.account_balance(owing_account) == D("0.00")


def test_home_page_shows_the_suspense_queue(client, css2, held):
    client.force_login(css2)
    text = client.get("/").content.decode()
    assert "Lockbox suspense" in text


def test_a_reversed_charge_is_not_paid(billing, owing_account, charge, supervisor_user):
    """An account with a reversal among its lines: the reversed late fee is not open, the bill is."""
    from cistern.ledger import services as ledger

    fee = charge(owing_account, "10.00", date(2026, 10, 20), kind="late_fee", description="Late fee")
    ledger.journal_reverse(actor=supervisor_user, entry=fee, reason="Forgiven")
    services.lockbox_import(
        actor=billing, file_name="d.csv", content=csv_of((stub(owing_account), "20.00", "7", DAY))
    )
    part = PaymentPart.objects.get()
    assert [(a["due"], a["amount"]) for a in part.applied] == [("2026-11-20", "20.00")]
    assert part.balance_after == D("25.56")
