"""PostgreSQL checks a bill's meter spans and lines against their bill, and a journal line against its entry,
once per statement (migrations billing 0008 and ledger 0012, in place of per-row foreign keys): it refuses a
part with no bill, a line whose meter is not one of its bill's, and a journal line with no entry, as the
foreign keys did. (SQLite keeps the foreign keys.)"""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import IntegrityError, connection, transaction

from cistern.billing import services
from cistern.billing.models import Bill, BillLine, BillMeter
from cistern.ledger.models import GLAccount, JournalEntry, JournalLine
from cistern.metering.models import MeterInstallation

JUL = date(2026, 7, 25)
# PostgreSQL's statement checks; SQLite keeps its foreign keys (the suite's PostgreSQL run covers these).
pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only, see issue 10")


@pytest.fixture
def posted(district, biller, lead, metered_account):
    metered_account([(JUL, "112")])
    metered_account([(JUL, "130")])
    run = services.bill_run_create(actor=biller, cycle=district, period_end=JUL)
    services.bill_run_calculate(actor=biller, run=run)
    services.bill_run_approve(actor=lead, run=run)
    services.bill_run_post(actor=biller, run=run)
    return list(Bill.objects.order_by("id"))


def _line(bill_id, installation_id, sequence=99):
    return BillLine(
        bill_id=bill_id, installation_id=installation_id, sequence=sequence, description="x", quantity=1,
        unit_price=1, amount=D("1.00"), gl_account="4100",
    )  # fmt: skip


def test_posted_parts_pass_and_each_line_bills_one_of_its_bills_meters(posted):
    assert len(posted) == 2
    for bill in posted:
        meters = {m.installation_id for m in bill.meters.all()}
        assert meters and {line.installation_id for line in bill.lines.all()} <= meters | {None}


def test_a_line_or_a_meter_span_with_no_bill_is_refused(posted):
    missing = Bill.objects.order_by("-id").first().pk + 1000
    meter = BillMeter.objects.filter(bill=posted[0]).first()
    with pytest.raises(IntegrityError, match="does not exist"), transaction.atomic():
        BillLine.objects.bulk_create([_line(missing, None)])
    with pytest.raises(IntegrityError, match="not one of that bill's meters"), transaction.atomic():
        BillLine.objects.bulk_create([_line(missing, meter.installation_id)])
    meter.pk, meter.bill_id, meter.rebill = None, missing, True  # (a rebill may bill the read again)
    with pytest.raises(IntegrityError, match="does not exist"), transaction.atomic():
        BillMeter.objects.bulk_create([meter])


def test_a_line_naming_another_bills_meter_is_refused(posted):
    first, second = posted
    other = BillMeter.objects.get(bill=second).installation_id
    assert other != BillMeter.objects.get(bill=first).installation_id
    with pytest.raises(IntegrityError, match="not one of that bill's meters"), transaction.atomic():
        BillLine.objects.bulk_create([_line(first.pk, other)])
    unknown = MeterInstallation.objects.order_by("-id").first().pk + 1000
    with pytest.raises(IntegrityError, match="not one of that bill's meters"), transaction.atomic():
        BillLine.objects.bulk_create([_line(first.pk, unknown)])
    # One bad row among good ones refuses the whole statement; a line of no meter needs only its bill.
    with pytest.raises(IntegrityError), transaction.atomic():
        BillLine.objects.bulk_create([_line(first.pk, None, 98), _line(first.pk, other, 99)])
    BillLine.objects.bulk_create([_line(first.pk, None, 98)])


def test_a_journal_line_with_no_entry_is_refused(posted):
    missing = JournalEntry.objects.order_by("-id").first().pk + 1000
    gl = GLAccount.objects.get(code="4100")
    with pytest.raises(IntegrityError, match="does not exist"), transaction.atomic():
        JournalLine.objects.bulk_create(
            [JournalLine(entry_id=missing, gl_account=gl, amount=D("1.00")),
             JournalLine(entry_id=missing, gl_account=gl, amount=D("-1.00"))]
        )  # fmt: skip


def test_the_spans_and_lines_postgresql_copies_from_the_items_are_those_bill_rows_makes(posted, biller):
    """On PostgreSQL a run's spans and lines are made by the database from the trial items' stored proposals
    (posting.PARTS_SQL); they are the rows bill_rows makes from the same proposals (SQLite's and a final
    bill's way)."""
    from cistern.billing import posting
    from cistern.billing.models import BillRunItem

    for bill in posted:
        item = BillRunItem.objects.values("id", "account_id", "period_start", "period_end", "units", "total",
                                          "proposal").get(pk=bill.run_item_id)  # fmt: skip
        account = posting.selectors.BatchAccount("en", D("0.00"), D("0.00"))
        _, rows = posting.bill_rows(
            biller, items=[item], accounts={item["account_id"]: account}, bill_date=bill.bill_date,
            due_date=bill.due_date,
        )  # fmt: skip
        made = {"meters": rows.meters, "lines": rows.lines}
        stored = {
            "meters": BillMeter.objects.filter(bill=bill).order_by("id").values_list(*posting.METER_COLUMNS),
            "lines": BillLine.objects.filter(bill=bill)
            .order_by("sequence")
            .values_list(*posting.LINE_COLUMNS),
        }
        for part, expected in made.items():
            got = [(None, *row[1:]) for row in stored[part]]
            expected = [(None, *row[1:]) for row in expected]
            assert len(got) == len(expected) > 0
            for got_row, expected_row in zip(got, expected, strict=True):
                assert [_value(v) for v in got_row] == [_value(v) for v in expected_row]


def _value(value):
    """A stored value and the value written for it, compared as the database keeps them."""
    if isinstance(value, str):
        try:
            return D(value)
        except ArithmeticError:
            return value
    return value if not hasattr(value, "isoformat") else value.isoformat()
