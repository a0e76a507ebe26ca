"""The autopay NACHA file, record by record, against an expectation written here from payments.md's positions
(not from nacha.py): lengths, counts, padding, entry hash, totals, trace numbers, the file id modifier."""

import hashlib
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from cistern.billing.models import Bill
from cistern.core import clock, roles
from cistern.payments import autopay, nacha
from cistern.payments.models import AchFile

pytestmark = pytest.mark.django_db

ODFI = "12200024"  # the district's bank, 122000247 (district settings' default)
TUE, FRI, SETTLE = date(2026, 12, 1), date(2026, 12, 4), date(2026, 12, 23)


def header(created: datetime, modifier: str) -> str:
    return (
        "101 122000247" + "1953000000" + created.strftime("%y%m%d%H%M") + modifier + "094101"
        + "DISTRICT BANK".ljust(23) + "CISTERN WATER DISTRICT".ljust(23) + " " * 8
    )  # fmt: skip


def batch_header(settle: date) -> str:
    return (
        "5225" + "CISTERN WATER".ljust(16) + " " * 20 + "1953000000" + "PPD" + "WATER BILL" + " " * 6
        + settle.strftime("%y%m%d") + "   " + "1" + ODFI + "0000001"
    )  # fmt: skip


def entry(code, routing, number, cents, account, name, sequence) -> str:
    return (
        "6" + code + routing + number.ljust(17) + str(cents).zfill(10) + account.ljust(15) + name.ljust(22)
        + "  " + "0" + ODFI + str(sequence).zfill(7)
    )  # fmt: skip


def controls(entries: list[tuple]) -> list[str]:
    count = len(entries)
    entry_hash = str(sum(int(e[1][:8]) for e in entries))[-10:].zfill(10)
    debits = str(sum(e[3] for e in entries)).zfill(12)
    batch = (
        "8225"
        + str(count).zfill(6)
        + entry_hash
        + debits
        + "0" * 12
        + "1953000000"
        + " " * 25
        + ODFI
        + "0000001"
    )
    records = 1 + 1 + count + 1 + 1
    blocks = -(-records // 10)
    file = (
        "9"
        + "000001"
        + str(blocks).zfill(6)
        + str(count).zfill(8)
        + entry_hash
        + debits
        + "0" * 12
        + " " * 39
    )
    return [batch, file] + ["9" * 94] * (blocks * 10 - records)


@pytest.fixture
def clerk(make_user):
    return make_user(roles.SUPERVISOR, username="files")


def _enrol(actor, account, routing, number, kind, name, on):
    with clock.on(on):
        return autopay.enrolment_create(
            actor=actor, account=account, holder_name=name, routing_number=routing, bank_account_number=number,
            account_type=kind,
        )  # fmt: skip


def test_the_file_record_by_record(start_account, customer_factory, clerk, tmp_path):
    one = start_account()
    two = start_account(customer=customer_factory("José Peña"))
    three = start_account(customer=customer_factory("Ann Lee"))
    _enrol(clerk, one, "121000358", "000123456789", "checking", "Maria Lopez", TUE)
    _enrol(clerk, two, "021000021", "98765-4321", "savings", "José Peña", TUE)
    created_a = timezone.localtime()
    first = autopay.autopay_export(actor=clerk, settle_on=TUE, out=tmp_path / "a.txt", now=created_a)
    assert first.ach_file.file_id_modifier == "A" and first.prenotes == 2
    autopay.autopay_schedule(actor=clerk, on=FRI)
    for account, amount in [(one, "45.56"), (two, "1234.50")]:
        Bill.objects.create(
            account=account, period_start=date(2026, 11, 2), period_end=date(2026, 12, 1), bill_date=FRI,
            due_date=SETTLE, current_charges=D(amount), amount_due=D(amount), created_by=clerk,
        )  # fmt: skip
    autopay.autopay_schedule(actor=clerk, on=FRI)
    _enrol(clerk, three, "011000015", "55501234", "checking", "Ann Lee", date(2026, 12, 22))

    created_b = timezone.localtime()
    result = autopay.autopay_export(actor=clerk, settle_on=SETTLE, out=tmp_path / "b.txt", now=created_b)
    text = (tmp_path / "b.txt").read_text()
    records = text.split("\n")
    assert records[-1] == "" and all(len(r) == 94 for r in records[:-1])
    records = records[:-1]

    # Entries in account-number order: the prenote (28, zero dollars) with the live debits (27, 37).
    wanted = {
        one.number: ("27", "121000358", "000123456789", 4556, one.number, "MARIA LOPEZ"),
        two.number: ("37", "021000021", "98765-4321", 123450, two.number, "JOSE PENA"),
        three.number: ("28", "011000015", "55501234", 0, three.number, "ANN LEE"),
    }
    entries = [wanted[n] for n in sorted(wanted)]
    expected = [header(created_b, "B"), batch_header(SETTLE)]
    expected += [entry(*e, sequence=3 + i) for i, e in enumerate(entries)]  # file A used sequences 1 and 2
    expected += controls(entries)
    for number, (got, want) in enumerate(zip(records, expected, strict=True), start=1):
        assert got == want, f"record {number}:\n{got!r}\n{want!r}"

    assert len(records) == 10 and records[-3:] == ["9" * 94] * 3
    traces = [r[79:94] for r in records if r[0] == "6"]
    assert traces == sorted(traces) and len(set(traces)) == 3
    assert records[-4][21:31] == str(121000358 // 10 + 21000021 // 10 + 11000015 // 10 // 1).zfill(10)[-10:]
    entry_hash = (12100035 + 2100002 + 1100001) % 10**10
    assert records[-4][21:31] == f"{entry_hash:010d}" and records[-5][10:20] == f"{entry_hash:010d}"
    assert records[-4][31:43] == "000000128006"  # $45.56 + $1,234.50

    ach = AchFile.objects.get(pk=result.ach_file.pk)
    assert (ach.file_id_modifier, ach.entries, ach.total_debits) == ("B", 3, D("1280.06"))
    assert ach.entry_hash == f"{entry_hash:010d}"
    assert ach.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert result.debits == 2 and result.prenotes == 1
    # The first file: two prenotes, hand-checked the same way.
    first_records = (tmp_path / "a.txt").read_text().split("\n")[:-1]
    prenotes = sorted(
        [("28", "121000358", "000123456789", 0, one.number, "MARIA LOPEZ"),
         ("38", "021000021", "98765-4321", 0, two.number, "JOSE PENA")],
        key=lambda e: e[4],
    )  # fmt: skip
    assert first_records == [
        header(created_a, "A"), batch_header(TUE), *[entry(*e, sequence=1 + i) for i, e in enumerate(prenotes)],
        *controls(prenotes),
    ]  # fmt: skip


def test_the_entry_hash_keeps_the_rightmost_10_digits_and_blocks_pad_to_tens():
    """101 entries of routing 999999992: the hash overflows 10 digits; 105 records pad to 110."""
    entries = [("27", "999999992", f"{i:08d}", 100 + i, f"A{i}", f"NAME {i}") for i in range(101)]
    o = nacha.Originator(
        company_name="CISTERN WATER", company_id="1953000000", immediate_origin="1953000000",
        immediate_origin_name="CISTERN WATER DISTRICT", immediate_destination="122000247",
        immediate_destination_name="DISTRICT BANK", odfi_routing=ODFI,
    )  # fmt: skip
    created = datetime(2026, 12, 22, 16, 5)
    written = nacha.write_autopay_file(
        nacha.AutopayFile(
            originator=o,
            created=created,
            file_id_modifier="A",
            batches=[
                nacha.Batch(SETTLE, [nacha.Debit(e[1], e[2], D(e[3]) / 100, e[4], e[5]) for e in entries])
            ],
        )  # fmt: skip
    )
    assert 99999999 * 101 > 10**10
    expected = [header(created, "A"), batch_header(SETTLE)]
    expected += [entry(*e, sequence=1 + i) for i, e in enumerate(entries)] + controls(entries)
    assert list(written.records) == expected
    assert len(expected) == 110 and expected[-1] == "9" * 94 and expected[104][21:31] == "0099999899"
